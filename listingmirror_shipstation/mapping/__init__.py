"""The integration's business rules: pure functions between the two platforms' models.

Only this package knows both platforms. Helpers the rules are built from (``status_text``,
``convert_weight``, ``to_shipstation_weight``, the key helpers and the default tables) are
documented in their modules and stay importable from here, but are not part of the face.
"""

from .._exports import adopt
from .customstore import (
    CustomStoreConversion,
    convert_customstore_orders,
    ship_notice_to_update,
    to_customstore_order,
)
from .customstore import ship_notice_key as ship_notice_key
from .customstore import status_text as status_text
from .orders import DEFAULT_EXCLUDED_FULFILLMENT as DEFAULT_EXCLUDED_FULFILLMENT
from .orders import (
    ConversionResult,
    MappingOptions,
    MappingWarning,
    Rejection,
    check_eligible,
    convert_orders,
    order_key,
    to_shipstation_order,
)
from .orders import order_id_from_key as order_id_from_key
from .shipments import fulfillment_to_update, shipment_to_update
from .status import DEFAULT_REVERSE as DEFAULT_REVERSE
from .status import DEFAULT_TABLE as DEFAULT_TABLE
from .status import StatusMap
from .weights import GRAMS_PER_UNIT as GRAMS_PER_UNIT
from .weights import convert_weight as convert_weight
from .weights import to_shipstation_weight as to_shipstation_weight

__all__ = [
    "ConversionResult",
    "CustomStoreConversion",
    "MappingOptions",
    "MappingWarning",
    "Rejection",
    "StatusMap",
    "check_eligible",
    "convert_customstore_orders",
    "convert_orders",
    "fulfillment_to_update",
    "order_key",
    "ship_notice_to_update",
    "shipment_to_update",
    "to_customstore_order",
    "to_shipstation_order",
]


adopt(globals(), __all__, __name__)
