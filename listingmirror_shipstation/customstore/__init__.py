"""ShipStation's Custom Store protocol (XML v1): models, safe XML, and the WSGI endpoint."""

from .._exports import adopt
from . import validate, xml
from .app import CustomStoreApp, OrderSource, ShipNoticeReceiver
from .models import (
    Address,
    Customer,
    ExportQuery,
    Item,
    Option,
    Order,
    OrdersPage,
    ShipNotice,
    ShipNoticeItem,
    WeightUnits,
)
from .validate import (
    CODES,
    LIMITS,
    MAX_MONEY,
    MAX_OPTIONS,
    MAX_QUANTITY,
    clean_text,
    validate_order,
)
from .xml import (
    DEFAULT_MAX_BYTES,
    iter_render_orders,
    normalise,
    parse_export_query,
    parse_orders,
    parse_ship_notice,
    render_orders,
)

__all__ = [
    "CODES",
    "DEFAULT_MAX_BYTES",
    "LIMITS",
    "MAX_MONEY",
    "MAX_OPTIONS",
    "MAX_QUANTITY",
    "Address",
    "CustomStoreApp",
    "Customer",
    "ExportQuery",
    "Item",
    "Option",
    "Order",
    "OrderSource",
    "OrdersPage",
    "ShipNotice",
    "ShipNoticeItem",
    "ShipNoticeReceiver",
    "WeightUnits",
    "clean_text",
    "iter_render_orders",
    "normalise",
    "parse_export_query",
    "parse_orders",
    "parse_ship_notice",
    "render_orders",
    "validate",
    "validate_order",
    "xml",
]

adopt(globals(), __all__, __name__)
