"""Sync workflows: orders Listing Mirror → ShipStation, shipments back; with checkpoints.

See the guide "Run the sync in production".
"""

from .._exports import adopt
from .checkpoints import CheckpointStore, MemoryCheckpointStore, SQLiteCheckpointStore
from .orders import (
    ClientOrderSource,
    OrderFailure,
    OrderSync,
    OrderSyncReport,
    OrderWindow,
    WindowedOrderSource,
)
from .orders import fingerprint as fingerprint
from .shipments import ShipmentFailure, ShipmentSync, ShipmentSyncReport
from .shipments import delivery_key as delivery_key

__all__ = [
    "CheckpointStore",
    "ClientOrderSource",
    "MemoryCheckpointStore",
    "OrderFailure",
    "OrderSync",
    "OrderSyncReport",
    "OrderWindow",
    "SQLiteCheckpointStore",
    "ShipmentFailure",
    "ShipmentSync",
    "ShipmentSyncReport",
    "WindowedOrderSource",
]

adopt(globals(), __all__, __name__)
