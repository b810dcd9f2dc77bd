"""The integration's business rules: pure functions between the two platforms' models.

Only this package knows both platforms.
"""

from .._exports import adopt
from .customstore import (
    CustomStoreConversion,
    convert_customstore_orders,
    ship_notice_key,
    ship_notice_to_update,
    status_text,
    to_customstore_order,
)
from .orders import (
    DEFAULT_EXCLUDED_FULFILLMENT,
    ConversionResult,
    MappingOptions,
    MappingWarning,
    Rejection,
    check_eligible,
    convert_orders,
    order_id_from_key,
    order_key,
    to_shipstation_order,
)
from .shipments import fulfillment_to_update, shipment_to_update
from .status import DEFAULT_REVERSE, DEFAULT_TABLE, StatusMap
from .weights import GRAMS_PER_UNIT, convert_weight, to_shipstation_weight

__all__ = [
    "DEFAULT_EXCLUDED_FULFILLMENT",
    "DEFAULT_REVERSE",
    "DEFAULT_TABLE",
    "GRAMS_PER_UNIT",
    "ConversionResult",
    "CustomStoreConversion",
    "MappingOptions",
    "MappingWarning",
    "Rejection",
    "StatusMap",
    "check_eligible",
    "convert_customstore_orders",
    "convert_orders",
    "convert_weight",
    "fulfillment_to_update",
    "order_id_from_key",
    "order_key",
    "ship_notice_key",
    "ship_notice_to_update",
    "shipment_to_update",
    "status_text",
    "to_customstore_order",
    "to_shipstation_order",
    "to_shipstation_weight",
]


adopt(globals(), __all__, __name__)
