"""The generated unstructure functions write what cattrs' generated ones write (issue 12).

``_fast_unstructure.make_unstructure_fn`` stands in for :func:`cattrs.gen.make_dict_unstructure_fn`
in both JSON converters. These tests hold it to cattrs' function, given the same overrides, on
generated instances of every model: equal values, the same keys in the same order at every
depth, the same container types, and the same exception when a value cannot be written. They
also check that hooks a user registers are used, and that classes it does not handle fall back
to cattrs.
"""

import ast
import enum
import functools
import linecache
import re
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar
from unittest import mock
from zoneinfo import ZoneInfo

import attrs
import cattrs
import pytest
from cattrs.gen import make_dict_unstructure_fn, override
from hypothesis import given, settings
from hypothesis import strategies as st

from listingmirror_shipstation import _fast_unstructure, _hooks, _jsontext, mapping
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation._values import Unrecognized
from listingmirror_shipstation.listingmirror import models as lm_models
from listingmirror_shipstation.shipstation import models as ss_models

EXAMPLE_ORDERS = (
    Path(__file__).resolve().parent.parent
    / "listingmirror_shipstation"
    / "examples"
    / "listingmirror-orders.json"
)


def _models(module: Any) -> list[type]:
    """The attrs classes a ``models`` module defines (re-exported by its package)."""
    package = module.__name__.rpartition(".")[0]
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type) and attrs.has(value) and value.__module__.startswith(package)
    ]


SS_MODELS = _models(ss_models)
LM_MODELS = _models(lm_models)

#: Listing Mirror aliases on two classes, one of them nested (written under the alias keys).
LM_ALIASES = {
    lm.Order: {"purchase_date": "order_datetime", "items": "order_items", "gift": "is_gift"},
    lm.OrderItem: {"qty": "quantity", "unit_price": "price"},
}

# -- instances of any model, built from the annotations ------------------------------------

ZONES = [UTC, ZoneInfo("America/Los_Angeles"), timezone(timedelta(hours=5, minutes=30))]

#: Decimals with many digits and large exponents (both signs), not only money-like ones.
WIDE_DECIMALS = st.builds(
    lambda sign, digits, exponent: Decimal((sign, tuple(digits), exponent)),
    st.integers(0, 1),
    st.lists(st.integers(0, 9), min_size=1, max_size=40),
    st.integers(-400, 400),
)
NON_FINITE = st.sampled_from([Decimal("NaN"), Decimal("-Infinity"), Decimal("Infinity")])


def values_of(tp: Any, *, writable: bool = True) -> st.SearchStrategy[Any]:
    """Values of the field type *tp*; with ``writable=False`` also non-finite and naive ones."""
    if tp is type(None):
        return st.none()
    if tp is str:
        return st.text(max_size=6)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(-(2**70), 2**70)
    if tp is Decimal:
        finite = st.decimals(allow_nan=False, allow_infinity=False) | WIDE_DECIMALS
        return finite if writable else finite | NON_FINITE
    if tp is datetime:
        aware = st.datetimes(
            min_value=datetime(1900, 1, 1),  # noqa: DTZ001 - hypothesis' bound is naive
            timezones=st.sampled_from(ZONES),
        ) | st.datetimes(timezones=st.just(UTC))  # near both ends too
        return aware if writable else aware | st.datetimes()
    if tp is date:
        return st.dates()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if tp is Unrecognized:
        return st.builds(Unrecognized, raw=st.text(max_size=6))
    if isinstance(tp, type) and attrs.has(tp):
        return st.deferred(lambda: instances(tp, writable=writable))
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:  # tuple[X, ...]
        return st.lists(values_of(args[0], writable=writable), max_size=3).map(tuple)
    if args:  # a union
        return st.one_of(*(values_of(arg, writable=writable) for arg in args))
    raise NotImplementedError(tp)


def instances(cls: type, *, writable: bool = True) -> st.SearchStrategy[Any]:
    """Instances of *cls*: each field at its default or any value of its type.

    Built without ``__init__`` (its validators would refuse a naive datetime, which the
    writers must refuse themselves).
    """
    fields = attrs.fields(cls)

    def build(values: list[Any]) -> Any:
        instance = object.__new__(cls)
        for a, value in zip(fields, values, strict=True):
            object.__setattr__(instance, a.name, value)
        return instance

    parts = []
    for a in fields:
        part = values_of(a.type, writable=writable)
        if a.default is not attrs.NOTHING:
            part = st.just(a.default) | part
        parts.append(part)
    return st.tuples(*parts).map(lambda values: build(list(values)))


# -- comparing results ------------------------------------------------------------------------


def assert_same(fast: Any, slow: Any, path: str = "$") -> None:
    """Equal, of the same types, with dict keys in the same order, at every depth."""
    assert type(fast) is type(slow), f"{path}: {type(fast)} is not {type(slow)}"
    if isinstance(slow, dict):
        assert list(fast) == list(slow), f"{path}: key order {list(fast)} != {list(slow)}"
        for key in slow:
            assert_same(fast[key], slow[key], f"{path}.{key}")
    elif isinstance(slow, list | tuple):
        assert len(fast) == len(slow), path
        for index, (a, b) in enumerate(zip(fast, slow, strict=True)):
            assert_same(a, b, f"{path}[{index}]")
    else:
        assert fast == slow, path
        assert repr(fast) == repr(slow), path  # Decimal("1.0") == Decimal("1.00"): not enough
    assert fast == slow


def outcome(fn: Callable[[Any], Any], value: Any) -> tuple[str, Any]:
    """``("ok", result)`` or ``("raised", (exception class, its args))``."""
    try:
        return "ok", fn(value)
    except Exception as exc:  # the exception is what is compared
        return "raised", (type(exc), exc.args)


def assert_same_outcome(fast: Callable[[Any], Any], slow: Callable[[Any], Any], value: Any) -> None:
    """*fast* and *slow* return the same (see :func:`assert_same`) or raise the same."""
    got, expected = outcome(fast, value), outcome(slow, value)
    assert got[0] == expected[0], (got, expected)
    if got[0] == "ok":
        assert_same(got[1], expected[1])
    else:
        assert got[1] == expected[1]


# -- converters -------------------------------------------------------------------------------


def ss_converter(detailed: bool = False) -> cattrs.Converter:
    """A ShipStation converter as the library makes it."""
    return ss.make_converter(detailed=detailed)


def lm_converter(detailed: bool = False) -> cattrs.Converter:
    """A Listing Mirror converter as the library makes it, with aliases on two classes."""
    return lm.make_converter(detailed=detailed, aliases=LM_ALIASES)


@contextmanager
def cattrs_generation() -> Iterator[None]:
    """While active, the JSON converters' factories generate with cattrs' own function."""
    with mock.patch.object(_fast_unstructure, "make_unstructure_fn", make_dict_unstructure_fn):
        yield


def reference(make: Callable[[], cattrs.Converter], *, classes: list[type]) -> cattrs.Converter:
    """A converter made by *make* whose model functions are all cattrs' (the code before).

    Its hooks are generated (and cached) while cattrs' function stands in for ours, nested
    models' included, so it writes every model exactly as the library wrote them before.
    """
    with cattrs_generation():
        converter = make()
        for cls in classes:
            hook = converter.get_unstructure_hook(cls)
            assert not _fast_unstructure.is_generated(hook)
    return converter


@functools.cache
def _converters(
    cls: type, make: Callable[[], cattrs.Converter]
) -> tuple[cattrs.Converter, cattrs.Converter]:
    """A converter of *make*'s and its reference, made once per class (not per example)."""
    return make(), reference(make, classes=[cls])


@functools.cache
def _functions(
    cls: type, make: Callable[[], cattrs.Converter], omit_all: bool
) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """Ours and cattrs' function for *cls*, with the overrides the factory passed, made once."""
    converter = make()
    overrides = converter.get_unstructure_hook(cls).overrides
    fast = _fast_unstructure.make_unstructure_fn(
        cls, converter, _cattrs_omit_if_default=omit_all, **overrides
    )
    slow = make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=omit_all, **overrides)
    return fast, slow


#: Each property below runs once per model class (about forty, nested in one another, so every
#: class is drawn again inside its parents): a quarter of the profile's examples per class keeps
#: the whole file to about a minute and still draws over a thousand documents per property.
PER_CLASS = settings(max_examples=max(10, settings.default.max_examples // 4))


CASES = [(cls, ss_converter) for cls in SS_MODELS] + [(cls, lm_converter) for cls in LM_MODELS]


def _case_id(case: Any) -> str:
    if isinstance(case, type):
        return case.__name__
    return "ss" if case is ss_converter else "lm"


class TestSameAsCattrs:
    """For every model, the generated function writes what cattrs' function writes."""

    def test_every_model_class_is_found(self) -> None:
        """The lists cover both platforms' models (so the parametrised tests cover them)."""
        assert {ss.Order, ss.OrderItem, ss.Address, ss.Weight, ss.Webhook} <= set(SS_MODELS)
        assert {lm.Order, lm.OrderItem, lm.Address, lm.Discount, lm.Product} <= set(LM_MODELS)

    @pytest.mark.parametrize(("cls", "make"), CASES, ids=_case_id)
    @pytest.mark.parametrize("detailed", [False, True])
    def test_every_model_takes_the_generated_path(
        self, cls: type, make: Callable[..., cattrs.Converter], detailed: bool
    ) -> None:
        """Every model of both platforms is written by a generated function, not cattrs'."""
        hook = make(detailed).get_unstructure_hook(cls)
        assert _fast_unstructure.is_generated(hook)

    @pytest.mark.parametrize(("cls", "make"), CASES, ids=_case_id)
    @pytest.mark.parametrize("omit_all", [False, True])
    @PER_CLASS
    @given(data=st.data())
    def test_the_function_writes_what_cattrs_function_writes(
        self,
        cls: type,
        make: Callable[[], cattrs.Converter],
        omit_all: bool,
        data: st.DataObject,
    ) -> None:
        """Same overrides, same converter: equal dicts, same key order, same types.

        Also with every field omitted at its default (``_cattrs_omit_if_default``), which
        covers defaults other than ``None`` (``False``, ``0``, ``()``).
        """
        fast, slow = _functions(cls, make, omit_all)
        assert _fast_unstructure.is_generated(fast)
        assert_same_outcome(fast, slow, data.draw(instances(cls)))

    @pytest.mark.parametrize(("cls", "make"), CASES, ids=_case_id)
    @PER_CLASS
    @given(data=st.data())
    def test_the_converter_writes_what_it_wrote_with_cattrs_functions(
        self, cls: type, make: Callable[[], cattrs.Converter], data: st.DataObject
    ) -> None:
        """Whole models, nested ones included, as the converters wrote them before."""
        fast, slow = _converters(cls, make)
        assert_same_outcome(fast.unstructure, slow.unstructure, data.draw(instances(cls)))

    @pytest.mark.parametrize(("cls", "make"), CASES, ids=_case_id)
    @PER_CLASS
    @given(data=st.data())
    def test_an_unwritable_value_raises_what_cattrs_raises(
        self, cls: type, make: Callable[[], cattrs.Converter], data: st.DataObject
    ) -> None:
        """A non-finite Decimal or a naive datetime: the same exception, the same message."""
        fast, slow = _converters(cls, make)
        value = data.draw(instances(cls, writable=False))
        assert_same_outcome(fast.unstructure, slow.unstructure, value)


class TestGeneratedSource:
    """The generated source holds names and keys only: every value comes in its globals."""

    @pytest.mark.parametrize(("cls", "make"), CASES, ids=_case_id)
    def test_the_source_holds_no_value(
        self, cls: type, make: Callable[[], cattrs.Converter]
    ) -> None:
        """Constants are the wire keys; names are ours or fields; attributes are fields or known."""
        converter = make()
        fn = converter.get_unstructure_hook(cls)
        tree = ast.parse("".join(linecache.getlines(fn.__code__.co_filename)))
        fields = {a.name for a in attrs.fields(cls)}
        keys = fields | {o.rename for o in fn.overrides.values() if o.rename is not None}
        known = {"is_finite", "_value_", "raw", "__class__"}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant):
                assert node.value is None or node.value in keys, ast.dump(node)
            if isinstance(node, ast.Name):
                ours = {"instance", "res", "_each", "_check_finite", "_Unrecognized"}
                assert node.id in ours or re.fullmatch(r"_[hedEf][0-9]+|v[0-9]+", node.id), node.id
            if isinstance(node, ast.Attribute):
                assert node.attr in fields | known, node.attr
            assert not isinstance(node, ast.JoinedStr), ast.dump(node)


class TestErrors:
    """Values no wire format can hold are refused with the hooks' own errors."""

    def test_a_non_finite_amount_raises_the_decimal_hooks_error(self) -> None:
        """A NaN amount: the ValueError of ``_check_finite``, in a field written always too."""
        weight = ss.Weight(value=Decimal("NaN"), units=ss.WeightUnit.OUNCES)
        item = ss.OrderItem(sku="A", unit_price=Decimal("-Infinity"))
        converter = ss_converter()
        for value, text in ((weight, "NaN"), (item, "-Infinity")):
            with pytest.raises(ValueError, match=f"cannot write the non-finite number.*{text}"):
                converter.unstructure(value)

    def test_a_naive_datetime_raises_what_the_datetime_hook_raises(self) -> None:
        """The datetime hook's own error, for a field written always and one left out at None."""
        naive = datetime(2026, 11, 20, 10, 0)  # noqa: DTZ001 - what must be refused
        order = _order()
        object.__setattr__(order, "order_date", naive)
        converter = ss_converter()
        with pytest.raises(Exception) as expected:  # noqa: PT011 - compared with the hook's
            ss.json._time.format_pacific(naive)
        with pytest.raises(type(expected.value)) as got:
            converter.unstructure(order)
        assert got.value.args == expected.value.args


def _order(**changes: Any) -> ss.Order:
    return ss.Order(
        order_number="A-1",
        order_date=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        order_status=ss.OrderStatus.AWAITING_SHIPMENT,
        **changes,
    )


def _full_order() -> ss.Order:
    return _order(
        order_total=Decimal("12.50"),
        customer_username="bob",
        ship_to=ss.Address(name="Bob", city="Paris"),
        items=(ss.OrderItem(sku="A", unit_price=Decimal("2.5"), quantity=2),),
        weight=ss.Weight(value=Decimal("3"), units=Unrecognized("stones")),
        tag_ids=(1, 2),
    )


class TestWhatIsWritten:
    """The shapes the wire sees: containers, omitted fields, key order."""

    def test_tuples_are_written_as_lists_as_cattrs_writes_them(self) -> None:
        """``tuple[X, ...]`` fields, of models or of ints, become lists (cattrs' default)."""
        data = ss_converter().unstructure(_full_order())
        assert type(data["items"]) is list
        assert type(data["tagIds"]) is list
        assert data["tagIds"] == [1, 2]

    def test_fields_left_at_none_are_left_out_and_false_zero_empty_are_written(self) -> None:
        """No ``orderId: null``; ``False``, ``0``, ``""`` and ``()`` are written."""
        data = ss_converter().unstructure(
            _order(gift=False, customer_id=0, customer_notes="", items=())
        )
        assert "orderId" not in data
        assert data["gift"] is False
        assert data["customerId"] == 0
        assert data["customerNotes"] == ""
        assert data["items"] == []

    def test_fields_always_written_come_first_then_the_others_in_field_order(self) -> None:
        """As cattrs orders them: fields always written, then the omittable ones, in order."""
        data = ss_converter().unstructure(_order(order_id=5, customer_notes="x"))
        assert list(data) == ["orderNumber", "orderDate", "orderStatus", "orderId", "customerNotes"]

    def test_an_unrecognized_enum_value_is_written_back_as_sent(self) -> None:
        """``Unrecognized("stones")`` is written ``"stones"``; a member as its value."""
        data = ss_converter().unstructure(_full_order())
        assert data["weight"]["units"] == "stones"
        assert data["orderStatus"] == "awaiting_shipment"

    def test_listing_mirror_aliases_are_the_keys_written(self) -> None:
        """Aliased fields are written under the alias, in the model's field order."""
        order = lm.Order(
            order_id=1,
            market_order_id="M",
            order_datetime=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
            order_status=lm.OrderStatus.PAID,
            order_items=(lm.OrderItem(sku="A", quantity=2, price=Decimal("1.50")),),
            is_gift=True,
        )
        data = lm_converter().unstructure(order)
        keys = list(data)
        assert "purchase_date" in keys and "order_datetime" not in keys
        assert keys.index("purchase_date") == 4  # where order_datetime is among the fields
        assert data["items"] == [
            {
                "sku": "A",
                "qty": 2,
                "unit_price": "1.50",
                **{k: v for k, v in data["items"][0].items() if k not in {"sku", "qty"}},
            }
        ]
        assert list(data["items"][0])[:3] == ["sku", "qty", "unit_price"]
        assert data["gift"] is True
        assert_same(data, reference(lm_converter, classes=[lm.Order]).unstructure(order))

    def test_the_example_orders_convert_to_the_same_bytes(self) -> None:
        """The shipped example, converted and written, is byte for byte what cattrs wrote."""
        parsed = lm.read_orders(_jsontext.loads(EXAMPLE_ORDERS.read_bytes()))
        orders = list(mapping.convert_orders(parsed.orders).orders)
        assert orders
        slow = reference(lambda: ss.make_converter(detailed=False), classes=SS_MODELS)
        fast = ss.make_converter(detailed=False)
        assert ss.dumps(orders, converter=fast) == ss.dumps(orders, converter=slow)
        assert ss.dumps(orders, converter=fast, indent=2) == ss.dumps(
            orders, converter=slow, indent=2
        )


class TestUserHooks:
    """Hooks a user registers are used, whether registered before or after first use."""

    def _register(self, converter: cattrs.Converter) -> None:
        converter.register_unstructure_hook(Decimal, lambda value: f"D{value}")
        converter.register_unstructure_hook(str, str.upper)
        converter.register_unstructure_hook(ss.Address, lambda value: {"addr": value.name})
        converter.register_unstructure_hook(ss.OrderStatus, lambda value: f"S:{value.value}")
        converter.register_unstructure_hook(Unrecognized, lambda value: f"U:{value.raw}")
        converter.register_unstructure_hook_func(
            lambda tp: tp == tuple[int, ...], lambda value: "|".join(map(str, value))
        )

    def _check(self, data: dict[str, Any]) -> None:
        assert data["orderTotal"] == "D12.50"
        assert data["customerUsername"] == "BOB"
        assert data["orderNumber"] == "A-1"  # upper already; a str written always
        assert data["shipTo"] == {"addr": "Bob"}
        assert data["orderStatus"] == "S:awaiting_shipment"
        assert data["weight"] == {"value": "D3", "units": "U:stones"}
        assert data["items"][0]["unitPrice"] == "D2.5"
        assert data["items"][0]["sku"] == "A"
        assert data["tagIds"] == "1|2"

    @pytest.mark.parametrize("used_before", [False, True])
    def test_hooks_registered_on_the_converter_are_used(self, used_before: bool) -> None:
        """Registered on a fresh converter, or after it wrote (and cached) its functions."""
        converter = ss_converter()
        if used_before:
            converter.unstructure(_full_order())
        self._register(converter)
        data = converter.unstructure(_full_order())
        self._check(data)
        slow = reference(ss_converter, classes=[])
        self._register(slow)
        with cattrs_generation():
            expected = slow.unstructure(_full_order())
        assert_same(data, expected)

    def test_a_users_str_hook_replaces_the_identity(self) -> None:
        """``str`` is written as is only while its hook is cattrs' identity."""
        converter = lm_converter()
        converter.register_unstructure_hook(str, lambda value: value + "!")
        data = converter.unstructure(lm.Address(name="Bob"))
        assert data["name"] == "Bob!"
        assert data["city"] is None  # T | None: None is not given to the str hook

    def test_a_user_hook_for_the_lenient_enum_type_is_used(self) -> None:
        """A hook for ``E | Unrecognized`` itself (not its parts) is called as registered."""
        converter = ss_converter()
        converter.register_unstructure_hook(ss.WeightUnit | Unrecognized, lambda value: "custom")
        data = converter.unstructure(ss.Weight(value=Decimal(1), units=ss.WeightUnit.OUNCES))
        assert data["units"] == "custom"


# -- classes beyond our models: the options of cattrs' generator ------------------------------


@attrs.frozen
class Node:
    """A model that holds itself (cattrs writes the inner one with ``converter.unstructure``)."""

    name: str
    child: "Node | None" = None


attrs.resolve_types(Node)


@attrs.define
class Options:
    """Defaults of every kind, a field outside ``__init__``, renames and hooks."""

    plain: int
    flag: bool = False
    count: int = 0
    words: tuple[str, ...] = ()
    listed: list[int] = attrs.Factory(list)
    echo: int = attrs.Factory(lambda self: self.count, takes_self=True)
    money: Decimal = Decimal("1.00")
    maybe: Decimal | None = None
    secret: str = "s"
    hidden: int = attrs.field(init=False, default=7)


T = TypeVar("T")


@attrs.define
class Box(Generic[T]):
    """A generic class: left to cattrs."""

    value: T


@attrs.define
class Converted:
    """A field with an attrs converter: left to cattrs."""

    value: int = attrs.field(default=0, converter=int)


def _plain_converter() -> cattrs.Converter:
    converter = cattrs.Converter()
    _hooks.register_decimal(converter, as_string=False)
    _hooks.register_fast_optionals(converter)
    converter.register_unstructure_hook_factory(
        attrs.has, lambda cls: _fast_unstructure.make_unstructure_fn(cls, converter)
    )
    return converter


OPTION_OVERRIDES: list[dict[str, Any]] = [
    {},
    {"secret": override(omit=True), "plain": override(rename="Plain")},
    {"hidden": override(omit=False), "flag": override(omit_if_default=True)},
    {"count": override(omit_if_default=False), "money": override(unstruct_hook=str)},
    {"words": override(unstruct_hook=lambda value: "+".join(value), omit_if_default=True)},
]


class TestCattrsOptions:
    """The generator honours every option of ``make_dict_unstructure_fn`` it takes."""

    @pytest.mark.parametrize("overrides", OPTION_OVERRIDES)
    @pytest.mark.parametrize("omit_all", [False, True])
    @given(
        plain=st.integers(),
        flag=st.booleans(),
        count=st.sampled_from([0, 1]),
        words=st.sampled_from([(), ("a",)]),
        listed=st.sampled_from([[], [1]]),
        echo=st.sampled_from([0, 1]),
        money=st.sampled_from([Decimal("1.00"), Decimal("1.0"), Decimal("2")]),
        maybe=st.sampled_from([None, Decimal("5")]),
    )
    def test_defaults_factories_and_overrides(
        self, overrides: dict[str, Any], omit_all: bool, **values: Any
    ) -> None:
        """Defaults other than None, Factory defaults, omit, rename and hook overrides.

        ``!=`` for non-None defaults (``1.0 == 1.00`` is left out, as cattrs does), a Factory
        called per instance (with ``self`` when it takes it).
        """
        converter = _plain_converter()
        fast = _fast_unstructure.make_unstructure_fn(
            Options, converter, _cattrs_omit_if_default=omit_all, **overrides
        )
        slow = make_dict_unstructure_fn(
            Options, converter, _cattrs_omit_if_default=omit_all, **overrides
        )
        assert _fast_unstructure.is_generated(fast)
        assert_same_outcome(fast, slow, Options(**values))

    @pytest.mark.parametrize("use_alias", [False, True])
    def test_a_converter_that_writes_aliases(self, use_alias: bool) -> None:
        """With ``use_alias`` a field ``_x`` is written ``x``, as cattrs writes and records it."""

        @attrs.define
        class Private:
            _x: int = 1
            y: int = 2

        converter = cattrs.Converter(use_alias=use_alias)
        fast = _fast_unstructure.make_unstructure_fn(Private, converter)
        slow = make_dict_unstructure_fn(Private, converter)
        assert _fast_unstructure.is_generated(fast)
        assert_same(fast(Private(x=3)), slow(Private(x=3)))
        assert list(fast(Private(x=3))) == (["x", "y"] if use_alias else ["_x", "y"])
        assert fast.overrides == slow.overrides  # type: ignore[attr-defined]

    def test_a_model_that_holds_itself(self) -> None:
        """The inner instance goes through ``converter.unstructure``, as in cattrs."""
        converter = _plain_converter()
        value = Node("a", Node("b", Node("c")))
        with mock.patch.object(
            _fast_unstructure, "_generate", wraps=_fast_unstructure._generate
        ) as generate:
            fast = _fast_unstructure.make_unstructure_fn(
                Node, converter, _cattrs_omit_if_default=True
            )
        # Once for the call, once for the converter's own hook of the field (which meets Node
        # again and stops there): not down to Python's recursion limit.
        assert generate.call_count <= 2
        slow = make_dict_unstructure_fn(Node, converter, _cattrs_omit_if_default=True)
        assert_same(fast(value), slow(value))
        # The inner ones by the converter's own hook, which does not omit defaults.
        inner = {"name": "b", "child": {"name": "c", "child": None}}
        assert fast(value) == {"name": "a", "child": inner}

    @pytest.mark.parametrize("cls", [Box[int], Box, Converted])
    def test_classes_it_does_not_handle_get_cattrs_function(self, cls: Any) -> None:
        """Generic classes and fields with attrs converters: cattrs' own function."""
        converter = _plain_converter()
        fn = _fast_unstructure.make_unstructure_fn(cls, converter, _cattrs_omit_if_default=True)
        assert not _fast_unstructure.is_generated(fn)
        value = (typing.get_origin(cls) or cls)(5) if cls is not Converted else Converted(3)
        assert fn(value) == make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True)(
            value
        )

    def test_an_enum_with_its_own_value_property_is_written_through_its_hook(self) -> None:
        """Only Enum's own ``value`` is read as ``_value_``; an override is called."""

        class Shouty(enum.Enum):
            A = "a"

            @property
            def value(self) -> str:  # type: ignore[override]
                return str(self._value_).upper()

        @attrs.frozen
        class Holder:
            mood: Shouty | Unrecognized

        converter = cattrs.Converter()
        _hooks.register_lenient_enums(converter)
        fn = _fast_unstructure.make_unstructure_fn(Holder, converter)
        assert _fast_unstructure.is_generated(fn)
        assert fn(Holder(Shouty.A)) == {"mood": "A"}
        assert fn(Holder(Unrecognized("b"))) == {"mood": "b"}


def test_a_hooks_stop_iteration_in_a_list_becomes_runtime_error_as_with_cattrs() -> None:
    """A list is written as cattrs' generator writes it: StopIteration is a RuntimeError."""
    order = _full_order()
    converters = (ss_converter(), reference(ss_converter, classes=[ss.Order]))
    for converter in converters:
        base = converter.get_unstructure_hook(ss.OrderItem)

        def item_hook(item: ss.OrderItem, base: Any = base) -> Any:
            written = base(item)
            written["sku"] = next(sku for sku in () if sku == item.sku)
            return written

        converter.register_unstructure_hook(ss.OrderItem, item_hook)
        with pytest.raises(RuntimeError, match="generator raised StopIteration"):
            converter.unstructure(order)
        with pytest.raises(RuntimeError):  # not an early end of the map: no order lost
            list(map(converter.unstructure, [order, order]))


def test_a_hostile_class_name_stays_out_of_the_code() -> None:
    name = "X(instance):\n    raise SystemExit('injected')\ndef Y"
    hostile = attrs.make_class(
        name, {"sku": attrs.field(type=str | None, default=None)}, frozen=True
    )
    fn = _fast_unstructure.make_unstructure_fn(hostile, ss_converter())
    assert _fast_unstructure.is_generated(fn)
    assert fn(hostile(sku="a")) == {"sku": "a"}


def test_a_name_the_parser_rewrites_still_gives_a_function() -> None:
    """``ﬁ`` is an identifier that ``def`` binds as ``fi`` (NFKC): names are ASCII."""
    model = attrs.make_class("Model", {"sku": attrs.field(type=str | None, default=None)})
    model.__name__ = "\ufb01"
    fn = _fast_unstructure.make_unstructure_fn(model, ss_converter())
    assert _fast_unstructure.is_generated(fn)
    assert fn(model(sku="a")) == {"sku": "a"}


def test_validation_refuses_a_sku_that_is_not_text_as_before() -> None:
    """A hand-built line whose SKU is a list: a TypeError, as the regex raised."""
    item = ss.OrderItem(sku=["a"], quantity=1, unit_price=Decimal(1))  # type: ignore[arg-type]
    address = ss.Address(name="Bob", street1="1 Rue", city="Paris", country="FR")
    order = attrs.evolve(_full_order(), bill_to=address, ship_to=address, weight=None)
    ss.validate_order_for_create(order)  # valid as it is
    order = attrs.evolve(order, items=(item,))
    with pytest.raises(TypeError):
        ss.validate_order_for_create(order)
