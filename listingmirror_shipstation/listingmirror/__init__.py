"""Listing Mirror: order models and the API v2 JSON converter."""

from .._exports import adopt
from . import client, json
from .client import (
    DEFAULT_BASE_URL,
    InventoryResource,
    ListingMirrorClient,
    MasterListingsResource,
    OrderSnapshot,
    OrdersResource,
    Page,
    UnreadableOrder,
)
from .json import (
    CONFIRMED_KEYS,
    JsonConverter,
    KeyReport,
    ParsedOrders,
    configure_converter,
    dumps,
    key_report,
    loads,
    make_converter,
    read_orders,
)
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

__all__ = [
    "CONFIRMED_KEYS",
    "DEFAULT_BASE_URL",
    "Address",
    "Discount",
    "FulfillmentChannel",
    "InventoryLevel",
    "InventoryResource",
    "ItemOption",
    "JsonConverter",
    "KeyReport",
    "ListingMirrorClient",
    "MasterListingsResource",
    "Order",
    "OrderItem",
    "OrderSnapshot",
    "OrderStatus",
    "OrdersResource",
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
    "key_report",
    "loads",
    "make_converter",
    "read_orders",
]


adopt(globals(), __all__, __name__)
