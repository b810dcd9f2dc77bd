"""Listing Mirror: order models and the API v2 JSON converter.

The client (:class:`ListingMirrorClient` and what it returns) is imported on first use, so the
models, the converter and :mod:`~listingmirror_shipstation.mapping` load no HTTP library.
"""

from typing import TYPE_CHECKING

from .._exports import adopt, lazy_client
from . import json
from .json import CONFIRMED_KEYS as CONFIRMED_KEYS
from .json import (
    JsonConverter,
    ParsedOrders,
    configure_converter,
    dumps,
    loads,
    make_converter,
    read_orders,
)
from .json import KeyReport as KeyReport
from .json import key_report as key_report
from .models import (
    Address,
    Discount,
    FulfillmentChannel,
    InventoryLevel,
    ItemOption,
    Order,
    OrderItem,
    OrderStatus,
    Product,
    ShipmentUpdate,
    ShippedItem,
    WeightUnit,
)

if TYPE_CHECKING:  # the real names for type checkers; at run time __getattr__ imports them
    from . import client
    from .client import (
        DEFAULT_BASE_URL,
        ListingMirrorClient,
        OrderSnapshot,
        Page,
        UnreadableOrder,
    )
    from .client import InventoryResource as InventoryResource
    from .client import MasterListingsResource as MasterListingsResource
    from .client import OrdersResource as OrdersResource

__all__ = [
    "DEFAULT_BASE_URL",
    "Address",
    "Discount",
    "FulfillmentChannel",
    "InventoryLevel",
    "ItemOption",
    "JsonConverter",
    "ListingMirrorClient",
    "Order",
    "OrderItem",
    "OrderSnapshot",
    "OrderStatus",
    "Page",
    "ParsedOrders",
    "Product",
    "ShipmentUpdate",
    "ShippedItem",
    "UnreadableOrder",
    "WeightUnit",
    "client",
    "configure_converter",
    "dumps",
    "json",
    "loads",
    "make_converter",
    "read_orders",
]


adopt(globals(), [n for n in __all__ if n in globals()], __name__)

#: Served from ``client`` on first use, with the names its ``__all__`` declares.
__getattr__ = lazy_client(__name__, globals(), __all__)
