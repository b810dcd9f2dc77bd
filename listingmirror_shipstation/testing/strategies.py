"""Hypothesis strategies for every model, so you can property-test your own code with ours.

Each strategy matches its platform's wire precision on purpose, so that a round trip through the
wire format is the identity: money has cents, ShipStation instants avoid the repeated hour of the
November fall-back night (its wire format has no offset to tell the two apart), and enum fields
sometimes hold an :class:`~listingmirror_shipstation.Unrecognized` spelling.

Strategies for model classes are derived from the classes' own fields, so a field added to a
model is generated without anyone remembering to add it here.

>>> from hypothesis import given
>>> from listingmirror_shipstation.testing import strategies
>>> @given(strategies.shipstation_orders)
... def test_has_a_number(order):
...     assert isinstance(order.order_number, str)
>>> test_has_a_number()

Importing this module registers nothing; :func:`register_type_strategies` opts in to
``st.from_type(Model)``.
"""

import enum
import types
import typing
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

import attrs
from hypothesis import strategies as st

from .._time import PACIFIC
from .._values import Unrecognized
from ..customstore import models as cs
from ..customstore.validate import MAX_QUANTITY, validate_order
from ..errors import ValidationError
from ..listingmirror import models as lm
from ..mapping.status import DEFAULT_TABLE
from ..shipstation import models as ss

__all__ = [
    "customstore_orders",
    "customstore_ship_notices",
    "eligible_listingmirror_orders",
    "hostile_text",
    "listingmirror_addresses",
    "listingmirror_discounts",
    "listingmirror_instants",
    "listingmirror_order_items",
    "listingmirror_orders",
    "listingmirror_shipment_updates",
    "money",
    "register_type_strategies",
    "shipstation_addresses",
    "shipstation_create_orders_results",
    "shipstation_fulfillments",
    "shipstation_instants",
    "shipstation_orders",
    "shipstation_orders_pages",
    "shipstation_shipments",
    "shipstation_shipments_pages",
    "shipstation_stores",
    "shipstation_webhook_notifications",
    "strategy_for",
    "text",
    "unrecognized",
]

#: Text of any kind that JSON can carry (no lone surrogates), including emoji, markup and
#: control characters.
text: Final = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
#: Amounts of money with two decimal places, either sign.
money: Final = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2)
#: An enum spelling no enum here knows; it cannot collide with any member of any enum here.
unrecognized: Final = st.builds(Unrecognized, st.from_regex(r"\Azz_[a-z]{1,8}\Z"))
#: Instants for Listing Mirror models, aware UTC with microseconds.
listingmirror_instants: Final = st.datetimes(
    # Hypothesis takes naive bounds and attaches the zone itself.
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
#: Instants for ShipStation models, aware UTC with microseconds, never in the repeated
#: fall-back hour.
shipstation_instants: Final = listingmirror_instants.filter(
    lambda d: d.astimezone(PACIFIC).fold == 0
)
#: Text built to break XML and JSON writers (CDATA terminators, markup, entities, quotes,
#: emoji, control and non-characters, CR LF, and runs longer than any protocol limit).
hostile_text: Final = st.one_of(
    text,
    st.lists(
        st.sampled_from(
            [
                "]]>",
                "]]",
                "]",
                ">",
                "<",
                "&",
                "&amp;",
                '"',
                "'",
                "<![CDATA[",
                "\x00",
                "\x1f",
                "\x0b",
                "\r\n",
                "\r",
                "\t",
                "\ufffe",
                "\uffff",
                "é",
                "😀",
                "ﬁ",
                "a",
                " ",
            ]
        ),
        max_size=40,
    ).map("".join),
    # Long runs, cheap to draw: a character or markup repeated past every limit.
    st.builds(
        lambda chunk, count: chunk * count,
        st.sampled_from(["a", "é", "😀", "]]>", "&", "\r\n"]),
        st.integers(min_value=990, max_value=1100),
    ),
)
_dates: Final = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
_ids: Final = st.integers(min_value=0, max_value=2**63 - 1)


def _enum_strategy(enum_cls: type[enum.Enum]) -> st.SearchStrategy[Any]:
    return st.sampled_from(list(enum_cls))


def _for_type(
    tp: Any, instants: st.SearchStrategy[datetime], strings: st.SearchStrategy[str]
) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        args = typing.get_args(tp)
        parts = [_for_type(a, instants, strings) for a in args if a is not type(None)]
        union = st.one_of(*parts)
        return (st.none() | union) if type(None) in args else union
    if origin is tuple:
        (item, _ellipsis) = typing.get_args(tp)
        return st.lists(_for_type(item, instants, strings), max_size=2).map(tuple)
    if tp is Unrecognized:
        return unrecognized
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_strategy(tp)
    if isinstance(tp, type) and attrs.has(tp):
        return strategy_for(tp, text_strategy=strings)
    simple: Mapping[Any, st.SearchStrategy[Any]] = {
        str: strings,
        bool: st.booleans(),
        int: _ids,
        Decimal: money,
        datetime: instants,
        date: _dates,
    }
    return simple[tp]


_SHIPSTATION_MODELS: Final = frozenset(getattr(ss, name) for name in ss.__all__)


def _deferred(
    tp: Any, instants: st.SearchStrategy[datetime], strings: st.SearchStrategy[str]
) -> st.SearchStrategy[Any]:
    # Deferred, so that strategies of nested models are built when first drawn.
    return st.deferred(lambda: _for_type(tp, instants, strings))


def strategy_for(
    cls: type,
    *,
    text_strategy: st.SearchStrategy[str] | None = None,
    **overrides: st.SearchStrategy[Any],
) -> st.SearchStrategy[Any]:
    """Return a strategy for any model class of this library, derived from its fields.

    Keyword arguments replace the strategy of the named fields; *text_strategy* replaces the
    strategy of every ``str`` field, nested models included (e.g. :data:`hostile_text`).

    >>> from listingmirror_shipstation.shipstation import Weight
    >>> from listingmirror_shipstation.testing.strategies import strategy_for
    >>> from hypothesis import strategies as st
    >>> weights = strategy_for(Weight, weight_units=st.none())
    """
    instants = shipstation_instants if cls in _SHIPSTATION_MODELS else listingmirror_instants
    names = {a.name for a in attrs.fields(cls)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {', '.join(unknown)}")
    fields = {
        a.name: overrides[a.name]
        if a.name in overrides
        else _deferred(a.type, instants, text if text_strategy is None else text_strategy)
        for a in attrs.fields(cls)
    }
    return st.builds(cls, **fields)


listingmirror_addresses: Final = strategy_for(lm.Address)
listingmirror_discounts: Final = strategy_for(lm.Discount)
listingmirror_order_items: Final = strategy_for(lm.OrderItem, quantity=st.integers(-5, 10_000))
listingmirror_orders: Final = strategy_for(lm.Order)
listingmirror_shipment_updates: Final = strategy_for(lm.ShipmentUpdate)

shipstation_addresses: Final = strategy_for(ss.Address)
shipstation_orders: Final = strategy_for(ss.Order)
shipstation_orders_pages: Final = strategy_for(ss.OrdersPage)
shipstation_create_orders_results: Final = strategy_for(ss.CreateOrdersResult)
shipstation_shipments: Final = strategy_for(ss.Shipment)
shipstation_shipments_pages: Final = strategy_for(ss.ShipmentsPage)
shipstation_fulfillments: Final = strategy_for(ss.Fulfillment)
shipstation_stores: Final = strategy_for(ss.Store)
shipstation_webhook_notifications: Final = strategy_for(ss.WebhookNotification)


def _writable(order: cs.Order) -> bool:
    try:
        validate_order(order)
    except ValidationError:
        return False
    return True


_cs_money: Final = st.decimals(
    min_value=Decimal("-9999999.99"), max_value=Decimal("9999999.99"), places=3
)
#: Codes (ids, SKU, UPC, postal code ...): any characters, within every code limit (a code
#: over its limit is refused, never cut).
_cs_code: Final = st.none() | st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


def _negative_adjustment(item: cs.Item) -> cs.Item:
    if item.adjustment and item.unit_price > 0:
        return attrs.evolve(item, unit_price=-item.unit_price)
    return item


_cs_item: Final = strategy_for(
    cs.Item,
    text_strategy=hostile_text,
    line_item_id=_cs_code,
    sku=_cs_code,
    upc=_cs_code,
    quantity=st.integers(1, MAX_QUANTITY),
    unit_price=_cs_money,
    weight=st.none() | _cs_money,
    weight_units=st.none() | st.sampled_from(list(cs.WeightUnits)),
    options=st.lists(
        strategy_for(cs.Option, text_strategy=hostile_text, weight=st.none() | _cs_money),
        max_size=12,
    ).map(tuple),
).map(_negative_adjustment)
_cs_address: Final = strategy_for(
    cs.Address,
    text_strategy=hostile_text,
    postal_code=_cs_code,
    state=_cs_code,
    phone=_cs_code,
    email=_cs_code,
    country=st.none() | st.sampled_from(["US", "CA", "DE", "AT", "AU", "GB"]),
)
#: Custom Store orders the export can write, with hostile text in every free-text field.
customstore_orders: Final = strategy_for(
    cs.Order,
    text_strategy=hostile_text,
    order_id=_cs_code,
    order_number=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=50),
    currency_code=st.none() | st.sampled_from(["USD", "EUR", "CAD"]),
    order_total=_cs_money,
    tax_amount=st.none() | _cs_money,
    shipping_amount=st.none() | _cs_money,
    customer=strategy_for(
        cs.Customer,
        customer_code=_cs_code,
        bill_to=st.none() | _cs_address,
        ship_to=st.none() | _cs_address,
    ),
    items=st.lists(_cs_item, max_size=3).map(tuple),
).filter(_writable)
#: ShipNotices as parsed (any text).
customstore_ship_notices: Final = strategy_for(cs.ShipNotice)

_nonblank: Final = text.filter(lambda s: bool(s.strip()))
_prices: Final = st.decimals(min_value=0, max_value=Decimal("9999.99"), places=2)
_small_amounts: Final = st.none() | st.decimals(min_value=0, max_value=Decimal("99.99"), places=2)
_weights: Final = st.none() | st.decimals(
    min_value=Decimal("0.001"), max_value=Decimal("999.999"), places=3
)
_mapped_statuses: Final = st.sampled_from(
    [lm.OrderStatus(name) for name, _ in DEFAULT_TABLE if name in lm.OrderStatus._value2member_map_]
)

#: SKUs (and coupon codes, which become SKUs) the mapping accepts: no control or invisible
#: characters, since shipments are matched back by SKU.
_skus: Final = st.none() | st.text(
    st.characters(exclude_categories=["Cc", "Cf", "Cs", "Zl", "Zp"]), max_size=40
)

#: Lines that the default mapping accepts: quantity 1 to 100, non-negative amounts.
_eligible_items: Final = strategy_for(
    lm.OrderItem,
    sku=_skus,
    quantity=st.integers(1, 100),
    price=_prices,
    item_discount=_small_amounts,
    shipping_discount=_small_amounts,
    shipping_price=_small_amounts,
    shipping_tax=_small_amounts,
    tax=_small_amounts,
    gift_warp_price=_small_amounts,
    gift_warp_tax=_small_amounts,
    weight=_weights,
    weight_unit=st.none() | st.sampled_from(list(lm.WeightUnit)),
)

#: Listing Mirror orders that pass the default filters and the shipping-address rule (with a
#: recipient name, which the Custom Store protocol requires).
eligible_listingmirror_orders: Final = strategy_for(
    lm.Order,
    order_id=st.integers(1, 2**53),
    market_order_id=st.text(
        st.characters(exclude_categories=["Cc", "Cs"]), min_size=1, max_size=50
    ).filter(lambda s: bool(s.strip())),
    order_status=_mapped_statuses,
    fulfillment_channel=st.none() | st.just(lm.FulfillmentChannel.MERCHANT),
    order_items=st.lists(_eligible_items, min_size=1, max_size=4).map(tuple),
    ship_to=strategy_for(
        lm.Address,
        name=_nonblank,
        street1=_nonblank,
        city=_nonblank,
        country=st.sampled_from(["US", "CA", "DE"]),
    ),
    bill_to=st.none()
    | strategy_for(lm.Address, country=st.none() | st.sampled_from(["US", "GB", "FR"])),
    currency=st.none() | st.sampled_from(["USD", "EUR", "CAD"]),
    discounts=st.lists(
        strategy_for(
            lm.Discount,
            code=_skus,
            amount=st.decimals(min_value=0, max_value=Decimal("50"), places=2),
        ),
        max_size=2,
    ).map(tuple),
    order_total=st.none(),
    total_weight=_weights,
    weight_unit=st.none() | st.sampled_from(list(lm.WeightUnit)),
)


_MODELS: Final[tuple[type, ...]] = tuple(
    cls
    for module in (lm, ss)
    for cls in (getattr(module, name) for name in module.__all__)
    if isinstance(cls, type) and attrs.has(cls)
)


def register_type_strategies() -> None:
    """Register a strategy for every model class, so ``st.from_type(Model)`` works.

    Registration is process-wide (a Hypothesis rule); only model classes are registered, never
    ``datetime`` or ``Decimal``, whose precision differs between platforms.
    """
    for cls in _MODELS:
        st.register_type_strategy(cls, strategy_for(cls))
