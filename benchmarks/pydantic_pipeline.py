"""The conversion pipeline written the way other ShipStation libraries do it: pydantic v2.

Listing Mirror JSON is validated into pydantic models (``validate_json``, in Rust), the
integration's rules run in ``peer_rules`` (the same rules as ours), and the ShipStation models
are dumped by alias without ``None`` fields. pydantic writes ``Decimal`` as a JSON *string*;
ShipStation wants numbers and a float would round, so the dump is taken in Python mode and
written by msgspec with exact ``Decimal`` numbers, as a careful pydantic user would. The output
is byte-identical to ours (the benchmark checks it before timing).
"""

from datetime import UTC, datetime
from decimal import Decimal

import msgspec
import peer_rules
from pydantic import BaseModel, ConfigDict, TypeAdapter, field_validator
from pydantic.alias_generators import to_camel


class LMAddress(BaseModel):
    name: str | None = None
    company: str | None = None
    street1: str | None = None
    street2: str | None = None
    street3: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None
    residential: bool | None = None


class LMOption(BaseModel):
    name: str | None = None
    value: str | None = None


class LMItem(BaseModel):
    quantity: int
    price: Decimal
    sku: str | None = None
    item_discount: Decimal | None = None
    shipping_discount: Decimal | None = None
    shipping_price: Decimal | None = None
    shipping_tax: Decimal | None = None
    tax: Decimal | None = None
    gift_warp_price: Decimal | None = None
    gift_warp_tax: Decimal | None = None
    line_item_id: str | None = None
    title: str | None = None
    weight: Decimal | None = None
    weight_unit: str | None = None
    image_url: str | None = None
    options: list[LMOption] = []
    stock_location: str | None = None
    upc: str | None = None


class LMDiscount(BaseModel):
    amount: Decimal
    code: str | None = None
    description: str | None = None


class LMOrder(BaseModel):
    order_id: int
    market_order_id: str
    order_datetime: datetime
    order_status: str
    alternate_market_order_id: str | None = None
    integration_config_id: int | None = None
    order_items: list[LMItem] = []
    integration_name: str | None = None
    marketplace: str | None = None
    fulfillment_channel: str | None = None
    fulfillment_inventory_source_id: int | None = None
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_phone: str | None = None
    ship_to: LMAddress | None = None
    bill_to: LMAddress | None = None
    requested_shipping_method: str | None = None
    payment_method: str | None = None
    currency: str | None = None
    order_total: Decimal | None = None
    discounts: list[LMDiscount] = []
    is_gift: bool | None = None
    gift_message: str | None = None
    internal_notes: str | None = None
    customer_notes: str | None = None
    total_weight: Decimal | None = None
    weight_unit: str | None = None
    last_modified: datetime | None = None

    @field_validator("order_datetime")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:  # Listing Mirror's naive times are UTC
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class SSAddress(Camel):
    name: str | None = None
    company: str | None = None
    street1: str | None = None
    street2: str | None = None
    street3: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None
    residential: bool | None = None


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
    quantity: int | None = None
    unit_price: Decimal | None = None
    warehouse_location: str | None = None
    options: list[SSOption] | None = None
    adjustment: bool | None = None
    upc: str | None = None


class SSAdvanced(Camel):
    store_id: int | None = None
    custom_field1: str | None = None
    custom_field2: str | None = None
    custom_field3: str | None = None
    source: str | None = None


class SSOrder(Camel):
    order_number: str
    order_date: str
    order_status: str
    order_key: str | None = None
    customer_username: str | None = None
    customer_email: str | None = None
    bill_to: SSAddress | None = None
    ship_to: SSAddress | None = None
    items: list[SSItem] | None = None
    amount_paid: Decimal | None = None
    tax_amount: Decimal | None = None
    shipping_amount: Decimal | None = None
    customer_notes: str | None = None
    internal_notes: str | None = None
    gift: bool | None = None
    gift_message: str | None = None
    payment_method: str | None = None
    requested_shipping_service: str | None = None
    weight: SSWeight | None = None
    advanced_options: SSAdvanced | None = None


BUILD = peer_rules.Build(
    order=SSOrder,
    item=SSItem,
    address=SSAddress,
    weight=SSWeight,
    option=SSOption,
    advanced=SSAdvanced,
)
ORDERS = TypeAdapter(list[LMOrder])
OUT = TypeAdapter(list[SSOrder])
ENCODER = msgspec.json.Encoder(decimal_format="number")


def convert(text: str | bytes) -> bytes:
    """LM orders JSON text -> createorders JSON bytes."""
    mapped = peer_rules.convert_all(BUILD, ORDERS.validate_json(text))
    return ENCODER.encode(OUT.dump_python(mapped, by_alias=True, exclude_none=True))
