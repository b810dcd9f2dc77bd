"""The conversion pipeline written the way other ShipStation libraries do it: pydantic v2.

Same input, same output shape, same rules (status map, custom fields, unit prices from line
totals, adjustment lines, weights, addresses) as ``listingmirror_shipstation``'s typed
pipeline, so the benchmark compares the approaches, not the amount of work.
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic.alias_generators import to_camel

STATUS = {
    "Unpaid": "awaiting_payment",
    "Paid": "awaiting_shipment",
    "Accepted": "awaiting_shipment",
    "Ready To Ship": "awaiting_shipment",
    "Shipped": "shipped",
    "Cancelled": "cancelled",
    "Wait": "on_hold",
}
UNITS = {
    "lb": ("pounds", Decimal(1)),
    "oz": ("ounces", Decimal(1)),
    "g": ("grams", Decimal(1)),
    "kg": ("grams", Decimal(1000)),
}
CENT = Decimal("0.01")


class LMAddress(BaseModel):
    name: str | None = None
    street1: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None


class LMOption(BaseModel):
    name: str
    value: str


class LMItem(BaseModel):
    line_item_id: str | None = None
    sku: str | None = None
    title: str | None = None
    quantity: int
    price: Decimal
    tax: Decimal | None = None
    shipping_price: Decimal | None = None
    item_discount: Decimal | None = None
    weight: Decimal | None = None
    weight_unit: str | None = None
    image_url: str | None = None
    options: list[LMOption] = []
    stock_location: str | None = None


class LMDiscount(BaseModel):
    amount: Decimal
    code: str | None = None


class LMOrder(BaseModel):
    order_id: int
    market_order_id: str
    alternate_market_order_id: str | None = None
    order_datetime: datetime
    order_status: str
    integration_config_id: int | None = None
    integration_name: str | None = None
    marketplace: str | None = None
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_phone: str | None = None
    ship_to: LMAddress | None = None
    requested_shipping_method: str | None = None
    payment_method: str | None = None
    discounts: list[LMDiscount] = []
    customer_notes: str | None = None
    order_items: list[LMItem] = []


class Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class SSAddress(Camel):
    name: str | None = None
    street1: str | None = None
    street2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None


class SSWeight(Camel):
    value: Decimal
    units: str


class SSOption(Camel):
    name: str | None = None
    value: str | None = None


class SSItem(Camel):
    line_item_key: str | None = None
    sku: str | None = None
    name: str | None = None
    image_url: str | None = None
    weight: SSWeight | None = None
    quantity: int
    unit_price: Decimal
    warehouse_location: str | None = None
    options: list[SSOption] | None = None
    adjustment: bool = False


class SSAdvanced(Camel):
    custom_field1: str | None = None
    custom_field2: str | None = None
    custom_field3: str | None = None
    source: str | None = None


class SSOrder(Camel):
    order_number: str
    order_key: str
    order_date: str
    order_status: str
    customer_email: str | None = None
    bill_to: SSAddress
    ship_to: SSAddress
    items: list[SSItem]
    amount_paid: Decimal
    tax_amount: Decimal | None = None
    shipping_amount: Decimal | None = None
    payment_method: str | None = None
    requested_shipping_service: str | None = None
    customer_notes: str | None = None
    advanced_options: SSAdvanced


ORDERS = TypeAdapter(list[LMOrder])
OUT = TypeAdapter(list[SSOrder])


def _map(order: LMOrder) -> SSOrder | None:
    address = order.ship_to
    if address is None or not (address.street1 and address.city and address.country):
        return None
    items: list[SSItem] = []
    for item in order.order_items:
        weight = None
        if item.weight is not None and item.weight_unit in UNITS:
            units, factor = UNITS[item.weight_unit]
            weight = SSWeight(value=item.weight * factor, units=units)
        items.append(
            SSItem(
                line_item_key=item.line_item_id,
                sku=item.sku,
                name=item.title or item.sku,
                image_url=item.image_url,
                weight=weight,
                quantity=item.quantity,
                unit_price=(item.price / item.quantity).quantize(CENT, rounding=ROUND_HALF_UP),
                warehouse_location=item.stock_location,
                options=[SSOption(name=o.name, value=o.value) for o in item.options],
            )
        )
    for number, discount in enumerate(order.discounts, start=1):
        items.append(
            SSItem(
                line_item_key=f"discount-{number}",
                sku=discount.code,
                name=f"Coupon {discount.code}",
                quantity=1,
                unit_price=-abs(discount.amount),
                adjustment=True,
            )
        )
    tax = sum((i.tax or Decimal(0) for i in order.order_items), Decimal(0))
    shipping = sum((i.shipping_price or Decimal(0) for i in order.order_items), Decimal(0))
    lines = sum((i.unit_price * i.quantity for i in items), Decimal(0))
    ship = SSAddress(**address.model_dump())
    return SSOrder(
        order_number=order.market_order_id,
        order_key=f"lm-{order.order_id}",
        order_date=order.order_datetime.strftime("%Y-%m-%dT%H:%M:%S.0000000"),
        order_status=STATUS.get(order.order_status, "on_hold"),
        customer_email=order.buyer_email,
        bill_to=SSAddress(name=order.buyer_name),
        ship_to=ship,
        items=items,
        amount_paid=lines + tax + shipping,
        tax_amount=tax,
        shipping_amount=shipping,
        payment_method=order.payment_method,
        requested_shipping_service=order.requested_shipping_method,
        customer_notes=order.customer_notes,
        advanced_options=SSAdvanced(
            custom_field1=order.market_order_id,
            custom_field2=order.integration_name or str(order.integration_config_id),
            custom_field3=order.alternate_market_order_id,
            source=order.marketplace,
        ),
    )


def convert(text: str) -> str:
    """LM orders JSON text -> createorders JSON text."""
    orders = ORDERS.validate_json(text)
    mapped = [m for m in (_map(o) for o in orders) if m is not None]
    return OUT.dump_json(mapped, by_alias=True, exclude_none=True).decode()
