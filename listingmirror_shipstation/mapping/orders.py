"""Listing Mirror order → ShipStation order: every rule of the integration, as pure functions.

The rules (each one tested, most by a property):

* **Filters, first.** An order from an integration not chosen (``integrations``) or fulfilled by
  an excluded channel (FBA, MCF and WFS by default) is left out on purpose: a *filtered* rejection.
* **Shipping address required.** An order without a ship-to address, or whose address lacks a
  street, a city or a country, is rejected with
  :class:`~listingmirror_shipstation.errors.MissingShippingAddressError`.
* **Identity.** ``orderNumber`` = marketplace order id (``market_order_id``, at most 50
  characters; never cut). ``orderKey`` = ``"lm-"`` + Listing Mirror's ``order_id``, so sending
  the same order again updates it in ShipStation instead of duplicating it.
* **Custom fields.** 1 = marketplace order id; 2 = channel integration (``integration_name``,
  else ``integration_config_id``); 3 = alternate marketplace order id.
* **Status** through the :class:`~listingmirror_shipstation.mapping.StatusMap`.
* **Customer.** Email → ``customerEmail`` (and ``customerUsername``); phone → the ship-to (and
  bill-to) phone when the address has none. No bill-to address → one with the buyer's name.
* **Checkout data.** Requested shipping method, payment method, customer notes, internal notes;
  gift = ``is_gift`` or a non-blank gift message.
* **Money.** First, every amount of money Listing Mirror sends (prices, discounts, shipping,
  taxes, gift wrap, ``order_total``) is rounded to cents once, half-up (``ROUND_HALF_UP``:
  ``1.005`` → ``1.01``, ``0.0049`` → ``0.00``), because ShipStation holds cents; everything
  below is computed from those cents. Listing Mirror's ``price`` is a line total: the unit price
  is ``price / quantity`` rounded *up* to cents, and a "Rounding of unit prices" adjustment line
  takes the difference back, so the lines add up to the line totals exactly. Item discounts,
  order discounts and coupons become adjustment lines (``adjustment=True``, quantity 1, negative
  unit price; a coupon's code is the line's SKU and is in its name); gift wrap becomes an
  ordinary line with a positive price. Shipping = sum of shipping - sum
  of shipping discounts; tax = sum of item tax + shipping tax + gift-wrap tax; amount paid =
  ``order_total`` if given, else that sum.
* **Weights.** Per unit on each line; the order's total weight from ``total_weight``, else the sum
  over lines when every physical line has one. Kilograms become grams. A weight in a unit we do
  not know is left out and reported.
* **Per line.** SKU, title, image URL, options, stock location (``warehouseLocation``), UPC,
  line id (``lineItemKey``).
"""

import functools
import html
import itertools
import logging
import operator
import re
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_CEILING,
    ROUND_HALF_UP,
    Clamped,
    Context,
    Decimal,
    Inexact,
    Rounded,
)
from typing import Any, Final, Literal, TypeVar

import attrs
from attrs import field, frozen

from .. import _gc
from .._codes import country_alpha2, region_code
from .._values import TypedModels, Unrecognized
from ..errors import (
    ExcludedFulfillmentError,
    IntegrationNotSelectedError,
    InvalidOrderError,
    InventorySourceNotSelectedError,
    MappingError,
    MissingShippingAddressError,
    UnknownFulfillmentError,
    ValidationError,
    _forget_tracebacks,
)
from ..listingmirror import models as lm
from ..shipstation import models as ss
from ..shipstation.validate import MAX_ORDER_NUMBER_LENGTH, validate_order_for_create
from .status import StatusMap
from .weights import _BY_VALUE as _SHIPSTATION_UNITS
from .weights import _CONTEXT as _WEIGHT_CONTEXT
from .weights import _RATIOS as _WEIGHT_RATIOS
from .weights import to_shipstation_weight

__all__ = [
    "DEFAULT_EXCLUDED_FULFILLMENT",
    "ConversionResult",
    "MappingOptions",
    "MappingWarning",
    "Rejection",
    "check_eligible",
    "convert_orders",
    "order_id_from_key",
    "order_key",
    "to_shipstation_order",
]

logger = logging.getLogger(__name__)

#: Fulfillment channels never exported by default, as the marketplace ships these orders, not
#: the merchant (Fulfilled by Amazon, Amazon Multi-Channel, Walmart Fulfillment Services).
DEFAULT_EXCLUDED_FULFILLMENT: Final = frozenset(
    {lm.FulfillmentChannel.FBA, lm.FulfillmentChannel.MCF, lm.FulfillmentChannel.WFS}
)

_CENT: Final = Decimal("0.01")
_ZERO: Final = Decimal(0)


def _frozen_ids(value: Iterable[int] | None) -> frozenset[int] | None:
    return None if value is None else frozenset(value)


def _frozen_channels(
    value: Iterable[lm.FulfillmentChannel | str],
) -> frozenset[lm.FulfillmentChannel]:
    channels: set[lm.FulfillmentChannel] = set()
    for item in value:
        channel = lm.FulfillmentChannel.read(item)
        if channel is None:
            raise ValueError(f"excluded_fulfillment: not a fulfillment channel: {item!r}")
        channels.add(channel)
    return frozenset(channels)


#: What an order whose fulfillment channel is missing or unknown means.
UnknownFulfillment = Literal["export", "reject"]


def _check_unknown_fulfillment(_: object, attribute: "attrs.Attribute[Any]", value: object) -> None:
    if value not in ("export", "reject"):
        raise ValueError(f"{attribute.name} must be 'export' or 'reject', got {value!r}")


@frozen(kw_only=True)
class MappingOptions:
    """The merchant's choices for the order mapping.

    Attributes:
        statuses: Status mapping (custom statuses, fallback, strict mode).
        integrations: ``integration_config_id`` values whose orders go to ShipStation;
            ``None`` means every integration.
        excluded_fulfillment: Fulfillment channels whose orders never go (FBA, MCF and WFS
            by default, as the marketplace ships them; pass an empty set to export them).
            Spellings are read with :meth:`FulfillmentChannel.read
            <listingmirror_shipstation.listingmirror.FulfillmentChannel.read>`.
        unknown_fulfillment: What an order whose channel is missing or not a known spelling
            means: ``"export"`` (default; exported as merchant-fulfilled, with a
            ``unknown_fulfillment_channel`` warning unless an inventory-source allow-list
            selected it) or ``"reject"`` (strict: rejected with
            :class:`~listingmirror_shipstation.errors.UnknownFulfillmentError`).
        inventory_sources: Allow-list of Listing Mirror inventory sources
            (``fulfillment_inventory_source_id``) whose orders go to ShipStation; ``None``
            means every source. With a list, an order from another source, or that names no
            source, is filtered out
            (:class:`~listingmirror_shipstation.errors.InventorySourceNotSelectedError`).
        store_id: ShipStation store to create orders in (``advancedOptions.storeId``).
        order_key_prefix: Prefix of the ``orderKey`` built from Listing Mirror's order id.
        price_is_line_total: Listing Mirror's ``price`` is the line total (divide by quantity);
            ``False`` if your data carries unit prices.
    """

    statuses: StatusMap = field(factory=StatusMap)
    integrations: frozenset[int] | None = field(default=None, converter=_frozen_ids)
    excluded_fulfillment: frozenset[lm.FulfillmentChannel] = field(
        default=DEFAULT_EXCLUDED_FULFILLMENT, converter=_frozen_channels
    )
    unknown_fulfillment: UnknownFulfillment = field(
        default="export", validator=_check_unknown_fulfillment
    )
    inventory_sources: frozenset[int] | None = field(default=None, converter=_frozen_ids)
    store_id: int | None = None
    order_key_prefix: str = "lm-"
    price_is_line_total: bool = True


@frozen(kw_only=True)
class MappingWarning:
    """Something about an order that was converted anyway, and how.

    Attributes:
        order_id: Listing Mirror's order id.
        code: ``"unmapped_status"`` (the fallback status was used), ``"unknown_weight_unit"``
            (a weight was left out), ``"unknown_fulfillment_channel"`` (exported although the
            channel is missing or unknown), ``"total_mismatch"`` (``order_total`` differs from
            the sum of Listing Mirror's amounts; the order total is sent),
            ``"discounts_exceed_total"`` (discounts larger than the order were cut down so the
            amount paid is 0.00, not negative), ``"negative_total"`` (a negative
            ``order_total`` was sent as 0.00) or
            ``"code_left_out"`` (an optional code that would have to be cut, e.g. a UPC).
        message: A sentence for people.
    """

    order_id: int
    code: str
    message: str


@frozen(kw_only=True)
class Rejection:
    """An order that was not converted, and why.

    Attributes:
        order: The Listing Mirror order, untouched.
        error: The reason, a :class:`~listingmirror_shipstation.errors.MappingError` subclass.
    """

    order: lm.Order
    error: MappingError

    @property
    def reason(self) -> str:
        """Stable code of the reason, e.g. ``"missing_shipping_address"``."""
        return self.error.reason

    @property
    def filtered(self) -> bool:
        """Whether the order was left out on purpose by a filter (FBA/MCF, integration)."""
        return self.error.filtered


@frozen(kw_only=True)
class ConversionResult:
    """The outcome of converting a batch: nothing is dropped silently.

    Attributes:
        orders: The ShipStation orders, in input order.
        rejected: The orders not converted, in input order, each with its reason.
        warnings: What was converted with a fallback or a value left out.
    """

    orders: tuple[ss.Order, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    warnings: tuple[MappingWarning, ...] = ()

    @property
    def errors(self) -> tuple[Rejection, ...]:
        """The rejections that are errors to fix (not the ones filtered on purpose)."""
        return tuple(r for r in self.rejected if not r.filtered)


def order_key(order_id: int, prefix: str = "lm-") -> str:
    """Return the stable ShipStation ``orderKey`` of a Listing Mirror order.

    >>> from listingmirror_shipstation.mapping import order_key
    >>> order_key(1234)
    'lm-1234'
    """
    return f"{prefix}{order_id}"


def order_id_from_key(key: str | None, prefix: str = "lm-") -> int | None:
    """Return the Listing Mirror order id in an ``orderKey`` made by :func:`order_key`.

    ``None`` for a key made by anyone else.

    >>> from listingmirror_shipstation.mapping import order_id_from_key
    >>> order_id_from_key("lm-1234"), order_id_from_key("woo-77")
    (1234, None)
    """
    if key is None or not key.startswith(prefix):
        return None
    digits = key[len(prefix) :]
    if not digits.isascii() or not digits.lstrip("-").isdigit():
        return None
    return int(digits)


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def check_eligible(order: lm.Order, options: MappingOptions) -> None:
    """Apply the filters and the shipping-address rule to *order*.

    Raises:
        IntegrationNotSelectedError: The order's integration is not one of ``integrations``.
        ExcludedFulfillmentError: The order is fulfilled by an excluded channel (in any
            spelling :meth:`~listingmirror_shipstation.listingmirror.FulfillmentChannel.read`
            knows).
        InventorySourceNotSelectedError: ``inventory_sources`` is set and the order's
            ``fulfillment_inventory_source_id`` is not in it (or is missing).
        UnknownFulfillmentError: ``unknown_fulfillment="reject"`` and the channel is missing
            or unknown.
        MissingShippingAddressError: No ship-to address, or no street, city or country.
    """
    _eligible_channel(order, options)


def _eligible_channel(order: lm.Order, options: MappingOptions) -> lm.FulfillmentChannel | None:
    """:func:`check_eligible`, returning the channel it read (the warning needs it too)."""
    if options.integrations is not None and order.integration_config_id not in options.integrations:
        raise IntegrationNotSelectedError(
            f"integration {order.integration_config_id!r} is not selected for ShipStation",
            order_id=order.order_id,
        )
    channel = order.fulfillment_channel
    if channel is not None and channel.__class__ is not lm.FulfillmentChannel:
        channel = _read_channel(channel)  # read() returns None and members as they are
    if channel is not None and channel in options.excluded_fulfillment:
        raise ExcludedFulfillmentError(
            f"fulfilled by {channel.value}, which is excluded from ShipStation",
            order_id=order.order_id,
        )
    source = order.fulfillment_inventory_source_id
    if options.inventory_sources is not None and source not in options.inventory_sources:
        raise InventorySourceNotSelectedError(
            f"inventory source {source!r} is not selected for ShipStation",
            order_id=order.order_id,
        )
    if channel is None and options.unknown_fulfillment == "reject":
        raise UnknownFulfillmentError(
            f"fulfillment channel {_channel_name(order.fulfillment_channel)} is missing or not "
            "known (strict channels)",
            order_id=order.order_id,
        )
    address = order.ship_to
    if address is None:
        raise MissingShippingAddressError("has no shipping address", order_id=order.order_id)
    street1, city, country = _address_required(address)
    # _blank, inlined (a hot path): the names are listed only when one is missing.
    if (
        street1 is None
        or not street1.strip()
        or city is None
        or not city.strip()
        or country is None
        or not country.strip()
    ):
        missing = [name for name in _REQUIRED if _blank(getattr(address, name))]
        raise MissingShippingAddressError(
            f"shipping address lacks {', '.join(missing)}", order_id=order.order_id
        )
    return channel


_read_channel: Final = lm.FulfillmentChannel.read
_REQUIRED: Final = ("street1", "city", "country")
_address_required: Final = operator.attrgetter(*_REQUIRED)


def _channel_name(channel: lm.FulfillmentChannel | Unrecognized | None) -> str:
    if channel is None:
        return "(none)"
    return repr(channel.raw if isinstance(channel, Unrecognized) else channel.value)


def _decoded(text: str | None) -> str | None:
    """HTML entities decoded once (``&amp;amp;`` becomes ``&amp;``), for both paths."""
    return None if text is None else html.unescape(text)


def _country(address: lm.Address, where: str, order_id: int) -> str:
    code = country_alpha2(address.country)
    if code is None:
        raise InvalidOrderError(
            "is not a country we can read (ISO alpha-2, alpha-3 or an English name); a code is "
            "never cut",
            order_id=order_id,
            field=f"{where}.country",
            value=address.country,
        )
    return code


def _address(
    address: lm.Address | None,
    *,
    name: str | None,
    phone: str | None,
    where: str,
    order_id: int,
) -> ss.Address:
    if address is None:
        return ss.Address(name=name, phone=phone)
    # _blank inlined (a hot path: twice an order).
    given = address.country
    country = None if given is None or not given.strip() else _country(address, where, order_id)
    own_name, own_phone = address.name, address.phone
    return ss.Address(
        name=own_name if own_name is not None and own_name.strip() else name,
        company=address.company,
        street1=address.street1,
        street2=address.street2,
        street3=address.street3,
        city=address.city,
        state=region_code(country, address.state),
        postal_code=address.postal_code,
        country=country,
        phone=own_phone if own_phone is not None and own_phone.strip() else phone,
        residential=address.residential,
    )


_item_taxes: Final = operator.attrgetter("tax", "shipping_tax", "gift_warp_tax")


def _tax(order: lm.Order) -> Decimal | None:
    """Every tax of every line, summed from 0 in line order (``None`` when there is none)."""
    total = _ZERO
    seen = False
    for item in order.order_items:
        for value in _item_taxes(item):
            if value is not None:
                total += value
                seen = True
    return total if seen else None


_KILOGRAM: Final = lm.WeightUnit.KILOGRAM
_GRAMS_PER_KILOGRAM: Final = _WEIGHT_RATIOS[lm.WeightUnit.KILOGRAM.value, lm.WeightUnit.GRAM.value]

#: A line's weight in a known unit, and its quantity (what the order's total weight sums).
_Weighed = tuple[Decimal, lm.WeightUnit, int]


def _items(
    order: lm.Order,
    options: MappingOptions,
    warnings: list[MappingWarning],
    weighed: list[_Weighed] | None = None,
) -> tuple[ss.OrderItem, ...]:
    """The ShipStation lines; *weighed* gets each line that has a weight in a known unit."""
    if weighed is None:
        weighed = []
    lines: list[ss.OrderItem] = []
    extras: list[ss.OrderItem] = []
    adjustments: list[ss.OrderItem] = []
    rounding = _ZERO
    line_totals = options.price_is_line_total
    for index, item in enumerate(order.order_items):
        quantity = item.quantity
        price = item.price
        if quantity < 1:
            raise InvalidOrderError(
                "must be at least 1",
                order_id=order.order_id,
                field=f"order_items[{index}].quantity",
                value=quantity,
            )
        if price < 0:
            raise InvalidOrderError(
                "must not be negative (discounts go in item_discount or discounts)",
                order_id=order.order_id,
                field=f"order_items[{index}].price",
                value=price,
            )
        # to_shipstation_weight, inlined (a hot path: every line of a batch).
        weight_value = item.weight
        unit = item.weight_unit
        if weight_value is not None and isinstance(unit, lm.WeightUnit):
            weighed.append((weight_value, unit, quantity))
            if unit is _KILOGRAM:  # convert_weight(value, KILOGRAM, GRAM), inlined
                weight_value = _WEIGHT_CONTEXT.multiply(weight_value, _GRAMS_PER_KILOGRAM)
            weight: ss.Weight | None = ss.Weight(
                value=weight_value, units=_SHIPSTATION_UNITS[unit._value_]
            )
        else:
            weight = None
            if weight_value is not None:
                warnings.append(
                    MappingWarning(
                        order_id=order.order_id,
                        code="unknown_weight_unit",
                        message=f"order_items[{index}]: weight {item.weight} in unit "
                        f"{_unit_name(item.weight_unit)} left out",
                    )
                )
                logger.warning("order %s: %s", order.order_id, warnings[-1].message)
        line_total = price if line_totals else price * quantity
        # The line total over the units, rounded *up* to a cent (the rounding line takes it back).
        unit_price = (line_total / quantity).quantize(_CENT, rounding=ROUND_CEILING)
        rounding += line_total - unit_price * quantity
        title = item.title
        if title is not None and "&" in title:  # _decoded, inlined: most titles have no "&"
            title = html.unescape(title)
        label = title or item.sku or f"line {index + 1}"
        item_options = item.options
        if item_options:
            # Options' HTML entities decoded (html.unescape only for a text with an "&").
            shipstation_options = []
            for option in item_options:
                name, value = option.name, option.value
                if name is not None and "&" in name:
                    name = html.unescape(name)
                if value is not None and "&" in value:
                    value = html.unescape(value)
                shipstation_options.append(ss.ItemOption(name=name, value=value))
            options_out: tuple[ss.ItemOption, ...] = tuple(shipstation_options)
        else:
            options_out = ()
        lines.append(
            ss.OrderItem(
                line_item_key=item.line_item_id,
                sku=item.sku,
                name=label,
                image_url=item.image_url,
                weight=weight,
                quantity=quantity,
                unit_price=unit_price,
                warehouse_location=item.stock_location,
                options=options_out,
                adjustment=False,
                upc=item.upc,
            )
        )
        if item.item_discount:
            key = item.line_item_id or str(index + 1)
            adjustments.append(
                _adjustment(f"{key}-discount", f"Discount: {label}", -abs(item.item_discount))
            )
        if item.gift_warp_price:
            # A charge, not a discount: an ordinary line (adjustment lines must be negative in
            # the Custom Store protocol), with no SKU and no weight, so the packer sees it.
            key = item.line_item_id or str(index + 1)
            extras.append(
                ss.OrderItem(
                    line_item_key=f"{key}-gift-wrap",
                    sku=None,
                    name=f"Gift wrap: {label}",
                    quantity=1,
                    unit_price=abs(item.gift_warp_price),
                    adjustment=False,
                )
            )
    for number, discount in enumerate(order.discounts, start=1):
        if not discount.amount:
            continue
        description = _decoded(discount.description)
        if discount.code and description:
            name = f"Coupon {discount.code}: {description}"
        elif discount.code:
            name = f"Coupon {discount.code}"
        else:
            name = description or "Discount"
        adjustments.append(
            _adjustment(f"discount-{number}", name, -abs(discount.amount), sku=discount.code)
        )
    if rounding:
        adjustments.append(_adjustment("rounding", "Rounding of unit prices", rounding))
    return (*lines, *extras, *adjustments)


#: Keys of the lines the mapping adds (discounts, coupons, gift wrap, rounding, shipping
#: discount): they name no Listing Mirror line, so shipments never report them back.
_MAPPING_LINE_KEY: Final = re.compile(
    r"rounding|shipping-discount|discount-[0-9]+|.+-discount|.+-gift-wrap"
)


def _is_mapping_line(key: str | None, sku: str | None) -> bool:
    """Whether a shipped line is one the mapping added (coupon lines carry their code as SKU)."""
    if key is None or not _MAPPING_LINE_KEY.fullmatch(key):
        return False
    return sku is None or key.startswith("discount-")


def _adjustment(key: str, name: str, amount: Decimal, *, sku: str | None = None) -> ss.OrderItem:
    """A non-physical negative line (discount, coupon, rounding): quantity 1, the amount."""
    return ss.OrderItem(
        line_item_key=key, sku=sku, name=name, quantity=1, unit_price=amount, adjustment=True
    )


def _shipping(order: lm.Order) -> tuple[Decimal | None, Decimal]:
    """Shipping charged less shipping discounts, never below zero, and the excess discount."""
    # One pass; each sum starts at 0 and adds in line order, as summing each amount did.
    charged = discounted = _ZERO
    seen = False
    for item in order.order_items:
        price = item.shipping_price
        if price is not None:
            charged += price
            seen = True
        discount = item.shipping_discount
        if discount is not None:
            discounted += abs(discount)
            seen = True
    if not seen:
        return None, _ZERO
    # A sum of zeros counts as 0 (not 0.00), as it always has: the digits sent stay the same.
    net = (charged or _ZERO) - (discounted or _ZERO)
    return max(net, _ZERO), min(net, _ZERO)


def _unit_name(unit: lm.WeightUnit | Unrecognized | None) -> str:
    if isinstance(unit, Unrecognized):
        return repr(unit.raw)
    return "(none)" if unit is None else unit.value


def _total_weight(
    order: lm.Order, warnings: list[MappingWarning], weighed: list[_Weighed] | None = None
) -> ss.Weight | None:
    """The order's weight: ``total_weight``, else the lines' sum when every line is weighed.

    *weighed*: what :func:`_items` collected for the order's lines, if it ran.
    """
    if order.total_weight is not None:
        weight = to_shipstation_weight(order.total_weight, order.weight_unit)
        if weight is None:
            warnings.append(
                MappingWarning(
                    order_id=order.order_id,
                    code="unknown_weight_unit",
                    message=f"total weight {order.total_weight} in unit "
                    f"{_unit_name(order.weight_unit)} left out",
                )
            )
            logger.warning("order %s: %s", order.order_id, warnings[-1].message)
        return weight
    if weighed is None:
        weighed = [
            (i.weight, i.weight_unit, i.quantity)
            for i in order.order_items
            if i.weight is not None and isinstance(i.weight_unit, lm.WeightUnit)
        ]
    if not weighed or len(weighed) != len(order.order_items):
        return None  # a line without a (known) weight: a sum would understate the order
    target = weighed[0][1]
    total = _ZERO  # summed from 0 in line order, as sum() did
    for value, unit, quantity in weighed:
        # convert_weight(value, unit, target), inlined.
        converted = (
            value
            if unit is target
            else _WEIGHT_CONTEXT.multiply(value, _WEIGHT_RATIOS[unit._value_, target._value_])
        )
        total = total + converted * quantity
    return to_shipstation_weight(total, target)


def _integration_label(order: lm.Order) -> str | None:
    if not _blank(order.integration_name):
        return order.integration_name
    if order.integration_config_id is not None:
        return str(order.integration_config_id)
    return None


def _status(
    order: lm.Order, options: MappingOptions, warnings: list[MappingWarning]
) -> ss.OrderStatus:
    statuses = options.statuses
    if statuses.__class__ is StatusMap:  # ours: a mapped status is lookup()'s answer
        status = statuses.lookup(order.order_status)
        if status is not None:
            return status
        # Unmapped: the fallback (a strict map raises here).
        status = statuses.to_shipstation(order.order_status, order_id=order.order_id)
    else:  # a subclass may answer to_shipstation() its own way: asked first, as always
        status = statuses.to_shipstation(order.order_status, order_id=order.order_id)
        if statuses.lookup(order.order_status) is not None:
            return status
    name = (
        order.order_status.raw
        if isinstance(order.order_status, Unrecognized)
        else order.order_status.value
    )
    message = f"status {name!r} has no mapping; sent as {status.value}"
    warnings.append(
        MappingWarning(order_id=order.order_id, code="unmapped_status", message=message)
    )
    logger.warning("order %s: %s", order.order_id, message)
    return status


#: Largest amount (money or weight) the mapping computes with; anything larger is an error in
#: the data, and exact arithmetic on it would need unbounded precision.
_MAX_AMOUNT: Final = Decimal("1e12")
#: Its negative, a constant: ``-_MAX_AMOUNT`` would be computed in the caller's decimal context
#: (an ``Emax`` below 12 makes it overflow), and the range check must not depend on it.
_MIN_AMOUNT: Final = Decimal("-1e12")


#: The amounts of money of a line (rounded to cents), in the order their errors are reported.
_ITEM_MONEY: Final = (
    "price",
    "item_discount",
    "shipping_discount",
    "shipping_price",
    "shipping_tax",
    "tax",
    "gift_warp_price",
    "gift_warp_tax",
)
#: Every amount of a line: the money, then the weight (:func:`_check_amounts` cuts it off last).
_ITEM_AMOUNTS: Final = (*_ITEM_MONEY, "weight")


_item_amounts: Final = operator.attrgetter(*_ITEM_AMOUNTS)
_chain: Final = itertools.chain.from_iterable
_amount: Final = operator.attrgetter("amount")


def _out_of_range(value: Decimal | None) -> bool:
    return value is not None and not (_MIN_AMOUNT < value < _MAX_AMOUNT)


def _check_amounts(order: lm.Order) -> bool:
    """Refuse amounts no order means (names are built only when one is found: a hot path).

    Returns whether an amount of money has digits past the cent (what :func:`_in_cents` asks),
    found in the same pass over the lines; only once every amount is known to be in range,
    so an amount out of range is the error even when a sub-cent one comes before it.
    """
    bad: tuple[str, Decimal | None] | None = None
    if _out_of_range(order.order_total):
        bad = ("order_total", order.order_total)
    elif _out_of_range(order.total_weight):
        bad = ("total_weight", order.total_weight)
    for index, discount in enumerate(order.discounts):
        if bad is None and _out_of_range(discount.amount):
            bad = (f"discounts[{index}].amount", discount.amount)
    items = order.order_items
    # The common case in C, for all the lines at once: every amount's decimal exponent
    # (adjusted(), an int: no Decimal comparison) is below the bound's, so every amount lies
    # strictly between the bounds; only when one does not (or is a zero written with a large
    # exponent, 0E+12) are the lines looked at one by one, in order, by name. Every value is
    # a finite Decimal or None here: the readers and the type guard refuse the rest.
    money = [value for value in _chain(map(_item_money, items)) if value is not None]
    weights = [item.weight for item in items if item.weight is not None]
    if (
        bad is None
        and (money or weights)
        and max(map(_adjusted, _chain((money, weights)))) >= _MAX_ADJUSTED
    ):
        for index, item in enumerate(items):
            for name, value in zip(_ITEM_AMOUNTS, _item_amounts(item), strict=True):
                if value is not None and not (_MIN_AMOUNT < value < _MAX_AMOUNT):
                    bad = (f"order_items[{index}].{name}", value)
                    break
            if bad is not None:
                break
    if bad is not None:
        raise InvalidOrderError(
            f"must be a number below {_MAX_AMOUNT:,.0f}",
            order_id=order.order_id,
            field=bad[0],
            value=bad[1],
        )
    return (
        _sub_cent(order.order_total)
        or any(map(_sub_cent, map(_amount, order.discounts)))
        or (not _surely_in_cents(money) and any(map(_sub_cent, money)))
    )


#: Every finite non-zero amount below :data:`_MAX_AMOUNT` in size has an ``adjusted()`` below
#: this (``_MAX_AMOUNT`` is a power of ten; ``tests/test_fast_paths.py`` holds it to that).
_MAX_ADJUSTED: Final = _MAX_AMOUNT.adjusted()
_adjusted: Final = Decimal.adjusted
_is_signed: Final = Decimal.is_signed
#: Adds exactly or raises (never drops a digit, not even a zero: that would raise the sum's
#: exponent), whatever the caller's context.
_EXACT: Final = Context(prec=40, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact, Rounded, Clamped])


def _surely_in_cents(money: list[Decimal]) -> bool:
    """Whether no amount of *money* is :func:`_sub_cent`, in C calls; ``False`` when unsure.

    The exponent of an exact sum is the smallest of its terms' (and of the 0 it starts from),
    so a sum whose exponent is -2 or more has no term with digits past the cent; and with no
    term signed, no term is a negative zero. Anything else (a negative amount, a sum that
    is not exact) is for the caller to look at value by value.
    """
    if any(map(_is_signed, money)):
        return False
    try:
        total = functools.reduce(_EXACT.add, money, _ZERO)
    except (Inexact, Rounded, Clamped):
        return False
    if _in_cent_steps(total):  # the common case: an exponent of -2, no tuple of digits made
        return True
    exponent = total.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2


_item_money: Final = operator.attrgetter(*_ITEM_MONEY)


def _sub_cent(value: Decimal | None) -> bool:
    """Whether *value* has digits past the cent, or is a negative zero (``-0.00``)."""
    if value is None:
        return False
    exponent = value.as_tuple().exponent
    return (isinstance(exponent, int) and exponent < -2) or (value.is_signed() and not value)


_in_cent_steps: Final = _CENT.same_quantum
_NONES: Final = itertools.repeat(None)


def _any_sub_cent(values: Sequence[Decimal | None]) -> bool:
    """Whether any of *values* is :func:`_sub_cent`, with the common case in C loops.

    Amounts given in cents (every non-zero one with exactly two decimals, none zero) are
    never sub-cent; any other tuple is looked at value by value.
    """
    # filter(None) keeps the non-zero amounts; filter(not_) the Nones and zeros (-0.00 too).
    if all(map(_in_cent_steps, filter(None, values))) and all(
        map(operator.is_, filter(operator.not_, values), _NONES)
    ):
        return False
    return any(map(_sub_cent, values))


def _cents(value: Decimal) -> Decimal:
    # "+ 0" turns a negative zero (-0.00, or -0.004 rounded) into 0.00.
    return value.quantize(_CENT, rounding=ROUND_HALF_UP) + _ZERO


def _item_in_cents(item: lm.OrderItem) -> lm.OrderItem:
    changes: dict[str, Any] = {}  # Any: evolve's keyword types are per field
    for name in _ITEM_MONEY:
        value = getattr(item, name)
        changes[name] = None if value is None else _cents(value)
    return attrs.evolve(item, **changes)


def _in_cents(order: lm.Order, *, sub_cent: bool | None = None) -> lm.Order:
    """*order* with every amount of money rounded to cents, half-up, once, before any sum.

    A negative zero (``-0.00``) becomes ``0.00``, so it is never written as a price.

    ShipStation holds cents: rounding each input once is what makes the lines, the rounding
    line, shipping, tax and the amount paid add up exactly on both paths. Orders already in
    cents (nearly all) are returned as they are. *sub_cent*: whether any amount is sub-cent,
    when the caller knows (:func:`_check_amounts` finds it on its way).
    """
    items = order.order_items
    if sub_cent is None:
        sub_cent = (
            _sub_cent(order.order_total)
            or any(_sub_cent(d.amount) for d in order.discounts)
            or any(_any_sub_cent(_item_money(i)) for i in items)
        )
    if not sub_cent:
        return order
    return attrs.evolve(
        order,
        order_total=None if order.order_total is None else _cents(order.order_total),
        discounts=tuple(attrs.evolve(d, amount=_cents(d.amount)) for d in order.discounts),
        order_items=tuple(_item_in_cents(i) for i in items),
    )


def _trim_discounts(
    order: lm.Order,
    items: tuple[ss.OrderItem, ...],
    total: Decimal,
    warnings: list[MappingWarning],
) -> tuple[tuple[ss.OrderItem, ...], Decimal]:
    """Discounts larger than the order: shrink them, last first, so the total is not below 0.

    A coupon worth more than the goods (a gift card on a small order) would make the amount
    paid negative, which ShipStation cannot hold; the buyer paid nothing, so the discount lines
    are cut down to what they can take off (a line cut to nothing is left out).
    """
    excess = -total
    trimmed: list[ss.OrderItem] = []
    for item in reversed(items):
        price = item.unit_price or _ZERO
        if excess and item.adjustment and price < 0 and item.quantity == 1:
            taken = min(excess, -price)
            excess -= taken
            if price + taken == 0:
                continue
            item = attrs.evolve(item, unit_price=price + taken)
        trimmed.append(item)
    message = (
        f"discounts exceed the order by {-total}; they were cut down so that the amount paid "
        "is not negative"
    )
    warnings.append(
        MappingWarning(order_id=order.order_id, code="discounts_exceed_total", message=message)
    )
    logger.warning("order %s: %s", order.order_id, message)
    return tuple(reversed(trimmed)), -excess


def _fulfillment_warning(
    order: lm.Order,
    options: MappingOptions,
    warnings: list[MappingWarning],
    channel: lm.FulfillmentChannel | None,
) -> None:
    """Report an order exported although its *channel* (as read) is missing or unknown."""
    if channel is not None:
        return
    if options.inventory_sources is not None:
        return  # selected by the inventory-source allow-list: its channel does not matter
    raw = order.fulfillment_channel
    # A missing channel is the common case (Listing Mirror documents no such field): quiet.
    if raw is None:
        message = _NO_CHANNEL_MESSAGE
        level = logging.DEBUG
    else:
        message = _channel_message(raw)
        level = logging.WARNING
    warnings.append(
        MappingWarning(order_id=order.order_id, code="unknown_fulfillment_channel", message=message)
    )
    logger.log(level, "order %s: %s", order.order_id, message)


def _channel_message(channel: lm.FulfillmentChannel | Unrecognized | None) -> str:
    return (
        f"fulfillment channel {_channel_name(channel)} is missing or not "
        "known; exported as merchant-fulfilled (set inventory_sources, or "
        "unknown_fulfillment='reject')"
    )


_NO_CHANNEL_MESSAGE: Final = _channel_message(None)


def _currency(order: lm.Order) -> str | None:
    """Return the order's ISO 4217 currency code (upper case), ``None`` when it has none.

    Raises:
        InvalidOrderError: The currency is not three letters (a code is never cut or guessed).
    """
    text = order.currency
    if text is None or not text.strip():
        return None
    code = text.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise InvalidOrderError(
            "must be an ISO 4217 code of three letters",
            order_id=order.order_id,
            field="currency",
            value=text,
        )
    return code


def _runtime_types(tp: Any) -> tuple[type, ...]:
    """The classes a value of annotation *tp* may be (``T | None``, ``tuple[T, ...]`` ...)."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        return tuple(t for arg in typing.get_args(tp) for t in _runtime_types(arg))
    if origin is tuple:
        return (tuple,)
    if tp is type(None):
        return (types.NoneType,)
    return (tp,) if isinstance(tp, type) else (object,)


def _element_model(tp: Any) -> type | None:
    """The model class held by a ``tuple[M, ...]`` or ``M | None`` annotation, if any."""
    for arg in (tp, *typing.get_args(tp)):
        if isinstance(arg, type) and attrs.has(arg):
            return arg
        if typing.get_origin(arg) is tuple:
            return _element_model(typing.get_args(arg)[0])
    return None


_Plan = tuple[tuple[str, tuple[type, ...], bool, "type | None"], ...]


_PLANS: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    """Per field of *cls*: name, allowed classes, whether ``bool`` is refused, nested model."""
    plan = _PLANS.get(cls)
    if plan is None:
        entries = []
        for attribute in attrs.fields(cls):
            allowed = _runtime_types(attribute.type)
            no_bool = int in allowed and bool not in allowed
            entries.append((attribute.name, allowed, no_bool, _element_model(attribute.type)))
        plan = _PLANS[cls] = tuple(entries)
    return plan


_Checker = Callable[[object, str], "tuple[str, object] | None"]

_CHECKERS: dict[type, _Checker] = {}
_PASSES: dict[type, Callable[[object], bool]] = {}


def _passes(cls: type) -> Callable[[object], bool]:
    """Whether an instance of *cls* passes every type check (see :func:`_checker`)."""
    found = _PASSES.get(cls)
    if found is None:
        _checker(cls)
        found = _PASSES[cls]
    return found


def _checker(cls: type) -> _Checker:
    """A function made once for *cls* that finds its first attribute of the wrong type.

    The same checks, in the same order, as reading :func:`_plan` field by field, but with the
    values fetched in one C call (:func:`operator.attrgetter`) and, per field, only the checks
    its type needs (no ``bool`` test where ``int`` is not allowed, no finiteness test where no
    ``Decimal`` can be), so a batch pays for the checks, not for interpreting the plan.
    """
    checker = _CHECKERS.get(cls)
    if checker is not None:
        return checker
    plan = _plan(cls)
    entries = tuple(
        (
            name,
            allowed,
            no_bool,
            any(issubclass(Decimal, t) for t in allowed),
            any(issubclass(datetime, t) for t in allowed),
            nested,
        )
        for name, allowed, no_bool, nested in plan
    )
    names = [entry[0] for entry in entries]
    fetch = operator.attrgetter(*names) if len(names) > 1 else (lambda o: (getattr(o, names[0]),))
    kinds = tuple(entry[1] for entry in entries)
    extras = tuple(
        (index, no_bool, decimal, moment, nested)
        for index, (_, _, no_bool, decimal, moment, nested) in enumerate(entries)
        if no_bool or decimal or moment or nested is not None
    )

    def passes(instance: object) -> bool:
        """Whether every check passes: one C loop over the classes, then the few extras."""
        values = fetch(instance)
        if not all(map(isinstance, values, kinds)):
            return False
        for index, no_bool, decimal, moment, nested in extras:
            value = values[index]
            if value is None:
                continue
            if (
                (no_bool and value.__class__ is bool)
                or (decimal and isinstance(value, Decimal) and not value.is_finite())
                or (moment and isinstance(value, datetime) and value.utcoffset() is None)
            ):
                return False
            if nested is None:
                continue
            if isinstance(value, tuple):
                inner = _passes(nested)
                for element in value:
                    if not isinstance(element, nested) or not inner(element):
                        return False
            elif isinstance(value, nested) and not _passes(nested)(value):
                return False
        return True

    _PASSES[cls] = passes

    def check(instance: object, path: str) -> tuple[str, object] | None:
        if passes(instance):  # the common case; else find the first problem, in order
            return None
        return first_problem(instance, path)

    def first_problem(instance: object, path: str) -> tuple[str, object] | None:
        for value, (name, allowed, no_bool, decimal, moment, nested) in zip(
            fetch(instance), entries, strict=True
        ):
            if (
                not isinstance(value, allowed)
                or (no_bool and value.__class__ is bool)
                or (decimal and isinstance(value, Decimal) and not value.is_finite())
                or (moment and isinstance(value, datetime) and value.utcoffset() is None)
            ):
                return f"{path}{name}", value
            if nested is None or value is None:
                continue
            if isinstance(value, tuple):
                for index, element in enumerate(value):
                    if not isinstance(element, nested):
                        return f"{path}{name}[{index}]", element
                    found = _checker(nested)(element, f"{path}{name}[{index}].")
                    if found:
                        return found
            elif isinstance(value, nested):  # not e.g. an enum member beside Unrecognized
                found = _checker(nested)(value, f"{path}{name}.")
                if found:
                    return found
        return None

    _CHECKERS[cls] = check
    return check


def _type_error(instance: object, path: str) -> tuple[str, object] | None:
    """The first attribute of *instance* (an attrs model) whose value does not fit its type."""
    return _checker(type(instance))(instance, path)


def _check_types(order: lm.Order) -> None:
    """Refuse a hand-built model with values of the wrong type, naming the field.

    A float price or a str quantity from an untyped caller is found before any arithmetic
    trips on it.
    """
    found = _type_error(order, "")
    if found is not None:
        field_name, value = found
        raise InvalidOrderError(
            f"has the wrong type ({type(value).__name__})",
            order_id=order.order_id if isinstance(order.order_id, int) else None,
            field=field_name,
            value=value,
        )


#: Listing Mirror order ids are positive and fit in 64 bits (they become ShipStation's
#: ``orderKey`` and are stored by the sync's checkpoint stores as 64-bit integers).
_MAX_ORDER_ID = 2**63 - 1


def _check_id(order: lm.Order) -> None:
    if not 0 < order.order_id <= _MAX_ORDER_ID:
        raise InvalidOrderError(
            "must be a whole number from 1 to 2**63 - 1",
            order_id=order.order_id,
            field="order_id",
            value=order.order_id,
        )


def _convert(order: lm.Order, options: MappingOptions, warnings: list[MappingWarning]) -> ss.Order:
    _check_types(order)
    return _convert_typed(order, options, warnings)


def _convert_typed(
    order: lm.Order, options: MappingOptions, warnings: list[MappingWarning]
) -> ss.Order:
    """:func:`_convert` for an order whose values are known to have their declared types."""
    # Filters and the address rule come first, as for amounts.
    channel = _eligible_channel(order, options)
    _check_id(order)
    order = _in_cents(order, sub_cent=_check_amounts(order))
    number = order.market_order_id
    if number is None or not number.strip() or len(number) > MAX_ORDER_NUMBER_LENGTH:
        raise InvalidOrderError(
            f"must be 1 to {MAX_ORDER_NUMBER_LENGTH} characters to be a ShipStation order number",
            order_id=order.order_id,
            field="market_order_id",
            value=number,
        )
    status = _status(order, options, warnings)
    _fulfillment_warning(order, options, warnings, channel)
    _currency(order)
    weighed: list[_Weighed] = []
    items = _items(order, options, warnings, weighed)
    shipping, excess = _shipping(order)
    if excess:
        items = (
            *items,
            _adjustment("shipping-discount", "Shipping discount beyond shipping charged", excess),
        )
    tax = _tax(order)
    computed = _ZERO
    for line in items:
        computed += (line.unit_price or _ZERO) * (line.quantity or 0)
    computed = computed + (shipping or _ZERO) + (tax or _ZERO)
    if computed < 0:
        items, computed = _trim_discounts(order, items, computed, warnings)
    paid = order.order_total if order.order_total is not None else computed
    if paid < 0:
        message = f"the amount paid ({paid}) would be negative; 0.00 is sent"
        warnings.append(
            MappingWarning(order_id=order.order_id, code="negative_total", message=message)
        )
        logger.warning("order %s: %s", order.order_id, message)
        paid = _ZERO
    elif order.order_total is not None and order.order_total != computed:
        message = (
            f"order_total {order.order_total} differs from the sum of the lines, shipping and "
            f"tax ({computed}); {order.order_total} is sent as the amount paid"
        )
        warnings.append(
            MappingWarning(order_id=order.order_id, code="total_mismatch", message=message)
        )
        logger.warning("order %s: %s", order.order_id, message)
    ship_name = order.ship_to.name if order.ship_to else None
    # _decoded and _blank inlined below (html.unescape returns a text without "&" as it is).
    notes, internal, gift_message = order.customer_notes, order.internal_notes, order.gift_message
    result = ss.Order(
        order_number=number,
        order_key=f"{options.order_key_prefix}{order.order_id}",  # order_key, inlined
        order_date=order.order_datetime,
        order_status=status,
        customer_username=order.buyer_email,
        customer_email=order.buyer_email,
        bill_to=_address(
            order.bill_to,
            name=order.buyer_name or ship_name,
            phone=order.buyer_phone,
            where="bill_to",
            order_id=order.order_id,
        ),
        ship_to=_address(
            order.ship_to,
            name=order.buyer_name,
            phone=order.buyer_phone,
            where="ship_to",
            order_id=order.order_id,
        ),
        items=items,
        amount_paid=paid,
        tax_amount=tax,
        shipping_amount=shipping,
        customer_notes=_decoded(notes) if notes is not None and "&" in notes else notes,
        internal_notes=_decoded(internal) if internal is not None and "&" in internal else internal,
        gift=order.is_gift or not (gift_message is None or not gift_message.strip()),
        gift_message=(
            _decoded(gift_message)
            if gift_message is not None and "&" in gift_message
            else gift_message
        ),
        payment_method=order.payment_method,
        requested_shipping_service=order.requested_shipping_method,
        weight=_total_weight(order, warnings, weighed),
        advanced_options=ss.AdvancedOptions(
            store_id=options.store_id,
            custom_field1=order.market_order_id,
            custom_field2=_integration_label(order),
            custom_field3=order.alternate_market_order_id,
            source=order.marketplace,
        ),
    )
    try:
        validate_order_for_create(result)
    except ValidationError as exc:  # a rule above let something through: say which order
        raise InvalidOrderError(
            exc.message, order_id=order.order_id, field=exc.field, value=exc.value
        ) from exc
    return result


def to_shipstation_order(order: lm.Order, options: MappingOptions | None = None) -> ss.Order:
    """Convert one Listing Mirror order into the ShipStation order to upsert.

    An unmapped status is logged (and, in a batch, returned as a warning).

    Raises:
        MappingError: The order is filtered out or cannot be converted; the subclass and its
            ``reason`` say why.
    """
    return _convert(order, options or MappingOptions(), [])


def convert_orders(
    orders: Iterable[lm.Order], options: MappingOptions | None = None
) -> ConversionResult:
    """Convert a batch; one bad order never sinks the others.

    >>> import attrs
    >>> from datetime import datetime, UTC
    >>> from decimal import Decimal
    >>> from listingmirror_shipstation import listingmirror as lm
    >>> from listingmirror_shipstation.mapping import convert_orders
    >>> order = lm.Order(
    ...     order_id=7, market_order_id="111-222", order_status=lm.OrderStatus.PAID,
    ...     order_datetime=datetime(2026, 11, 27, 12, tzinfo=UTC),
    ...     order_items=(lm.OrderItem(sku="MUG", quantity=2, price=Decimal("19.98")),),
    ...     ship_to=lm.Address(name="Ana", street1="1 Main St", city="Austin", country="US"),
    ... )
    >>> no_address = attrs.evolve(order, order_id=8, ship_to=None)
    >>> result = convert_orders([order, no_address])
    >>> [(o.order_key, o.order_status.value, o.items[0].unit_price) for o in result.orders]
    [('lm-7', 'awaiting_shipment', Decimal('9.99'))]
    >>> [(r.order.order_id, r.reason) for r in result.rejected]
    [(8, 'missing_shipping_address')]
    """
    converted, rejected, warnings = _run_batch(
        orders, options or MappingOptions(), _convert, typed=_convert_typed
    )
    return ConversionResult(orders=converted, rejected=rejected, warnings=warnings)


_T = TypeVar("_T")


def _run_batch(
    orders: Iterable[lm.Order],
    options: MappingOptions,
    convert: Callable[[lm.Order, MappingOptions, list[MappingWarning]], _T],
    *,
    typed: Callable[[lm.Order, MappingOptions, list[MappingWarning]], _T] | None = None,
) -> tuple[tuple[_T, ...], tuple[Rejection, ...], tuple[MappingWarning, ...]]:
    """Run *convert* over a batch: each failure becomes a rejection, never an exception.

    *typed*, if given, is *convert* without the type guard: it runs instead when *orders* is a
    :class:`~listingmirror_shipstation._values.TypedModels` (read by our reader with only our
    hooks, so every value already has its declared type).

    A MappingError is the rejection's reason; any other exception (a bug, or a model built by
    hand that slipped past the checks) becomes an
    :class:`~listingmirror_shipstation.errors.InvalidOrderError` chained to it, so one order
    never sinks the batch. Warnings of a rejected order are dropped (its rejection says more);
    rejections are logged here, warnings where they arise: each once.
    """
    converted: list[_T] = []
    rejected: list[Rejection] = []
    warnings: list[MappingWarning] = []
    if typed is not None and orders.__class__ is TypedModels:
        convert = typed
    with _gc.paused():  # see _gc: the batch's models hold no cycles
        _convert_each(orders, options, convert, converted.append, rejected, warnings)
    return tuple(converted), tuple(rejected), tuple(warnings)


def _convert_into(
    orders: Iterable[lm.Order],
    options: MappingOptions,
    emit: Callable[[ss.Order], object],
    *,
    typed: bool,
) -> tuple[tuple[Rejection, ...], tuple[MappingWarning, ...]]:
    """:func:`convert_orders` handing each converted order to *emit* as soon as it is made.

    For a caller that writes each order at once and keeps none (see
    :func:`~listingmirror_shipstation.conversion.convert_orders_json`): the rejections and
    warnings are the same as :func:`convert_orders` gives, and *emit* sees its orders in its
    order. *typed*: every order has its declared types (read by a reader with only our hooks,
    see :func:`_run_batch`), so the type guard is skipped. The caller pauses the collector.
    """
    rejected: list[Rejection] = []
    warnings: list[MappingWarning] = []
    convert = _convert_typed if typed else _convert
    _convert_each(orders, options, convert, emit, rejected, warnings)
    return tuple(rejected), tuple(warnings)


def _convert_each(
    orders: Iterable[lm.Order],
    options: MappingOptions,
    convert: Callable[[lm.Order, MappingOptions, list[MappingWarning]], _T],
    emit: Callable[[_T], object],
    rejected: list[Rejection],
    warnings: list[MappingWarning],
) -> None:
    for order in orders:
        order_warnings: list[MappingWarning] = []
        try:
            converted = convert(order, options, order_warnings)
        except MappingError as exc:
            # A rule's refusal says all in its reason, field and value. Its traceback (and those
            # of the errors chained to it) would keep this frame, which holds the batch's lists,
            # which hold the rejection: a cycle keeping the batch until a full collection.
            _forget_tracebacks(exc)
            rejected.append(Rejection(order=order, error=exc))
            level = logging.INFO if exc.filtered else logging.WARNING
            order_id = getattr(order, "order_id", None)
            logger.log(level, "order %s not converted (%s): %s", order_id, exc.reason, exc)
        except Exception as exc:  # one bad order is one rejection, by contract
            order_id = getattr(order, "order_id", None)
            error = InvalidOrderError(
                f"cannot be converted ({type(exc).__name__}: {exc})",
                order_id=order_id if isinstance(order_id, int) else None,
                field="order",
                value=None,
            )
            # A bug's traceback is kept (its cause shows where): rare, and worth the memory.
            error.__cause__ = exc
            rejected.append(Rejection(order=order, error=error))
            logger.warning("order %s not converted: %s", order_id, error, exc_info=exc)
        else:
            emit(converted)  # outside the try: what emit raises is not this order's rejection
            warnings.extend(order_warnings)
