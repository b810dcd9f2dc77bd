"""ShipStation Custom Store (XML v1) models: the export ``<Orders>`` and the ``<ShipNotice>``.

Attribute names are the snake_case form of the element names (``LineItemID`` →
``line_item_id``, ``SKU`` → ``sku``, ``CustomField1`` → ``custom_field1``). Money and weights
are ``Decimal``; timestamps are timezone-aware (the protocol's clock is UTC). ``OrderStatus``
is the store's own status text, which the merchant maps in ShipStation's connection form.
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
    "Customer",
    "ExportQuery",
    "Item",
    "Option",
    "Order",
    "OrdersPage",
    "ShipNotice",
    "ShipNoticeItem",
    "WeightUnits",
]


class WeightUnits(enum.Enum):
    """The weight units the protocol documents (``WeightUnits``)."""

    POUNDS = "Pounds"
    OUNCES = "Ounces"
    GRAMS = "Grams"


@frozen(kw_only=True)
class Address:
    """``BillTo``, ``ShipTo`` or a ShipNotice ``Recipient``.

    Attributes:
        address1: First street line (``Address1``).
        address2: Second street line (``Address2``).
        country: Two-letter ISO 3166-1 code.
        email: Only on ``BillTo``; lets ShipStation notify the buyer.
    """

    name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None


@frozen(kw_only=True)
class Customer:
    """The buyer: a code, where to bill, where to ship.

    Attributes:
        customer_code: Unique customer id, often the email address.
    """

    customer_code: str | None = None
    bill_to: Address | None = None
    ship_to: Address | None = None


@frozen(kw_only=True)
class Option:
    """A chosen option of a line (colour, size ...).

    Attributes:
        weight: Extra weight per unit, in the item's ``weight_units``.
    """

    name: str | None = None
    value: str | None = None
    weight: Decimal | None = None


@frozen(kw_only=True)
class Item:
    """A line of an exported order.

    Attributes:
        line_item_id: The line's id; ShipStation echoes it in the ShipNotice (partial shipments).
        weight: Weight of a single unit.
        unit_price: Price of one unit; negative for adjustment lines.
        location: Warehouse or stock location.
        adjustment: ``True`` for a coupon, discount or other non-physical line.
    """

    line_item_id: str | None = None
    sku: str | None = None
    name: str | None = None
    image_url: str | None = None
    weight: Decimal | None = None
    weight_units: WeightUnits | Unrecognized | None = None
    quantity: int
    unit_price: Decimal
    upc: str | None = None
    location: str | None = None
    adjustment: bool | None = None
    options: tuple[Option, ...] = ()


@frozen(kw_only=True)
class Order:
    """An order as the Custom Store export carries it.

    Attributes:
        order_id: Unique id, not displayed; ShipStation echoes it in the ShipNotice.
        order_number: The number people see.
        order_status: The store's own status text.
        last_modified: When the order last changed; the export window is on this time.
        shipping_method: The shipping method the buyer chose.
    """

    order_id: str | None = None
    order_number: str
    order_date: datetime = field(validator=aware)
    order_status: str
    last_modified: datetime = field(validator=aware)
    shipping_method: str | None = None
    payment_method: str | None = None
    currency_code: str | None = None
    order_total: Decimal
    tax_amount: Decimal | None = None
    shipping_amount: Decimal | None = None
    customer_notes: str | None = None
    internal_notes: str | None = None
    gift: bool | None = None
    gift_message: str | None = None
    custom_field1: str | None = None
    custom_field2: str | None = None
    custom_field3: str | None = None
    customer: Customer
    items: tuple[Item, ...] = ()


@frozen(kw_only=True)
class OrdersPage:
    """One page of the export: the orders and the total number of pages.

    Attributes:
        pages: Total number of pages (``None`` when the document has no ``pages`` attribute,
            as in 2012-style documents).
    """

    orders: tuple[Order, ...] = ()
    pages: int | None = None


@frozen(kw_only=True)
class ShipNoticeItem:
    """A line a shipment carried.

    Attributes:
        quantity: How many shipped, 0 to 99,999; ``None`` when ShipStation sent none or one
            that could not be read (a fraction, a negative, thousands of digits).
    """

    sku: str | None = None
    name: str | None = None
    quantity: int | None = None
    line_item_id: str | None = None
    upc: str | None = None


@frozen(kw_only=True)
class ShipNotice:
    """The ``<ShipNotice>`` ShipStation POSTs when a label is created or an order marked shipped.

    Attributes:
        notes_to_customer: Public notes (never sent back to Listing Mirror).
        notify_customer: ``None`` when ShipStation sent it empty.
        label_create_date: When the label was created (UTC).
        ship_date: The day the package ships.
        shipping_cost: The carrier fee (never sent back to Listing Mirror).
        recipient: Where the package goes.
        items: The shipped lines; empty means the whole order.
    """

    order_id: str | None = None
    order_number: str | None = None
    customer_code: str | None = None
    customer_notes: str | None = None
    internal_notes: str | None = None
    notes_to_customer: str | None = None
    notify_customer: bool | None = None
    label_create_date: datetime | None = field(default=None, validator=aware)
    ship_date: date | None = None
    carrier: str | None = None
    service: str | None = None
    tracking_number: str | None = None
    shipping_cost: Decimal | None = None
    custom_field1: str | None = None
    custom_field2: str | None = None
    custom_field3: str | None = None
    recipient: Address | None = None
    items: tuple[ShipNoticeItem, ...] = ()


@frozen(kw_only=True)
class ExportQuery:
    """What an ``action=export`` request asks for.

    Attributes:
        start: Start of the last-modified window (UTC, inclusive).
        end: End of the window (UTC, inclusive).
        page: Page number, from 1.
    """

    start: datetime = field(validator=aware)
    end: datetime = field(validator=aware)
    page: int = 1


# Every plain model gets attrs' __init__, made faster (see _fastinit): the last thing here.
_fastinit.install_module(globals(), __name__)
