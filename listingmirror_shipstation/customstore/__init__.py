"""ShipStation's Custom Store protocol (XML v1): models, safe XML, and the WSGI endpoint."""

from .._exports import adopt
from . import snapshots, validate, xml
from .app import (
    DEFAULT_SNAPSHOT_TTL,
    NOTICE_ERRORS,
    CustomStoreApp,
    OrderSource,
    ShipNoticeReceiver,
    order_key,
)
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
from .snapshots import MemorySnapshotStore, Snapshot, SnapshotStore, SQLiteSnapshotStore
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
    "DEFAULT_SNAPSHOT_TTL",
    "LIMITS",
    "MAX_MONEY",
    "MAX_OPTIONS",
    "MAX_QUANTITY",
    "NOTICE_ERRORS",
    "Address",
    "CustomStoreApp",
    "Customer",
    "ExportQuery",
    "Item",
    "MemorySnapshotStore",
    "Option",
    "Order",
    "OrderSource",
    "OrdersPage",
    "SQLiteSnapshotStore",
    "ShipNotice",
    "ShipNoticeItem",
    "ShipNoticeReceiver",
    "Snapshot",
    "SnapshotStore",
    "WeightUnits",
    "clean_text",
    "iter_render_orders",
    "normalise",
    "order_key",
    "parse_export_query",
    "parse_orders",
    "parse_ship_notice",
    "render_orders",
    "snapshots",
    "validate",
    "validate_order",
    "xml",
]

adopt(globals(), __all__, __name__)
