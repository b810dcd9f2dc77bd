"""The conversion's shortcuts give what the long way gives (issue 12's speed work).

Each shortcut takes the common case in fewer calls; these tests hold it to the general code it
stands in for, on the edge values, so a faster path never changes a byte or lets a value by.
"""

import decimal
import enum
import itertools
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import cattrs
import pytest
from cattrs.cols import homogenous_tuple_structure_factory
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation import _hooks, _time
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation._values import TypedModels, Unrecognized
from listingmirror_shipstation.errors import InvalidOrderError, ValidationError
from listingmirror_shipstation.mapping import orders as mapping_orders
from listingmirror_shipstation.mapping import weights
from listingmirror_shipstation.shipstation import validate

EDGE_AMOUNTS = [
    None,
    Decimal("12.34"),
    Decimal("0.00"),
    Decimal("-0.00"),
    Decimal("0"),
    Decimal("-0"),
    Decimal("0.000"),
    Decimal("1.000"),
    Decimal("1.005"),
    Decimal("12"),
    Decimal("12.3"),
    Decimal("-5.25"),
    Decimal("1E+3"),
    Decimal("-0.001"),
]


@pytest.mark.parametrize("values", list(itertools.product(EDGE_AMOUNTS, repeat=2)))
def test_the_cents_shortcut_agrees_with_the_value_by_value_check(
    values: tuple[Decimal | None, ...],
) -> None:
    """Negative zeros, zeros with three decimals and whole amounts all take the long way."""
    assert mapping_orders._any_sub_cent(values) is any(map(mapping_orders._sub_cent, values))


@given(
    st.lists(
        st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=None),
        max_size=9,
    )
)
def test_the_cents_shortcut_agrees_on_any_amounts(values: list[Decimal | None]) -> None:
    as_tuple = tuple(values)
    assert mapping_orders._any_sub_cent(as_tuple) is any(map(mapping_orders._sub_cent, as_tuple))


def _strftime_form(value: datetime) -> str:
    local = value.astimezone(_time.PACIFIC)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond:06d}0"


@given(
    st.datetimes(
        min_value=datetime(1, 1, 3),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.just(UTC),
    )
)
def test_pacific_text_is_the_strftime_text(value: datetime) -> None:
    assert _time.format_pacific(value) == _strftime_form(value)


@pytest.mark.parametrize(
    "value",
    [
        datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),  # Pacific year 999
        datetime(1000, 1, 1, 8, 0, tzinfo=UTC),  # the first Pacific instant of year 1000
        datetime(2026, 3, 8, 10, 0, 0, 5, tzinfo=UTC),  # the spring-forward hour
        datetime(2026, 11, 1, 9, 30, tzinfo=timezone(timedelta(hours=5))),
    ],
)
def test_pacific_text_at_the_edges(value: datetime) -> None:
    assert _time.format_pacific(value) == _strftime_form(value)


def test_weight_ratios_are_the_ones_divided_each_time() -> None:
    for source, target in itertools.product(weights.GRAMS_PER_UNIT, repeat=2):
        if source is target:
            continue
        ratio = weights._CONTEXT.divide(
            weights.GRAMS_PER_UNIT[source], weights.GRAMS_PER_UNIT[target]
        )
        value = Decimal("3.7")
        assert weights.convert_weight(value, source, target) == weights._CONTEXT.multiply(
            value, ratio
        )


def test_a_user_hook_for_an_optional_type_still_writes_it() -> None:
    """The writer calls a ``T | None`` field's inner hook directly only when the wrapper is ours."""
    converter = ss.make_converter(detailed=False)
    converter.register_unstructure_hook(Decimal | None, lambda v: None if v is None else str(v))
    item = ss.OrderItem(sku="A", quantity=1, unit_price=Decimal("1.50"))
    assert converter.unstructure(item) == {"sku": "A", "quantity": 1, "unitPrice": "1.50"}


def test_the_writer_still_refuses_a_non_finite_optional_amount() -> None:
    item = ss.OrderItem(sku="A", quantity=1, unit_price=Decimal("NaN"))
    with pytest.raises(Exception, match="non-finite"):
        ss.dumps(item)


class _Mood(enum.Enum):
    CALM = "calm"

    @classmethod
    def _missing_(cls, value: object) -> "_Mood | None":
        return cls.CALM if value == "CALM" else None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("calm", _Mood.CALM),
        ("CALM", _Mood.CALM),  # a miss in the table goes on to the enum's own _missing_
        ("stormy", Unrecognized("stormy")),
        (None, None),
    ],
)
def test_the_enum_shortcut_keeps_the_full_lookup_for_misses(value: Any, expected: Any) -> None:
    converter = ss.make_converter(detailed=False)
    _hooks.register_lenient_enums(converter)
    hook = converter.get_structure_hook(_Mood | Unrecognized | None)
    assert hook(value, None) == expected


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sku": "A\u202eB"}, "items[1].sku"),
        ({"sku": "A\x00"}, "items[1].sku"),
        ({"quantity": 0}, "items[1].quantity"),
        ({"unit_price": Decimal("-1.00")}, "items[1].unit_price"),
        ({"unit_price": Decimal("Infinity"), "adjustment": True}, "items[1].unit_price"),
        (
            {"weight": ss.Weight(value=Decimal("-1"), units=ss.WeightUnit.OUNCES)},
            "items[1].weight.value",
        ),
    ],
)
def test_line_checks_still_name_the_line(changes: dict[str, Any], field: str) -> None:
    """Field names are built only on failure now; they must still name the right line."""
    good = ss.OrderItem(sku="GOOD", quantity=1, unit_price=Decimal("1.00"))
    bad = ss.OrderItem(**{"sku": "OK", "quantity": 1, "unit_price": Decimal("1.00"), **changes})
    order = ss.Order(
        order_number="A-1",
        order_date=datetime(2026, 1, 1, tzinfo=UTC),
        order_status=ss.OrderStatus.AWAITING_SHIPMENT,
        bill_to=ss.Address(name="A"),
        ship_to=ss.Address(name="A", country="US"),
        items=(good, bad),
    )
    with pytest.raises(ValidationError) as caught:
        ss.validate_order_for_create(order)
    assert caught.value.field == field


def _outcome(hook: Any, value: Any, tp: Any) -> tuple[str, Any]:
    try:
        result = hook(value, tp)
    except Exception as exc:  # the outcome compared is the failure itself
        return ("error", (type(exc), str(exc)))
    return ("value", (type(result), str(result) if isinstance(result, Decimal) else result))


DECIMAL_EDGES = [
    "12.34", " 12.34 ", "1_000", "1e100", "1e101", "-1e-100", "1e-101", "0E-1000", "NaN",
    "-Infinity", "sNaN", "", "abc", "0x10", "٣", "1.5e3", "-0", 12, 1.5, True, None, [], {},
]  # fmt: skip


@given(st.one_of(st.sampled_from(DECIMAL_EDGES), st.text(max_size=12), st.decimals().map(str)))
def test_the_optional_decimal_reader_reads_as_the_decimal_hook_does(value: Any) -> None:
    converter = lm.make_converter(detailed=False)
    optional = converter.get_structure_hook(Decimal | None)
    assert optional.__name__ == "structure_optional_decimal"  # the shortcut is what runs
    expected = ("value", (type(None), None)) if value is None else None
    assert _outcome(optional, value, Decimal | None) == (
        expected or _outcome(_hooks._structure_decimal, value, Decimal)
    )


@given(st.lists(st.one_of(st.sampled_from(DECIMAL_EDGES), st.text(max_size=6)), max_size=5))
def test_the_tuple_reader_reads_a_list_as_the_general_tuple_hook_does(values: list[Any]) -> None:
    converter = lm.make_converter(detailed=False)
    general = homogenous_tuple_structure_factory(tuple[Decimal | None, ...], converter)
    fast = converter.get_structure_hook(tuple[Decimal | None, ...])
    assert _outcome(fast, values, tuple[Decimal | None, ...]) == _outcome(
        general, values, tuple[Decimal | None, ...]
    )


def test_lenient_enum_fields_are_written_with_the_converters_own_hooks() -> None:
    order = ss.Order(
        order_number="A-1",
        order_date=datetime(2026, 11, 27, 12, tzinfo=UTC),
        order_status=ss.OrderStatus.ON_HOLD,
        weight=ss.Weight(value=Decimal(2), units=Unrecognized("stone")),
    )
    plain = ss.make_converter(detailed=False).unstructure(order)
    assert (plain["orderStatus"], plain["weight"]["units"]) == ("on_hold", "stone")

    converter = ss.make_converter(detailed=False)  # a user's hooks, registered before use
    converter.register_unstructure_hook(ss.OrderStatus, lambda s: s.value.upper())
    converter.register_unstructure_hook(Unrecognized, lambda u: f"raw:{u.raw}")
    mine = converter.unstructure(order)
    assert (mine["orderStatus"], mine["weight"]["units"]) == ("ON_HOLD", "raw:stone")


class _Typed(enum.Enum):
    _value_: int
    ONE = 1


def test_a_plain_enum_is_written_as_its_value_and_a_typed_one_through_its_hook() -> None:
    converter = ss.make_converter(detailed=False)
    assert converter.unstructure(ss.OrderStatus.SHIPPED) == "shipped"
    converter.register_unstructure_hook(int, lambda n: n * 10)
    assert converter.unstructure(_Typed.ONE) == 10  # cattrs' typed-enum rule is kept


_ZONES = [UTC, timezone(timedelta(hours=-14)), timezone(timedelta(hours=14)), _time.PACIFIC]


#: Instants of any zone, a third of them within three days of either end of the range, where
#: the full check does refuse some: the property is tested where it can fail.
_INSTANTS = st.one_of(
    st.datetimes(timezones=st.sampled_from(_ZONES)),
    st.datetimes(max_value=datetime(1, 1, 3), timezones=st.sampled_from(_ZONES)),  # noqa: DTZ001
    st.datetimes(min_value=datetime(9999, 12, 29), timezones=st.sampled_from(_ZONES)),  # noqa: DTZ001
)


@given(_INSTANTS)
def test_the_instant_shortcut_refuses_what_the_full_check_refuses(value: datetime) -> None:
    try:
        validate._check_instant(value, "order_date")
    except ValidationError:
        assert not validate._surely_writable(value)


@pytest.mark.parametrize(
    "value",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1, 1, 1, 7, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
        datetime(2026, 11, 27, 12),  # naive  # noqa: DTZ001
    ],
)
def test_instants_at_the_ends_still_get_the_full_check(value: datetime) -> None:
    assert not validate._surely_writable(value)


def _order_of(items: tuple[Any, ...], **changes: Any) -> Any:
    """A Listing Mirror order holding *items* (the rest as plain as can be, or *changes*)."""
    return lm.Order(
        order_id=1,
        market_order_id="A",
        order_status=lm.OrderStatus.PAID,
        order_datetime=datetime(2026, 11, 27, tzinfo=UTC),
        order_items=items,
        **changes,
    )


_HUGE = st.one_of(
    st.none(),
    st.sampled_from([Decimal("1e12"), Decimal("-1e12"), Decimal("999999999999.99"), Decimal(0)]),
    st.decimals(min_value=-(10**13), max_value=10**13, allow_nan=False, places=2),
)


@given(st.lists(st.tuples(*[_HUGE] * len(mapping_orders._ITEM_AMOUNTS)), min_size=1, max_size=4))
def test_the_amount_range_shortcut_names_the_first_amount_out_of_range(
    lines: list[tuple[Decimal | None, ...]],
) -> None:
    items = tuple(
        lm.OrderItem(
            quantity=1,
            **{
                name: (Decimal(0) if name == "price" and value is None else value)
                for name, value in zip(mapping_orders._ITEM_AMOUNTS, amounts, strict=True)
            },
        )
        for amounts in lines
    )
    order = _order_of(items)
    expected = next(
        (
            f"order_items[{index}].{name}"
            for index, item in enumerate(items)
            for name in mapping_orders._ITEM_AMOUNTS
            if getattr(item, name) is not None
            and not -mapping_orders._MAX_AMOUNT < getattr(item, name) < mapping_orders._MAX_AMOUNT
        ),
        None,
    )
    if expected is None:
        mapping_orders._check_amounts(order)
    else:
        with pytest.raises(InvalidOrderError) as raised:
            mapping_orders._check_amounts(order)
        assert raised.value.field == expected


_AMOUNT_OR_NONE = st.one_of(
    st.none(),
    st.sampled_from(["0.00", "0", "-0.00", "3.00", "1E+1"]).map(Decimal),
    st.decimals(min_value=-1000, max_value=1000, allow_nan=False, places=2),
)


def _sum_the_long_way(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


@given(st.lists(st.tuples(*[_AMOUNT_OR_NONE] * 5), max_size=4))
def test_one_pass_sums_give_the_same_digits_as_summing_each_amount(
    lines: list[tuple[Decimal | None, ...]],
) -> None:
    """Digits, not just values: ``0`` and ``0.00`` are different bytes on the wire."""
    items = tuple(
        lm.OrderItem(
            quantity=1,
            price=Decimal(1),
            shipping_price=ship,
            shipping_discount=off,
            tax=tax,
            shipping_tax=ship_tax,
            gift_warp_tax=wrap_tax,
        )
        for ship, off, tax, ship_tax, wrap_tax in lines
    )
    order = _order_of(items)
    charged = _sum_the_long_way([i.shipping_price for i in items])
    discounted = _sum_the_long_way(
        [None if i.shipping_discount is None else abs(i.shipping_discount) for i in items]
    )
    if charged is None and discounted is None:
        expected: tuple[Decimal | None, Decimal] = (None, Decimal(0))
    else:
        net = (charged or Decimal(0)) - (discounted or Decimal(0))
        expected = (max(net, Decimal(0)), min(net, Decimal(0)))
    assert repr(mapping_orders._shipping(order)) == repr(expected)
    taxes = [v for i in items for v in (i.tax, i.shipping_tax, i.gift_warp_tax)]
    assert repr(mapping_orders._tax(order)) == repr(_sum_the_long_way(taxes))


def test_configuring_a_converter_keeps_an_enum_factory_registered_before() -> None:
    converter = cattrs.Converter()
    converter.register_unstructure_hook_factory(
        lambda tp: isinstance(tp, type) and issubclass(tp, enum.Enum), lambda _: lambda e: e.name
    )
    lm.configure_converter(converter)
    assert converter.unstructure(lm.OrderStatus.PAID) == "PAID"


class TestRangeAndCentsInOnePass:
    """``_check_amounts`` also finds the sub-cent amounts; the range check's error still wins."""

    @staticmethod
    def _eligible(items: tuple[Any, ...], **changes: Any) -> Any:
        address = lm.Address(street1="1 Main St", city="Austin", country="US")
        return _order_of(items, ship_to=address, **changes)

    @pytest.mark.parametrize("typed", [False, True])
    def test_an_amount_out_of_range_wins_over_a_sub_cent_one_before_it(self, typed: bool) -> None:
        """The value named is the one sent, not the one rounded to cents (``1E+13``)."""
        order = self._eligible(
            (
                lm.OrderItem(quantity=1, price=Decimal("1.005"), tax=Decimal("0.001")),
                lm.OrderItem(quantity=1, price=Decimal("2.00"), tax=Decimal("1E+13")),
            ),
            order_total=Decimal("3.0049"),
        )
        batch = TypedModels([order]) if typed else [order]
        (rejection,) = mapping_orders.convert_orders(batch).rejected
        error = rejection.error
        assert isinstance(error, InvalidOrderError)
        assert (error.field, str(error.value)) == ("order_items[1].tax", "1E+13")

    @pytest.mark.parametrize("with_total", [False, True])
    def test_the_range_check_does_not_depend_on_the_callers_decimal_context(
        self, with_total: bool
    ) -> None:
        """An ``Emax`` below 12 made ``-1e12`` overflow, for orders with a total only."""
        order = self._eligible(
            (lm.OrderItem(quantity=1, price=Decimal("2.00"), tax=Decimal("0.10")),),
            **({"order_total": Decimal("2.10")} if with_total else {}),
        )
        expected = mapping_orders.to_shipstation_order(order)
        with decimal.localcontext(decimal.Context(Emax=11)) as context:
            assert mapping_orders.to_shipstation_order(order) == expected
            assert not context.flags[decimal.Overflow]

    def test_a_sub_cent_amount_out_of_range_is_named_unrounded(self) -> None:
        order = self._eligible(
            (lm.OrderItem(quantity=1, price=Decimal("2.00"), weight=Decimal("-1000000000000.004")),)
        )
        with pytest.raises(InvalidOrderError) as raised:
            mapping_orders.to_shipstation_order(order)
        assert (raised.value.field, str(raised.value.value)) == (
            "order_items[0].weight",
            "-1000000000000.004",
        )

    def test_an_amount_in_range_only_before_rounding_is_rounded_not_refused(self) -> None:
        """The range is checked on the amounts given, as before the two checks were one pass."""
        order = self._eligible((lm.OrderItem(quantity=1, price=Decimal("999999999999.995")),))
        converted = mapping_orders.to_shipstation_order(order)
        assert str(converted.items[0].unit_price) == "1000000000000.00"

    @given(st.lists(st.tuples(*[_AMOUNT_OR_NONE] * 3), min_size=1, max_size=4), _AMOUNT_OR_NONE)
    def test_the_sub_cent_answer_is_the_long_ways(
        self, lines: list[tuple[Decimal | None, ...]], total: Decimal | None
    ) -> None:
        items = tuple(
            lm.OrderItem(quantity=1, price=abs(price or Decimal(0)), tax=tax, weight=weight)
            for price, tax, weight in lines
        )
        order = self._eligible(items, order_total=total)
        long_way = mapping_orders._sub_cent(total) or any(
            mapping_orders._sub_cent(value)
            for item in items
            for value in (item.price, item.tax)  # a weight is not money: never rounded
        )
        assert mapping_orders._check_amounts(order) is long_way


def _validate_the_long_way(order: Any) -> None:
    """``validate_order_for_create`` as it was before its common-case shortcuts (the reference)."""
    v = validate
    if not order.order_number.strip():
        raise ValidationError("must not be empty", field="order_number", value=order.order_number)
    if len(order.order_number) > v.MAX_ORDER_NUMBER_LENGTH:
        raise ValidationError(
            f"must be at most {v.MAX_ORDER_NUMBER_LENGTH} characters",
            field="order_number",
            value=order.order_number,
        )
    status = order.order_status
    # By identity: members are singletons, and an Enum member hashes in Python code.
    if status.__class__ is not ss.OrderStatus or id(status) not in v._WRITABLE_IDS:
        raise ValidationError(
            "is not a status ShipStation accepts on create",
            field="order_status",
            value=order.order_status,
        )
    for name, value in zip(v._INSTANTS, v._instants(order), strict=True):
        if value is not None and not v._surely_writable(value):
            v._check_instant(value, name)
    if order.bill_to is None:
        raise ValidationError("is required on create", field="bill_to", value=None)
    if order.ship_to is None:
        raise ValidationError("is required on create", field="ship_to", value=None)
    v._check_country(order.ship_to, "ship_to", required=True)
    v._check_country(order.bill_to, "bill_to", required=False)
    if not order.items:
        raise ValidationError("needs at least one line", field="items", value=order.items)
    v._check_money(order.tax_amount, "tax_amount")
    for name, value in zip(v._NOT_NEGATIVE, v._not_negative(order), strict=True):
        if value is not None and (not value.is_finite() or value < 0):
            v._check_money(value, name, negative=False)
    v._check_weight(order.weight, "weight")
    for index, item in enumerate(order.items):
        # Field names are built only when a check fails (a hot path: every line of a batch).
        quantity = item.quantity
        if quantity is None or not 1 <= quantity <= v._MAX_QUANTITY:
            raise ValidationError(
                f"must be 1 to {v._MAX_QUANTITY:,} (a 32-bit quantity)",
                field=f"items[{index}].quantity",
                value=quantity,
            )
        sku = item.sku
        hidden = v._hidden_character(sku) if sku and not v._plain(sku) else None
        if hidden is not None:
            raise ValidationError(
                f"must not hold control or invisible characters (U+{ord(hidden):04X})",
                field=f"items[{index}].sku",
                value=sku,
            )
        price = item.unit_price
        if price is not None and (not price.is_finite() or (price < 0 and not item.adjustment)):
            v._check_money(price, f"items[{index}].unit_price", negative=bool(item.adjustment))
        if item.weight is not None:
            v._check_weight(item.weight, f"items[{index}].weight")


def _valid_shipstation_order() -> Any:
    weight = ss.Weight(value=Decimal("1.5"), units=ss.WeightUnit.POUNDS)
    return ss.Order(
        order_number="A-1",
        order_date=datetime(2026, 11, 27, tzinfo=UTC),
        order_status=ss.OrderStatus.AWAITING_SHIPMENT,
        bill_to=ss.Address(name="Ana"),
        ship_to=ss.Address(name="Ana", street1="1 Main St", city="Austin", country="US"),
        items=(
            ss.OrderItem(sku="MUG", quantity=2, unit_price=Decimal("9.99"), weight=weight),
            ss.OrderItem(sku="TEE", quantity=1, unit_price=Decimal("0.00"), adjustment=False),
            ss.OrderItem(name="Coupon", quantity=1, unit_price=Decimal("-5.00"), adjustment=True),
        ),
        amount_paid=Decimal("14.98"),
        tax_amount=Decimal("0.00"),
        shipping_amount=Decimal("0"),
        weight=weight,
    )


_ODD_DECIMALS = [Decimal(x) for x in ("NaN", "-Infinity", "Infinity", "-0.01", "-0", "0", "1E+3")]
_ODD_WEIGHTS = [
    None,
    *(ss.Weight(value=d, units=ss.WeightUnit.GRAMS) for d in _ODD_DECIMALS),
    ss.Weight(value=Decimal(1), units=Unrecognized(raw="stone")),
]
_ODD_INSTANTS = [
    None,
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, tzinfo=UTC),
    datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=14))),
    datetime(1, 1, 1, 9, tzinfo=timezone(timedelta(hours=-9))),
]
_ORDER_CHANGES: dict[str, list[Any]] = {
    "order_number": ["", " ", "x" * 51, "x" * 50],
    "order_status": list(ss.OrderStatus),
    "order_date": _ODD_INSTANTS[1:],
    "ship_by_date": _ODD_INSTANTS,
    "payment_date": _ODD_INSTANTS,
    "bill_to": [None, *(ss.Address(country=c) for c in (None, "", " ", "us", "XK", "ZZ", "GB"))],
    "ship_to": [None, *(ss.Address(country=c) for c in (None, "", " ", "us", "XK", "ZZ", "GB"))],
    "items": [()],
    "tax_amount": [None, *_ODD_DECIMALS],
    "amount_paid": [None, *_ODD_DECIMALS],
    "order_total": [None, *_ODD_DECIMALS],
    "shipping_amount": [None, *_ODD_DECIMALS],
    "weight": _ODD_WEIGHTS,
}
_ITEM_CHANGES: dict[str, list[Any]] = {
    "quantity": [None, 0, -1, 1, 2**31 - 1, 2**31],
    "sku": [None, "", "A\u202eB", "A\x00", "é", "ok"],
    "unit_price": [None, *_ODD_DECIMALS],
    "adjustment": [None, False, True],
    "weight": _ODD_WEIGHTS,
}
#: One odd value each: ``(None, field, value)`` on the order, ``(line, field, value)`` on a line.
_CHANGES: list[tuple[int | None, str, Any]] = [
    *((None, name, value) for name, values in _ORDER_CHANGES.items() for value in values),
    *(
        (line, name, value)
        for line in range(3)
        for name, values in _ITEM_CHANGES.items()
        for value in values
    ),
]


def _create_check_outcome(check: Any, order: Any) -> tuple[object, ...]:
    try:
        check(order)
    except ValidationError as error:
        return (type(error).__name__, str(error), error.field, repr(error.value))
    return ("passed",)


def _changed(changes: list[tuple[int | None, str, Any]]) -> Any:
    order = _valid_shipstation_order()
    for line, name, value in changes:
        if line is None:
            order = attrs.evolve(order, **{name: value})
        elif order.items:
            items = list(order.items)
            index = line % len(items)
            items[index] = attrs.evolve(items[index], **{name: value})
            order = attrs.evolve(order, items=tuple(items))
    return order


@pytest.mark.parametrize("change", _CHANGES, ids=repr)
def test_the_create_check_shortcuts_give_the_long_ways_outcome(
    change: tuple[int | None, str, Any],
) -> None:
    """Same pass, or the same error (field, value, message), for every odd value anywhere."""
    order = _changed([change])
    assert _create_check_outcome(
        validate.validate_order_for_create, order
    ) == _create_check_outcome(_validate_the_long_way, order)


@given(st.lists(st.sampled_from(_CHANGES), max_size=4))
def test_the_create_check_shortcuts_report_the_long_ways_first_error(
    changes: list[tuple[int | None, str, Any]],
) -> None:
    """With several odd values, the one reported first is the long way's first."""
    order = _changed(changes)
    assert _create_check_outcome(
        validate.validate_order_for_create, order
    ) == _create_check_outcome(_validate_the_long_way, order)


def test_the_amount_bound_is_a_power_of_ten() -> None:
    """The range shortcut compares exponents (``adjusted()``): exact only for a power of ten."""
    bound = mapping_orders._MAX_AMOUNT
    assert bound == Decimal(10) ** mapping_orders._MAX_ADJUSTED


_TINY_AND_HUGE = [Decimal("1E-425000000"), Decimal("1E+425000000"), Decimal("-1E-30")]


@pytest.mark.parametrize("values", list(itertools.product(EDGE_AMOUNTS + _TINY_AND_HUGE, repeat=2)))
def test_the_exact_sum_shortcut_never_misses_a_sub_cent_amount(
    values: tuple[Decimal | None, ...],
) -> None:
    """Zeros with three decimals, negative zeros, sums that cannot be exact: all looked at."""
    money = [value for value in values if value is not None]
    if mapping_orders._surely_in_cents(money):
        assert not any(map(mapping_orders._sub_cent, money))


@given(
    st.lists(st.decimals(allow_nan=False, allow_infinity=False, places=None), max_size=12),
    st.sampled_from([1, 6, 28, 60]),
)
def test_the_exact_sum_shortcut_holds_in_any_context(values: list[Decimal], precision: int) -> None:
    """The caller's decimal context (a low precision) cannot make a rounded sum look in cents."""
    with decimal.localcontext(decimal.Context(prec=precision)):
        surely = mapping_orders._surely_in_cents(values)
    assert not (surely and any(map(mapping_orders._sub_cent, values)))
    if all(value.as_tuple().exponent == -2 and not value.is_signed() for value in values):
        assert surely  # amounts in cents take the shortcut
