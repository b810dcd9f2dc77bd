"""The faster __init__ of the models does exactly what attrs' own __init__ does."""

import ast
import inspect
import linecache
import pickle
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation import _fastinit
from listingmirror_shipstation import customstore as cs
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.errors import ValidationError

MODELS = sorted(
    {
        value
        for module in (lm.models, ss.models, cs.models)
        for name, value in vars(module).items()
        if isinstance(value, type) and attrs.has(value) and name in module.__all__
    },
    key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
)


def _original(cls: type, **kwargs: Any) -> Any:
    instance = object.__new__(cls)
    _fastinit.attrs_init(cls)(instance, **kwargs)
    return instance


def test_every_model_of_ours_is_installed() -> None:
    assert len(MODELS) > 40
    for cls in MODELS:
        assert cls.__init__ is not _fastinit.attrs_init(cls), cls


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_the_face_of_init_is_attrs_own(cls: type) -> None:
    ours, theirs = cls.__init__, _fastinit.attrs_init(cls)
    assert inspect.signature(ours) == inspect.signature(theirs)
    assert ours.__kwdefaults__ == theirs.__kwdefaults__
    assert (ours.__qualname__, ours.__doc__, ours.__annotations__) == (
        theirs.__qualname__,
        theirs.__doc__,
        theirs.__annotations__,
    )


def _field_values(cls: type) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for *cls*: every required field, some optional ones, any value."""
    anything = st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=5),
        st.booleans(),
        st.decimals(allow_nan=True, allow_infinity=True, places=2),
        st.sampled_from([datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1)]),  # noqa: DTZ001
        st.just(()),
    )
    fields = attrs.fields(cls)
    required = {a.alias: anything for a in fields if a.default is attrs.NOTHING}
    optional = {a.alias: anything for a in fields if a.default is not attrs.NOTHING}
    return st.fixed_dictionaries(required, optional=optional)


@st.composite
def cases(draw: st.DrawFn) -> tuple[type, dict[str, Any]]:
    cls = draw(st.sampled_from(MODELS))
    return cls, draw(_field_values(cls))


def _outcome(build: Any) -> tuple[str, Any]:
    try:
        instance = build()
    except (ValidationError, TypeError, ValueError) as exc:
        return type(exc).__name__, str(exc)
    return "ok", instance


@given(cases())
def test_the_same_instance_or_the_same_error(case: tuple[type, dict[str, Any]]) -> None:
    cls, kwargs = case
    ours = _outcome(lambda: cls(**kwargs))
    theirs = _outcome(lambda: _original(cls, **kwargs))
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] == "ok":
        for a in attrs.fields(cls):
            assert getattr(ours[1], a.name) is getattr(theirs[1], a.name), a.name
    else:
        assert ours[1] == theirs[1]


def test_a_naive_datetime_is_refused_and_none_is_not() -> None:
    naive = datetime(2026, 1, 1)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValidationError) as info:
        ss.OrderItem(create_date=naive)
    assert info.value.field == "create_date"
    assert ss.OrderItem(create_date=None).create_date is None
    with pytest.raises(ValidationError):
        ss.Order(
            order_number="1",
            order_date=datetime(2026, 1, 1, tzinfo=UTC),
            order_status=ss.OrderStatus.SHIPPED,
            ship_by_date=naive,
        )


def test_validators_switched_off_by_attrs_are_off() -> None:
    naive = datetime(2026, 1, 1)  # noqa: DTZ001 - the point of the test
    with attrs.validators.disabled():
        assert ss.OrderItem(create_date=naive).create_date is naive
    with pytest.raises(ValidationError):
        ss.OrderItem(create_date=naive)


def test_unknown_and_missing_arguments_say_so_as_before() -> None:
    for build in (lambda: ss.Weight(value=Decimal(1), unit="x"), lambda: ss.Weight(units=None)):
        ours = _outcome(build)
        assert ours[0] == "TypeError"
        assert "Weight.__init__()" in ours[1]


def test_frozen_evolve_pickle_and_subclasses_still_work() -> None:
    weight = ss.Weight(value=Decimal("1.5"), units=ss.WeightUnit.OUNCES)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        weight.value = Decimal(2)  # type: ignore[misc]
    assert attrs.evolve(weight, value=Decimal(2)).value == Decimal(2)
    assert pickle.loads(pickle.dumps(weight)) == weight  # noqa: S301 - our own bytes

    class Mine(ss.Weight):
        __slots__ = ()

    mine = Mine(value=Decimal(3), units=ss.WeightUnit.GRAMS)
    assert (type(mine), mine.value) == (Mine, Decimal(3))


def test_classes_that_are_not_plain_keep_attrs_init() -> None:
    @attrs.frozen(kw_only=True)
    class Converted:
        value: int = attrs.field(converter=int)

    @attrs.frozen(kw_only=True)
    class Factory:
        values: list[int] = attrs.Factory(list)

    @attrs.frozen(kw_only=True)
    class PostInit:
        value: int = 0

        def __attrs_post_init__(self) -> None:
            object.__setattr__(self, "value", self.value + 1)

    @attrs.frozen(kw_only=True, cache_hash=True)
    class Cached:
        value: int = 0

    @attrs.frozen
    class Positional:
        value: int = 0

    @attrs.define(kw_only=True, slots=False)
    class Dicts:
        value: int = 0

    plain = [Converted, Factory, PostInit, Cached, Positional, Dicts]
    assert _fastinit.install(plain) == []
    assert (Converted(value="3").value, PostInit().value, Cached(value=1).value) == (3, 1, 1)

    @attrs.frozen(kw_only=True)
    class Plain:
        value: int = 0

    assert _fastinit.install([Plain]) == [Plain]
    assert _fastinit.install([Plain]) == []  # once: the second time it is ours already
    assert Plain(value=2).value == 2


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_the_generated_source_holds_no_value(cls: type) -> None:
    """Only names are written into the code (values come in its globals): nothing to inject."""
    code = cls.__init__.__code__
    tree = ast.parse("".join(linecache.getlines(code.co_filename)))
    aliases = {a.alias for a in attrs.fields(cls)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            assert node.value is None, ast.dump(node)
        if isinstance(node, ast.Name):
            assert node.id in aliases | {"self", "_disabled", "_c", "_o"} or re.fullmatch(
                r"_[dsva][0-9]+", node.id
            ), node.id
        if isinstance(node, ast.Attribute):  # only the subclass test reads an attribute
            assert (ast.unparse(node), node.ctx.__class__) == ("self.__class__", ast.Load)
        assert not isinstance(node, ast.Subscript | ast.JoinedStr), ast.dump(node)


def test_a_subclass_is_built_by_attrs_init_so_its_properties_count() -> None:
    """A subclass may put a property in front of a field; object.__setattr__ honours it."""

    class Audited(ss.Weight):
        __slots__ = ()

        @property
        def value(self) -> Decimal:  # type: ignore[override]
            return Decimal(0)

    with pytest.raises(AttributeError, match="no setter"):
        Audited(value=Decimal(5), units=ss.WeightUnit.GRAMS)
