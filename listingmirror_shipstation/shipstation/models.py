"""ShipStation REST API v1 models.

Attribute names are the snake_case form of the wire names (``orderNumber`` → ``order_number``,
``customField1`` → ``custom_field1``); the one irregular name is ``Weight.weight_units``
(wire ``WeightUnits``). Money, weights and dimensions are ``Decimal``; ids are ``int`` (they
exceed 32 bits); timestamps are timezone-aware; date-only fields are ``date``.

ShipStation may null or omit almost any field in a response, so nearly every attribute is
optional and defaults to ``None``. ``None`` means "not set" and is not written; ``False``,
``0``, ``""`` and empty tuples are values and are always written. Enums that ShipStation may
extend are typed ``E | Unrecognized``: an unknown spelling is kept, never crashed on.
"""

import enum
from datetime import date, datetime
from decimal import Decimal

from attrs import field, frozen

from .. import _fastinit
from .._time import aware
from .._values import Unrecognized

__all__ = [
    "Address",
    "AddressVerified",
    "AdvancedOptions",
    "BillToParty",
    "Carrier",
    "Confirmation",
    "CreateOrderResult",
    "CreateOrdersResult",
    "CustomsItem",
    "DimensionUnit",
    "Dimensions",
    "Fulfillment",
    "FulfillmentsPage",
    "InsuranceOptions",
    "InsuranceProvider",
    "InternationalContents",
    "InternationalOptions",
    "ItemOption",
    "MarkAsShippedRequest",
    "MarkAsShippedResult",
    "NonDelivery",
    "OperationResult",
    "Order",
    "OrderItem",
    "OrderStatus",
    "OrdersPage",
    "Shipment",
    "ShipmentItem",
    "ShipmentsPage",
    "StatusMapping",
    "Store",
    "Webhook",
    "WebhookEvent",
    "WebhookNotification",
    "WebhookSubscribed",
    "WebhookSubscription",
    "WebhooksList",
    "Weight",
    "WeightUnit",
]


class OrderStatus(enum.Enum):
    """Where a ShipStation order is (all seven values of the v1 API)."""

    AWAITING_PAYMENT = "awaiting_payment"
    AWAITING_SHIPMENT = "awaiting_shipment"
    PENDING_FULFILLMENT = "pending_fulfillment"
    SHIPPED = "shipped"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"
    REJECTED_FULFILLMENT = "rejected_fulfillment"


class WeightUnit(enum.Enum):
    """Units ShipStation documents for a weight."""

    POUNDS = "pounds"
    OUNCES = "ounces"
    GRAMS = "grams"


class DimensionUnit(enum.Enum):
    """Units ShipStation documents for dimensions."""

    INCHES = "inches"
    CENTIMETERS = "centimeters"


class Confirmation(enum.Enum):
    """Delivery confirmation options."""

    NONE = "none"
    DELIVERY = "delivery"
    SIGNATURE = "signature"
    ADULT_SIGNATURE = "adult_signature"
    DIRECT_SIGNATURE = "direct_signature"


class InsuranceProvider(enum.Enum):
    """Who insures a shipment (``provider``: a third party outside ShipStation billing)."""

    SHIPSURANCE = "shipsurance"
    CARRIER = "carrier"
    PROVIDER = "provider"
    XCOVER = "xcover"
    PARCELGUARD = "parcelguard"


class InternationalContents(enum.Enum):
    """What an international shipment contains."""

    MERCHANDISE = "merchandise"
    DOCUMENTS = "documents"
    GIFT = "gift"
    RETURNED_GOODS = "returned_goods"
    SAMPLE = "sample"


class NonDelivery(enum.Enum):
    """What to do with an undeliverable international shipment."""

    RETURN_TO_SENDER = "return_to_sender"
    TREAT_AS_ABANDONED = "treat_as_abandoned"


class BillToParty(enum.Enum):
    """Who pays for the shipping."""

    MY_ACCOUNT = "my_account"
    MY_OTHER_ACCOUNT = "my_other_account"
    RECIPIENT = "recipient"
    THIRD_PARTY = "third_party"


class AddressVerified(enum.Enum):
    """Result of ShipStation's address validation (read-only)."""

    NOT_YET_VALIDATED = "Address not yet validated"
    VALIDATED = "Address validated successfully"
    WARNING = "Address validation warning"
    FAILED = "Address validation failed"


class WebhookEvent(enum.Enum):
    """Webhook events (also the ``resource_type`` of a webhook POST)."""

    ORDER_NOTIFY = "ORDER_NOTIFY"
    ITEM_ORDER_NOTIFY = "ITEM_ORDER_NOTIFY"
    SHIP_NOTIFY = "SHIP_NOTIFY"
    ITEM_SHIP_NOTIFY = "ITEM_SHIP_NOTIFY"
    FULFILLMENT_SHIPPED = "FULFILLMENT_SHIPPED"
    FULFILLMENT_REJECTED = "FULFILLMENT_REJECTED"


@frozen(kw_only=True)
class Address:
    """A ShipStation address; ``country`` is a two-letter ISO code.

    Attributes:
        address_verified: Read-only result of ShipStation's validation.
    """

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
    address_verified: AddressVerified | Unrecognized | None = None


@frozen(kw_only=True)
class Weight:
    """A weight.

    Attributes:
        value: The amount, in ``units``.
        units: Pounds, ounces or grams (other spellings seen from the server are kept).
        weight_units: Read-only numeric code of ``units`` (wire name ``WeightUnits``).
    """

    value: Decimal
    units: WeightUnit | Unrecognized
    weight_units: int | None = None


@frozen(kw_only=True)
class Dimensions:
    """Package dimensions (decimals in practice)."""

    length: Decimal | None = None
    width: Decimal | None = None
    height: Decimal | None = None
    units: DimensionUnit | Unrecognized | None = None


@frozen(kw_only=True)
class ItemOption:
    """An option of a line item; ``name`` is nullable in practice."""

    name: str | None = None
    value: str | None = None


@frozen(kw_only=True)
class OrderItem:
    """One line of a ShipStation order.

    Attributes:
        order_item_id: Read-only id; may exceed 32 bits.
        line_item_key: The line's id in the originating system.
        unit_price: Sell price of a single unit.
        tax_amount: Tax of a single unit.
        shipping_amount: Shipping of a single unit.
        warehouse_location: Where the item is stocked, e.g. ``"Aisle 3, Shelf A"``.
        adjustment: ``True`` for a non-physical line (discount, coupon, fee).
    """

    order_item_id: int | None = None
    line_item_key: str | None = None
    sku: str | None = None
    name: str | None = None
    image_url: str | None = None
    weight: Weight | None = None
    quantity: int | None = None
    unit_price: Decimal | None = None
    tax_amount: Decimal | None = None
    shipping_amount: Decimal | None = None
    warehouse_location: str | None = None
    options: tuple[ItemOption, ...] | None = None
    product_id: int | None = None
    fulfillment_sku: str | None = None
    adjustment: bool | None = None
    upc: str | None = None
    create_date: datetime | None = field(default=None, validator=aware)
    modify_date: datetime | None = field(default=None, validator=aware)


@frozen(kw_only=True)
class InsuranceOptions:
    """Shipping insurance."""

    provider: InsuranceProvider | Unrecognized | None = None
    insure_shipment: bool | None = None
    insured_value: Decimal | None = None


@frozen(kw_only=True)
class CustomsItem:
    """A customs declaration line.

    Attributes:
        customs_item_id: Read-only; send it to update an existing line, omit it to add one.
        value: Declared value in USD.
        country_of_origin: Two-letter ISO code.
    """

    customs_item_id: int | None = None
    description: str | None = None
    quantity: int | None = None
    value: Decimal | None = None
    harmonized_tariff_code: str | None = None
    country_of_origin: str | None = None


@frozen(kw_only=True)
class InternationalOptions:
    """Customs information for international shipments."""

    contents: InternationalContents | Unrecognized | None = None
    customs_items: tuple[CustomsItem, ...] | None = None
    non_delivery: NonDelivery | Unrecognized | None = None


@frozen(kw_only=True)
class AdvancedOptions:
    """Advanced order options, including the three custom fields.

    Attributes:
        store_id: Settable only at creation; ShipStation uses the first manual store if absent.
        custom_field1: Free text; this integration puts the marketplace order id here.
        custom_field2: Free text; this integration puts the channel integration here.
        custom_field3: Free text; this integration puts the alternate marketplace order id here.
        source: The original marketplace.
        merged_or_split: Read-only.
        merged_ids: Read-only.
        parent_id: Read-only.
    """

    warehouse_id: int | None = None
    non_machinable: bool | None = None
    saturday_delivery: bool | None = None
    contains_alcohol: bool | None = None
    merged_or_split: bool | None = None
    merged_ids: tuple[int, ...] | None = None
    parent_id: int | None = None
    store_id: int | None = None
    custom_field1: str | None = None
    custom_field2: str | None = None
    custom_field3: str | None = None
    source: str | None = None
    bill_to_party: BillToParty | Unrecognized | None = None
    bill_to_account: str | None = None
    bill_to_postal_code: str | None = None
    bill_to_country_code: str | None = None
    bill_to_my_other_account: int | None = None


@frozen(kw_only=True)
class Order:
    """An order in ShipStation.

    ``order_number``, ``order_date`` and ``order_status`` are the fields every order has;
    ``bill_to`` and ``ship_to`` are required when creating one (checked before sending, by
    :func:`~listingmirror_shipstation.shipstation.validate_order_for_create`).

    Attributes:
        order_id: ShipStation's id; ``None`` until ShipStation assigns one.
        order_key: Unique key of the order; ShipStation updates the order with this key
            instead of creating another.
        order_date: When the buyer ordered.
        create_date: Read-only.
        modify_date: Read-only.
        customer_id: Read-only.
        order_total: Read-only (computed by ShipStation).
        requested_shipping_service: The service the buyer chose at checkout.
        hold_until_date: The order returns to ``awaiting_shipment`` on this date.
        user_id: Read-only GUID of the assigned user.
        externally_fulfilled: Read-only; e.g. Amazon FBA orders.
        externally_fulfilled_by: Read-only.
        externally_fulfilled_by_id: Read-only id of the fulfilment provider.
        externally_fulfilled_by_name: Read-only name of the fulfilment provider.
    """

    order_id: int | None = None
    order_number: str
    order_key: str | None = None
    order_date: datetime = field(validator=aware)
    create_date: datetime | None = field(default=None, validator=aware)
    modify_date: datetime | None = field(default=None, validator=aware)
    payment_date: datetime | None = field(default=None, validator=aware)
    ship_by_date: datetime | None = field(default=None, validator=aware)
    order_status: OrderStatus | Unrecognized
    customer_id: int | None = None
    customer_username: str | None = None
    customer_email: str | None = None
    bill_to: Address | None = None
    ship_to: Address | None = None
    items: tuple[OrderItem, ...] | None = None
    order_total: Decimal | None = None
    amount_paid: Decimal | None = None
    tax_amount: Decimal | None = None
    shipping_amount: Decimal | None = None
    customer_notes: str | None = None
    internal_notes: str | None = None
    gift: bool | None = None
    gift_message: str | None = None
    payment_method: str | None = None
    requested_shipping_service: str | None = None
    carrier_code: str | None = None
    service_code: str | None = None
    package_code: str | None = None
    confirmation: Confirmation | Unrecognized | None = None
    ship_date: date | None = None
    hold_until_date: date | None = None
    weight: Weight | None = None
    dimensions: Dimensions | None = None
    insurance_options: InsuranceOptions | None = None
    international_options: InternationalOptions | None = None
    advanced_options: AdvancedOptions | None = None
    tag_ids: tuple[int, ...] | None = None
    user_id: str | None = None
    externally_fulfilled: bool | None = None
    externally_fulfilled_by: str | None = None
    externally_fulfilled_by_id: int | None = None
    externally_fulfilled_by_name: str | None = None


@frozen(kw_only=True)
class OrdersPage:
    """One page of ``GET /orders``."""

    orders: tuple[Order, ...] = ()
    total: int = 0
    page: int = 1
    pages: int = 0


@frozen(kw_only=True)
class CreateOrderResult:
    """The outcome for one order of a ``createorders`` call.

    Attributes:
        order_id: ShipStation's id (``0`` when the order failed).
        order_key: The key the result belongs to; match results to inputs with it.
        success: Whether this order was created or updated.
        error_message: Why it failed, when it did.
    """

    order_id: int | None = None
    order_number: str | None = None
    order_key: str | None = None
    success: bool
    error_message: str | None = None


@frozen(kw_only=True)
class CreateOrdersResult:
    """Response of ``POST /orders/createorders``: partial failure is per order, not by status."""

    has_errors: bool
    results: tuple[CreateOrderResult, ...] = ()


@frozen(kw_only=True)
class MarkAsShippedRequest:
    """Body of ``POST /orders/markasshipped`` (marks shipped without creating a label)."""

    order_id: int
    carrier_code: str
    ship_date: date | None = None
    tracking_number: str | None = None
    notify_customer: bool | None = None
    notify_sales_channel: bool | None = None


@frozen(kw_only=True)
class MarkAsShippedResult:
    """Response of ``POST /orders/markasshipped``."""

    order_id: int
    order_number: str | None = None


@frozen(kw_only=True)
class OperationResult:
    """The generic ``{success, message}`` answer (hold, restore, delete ...)."""

    success: bool
    message: str | None = None


@frozen(kw_only=True)
class ShipmentItem:
    """A line of a shipment (present with ``includeShipmentItems=true``)."""

    order_item_id: int | None = None
    line_item_key: str | None = None
    sku: str | None = None
    name: str | None = None
    image_url: str | None = None
    weight: Weight | None = None
    quantity: int | None = None
    unit_price: Decimal | None = None
    warehouse_location: str | None = None
    options: tuple[ItemOption, ...] | None = None
    product_id: int | None = None
    fulfillment_sku: str | None = None


@frozen(kw_only=True)
class Shipment:
    """A label created in ShipStation (``GET /shipments``).

    Attributes:
        voided: ``True`` once the label was voided; see ``void_date``.
        shipment_cost: The carrier fee (never sent back to Listing Mirror).
        shipment_items: The shipped lines, when requested with ``includeShipmentItems``.
    """

    shipment_id: int
    order_id: int | None = None
    order_key: str | None = None
    user_id: str | None = None
    customer_email: str | None = None
    order_number: str | None = None
    create_date: datetime | None = field(default=None, validator=aware)
    ship_date: date | None = None
    shipment_cost: Decimal | None = None
    insurance_cost: Decimal | None = None
    tracking_number: str | None = None
    is_return_label: bool | None = None
    batch_number: str | None = None
    carrier_code: str | None = None
    service_code: str | None = None
    package_code: str | None = None
    confirmation: Confirmation | Unrecognized | None = None
    warehouse_id: int | None = None
    voided: bool | None = None
    void_date: datetime | None = field(default=None, validator=aware)
    marketplace_notified: bool | None = None
    notify_error_message: str | None = None
    ship_to: Address | None = None
    weight: Weight | None = None
    dimensions: Dimensions | None = None
    insurance_options: InsuranceOptions | None = None
    advanced_options: AdvancedOptions | None = None
    shipment_items: tuple[ShipmentItem, ...] | None = None
    label_data: str | None = None
    form_data: str | None = None


@frozen(kw_only=True)
class ShipmentsPage:
    """One page of ``GET /shipments``."""

    shipments: tuple[Shipment, ...] = ()
    total: int = 0
    page: int = 1
    pages: int = 0


@frozen(kw_only=True)
class Fulfillment:
    """An order marked shipped without a ShipStation label (``GET /fulfillments``).

    Attributes:
        ship_date: The day it shipped; a ``datetime`` (aware, UTC) when ShipStation sends a time
            of day too (``"2020-06-24T10:32:33.6870000"``), which is kept and written back.
        fulfillment_fee: The fee charged (never sent back to Listing Mirror).
    """

    fulfillment_id: int
    order_id: int | None = None
    order_number: str | None = None
    user_id: str | None = None
    customer_email: str | None = None
    tracking_number: str | None = None
    create_date: datetime | None = field(default=None, validator=aware)
    ship_date: datetime | date | None = field(default=None, validator=aware)
    void_date: datetime | None = field(default=None, validator=aware)
    delivery_date: datetime | None = field(default=None, validator=aware)
    carrier_code: str | None = None
    fulfillment_provider_code: str | None = None
    fulfillment_service_code: str | None = None
    fulfillment_fee: Decimal | None = None
    void_requested: bool | None = None
    voided: bool | None = None
    marketplace_notified: bool | None = None
    notify_error_message: str | None = None
    ship_to: Address | None = None


@frozen(kw_only=True)
class FulfillmentsPage:
    """One page of ``GET /fulfillments``."""

    fulfillments: tuple[Fulfillment, ...] = ()
    total: int = 0
    page: int = 1
    pages: int = 0


@frozen(kw_only=True)
class StatusMapping:
    """How a store's own status corresponds to a ShipStation status.

    Attributes:
        order_status: The ShipStation status.
        status_key: The store's status text, e.g. ``"Processing"``.
    """

    order_status: OrderStatus | Unrecognized
    status_key: str | None = None


@frozen(kw_only=True)
class Store:
    """A selling channel connected to ShipStation (``GET /stores/{storeId}``).

    Attributes:
        status_mappings: Only in ``GET /stores/{storeId}``, not in the list.
    """

    store_id: int
    store_name: str | None = None
    marketplace_id: int | None = None
    marketplace_name: str | None = None
    account_name: str | None = None
    email: str | None = None
    integration_url: str | None = None
    active: bool | None = None
    company_name: str | None = None
    phone: str | None = None
    public_email: str | None = None
    website: str | None = None
    refresh_date: datetime | None = field(default=None, validator=aware)
    last_refresh_attempt: datetime | None = field(default=None, validator=aware)
    create_date: datetime | None = field(default=None, validator=aware)
    modify_date: datetime | None = field(default=None, validator=aware)
    auto_refresh: bool | None = None
    status_mappings: tuple[StatusMapping, ...] | None = None


@frozen(kw_only=True)
class Carrier:
    """A shipping carrier account connected to ShipStation.

    Attributes:
        account_number: As ShipStation sends it: a string, or a number (kept a number, so it is
            written back as one).
    """

    name: str | None = None
    code: str
    account_number: str | int | None = None
    requires_funded_account: bool | None = None
    balance: Decimal | None = None
    nickname: str | None = None
    shipping_provider_id: int | None = None
    primary: bool | None = None


@frozen(kw_only=True)
class WebhookNotification:
    """The body ShipStation POSTs to a webhook's target URL (keys are snake_case on the wire).

    It carries no data: fetch ``resource_url`` (only on ShipStation's API host) to get it.
    """

    resource_url: str
    resource_type: WebhookEvent | Unrecognized


@frozen(kw_only=True)
class WebhookSubscription:
    """Body of ``POST /webhooks/subscribe`` (keys are snake_case on the wire).

    Attributes:
        target_url: Where ShipStation will POST.
        event: Which event.
        store_id: Limit to one store.
        friendly_name: A name shown in ShipStation.
    """

    target_url: str
    event: WebhookEvent | Unrecognized
    store_id: int | None = None
    friendly_name: str | None = None


@frozen(kw_only=True)
class WebhookSubscribed:
    """Response of ``POST /webhooks/subscribe``: the new webhook's id."""

    id: int


@frozen(kw_only=True)
class Webhook:
    """A webhook as ``GET /webhooks`` lists it (keys are PascalCase on the wire)."""

    web_hook_id: int
    is_label_api_hook: bool | None = None
    seller_id: int | None = None
    store_id: int | None = None
    hook_type: WebhookEvent | Unrecognized | None = None
    message_format: str | None = None
    url: str | None = None
    name: str | None = None
    bulk_copy_batch_id: str | None = None
    bulk_copy_record_id: str | None = None
    active: bool | None = None


@frozen(kw_only=True)
class WebhooksList:
    """Response of ``GET /webhooks``."""

    webhooks: tuple[Webhook, ...] = ()


# Every plain model gets attrs' __init__, made faster (see _fastinit): the last thing here.
_fastinit.install_module(globals(), __name__)
