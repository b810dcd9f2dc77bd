"""The integration's rules, written once for the peers (pydantic, msgspec) of our pipeline.

Each peer reads Listing Mirror JSON into its own library's models and writes ShipStation JSON
with its own library; between the two, both run this function: the same business rules as
``listingmirror_shipstation.mapping.orders`` (filters, the shipping-address rule, range
checks, unit prices rounded up with a rounding line, coupons and discounts as adjustment lines,
shipping less shipping discounts, tax, the total weight, phones and names falling back to the
buyer's, HTML entities decoded, custom fields, the checks ``validate_order_for_create`` makes),
so the benchmark compares the approaches, not the amount of work. The output must be
byte-identical to ours (the benchmark checks it before timing).

Reused from the library, as a peer's author would reuse tables rather than retype them: the
status table (``StatusMap``), the weight factors (``GRAMS_PER_UNIT``), the country and region
tables (``country_alpha2``, ``region_code``), the channel spellings
(``FulfillmentChannel.read``) and the wire format of Pacific time (``format_pacific``). These
are pure functions or tables; none of the pipeline's own machinery (converters, models,
validators) is used.
"""

import decimal
import html
from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, Decimal
from typing import Any, NamedTuple

from listingmirror_shipstation import _time
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation._codes import country_alpha2, region_code
from listingmirror_shipstation.mapping import StatusMap
from listingmirror_shipstation.mapping.weights import GRAMS_PER_UNIT
from listingmirror_shipstation.shipstation.validate import MAX_ORDER_NUMBER_LENGTH

_STATUS_MAP = StatusMap()
STATUS = {s.value: _STATUS_MAP.to_shipstation(s).value for s in lm.OrderStatus}
FALLBACK = _STATUS_MAP.fallback.value
WRITABLE = {"awaiting_payment", "awaiting_shipment", "shipped", "on_hold", "cancelled"}
UNIT_ALIASES = {
    **dict.fromkeys(("lb", "lbs", "pound", "pounds"), "lb"),
    **dict.fromkeys(("oz", "ounce", "ounces"), "oz"),
    **dict.fromkeys(("g", "gr", "grs", "gram", "grams"), "g"),
    **dict.fromkeys(("kg", "kgs", "kilogram", "kilograms"), "kg"),
}
GRAMS = {unit.value: grams for unit, grams in GRAMS_PER_UNIT.items()}
SS_UNITS = {"lb": "pounds", "oz": "ounces", "g": "grams", "kg": "grams"}
EXCLUDED = {lm.FulfillmentChannel.FBA, lm.FulfillmentChannel.MCF}
CENT = Decimal("0.01")
ZERO = Decimal(0)
MAX_AMOUNT = Decimal("1e12")
CONTEXT = decimal.Context(prec=34)
ITEM_AMOUNTS = (
    "price",
    "item_discount",
    "shipping_discount",
    "shipping_price",
    "shipping_tax",
    "tax",
    "gift_warp_price",
    "gift_warp_tax",
    "weight",
)


class RejectedError(Exception):
    """The order is filtered out or cannot be sent (the peer skips it, as ours does)."""


class Build(NamedTuple):
    """The peer's own output model classes (called with keyword arguments)."""

    order: Callable[..., Any]
    item: Callable[..., Any]
    address: Callable[..., Any]
    weight: Callable[..., Any]
    option: Callable[..., Any]
    advanced: Callable[..., Any]


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _decoded(text: str | None) -> str | None:
    return None if text is None else html.unescape(text)


def _unit(text: str | None) -> str | None:
    return None if text is None else UNIT_ALIASES.get(text.strip().lower())


def _convert(value: Decimal, source: str, target: str) -> Decimal:
    if source == target:
        return value
    return CONTEXT.multiply(value, CONTEXT.divide(GRAMS[source], GRAMS[target]))


def _weight(build: Build, value: Decimal | None, unit: str | None) -> Any:
    if value is None or unit is None:
        return None
    if unit == "kg":
        return build.weight(value=_convert(value, "kg", "g"), units="grams")
    return build.weight(value=value, units=SS_UNITS[unit])


def _sum(values: Sequence[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


def _out_of_range(value: Decimal | None) -> bool:
    return value is not None and not (-MAX_AMOUNT < value < MAX_AMOUNT)


def _address(build: Build, address: Any, name: str | None, phone: str | None) -> Any:
    if address is None:
        return build.address(name=name, phone=phone)
    country = None
    if not _blank(address.country):
        country = country_alpha2(address.country)
        if country is None:
            raise RejectedError("country")
    return build.address(
        name=address.name if not _blank(address.name) else name,
        company=address.company,
        street1=address.street1,
        street2=address.street2,
        street3=address.street3,
        city=address.city,
        state=region_code(country, address.state),
        postal_code=address.postal_code,
        country=country,
        phone=address.phone if not _blank(address.phone) else phone,
        residential=address.residential,
    )


def _adjustment(build: Build, key: str, name: str, amount: Decimal, sku: str | None = None) -> Any:
    return build.item(
        line_item_key=key, sku=sku, name=name, quantity=1, unit_price=amount, adjustment=True
    )


def _items(build: Build, order: Any) -> list[Any]:
    lines: list[Any] = []
    extras: list[Any] = []
    adjustments: list[Any] = []
    rounding = ZERO
    for index, item in enumerate(order.order_items):
        if item.quantity < 1 or item.price < 0:
            raise RejectedError("quantity or price")
        weight = _weight(build, item.weight, _unit(item.weight_unit))
        unit_price = (item.price / item.quantity).quantize(CENT, rounding=ROUND_CEILING)
        rounding += item.price - unit_price * item.quantity
        label = _decoded(item.title) or item.sku or f"line {index + 1}"
        lines.append(
            build.item(
                line_item_key=item.line_item_id,
                sku=item.sku,
                name=label,
                image_url=item.image_url,
                weight=weight,
                quantity=item.quantity,
                unit_price=unit_price,
                warehouse_location=item.stock_location,
                options=[
                    build.option(name=_decoded(o.name), value=_decoded(o.value))
                    for o in item.options
                ],
                adjustment=False,
                upc=item.upc,
            )
        )
        key = item.line_item_id or str(index + 1)
        if item.item_discount:
            adjustments.append(
                _adjustment(
                    build, f"{key}-discount", f"Discount: {label}", -abs(item.item_discount)
                )
            )
        if item.gift_warp_price:
            extras.append(
                build.item(
                    line_item_key=f"{key}-gift-wrap",
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
            _adjustment(build, f"discount-{number}", name, -abs(discount.amount), discount.code)
        )
    if rounding:
        adjustments.append(_adjustment(build, "rounding", "Rounding of unit prices", rounding))
    return [*lines, *extras, *adjustments]


def _total_weight(build: Build, order: Any) -> Any:
    if order.total_weight is not None:
        return _weight(build, order.total_weight, _unit(order.weight_unit))
    weighed = [
        (i.weight, unit, i.quantity)
        for i in order.order_items
        if i.weight is not None and (unit := _unit(i.weight_unit)) is not None
    ]
    if not weighed or len(weighed) != len(order.order_items):
        return None
    target = weighed[0][1]
    total = sum((_convert(w, u, target) * q for w, u, q in weighed), ZERO)
    return _weight(build, total, target)


def to_shipstation(build: Build, order: Any) -> Any:
    """One Listing Mirror order (the peer's model) as the peer's ShipStation order.

    Raises:
        RejectedError: Filtered out (FBA/MCF, no shipping address) or not sendable.
    """
    if lm.FulfillmentChannel.read(order.fulfillment_channel) in EXCLUDED:
        raise RejectedError("fulfillment")
    ship = order.ship_to
    if ship is None or _blank(ship.street1) or _blank(ship.city) or _blank(ship.country):
        raise RejectedError("address")
    if (
        _out_of_range(order.order_total)
        or _out_of_range(order.total_weight)
        or any(_out_of_range(d.amount) for d in order.discounts)
        or any(_out_of_range(getattr(i, n)) for i in order.order_items for n in ITEM_AMOUNTS)
    ):
        raise RejectedError("range")
    number = order.market_order_id
    if _blank(number) or len(number) > MAX_ORDER_NUMBER_LENGTH:
        raise RejectedError("order number")
    status = STATUS.get(order.order_status, FALLBACK)
    currency = order.currency
    if currency is not None and currency.strip():
        code = currency.strip().upper()
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise RejectedError("currency")
    items = _items(build, order)
    charged = _sum([i.shipping_price for i in order.order_items])
    discounted = _sum(
        [
            None if i.shipping_discount is None else abs(i.shipping_discount)
            for i in order.order_items
        ]
    )
    shipping: Decimal | None = None
    if charged is not None or discounted is not None:
        net = (charged or ZERO) - (discounted or ZERO)
        shipping = max(net, ZERO)
        if net < 0:
            items.append(
                _adjustment(
                    build, "shipping-discount", "Shipping discount beyond shipping charged", net
                )
            )
    tax = _sum([v for i in order.order_items for v in (i.tax, i.shipping_tax, i.gift_warp_tax)])
    computed = (
        sum((i.unit_price * i.quantity for i in items), ZERO) + (shipping or ZERO) + (tax or ZERO)
    )
    amount_paid = order.order_total if order.order_total is not None else computed
    for item in items:
        if item.quantity < 1 or (not item.adjustment and item.unit_price < 0):
            raise RejectedError("line")
        if item.weight is not None and item.weight.value < 0:
            raise RejectedError("weight")
    if status not in WRITABLE or not items or (shipping is not None and shipping < 0):
        raise RejectedError("not sendable")
    label = order.integration_name
    if _blank(label):
        label = None if order.integration_config_id is None else str(order.integration_config_id)
    return build.order(
        order_number=number,
        order_key=f"lm-{order.order_id}",
        order_date=_time.format_pacific(order.order_datetime),
        order_status=status,
        customer_username=order.buyer_email,
        customer_email=order.buyer_email,
        bill_to=_address(build, order.bill_to, order.buyer_name or ship.name, order.buyer_phone),
        ship_to=_address(build, ship, order.buyer_name, order.buyer_phone),
        items=items,
        amount_paid=amount_paid,
        tax_amount=tax,
        shipping_amount=shipping,
        customer_notes=_decoded(order.customer_notes),
        internal_notes=_decoded(order.internal_notes),
        gift=bool(order.is_gift) or not _blank(order.gift_message),
        gift_message=_decoded(order.gift_message),
        payment_method=order.payment_method,
        requested_shipping_service=order.requested_shipping_method,
        weight=_total_weight(build, order),
        advanced_options=build.advanced(
            custom_field1=number,
            custom_field2=label,
            custom_field3=order.alternate_market_order_id,
            source=order.marketplace,
        ),
    )


def convert_all(build: Build, orders: Sequence[Any]) -> list[Any]:
    """Every order that converts; the others are skipped (ours reports them, then skips)."""
    out = []
    for order in orders:
        try:
            out.append(to_shipstation(build, order))
        except RejectedError:
            continue
    return out
