"""Listing Mirror: order models and the API v2 JSON converter."""

from .._exports import adopt
from . import json
from .json import (
    CONFIRMED_KEYS,
    ParsedOrders,
    configure_converter,
    dumps,
    loads,
    make_converter,
    read_orders,
)
from .models import (
    Address,
    Discount,
    FulfillmentChannel,
    ItemOption,
    Order,
    OrderItem,
    OrderStatus,
    ShipmentUpdate,
    ShippedItem,
    WeightUnit,
)

__all__ = [
    "CONFIRMED_KEYS",
    "Address",
    "Discount",
    "FulfillmentChannel",
    "ItemOption",
    "Order",
    "OrderItem",
    "OrderStatus",
    "ParsedOrders",
    "ShipmentUpdate",
    "ShippedItem",
    "WeightUnit",
    "configure_converter",
    "dumps",
    "json",
    "loads",
    "make_converter",
    "read_orders",
]


adopt(globals(), __all__, __name__)
