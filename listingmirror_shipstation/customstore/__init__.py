"""ShipStation's Custom Store protocol (XML v1): models, safe XML, and the WSGI endpoint.

The protocol's limits (``LIMITS``, ``CODES``, ``MAX_*``), ``clean_text`` and ``normalise`` are
documented in their modules (:mod:`~listingmirror_shipstation.customstore.validate`,
:mod:`~listingmirror_shipstation.customstore.xml`) and stay importable from here, but are not
part of this package's face.
"""

from .._exports import adopt
from . import snapshots, validate, xml
from .app import DEFAULT_SNAPSHOT_TTL as DEFAULT_SNAPSHOT_TTL
from .app import NOTICE_ERRORS as NOTICE_ERRORS
from .app import CustomStoreApp, OrderSource, ShipNoticeReceiver, order_key
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
from .snapshots import DEFAULT_CHUNK_SIZE as DEFAULT_CHUNK_SIZE
from .snapshots import MemorySnapshotStore, Snapshot, SnapshotStore, SQLiteSnapshotStore
from .validate import CODES as CODES
from .validate import LIMITS as LIMITS
from .validate import MAX_MONEY as MAX_MONEY
from .validate import MAX_OPTIONS as MAX_OPTIONS
from .validate import MAX_QUANTITY as MAX_QUANTITY
from .validate import clean_text as clean_text
from .validate import validate_order
from .xml import DEFAULT_MAX_BYTES as DEFAULT_MAX_BYTES
from .xml import (
    iter_render_orders,
    parse_export_query,
    parse_orders,
    parse_ship_notice,
    render_orders,
)
from .xml import normalise as normalise

__all__ = [
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
    "iter_render_orders",
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
