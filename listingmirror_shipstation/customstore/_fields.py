"""The one table of the Custom Store export: every element, its model attribute, kind and limit.

Rendering, parsing the export back, normalising and the limits
(:data:`~listingmirror_shipstation.customstore.validate.LIMITS`,
:data:`~listingmirror_shipstation.customstore.validate.CODES`) are all derived from
:data:`ORDER`, in document order. Adding an element to the export is one attribute on the model
(``models.py``) and one row here; ``tests/customstore/test_xml.py`` fails if a model attribute
has no row.
"""

import enum
from typing import Final

from attrs import frozen

from .models import Address, Customer, Item, Option, Order, WeightUnits

__all__ = ["ADDRESS", "CUSTOMER", "ITEM", "OPTION", "ORDER", "TABLES", "Field", "Kind", "walk"]


class Kind(enum.Enum):
    """How an element's value is written and read."""

    #: Free text: CDATA (or escaped), forbidden characters removed, cut to the limit.
    TEXT = "text"
    #: A code or an identifier: written as text, but over its limit refused, never cut.
    CODE = "code"
    #: Two decimals, half-up, within decimal(9,2).
    MONEY = "money"
    #: As money; a positive weight is never written as zero.
    WEIGHT = "weight"
    #: A whole number.
    INT = "int"
    #: ``true`` / ``false``.
    BOOL = "bool"
    #: UTC ``MM/dd/yyyy HH:mm``.
    DATE = "date"
    #: An enum's value; an unknown one is kept on read and refused on write.
    ENUM = "enum"
    #: One child element holding the fields of ``model``.
    NESTED = "nested"
    #: A container element holding one ``item_tag`` element per entry.
    LIST = "list"


@frozen
class Field:
    """One element of the export.

    Attributes:
        attr: The model attribute.
        tag: The element name.
        kind: How the value is written and read.
        limit: Longest text, in characters (``TEXT`` and ``CODE``).
        key: The name of the limit in ``LIMITS`` when the tag alone is ambiguous
            (``ItemName`` for an item's ``Name``); the tag otherwise.
        model: The class of a ``NESTED`` or ``LIST`` value, or the enum of an ``ENUM``.
        fields: The rows of a ``NESTED`` or ``LIST`` value's model.
        item_tag: The element of each entry of a ``LIST``.
        max_count: At most this many entries of a ``LIST`` are written.
        omit: Attributes of a ``NESTED`` value this element never carries (``ShipTo`` has no
            ``Email``).
        empty_element: Write ``<Tag/>`` when there is no value (``SKU`` on every item).
        empty_container: Write the ``LIST`` container even when it has no entries.
        bounds: Smallest and largest allowed ``INT``.
    """

    attr: str
    tag: str
    kind: Kind
    limit: int | None = None
    key: str = ""
    model: type | None = None
    fields: "tuple[Field, ...]" = ()
    item_tag: str = ""
    max_count: int | None = None
    omit: frozenset[str] = frozenset()
    empty_element: bool = False
    empty_container: bool = False
    bounds: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        """The name of this element's limit (``key``, or the tag)."""
        return self.key or self.tag


#: Options written per item (the documented maximum).
MAX_OPTIONS: Final = 10
#: Largest quantity the protocol allows on a line.
MAX_QUANTITY: Final = 99_999

K = Kind

ADDRESS: Final = (
    Field("name", "Name", K.TEXT, 100),
    Field("company", "Company", K.TEXT, 100),
    Field("address1", "Address1", K.TEXT, 200),
    Field("address2", "Address2", K.TEXT, 200),
    Field("city", "City", K.TEXT, 100),
    Field("state", "State", K.CODE, 100),
    Field("postal_code", "PostalCode", K.CODE, 50),
    Field("country", "Country", K.CODE, 2),
    Field("phone", "Phone", K.CODE, 50),
    Field("email", "Email", K.CODE, 100),
)

CUSTOMER: Final = (
    Field("customer_code", "CustomerCode", K.CODE, 50),
    Field("bill_to", "BillTo", K.NESTED, model=Address, fields=ADDRESS),
    Field("ship_to", "ShipTo", K.NESTED, model=Address, fields=ADDRESS, omit=frozenset({"email"})),
)

OPTION: Final = (
    Field("name", "Name", K.TEXT, 100, key="OptionName"),
    Field("value", "Value", K.TEXT, 100, key="OptionValue"),
    Field("weight", "Weight", K.WEIGHT),
)

ITEM: Final = (
    Field("line_item_id", "LineItemID", K.CODE, 50),
    Field("sku", "SKU", K.CODE, 50, empty_element=True),
    Field("name", "Name", K.TEXT, 200, key="ItemName"),
    Field("image_url", "ImageUrl", K.TEXT, 500),
    Field("weight", "Weight", K.WEIGHT),
    Field("weight_units", "WeightUnits", K.ENUM, model=WeightUnits),
    Field("quantity", "Quantity", K.INT, bounds=(1, MAX_QUANTITY)),
    Field("unit_price", "UnitPrice", K.MONEY),
    Field("upc", "UPC", K.CODE, 12),
    Field("location", "Location", K.TEXT, 100),
    Field("adjustment", "Adjustment", K.BOOL),
    Field(
        "options", "Options", K.LIST, model=Option, fields=OPTION, item_tag="Option",
        max_count=MAX_OPTIONS,
    ),
)  # fmt: skip

ORDER: Final = (
    Field("order_id", "OrderID", K.CODE, 50),
    Field("order_number", "OrderNumber", K.CODE, 50),
    Field("order_date", "OrderDate", K.DATE),
    Field("order_status", "OrderStatus", K.TEXT, 50),
    Field("last_modified", "LastModified", K.DATE),
    Field("shipping_method", "ShippingMethod", K.TEXT, 100),
    Field("payment_method", "PaymentMethod", K.TEXT, 50),
    Field("currency_code", "CurrencyCode", K.CODE, 3),
    Field("order_total", "OrderTotal", K.MONEY),
    Field("tax_amount", "TaxAmount", K.MONEY),
    Field("shipping_amount", "ShippingAmount", K.MONEY),
    Field("customer_notes", "CustomerNotes", K.TEXT, 1000),
    Field("internal_notes", "InternalNotes", K.TEXT, 1000),
    Field("gift", "Gift", K.BOOL),
    Field("gift_message", "GiftMessage", K.TEXT, 1000),
    Field("custom_field1", "CustomField1", K.TEXT, 100),
    Field("custom_field2", "CustomField2", K.TEXT, 100),
    Field("custom_field3", "CustomField3", K.TEXT, 100),
    Field("customer", "Customer", K.NESTED, model=Customer, fields=CUSTOMER),
    Field("items", "Items", K.LIST, model=Item, fields=ITEM, item_tag="Item", empty_container=True),
)

#: Each model of the export with its rows (what the completeness test checks).
TABLES: Final[dict[type, tuple[Field, ...]]] = {
    Order: ORDER,
    Customer: CUSTOMER,
    Address: ADDRESS,
    Item: ITEM,
    Option: OPTION,
}


def walk(fields: tuple[Field, ...] = ORDER) -> list[Field]:
    """Every row under *fields*, depth first, each nested table once."""
    seen: set[int] = set()
    out: list[Field] = []

    def visit(rows: tuple[Field, ...]) -> None:
        for row in rows:
            out.append(row)
            if row.fields and id(row.fields) not in seen:
                seen.add(id(row.fields))
                visit(row.fields)

    visit(fields)
    return out
