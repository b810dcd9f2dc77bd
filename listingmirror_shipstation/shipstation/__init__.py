"""ShipStation REST API v1: models, the JSON converter, and checks on what we send.

The client (:class:`ShipStationClient`, its resources and filters) is imported on first use, so
the models, the converter and :mod:`~listingmirror_shipstation.mapping` load no HTTP library.
"""

from typing import TYPE_CHECKING

from .._exports import adopt, lazy_client
from . import json, validate
from .json import IRREGULAR as IRREGULAR
from .json import JsonConverter, configure_converter, dumps, loads, make_converter
from .json import wire_name as wire_name
from .models import (
    Address,
    AddressVerified,
    AdvancedOptions,
    BillToParty,
    Carrier,
    Confirmation,
    CreateOrderResult,
    CreateOrdersResult,
    CustomsItem,
    Dimensions,
    DimensionUnit,
    Fulfillment,
    FulfillmentsPage,
    InsuranceOptions,
    InsuranceProvider,
    InternationalContents,
    InternationalOptions,
    ItemOption,
    MarkAsShippedRequest,
    MarkAsShippedResult,
    NonDelivery,
    OperationResult,
    Order,
    OrderItem,
    OrdersPage,
    OrderStatus,
    Shipment,
    ShipmentItem,
    ShipmentsPage,
    StatusMapping,
    Store,
    Webhook,
    WebhookEvent,
    WebhookNotification,
    WebhooksList,
    WebhookSubscribed,
    WebhookSubscription,
    Weight,
    WeightUnit,
)
from .validate import MAX_ORDER_NUMBER_LENGTH as MAX_ORDER_NUMBER_LENGTH
from .validate import WRITABLE_STATUSES as WRITABLE_STATUSES
from .validate import validate_order_for_create

if TYPE_CHECKING:  # the real names for type checkers; at run time __getattr__ imports them
    from . import client
    from .client import DEFAULT_BASE_URL, OrderUpsert, ShipStationClient
    from .client import MAX_BATCH as MAX_BATCH
    from .client import CarriersResource as CarriersResource
    from .client import FulfillmentFilters as FulfillmentFilters
    from .client import FulfillmentsResource as FulfillmentsResource
    from .client import OrderFilters as OrderFilters
    from .client import OrdersResource as OrdersResource
    from .client import ShipmentFilters as ShipmentFilters
    from .client import ShipmentsResource as ShipmentsResource
    from .client import StoresResource as StoresResource
    from .client import WebhooksResource as WebhooksResource

__all__ = [
    "DEFAULT_BASE_URL",
    "Address",
    "AddressVerified",
    "AdvancedOptions",
    "BillToParty",
    "Carrier",
    "Confirmation",
    "CreateOrderResult",
    "CreateOrdersResult",
    "CustomsItem",
    "DimensionUnit",
    "Dimensions",
    "Fulfillment",
    "FulfillmentsPage",
    "InsuranceOptions",
    "InsuranceProvider",
    "InternationalContents",
    "InternationalOptions",
    "ItemOption",
    "JsonConverter",
    "MarkAsShippedRequest",
    "MarkAsShippedResult",
    "NonDelivery",
    "OperationResult",
    "Order",
    "OrderItem",
    "OrderStatus",
    "OrderUpsert",
    "OrdersPage",
    "ShipStationClient",
    "Shipment",
    "ShipmentItem",
    "ShipmentsPage",
    "StatusMapping",
    "Store",
    "Webhook",
    "WebhookEvent",
    "WebhookNotification",
    "WebhookSubscribed",
    "WebhookSubscription",
    "WebhooksList",
    "Weight",
    "WeightUnit",
    "client",
    "configure_converter",
    "dumps",
    "json",
    "loads",
    "make_converter",
    "validate",
    "validate_order_for_create",
]


adopt(globals(), [n for n in __all__ if n in globals()], __name__)

#: Served from ``client`` on first use, with the names its ``__all__`` declares.
__getattr__ = lazy_client(__name__, globals(), __all__)
