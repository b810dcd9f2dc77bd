"""Listing Mirror orders, as its API v2 carries them.

Attribute names are Listing Mirror's own JSON keys where they are known (``order_id``,
``market_order_id``, ``order_items`` ...) and clear snake_case names of ours where Listing Mirror
has published none; :data:`listingmirror_shipstation.listingmirror.json.CONFIRMED_KEYS` tells
which is which. Money is ``Decimal``, times are timezone-aware.
"""

import enum
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from attrs import field, frozen

from .. import _fastinit
from .._time import aware
from .._values import Unrecognized

__all__ = [
    "Address",
    "Discount",
    "FulfillmentChannel",
    "InventoryLevel",
    "ItemOption",
    "Order",
    "OrderItem",
    "OrderStatus",
    "Product",
    "ShipmentUpdate",
    "ShippedItem",
    "WeightUnit",
]


class OrderStatus(enum.Enum):
    """A Listing Mirror order status. Values are the status names as Listing Mirror shows them.

    The first five are the statuses of ShipStation's integration table; the others are Listing
    Mirror's own statuses for merchant-fulfilled and third-party orders. A merchant's custom
    status is read as :class:`~listingmirror_shipstation.Unrecognized` and kept unchanged.
    """

    #: Not paid for yet (integration table; also a native merchant-fulfilled status).
    UNPAID = "Unpaid"
    #: Paid (integration table).
    PAID = "Paid"
    #: Shipped (integration table).
    SHIPPED = "Shipped"
    #: Cancelled by merchant or buyer (integration table; also native).
    CANCELLED = "Cancelled"
    #: Waiting, on hold (integration table).
    WAIT = "Wait"
    #: Not accepted yet, or the market is still processing it (native).
    PENDING = "Pending"
    #: Accepted: the merchant is committed to fulfil it (native).
    ACCEPTED = "Accepted"
    #: Filled; tracking has been given to the market (native).
    COMPLETE = "Complete"
    #: Shown by Listing Mirror for orders ready to be shipped (native, not defined further).
    READY_TO_SHIP = "Ready To Ship"
    #: Third-party order the 3PL/MCF platform cannot fill.
    WONT_FILL = "Won't Fill"
    #: Third-party order planned, not yet sent to the 3PL.
    AWAITING_FULFILLMENT = "Awaiting Fulfillment"
    #: Third-party order filled, waiting for tracking.
    FILLED_AWAITING_TRACKING = "Filled, Awaiting Tracking"
    #: Third-party order with tracking for some parts.
    PARTIALLY_FILLED = "Partially Filled"
    #: Third-party order fully filled; the market was notified.
    FULLY_FILLED = "Fully Filled"


class FulfillmentChannel(enum.Enum):
    """Who fulfils an order (Listing Mirror's inventory sources). Values are ours.

    :meth:`read` knows the spellings marketplaces use (``AFN``, ``Amazon``, ``MFN``,
    ``Merchant`` ...), in any case and with surrounding space.
    """

    #: Merchant-fulfilled: the merchant ships it (this is what ShipStation is for).
    MERCHANT = "MF"
    #: Fulfilled by Amazon.
    FBA = "FBA"
    #: Amazon Multi-Channel Fulfillment.
    MCF = "MCF"
    #: Walmart Fulfillment Services.
    WFS = "WFS"
    #: Deliverr.
    DELIVERR = "DLV"
    #: ShipNetwork.
    SHIPNETWORK = "RSL"
    #: SkuVault.
    SKUVAULT = "SkuVault"
    #: Flowspace.
    FLOWSPACE = "Flowspace"
    #: Routed to a Shopify location.
    SHOPIFY = "Shopify"

    @classmethod
    def read(
        cls, text: "str | FulfillmentChannel | Unrecognized | None"
    ) -> "FulfillmentChannel | None":
        """Return the channel *text* means, or ``None`` when it is missing or not known.

        *text* is split into words at anything that is not a letter, and also where the case
        changes (``AmazonFulfillment`` is ``amazon fulfillment``, ``FBA-US`` is ``fba us``);
        any case is read. The words are read by these rules, first match wins:

        1. a word ``mcf``, or ``multichannel`` in any spacing: MCF;
        2. a word ``fba`` (or one starting with it, ``FBAUS``) or ``afn``: FBA;
        3. a word ``mfn``, ``fbm``, ``merchant``, ``seller``, ``self`` or ``default``: merchant
           (``Seller Fulfilled Prime`` is shipped by the seller);
        4. ``amazon`` with ``fulfilled``/``fulfillment``/``fulfilment`` (also run together,
           ``amazonfulfillment``): FBA; ``wfs``, or ``walmart`` with one of those: WFS;
        5. the whole spelling: ``Amazon``/``AMAZON_NA``/``_EU``/``_FE``/``_IN`` (FBA),
           ``Deliverr``, ``ShipNetwork``, and the member names and values.

        So FBA or MCF anywhere in the name wins: an order is never exported by mistake
        because its channel was spelled ``Amazon FBA`` or ``FBA-US``.

        >>> from listingmirror_shipstation.listingmirror import FulfillmentChannel
        >>> FulfillmentChannel.read(" afn "), FulfillmentChannel.read("Merchant")
        (<FulfillmentChannel.FBA: 'FBA'>, <FulfillmentChannel.MERCHANT: 'MF'>)
        >>> FulfillmentChannel.read("AmazonFulfillment"), FulfillmentChannel.read("FBA-US")
        (<FulfillmentChannel.FBA: 'FBA'>, <FulfillmentChannel.FBA: 'FBA'>)
        """
        if text is None or isinstance(text, FulfillmentChannel):
            return text
        raw = text.raw if isinstance(text, Unrecognized) else text
        if not isinstance(raw, str):
            return None
        # Words split at case changes (AmazonFBA) and, for oddly cased text (fbA-US), letter runs.
        words = [w.lower() for w in _WORD.findall(raw)]
        runs = _LETTERS.findall(raw.lower())
        found = {*words, *runs}
        compact = "".join(runs)  # "amazonfulfillment" written in one word is still read
        if "mcf" in found or "multichannel" in compact:
            return FulfillmentChannel.MCF
        if "afn" in found or any(w.startswith("fba") for w in found):
            return FulfillmentChannel.FBA
        if found & _MERCHANT_WORDS:
            return FulfillmentChannel.MERCHANT
        fulfilled = bool(found & _FULFIL_WORDS)
        if (fulfilled and "amazon" in found) or any(p in compact for p in _BY_AMAZON):
            return FulfillmentChannel.FBA
        if "wfs" in found or (fulfilled and "walmart" in found) or "walmartfulfil" in compact:
            return FulfillmentChannel.WFS
        return (
            _CHANNEL_SPELLINGS.get(" ".join(runs))
            or _CHANNEL_SPELLINGS.get(" ".join(words))
            or _CHANNEL_SPELLINGS.get(compact)
        )


#: A word: a run of capitals (``FBA`` in ``FBAOrder``), or an optional capital and small letters
#: (``Amazon``); anything else (digits, space, punctuation) separates words.
_WORD: Final = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
_LETTERS: Final = re.compile(r"[a-z]+")
_MERCHANT_WORDS: Final = frozenset({"mfn", "fbm", "merchant", "seller", "self", "default"})
_FULFIL_WORDS: Final = frozenset({"fulfilled", "fulfillment", "fulfilment"})
_BY_AMAZON: Final = ("amazonfulfil", "fulfilledbyamazon", "fulfillmentbyamazon")


_CHANNEL_SPELLINGS: dict[str, FulfillmentChannel] = {
    **{member.value.lower(): member for member in FulfillmentChannel},
    **{member.name.lower().replace("_", " "): member for member in FulfillmentChannel},
    **dict.fromkeys(
        (
            "mfn",
            "merchant",
            "merchant fulfilled",
            "merchant fulfillment",
            "fulfilled by merchant",
            "fbm",
            "default",
            "seller",
            "seller fulfilled",
            "self fulfilled",
        ),
        FulfillmentChannel.MERCHANT,
    ),
    **dict.fromkeys(
        (
            "afn",
            "amazon",
            "amazon fulfilled",
            "fulfilled by amazon",
            "fulfillment by amazon",
            "amazon na",
            "amazon eu",
            "amazon fe",
            "amazon in",
        ),
        FulfillmentChannel.FBA,
    ),
    **dict.fromkeys(
        (
            "multi channel",
            "multichannel",
            "multi channel fulfillment",
            "multichannel fulfillment",
            "amazon mcf",
            "fba mcf",
            "amazon multi channel fulfillment",
        ),
        FulfillmentChannel.MCF,
    ),
    **dict.fromkeys(("walmart fulfillment services", "walmart fulfilled"), FulfillmentChannel.WFS),
    "deliverr": FulfillmentChannel.DELIVERR,
    "ship network": FulfillmentChannel.SHIPNETWORK,
}


class WeightUnit(enum.Enum):
    """Unit of a Listing Mirror weight. Values are ours; common spellings are read too."""

    #: Pounds (reads ``lb``, ``lbs``, ``pound``, ``pounds``).
    POUND = "lb"
    #: Ounces (reads ``oz``, ``ounce``, ``ounces``).
    OUNCE = "oz"
    #: Grams (reads ``g``, ``gr``, ``gram``, ``grams``).
    GRAM = "g"
    #: Kilograms (reads ``kg``, ``kgs``, ``kilogram``, ``kilograms``).
    KILOGRAM = "kg"


@frozen(kw_only=True)
class Address:
    """A postal address (ship-to or bill-to). Field names are ours.

    Attributes:
        name: Recipient's name.
        company: Company name.
        street1: First address line.
        street2: Second address line.
        street3: Third address line.
        city: City.
        state: State, province or region.
        postal_code: Postal or ZIP code.
        country: Two-letter ISO country code.
        phone: Recipient's phone number.
        residential: Whether the address is residential, if known.
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


@frozen(kw_only=True)
class Discount:
    """An order-level discount or coupon (not already allocated to an item). Ours.

    Attributes:
        amount: How much is taken off the order, as a positive amount.
        code: The coupon or promotion code the buyer used, if any.
        description: A human description, e.g. ``"Black Friday 10%"``.
    """

    amount: Decimal
    code: str | None = None
    description: str | None = None


@frozen(kw_only=True)
class ItemOption:
    """A chosen option of a line item (colour, size ...). Ours.

    Attributes:
        name: Option name, e.g. ``"Size"``.
        value: Chosen value, e.g. ``"Large"``.
    """

    name: str
    value: str


@frozen(kw_only=True)
class OrderItem:
    """One line of a Listing Mirror order (``order_items[]``).

    Attributes:
        sku: The line's SKU (confirmed).
        quantity: Ordered quantity (confirmed).
        price: Line total for the whole quantity, before ``item_discount`` (confirmed; that it is
            a line total is inferred from the one public consumer).
        item_discount: Discount on the item (confirmed).
        shipping_discount: Discount on the line's shipping (confirmed).
        shipping_price: Shipping charged for the line (confirmed).
        shipping_tax: Tax on the line's shipping (confirmed).
        tax: Tax on the item (confirmed).
        gift_warp_price: Gift-wrap price (confirmed; Listing Mirror spells it "warp").
        gift_warp_tax: Gift-wrap tax (confirmed; spelled "warp").
        line_item_id: The line's id in Listing Mirror or the channel (ours).
        title: Item name (ours).
        weight: Weight of one unit (ours).
        weight_unit: Unit of ``weight`` (ours).
        image_url: Image URL (ours).
        options: Chosen options (ours).
        stock_location: Warehouse or bin location (ours).
        upc: UPC barcode (ours).
    """

    sku: str | None = None
    quantity: int
    price: Decimal
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
    weight_unit: WeightUnit | Unrecognized | None = None
    image_url: str | None = None
    options: tuple[ItemOption, ...] = ()
    stock_location: str | None = None
    upc: str | None = None


@frozen(kw_only=True)
class Order:
    """A Listing Mirror order (one element of ``GET orders/`` ``results``).

    Attributes:
        order_id: Listing Mirror's own order id (confirmed).
        market_order_id: The sales channel's order number (confirmed).
        alternate_market_order_id: A second channel order id (confirmed).
        alternate_market_order_id_2: A third channel order id (confirmed).
        order_datetime: When the order was placed (confirmed).
        order_status: Listing Mirror's status (confirmed); a custom status is kept as
            :class:`~listingmirror_shipstation.Unrecognized`.
        integration_config_id: Which Listing Mirror integration (sales channel) the order came
            from (confirmed).
        order_items: The lines (confirmed).
        integration_name: The integration's display name, e.g. ``"Amazon US"`` (ours).
        marketplace: The sales channel, e.g. ``"Amazon"``, ``"eBay"`` (ours).
        fulfillment_channel: Who fulfils it; ``None`` when Listing Mirror does not say (what
            that means is :attr:`MappingOptions.unknown_fulfillment
            <listingmirror_shipstation.mapping.MappingOptions.unknown_fulfillment>`) (ours).
        fulfillment_inventory_source_id: The Listing Mirror inventory source the order ships
            from (the name of the ``orders/`` query parameter; as an order key, ours).
        buyer_name: Buyer's name (ours).
        buyer_email: Buyer's email (ours).
        buyer_phone: Buyer's phone (ours).
        ship_to: Shipping address (ours).
        bill_to: Billing address (ours).
        requested_shipping_method: Shipping service the buyer chose at checkout (ours).
        payment_method: How the buyer paid (ours).
        currency: ISO 4217 currency code (ours).
        order_total: What the buyer paid in total, if Listing Mirror states it (ours).
        discounts: Order-level discounts and coupons (ours).
        is_gift: Whether the order is a gift (ours).
        gift_message: Gift message (ours).
        internal_notes: The merchant's internal notes (ours).
        customer_notes: Notes the buyer left at checkout (ours).
        total_weight: Total order weight (ours).
        weight_unit: Unit of ``total_weight`` (ours).
        last_modified: When the order last changed in Listing Mirror (ours).
    """

    order_id: int
    market_order_id: str
    alternate_market_order_id: str | None = None
    alternate_market_order_id_2: str | None = None
    order_datetime: datetime = field(validator=aware)
    order_status: OrderStatus | Unrecognized
    integration_config_id: int | None = None
    order_items: tuple[OrderItem, ...] = ()
    integration_name: str | None = None
    marketplace: str | None = None
    fulfillment_channel: FulfillmentChannel | Unrecognized | None = None
    fulfillment_inventory_source_id: int | None = None
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_phone: str | None = None
    ship_to: Address | None = None
    bill_to: Address | None = None
    requested_shipping_method: str | None = None
    payment_method: str | None = None
    currency: str | None = None
    order_total: Decimal | None = None
    discounts: tuple[Discount, ...] = ()
    is_gift: bool = False
    gift_message: str | None = None
    internal_notes: str | None = None
    customer_notes: str | None = None
    total_weight: Decimal | None = None
    weight_unit: WeightUnit | Unrecognized | None = None
    last_modified: datetime | None = field(default=None, validator=aware)


@frozen(kw_only=True)
class ShippedItem:
    """A line (or part of one) that a shipment carried.

    Attributes:
        quantity: How many units of the line left in this shipment.
        sku: The line's SKU.
        line_item_id: The line's id, when the shipment names it.
    """

    quantity: int
    sku: str | None = None
    line_item_id: str | None = None


@frozen(kw_only=True)
class ShipmentUpdate:
    """What goes back to Listing Mirror when ShipStation ships (or voids) an order.

    By the integration's rules it carries the status, tracking number, carrier, service and the
    shipped items — and deliberately **no carrier fee and no note to the buyer**.

    Attributes:
        order_id: Listing Mirror's order id, when known.
        market_order_id: The sales channel's order number.
        status: The new Listing Mirror status (``Shipped``; for a void, the status to return to).
        tracking_number: Carrier tracking number.
        carrier: Carrier code as ShipStation names it (``"usps"``, ``"fedex"`` ...).
        service: Carrier service code.
        ship_date: The day the package ships.
        items: The shipped lines; empty means the whole order.
        shipment_id: ShipStation's id for the shipment (label), for exactly-once delivery.
        voided: ``True`` when this update withdraws an earlier shipment (label voided).
    """

    order_id: int | None = None
    market_order_id: str | None = None
    status: OrderStatus | Unrecognized
    tracking_number: str | None = None
    carrier: str | None = None
    service: str | None = None
    ship_date: date | None = None
    items: tuple[ShippedItem, ...] = ()
    shipment_id: str | None = None
    voided: bool = False


@frozen(kw_only=True)
class InventoryLevel:
    """One row of ``PUT inventory/``: the available quantity of a SKU.

    Attributes:
        sku: The SKU.
        quantity: Units available.
    """

    sku: str
    quantity: int


@frozen(kw_only=True)
class Product:
    """A master listing (``GET master-listing/``); every field name is confirmed.

    Attributes:
        thumb: Image URL.
        shipping_weight_unit_of_measure: Unit of ``shipping_weight`` (vocabulary undocumented;
            ``GR`` is grams).
    """

    sku: str
    listing_id: int | None = None
    variation_title: str | None = None
    asin: str | None = None
    upc: str | None = None
    mpn: str | None = None
    price: Decimal | None = None
    cost: Decimal | None = None
    shipping_weight: Decimal | None = None
    shipping_weight_unit_of_measure: str | None = None
    item_shipping_length: Decimal | None = None
    item_shipping_width: Decimal | None = None
    item_shipping_height: Decimal | None = None
    item_shipping_unit_of_measure: str | None = None
    thumb: str | None = None


# Every plain model gets attrs' __init__, made faster (see _fastinit): the last thing here.
_fastinit.install_module(globals(), __name__)
