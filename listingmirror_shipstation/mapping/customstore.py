"""Listing Mirror ↔ Custom Store: the same rules as the REST mapping, in the XML protocol's shape.

Orders go through exactly the REST mapping (filters, the shipping-address rule, custom fields,
money, discounts as adjustment lines, weights), then into the export's shape:

* ``OrderID`` is Listing Mirror's ``order_id``; ``OrderNumber`` the marketplace order id.
* ``OrderStatus`` is the name of the integration-table status that the order's status maps to:
  always one of ``Unpaid``, ``Paid``, ``Shipped``, ``Cancelled``, ``Wait``. Type exactly these
  into ShipStation's five status fields when connecting (Unpaid Status: ``Unpaid``; Paid Status:
  ``Paid``; Shipped Status: ``Shipped``; Cancelled Status: ``Cancelled``; On-Hold Status:
  ``Wait``); the :class:`~listingmirror_shipstation.mapping.StatusMap` (custom statuses, the
  on-hold fallback) then decides where every order lands, with no list of custom statuses to
  maintain in ShipStation.
* ``LastModified`` is ``last_modified``, else the order date.
* HTML entities in notes, the gift message, item names and option names and values are decoded
  once, by the shared mapping (``&amp;`` → ``&``), so both paths carry the same text.
* Codes are never cut: countries are ISO alpha-2 (converted by the shared mapping), the
  currency is ISO 4217, and a SKU, line id, postal code, phone or email over the protocol's limit
  rejects the order (:func:`~listingmirror_shipstation.customstore.validate_order`). A UPC over
  12 characters (an EAN-13, say) is left out with a ``code_left_out`` warning. ``CustomerCode``
  is the first of email, buyer name and marketplace order id that fits 50 characters.
* Weights are written in the unit that keeps them exact to the protocol's two decimals: the
  line's own unit, else ounces (from pounds), else grams; a weight that is exact in none is
  written in grams to 0.01 g, and a positive weight is never written as zero. The export has no
  order-weight element: ShipStation sums the lines (the REST path sends the order's
  ``weight``).
* ``BillTo`` carries the buyer's email. A ship-to name falls back to the buyer's name or the
  company; an order with no name at all is rejected (the protocol requires one).

ShipNotices come back as :class:`~listingmirror_shipstation.listingmirror.ShipmentUpdate`: status,
tracking number, carrier, service, ship date and items (by ``LineItemID``, else SKU; none means
the whole order) — never the shipping cost nor the notes to the customer.
"""

import hashlib
import logging
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from attrs import frozen

from .._values import Unrecognized
from ..customstore import models as cs
from ..customstore.validate import validate_order
from ..errors import InvalidOrderError, ValidationError
from ..listingmirror import models as lm
from ..shipstation import models as ss
from .orders import (
    MappingOptions,
    MappingWarning,
    Rejection,
    _convert,
    _convert_typed,
    _currency,
    _is_mapping_line,
    _run_batch,
)
from .status import StatusMap
from .weights import convert_weight

__all__ = [
    "CustomStoreConversion",
    "convert_customstore_orders",
    "ship_notice_key",
    "ship_notice_to_update",
    "status_text",
    "to_customstore_order",
]

logger = logging.getLogger(__name__)

_LM_UNITS = {
    ss.WeightUnit.POUNDS: lm.WeightUnit.POUND,
    ss.WeightUnit.OUNCES: lm.WeightUnit.OUNCE,
    ss.WeightUnit.GRAMS: lm.WeightUnit.GRAM,
}
#: Where a weight may go, finest last: the protocol writes two decimals.
_FINER = {
    lm.WeightUnit.POUND: (lm.WeightUnit.POUND, lm.WeightUnit.OUNCE, lm.WeightUnit.GRAM),
    lm.WeightUnit.OUNCE: (lm.WeightUnit.OUNCE, lm.WeightUnit.GRAM),
    lm.WeightUnit.GRAM: (lm.WeightUnit.GRAM,),
}
_CS_UNITS = {
    lm.WeightUnit.POUND: cs.WeightUnits.POUNDS,
    lm.WeightUnit.OUNCE: cs.WeightUnits.OUNCES,
    lm.WeightUnit.GRAM: cs.WeightUnits.GRAMS,
}
_CENT = Decimal("0.01")
#: The export's limit on codes that may be left out rather than cut.
_MAX_UPC = 12
_MAX_CUSTOMER_CODE = 50


@frozen(kw_only=True)
class CustomStoreConversion:
    """The outcome of converting a batch for the export.

    Attributes:
        orders: The Custom Store orders, in input order.
        rejected: The orders not converted, each with its reason.
        warnings: What was converted with a fallback or a value left out.
    """

    orders: tuple[cs.Order, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    warnings: tuple[MappingWarning, ...] = ()


def status_text(statuses: StatusMap, status: lm.OrderStatus | Unrecognized) -> str:
    """Return the ``<OrderStatus>`` text for a Listing Mirror status (one of the five names)."""
    target = statuses.to_shipstation(status)
    name = statuses.to_listingmirror(target) or statuses.to_listingmirror(statuses.fallback)
    return (name or lm.OrderStatus.WAIT).value


def _weight(weight: ss.Weight | None) -> tuple[cs.WeightUnits | None, Decimal | None]:
    """The weight in the first unit that holds it exactly to two decimals (see above)."""
    if weight is None or not isinstance(weight.units, ss.WeightUnit) or weight.value is None:
        return None, None
    source = _LM_UNITS[weight.units]
    for target in _FINER[source]:
        value = convert_weight(weight.value, source, target)
        if value == value.quantize(_CENT):
            return _CS_UNITS[target], value
    grams = convert_weight(weight.value, source, lm.WeightUnit.GRAM)
    rounded = grams.quantize(_CENT, rounding=ROUND_HALF_UP)
    if grams > 0 and rounded == 0:
        rounded = _CENT  # never a positive weight written as nothing
    return cs.WeightUnits.GRAMS, rounded


def _item(item: ss.OrderItem, order_id: int, index: int, warnings: list[MappingWarning]) -> cs.Item:
    units, value = _weight(item.weight)
    upc = None if item.upc is None else item.upc.strip()
    if upc is not None and len(upc) > _MAX_UPC:
        warnings.append(
            MappingWarning(
                order_id=order_id,
                code="code_left_out",
                message=f"items[{index}]: UPC {upc!r} is longer than {_MAX_UPC} characters; "
                "left out of the export (a code is never cut)",
            )
        )
        logger.warning("order %s: %s", order_id, warnings[-1].message)
        upc = None
    return cs.Item(
        line_item_id=item.line_item_key,
        sku=item.sku,
        name=item.name,
        image_url=item.image_url,
        weight=value,
        weight_units=units,
        quantity=item.quantity or 0,
        unit_price=item.unit_price if item.unit_price is not None else Decimal(0),
        upc=upc,
        location=item.warehouse_location,
        adjustment=item.adjustment,
        options=tuple(cs.Option(name=o.name, value=o.value) for o in item.options or ()),
    )


def _ship_to_name(order: lm.Order) -> str:
    address = order.ship_to
    for candidate in (
        address.name if address else None,
        order.buyer_name,
        address.company if address else None,
    ):
        if candidate and candidate.strip():
            return candidate
    raise InvalidOrderError(
        "the shipping address needs a name (or the buyer's name, or a company)",
        order_id=order.order_id,
        field="ship_to.name",
        value=None,
    )


def _convert_cs(
    order: lm.Order, options: MappingOptions, warnings: list[MappingWarning]
) -> cs.Order:
    return _checked(order, _shape(order, _convert(order, options, warnings), options, warnings))


def _convert_cs_typed(
    order: lm.Order, options: MappingOptions, warnings: list[MappingWarning]
) -> cs.Order:
    """:func:`_convert_cs` for an order whose values are known to have their declared types."""
    rest = _convert_typed(order, options, warnings)
    return _checked(order, _shape(order, rest, options, warnings))


def _checked(order: lm.Order, result: cs.Order) -> cs.Order:
    try:
        validate_order(result)
    except ValidationError as exc:  # e.g. an order number of control characters only
        raise InvalidOrderError(
            exc.message, order_id=order.order_id, field=exc.field, value=exc.value
        ) from exc
    return result


def _customer_code(order: lm.Order) -> str | None:
    for candidate in (order.buyer_email, order.buyer_name, order.market_order_id):
        if candidate and candidate.strip() and len(candidate) <= _MAX_CUSTOMER_CODE:
            return candidate
    return None


def _shape(
    order: lm.Order, rest: ss.Order, options: MappingOptions, warnings: list[MappingWarning]
) -> cs.Order:
    """Move the REST mapping's result, plus the export's own fields, into a Custom Store order."""
    ship_name = _ship_to_name(order)
    ship_to = order.ship_to or lm.Address()
    bill = order.bill_to
    rest_ship = rest.ship_to or ss.Address()
    rest_bill = rest.bill_to or ss.Address()
    advanced = rest.advanced_options or ss.AdvancedOptions()
    return cs.Order(
        order_id=str(order.order_id),
        order_number=rest.order_number,
        order_date=order.order_datetime,
        order_status=status_text(options.statuses, order.order_status),
        last_modified=order.last_modified or order.order_datetime,
        shipping_method=order.requested_shipping_method,
        payment_method=order.payment_method,
        currency_code=_currency(order),
        order_total=rest.amount_paid if rest.amount_paid is not None else Decimal(0),
        tax_amount=rest.tax_amount,
        shipping_amount=(rest.shipping_amount if rest.shipping_amount is not None else Decimal(0)),
        customer_notes=rest.customer_notes,
        internal_notes=rest.internal_notes,
        gift=rest.gift,
        gift_message=rest.gift_message,
        custom_field1=advanced.custom_field1,
        custom_field2=advanced.custom_field2,
        custom_field3=advanced.custom_field3,
        customer=cs.Customer(
            customer_code=_customer_code(order),
            bill_to=cs.Address(
                name=(bill.name if bill and bill.name else None) or order.buyer_name or ship_name,
                company=bill.company if bill else None,
                address1=bill.street1 if bill else None,
                address2=bill.street2 if bill else None,
                city=bill.city if bill else None,
                state=rest_bill.state if bill else None,
                postal_code=bill.postal_code if bill else None,
                country=rest_bill.country if bill else None,
                phone=(bill.phone if bill and bill.phone else None) or order.buyer_phone,
                email=order.buyer_email,
            ),
            ship_to=cs.Address(
                name=ship_name,
                company=ship_to.company,
                address1=ship_to.street1,
                address2=", ".join(p for p in (ship_to.street2, ship_to.street3) if p) or None,
                city=ship_to.city,
                state=rest_ship.state,
                postal_code=ship_to.postal_code,
                country=rest_ship.country,
                phone=ship_to.phone or order.buyer_phone,
            ),
        ),
        items=tuple(
            _item(item, order.order_id, index, warnings)
            for index, item in enumerate(rest.items or ())
        ),
    )


def to_customstore_order(order: lm.Order, options: MappingOptions | None = None) -> cs.Order:
    """Convert one Listing Mirror order into the Custom Store export's order.

    Raises:
        MappingError: The order is filtered out or cannot be converted (same reasons as
            :func:`~listingmirror_shipstation.mapping.to_shipstation_order`, plus a missing
            ship-to name).
    """
    return _convert_cs(order, options or MappingOptions(), [])


def convert_customstore_orders(
    orders: Iterable[lm.Order], options: MappingOptions | None = None
) -> CustomStoreConversion:
    """Convert a batch for the export; one bad order never sinks the others."""
    converted, rejected, warnings = _run_batch(
        orders, options or MappingOptions(), _convert_cs, typed=_convert_cs_typed
    )
    return CustomStoreConversion(orders=converted, rejected=rejected, warnings=warnings)


def ship_notice_key(notice: cs.ShipNotice) -> str:
    """Return a stable key of one shipment: same shipment posted twice → same key.

    ShipStation sends no shipment id in the Custom Store protocol, so the key is built from
    what names a shipment:

    * the order: ``OrderNumber`` (also in the query string, so an unreadable body still has
      it), else ``OrderID``;
    * with a tracking number: the tracking number, and nothing else, since it names one
      package; the same shipment posted with a readable body and with an unreadable one
      (recorded from the query's ``order_number`` and ``tracking_number``) gets one key;
    * without one: the carrier, the service, ``ShipDate``, ``LabelCreateDate`` and the
      shipped lines, so two shipments of the same lines on different labels or days get two
      keys.

    Limits: without a tracking number, a notice whose body was unreadable (no dates, no lines)
    cannot be matched to the same shipment posted readably, and two shipments of the same lines
    with the same label time, carrier and service (to the minute) get one key.
    """
    number = (notice.order_number or "").strip()
    order = ("number", number) if number else ("id", (notice.order_id or "").strip())
    tracking = (notice.tracking_number or "").strip()
    material: tuple[object, ...]
    if tracking:
        material = ("v2", order, "tracking", tracking)
    else:
        lines = sorted((i.line_item_id or "", i.sku or "", i.quantity or 0) for i in notice.items)
        material = (
            "v2",
            order,
            "untracked",
            (notice.carrier or "").strip().casefold(),
            (notice.service or "").strip().casefold(),
            notice.ship_date.isoformat() if notice.ship_date else "",
            notice.label_create_date.isoformat() if notice.label_create_date else "",
            lines,
        )
    digest = hashlib.sha256(repr(material).encode("utf-8")).hexdigest()[:32]
    return f"shipnotice-{digest}"


def ship_notice_to_update(
    notice: cs.ShipNotice, *, statuses: StatusMap | None = None
) -> lm.ShipmentUpdate:
    """Turn a ShipNotice into the update Listing Mirror receives.

    The order is named by ``OrderID`` (Listing Mirror's ``order_id``, as this library exports
    it) and by ``OrderNumber``. Items name ``LineItemID`` when ShipStation sends it, and always
    the SKU, so a receiver can match lines by id and fall back to SKU; no items means the whole
    order. Lines the mapping added to the export (discounts, coupons, gift wrap, rounding) are
    not Listing Mirror lines and are left out. ``shipment_id`` is :func:`ship_notice_key`, for
    exactly-once delivery.
    """
    statuses = statuses or StatusMap()
    raw_id = notice.order_id or ""
    order_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() else None
    status = statuses.to_listingmirror(ss.OrderStatus.SHIPPED) or lm.OrderStatus.SHIPPED
    return lm.ShipmentUpdate(
        order_id=order_id,
        market_order_id=notice.order_number,
        status=status,
        tracking_number=notice.tracking_number,
        carrier=notice.carrier,
        service=notice.service,
        ship_date=notice.ship_date
        or (notice.label_create_date.date() if notice.label_create_date else None),
        items=tuple(
            lm.ShippedItem(quantity=i.quantity, sku=i.sku, line_item_id=i.line_item_id)
            for i in notice.items
            if i.quantity is not None and not _is_mapping_line(i.line_item_id, i.sku)
        ),
        shipment_id=ship_notice_key(notice),
    )
