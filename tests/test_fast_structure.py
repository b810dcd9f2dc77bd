"""The generated fast structure functions read exactly what cattrs' functions read (issue 12).

``_fast_structure`` replaces, for the fast (non-detailed) converters, the function cattrs
generates per model class. These tests hold it to cattrs' function made for the same class, with
the same converter and overrides: on any input (valid wire data of every model, with values of
the wrong type, keys missing or added, ``None``, or no dict at all) both return equal models whose
values have the same types, or both raise the same error. They also hold the rules the shortcut
keeps: the converter's hooks (a user's included) read every value, the validators run (unless
disabled), aliases are read, strict and detailed converters keep cattrs' code, and a model that
holds itself is read as cattrs reads it.
"""

import ast
import collections
import functools
import linecache
import re
import types
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs
import cattrs
import pytest
from cattrs.gen import make_dict_structure_fn, override
from hypothesis import given, settings
from hypothesis import strategies as st

from listingmirror_shipstation import _fast_structure, _hooks, _jsontext
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.errors import ValidationError
from listingmirror_shipstation.listingmirror import models as lm_models
from listingmirror_shipstation.shipstation import json as ss_json
from listingmirror_shipstation.shipstation import models as ss_models
from listingmirror_shipstation.testing.strategies import strategy_for

#: The exceptions ``_hooks.structure`` turns into a ConversionError (a refusal, not a crash).
REFUSALS = (cattrs.BaseValidationError, ValueError, TypeError, KeyError, AttributeError)


def _models(module: types.ModuleType) -> list[type]:
    """Every attrs class a models module defines (its public names)."""
    values = [getattr(module, name) for name in module.__all__]
    return [value for value in values if isinstance(value, type) and attrs.has(value)]


LM_CONVERTER = lm.make_converter(detailed=False)
SS_CONVERTER = ss.make_converter(detailed=False)
CASES = [("lm", cls) for cls in _models(lm_models)] + [("ss", cls) for cls in _models(ss_models)]


def _converter(platform: str) -> cattrs.Converter:
    return LM_CONVERTER if platform == "lm" else SS_CONVERTER


def _cattrs_function(platform: str, cls: type, conv: cattrs.Converter) -> Any:
    """The function cattrs makes for *cls*, made as the platform's factory makes it."""
    if platform == "lm":
        return make_dict_structure_fn(cls, conv)
    return make_dict_structure_fn(cls, conv, **ss_json._overrides(cls, omit_none=False))


def _shape(value: object) -> object:
    """The class of *value* and, recursively, of every value it holds."""
    if attrs.has(type(value)):
        return (
            type(value),
            tuple(_shape(getattr(value, a.name)) for a in attrs.fields(type(value))),
        )
    if isinstance(value, tuple | list):
        return (type(value), tuple(_shape(item) for item in value))
    return type(value)


def _outcome(function: Callable[[], object]) -> tuple[str, object]:
    """What calling *function* gives: its result, or the refusal it raises."""
    try:
        return "ok", function()
    except REFUSALS as exc:
        return "refused", exc


def _assert_same(fast: tuple[str, object], slow: tuple[str, object], *, same_error: bool) -> None:
    """Equal models with values of the same classes, or both refused (the same way, if asked)."""
    assert fast[0] == slow[0], (fast, slow)
    if fast[0] == "ok":
        assert fast[1] == slow[1]
        assert repr(fast[1]) == repr(slow[1])  # Decimal("1.0") == Decimal("1.00"), not the same
        assert _shape(fast[1]) == _shape(slow[1])
        try:
            expected = hash(slow[1])
        except TypeError:  # a model holding a list: unhashable both ways
            expected = None
        if expected is not None:
            assert hash(fast[1]) == expected  # e.g. a cached hash slot left unset
    elif same_error:
        assert type(fast[1]) is type(slow[1])
        assert str(fast[1]) == str(slow[1])


#: Values of every kind, most of them wrong for most fields.
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.decimals(),
    st.text(max_size=6),
    st.sampled_from(
        [
            "",
            " 12 ",
            "1e999",
            "NaN",
            "true",
            "False",
            "2026-11-01T00:00:00",
            "2026-11-01T00:00:00Z",
            "2026-11-01",
            "Paid",
            "shipped",
            "lbs",
            "12.50",
        ]
    ),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _mutate(draw: st.DrawFn, node: Any) -> Any:
    """*node* with some keys dropped, some added and some values swapped for junk."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            choice = draw(st.integers(0, 9))
            if choice == 0:
                continue  # a missing key (a required one too)
            out[key] = draw(JUNK) if choice == 1 else _mutate(draw, value)
        if draw(st.integers(0, 4)) == 0:
            out[draw(st.text(max_size=8))] = draw(JUNK)  # an extra key, or a known one replaced
        return out
    if isinstance(node, list):
        return [_mutate(draw, item) for item in node]
    return draw(JUNK) if draw(st.integers(0, 6)) == 0 else node


def _not_a_dict(document: dict[str, Any]) -> st.SearchStrategy[Any]:
    """The same data in something that is not exactly a dict, or no mapping at all."""
    return st.sampled_from(
        [
            types.MappingProxyType(document),
            collections.OrderedDict(document),
            list(document.items()),
            None,
            "order",
            [],
        ]
    )


@st.composite
def documents(draw: st.DrawFn, platform: str, cls: type) -> Any:
    """Wire data for *cls*: written from a valid model, then perhaps damaged."""
    model = draw(strategy_for(cls))
    conv = _converter(platform)
    text = lm.dumps(model, converter=conv) if platform == "lm" else ss.dumps(model, converter=conv)
    document = _jsontext.loads(text)
    if draw(st.integers(0, 2)):
        document = _mutate(draw, document)
    if draw(st.integers(0, 14)) == 0:
        return draw(_not_a_dict(document))
    return document


def test_every_model_class_takes_the_fast_function() -> None:
    """Each model class of both platforms is read by a generated function (no silent fallback)."""
    assert len(CASES) > 30
    for platform, cls in CASES:
        assert _fast_structure.is_fast(_converter(platform).get_structure_hook(cls)), cls


#: Each property below runs once per model class (about forty, nested in one another, so every
#: class is drawn again inside its parents): a quarter of the profile's examples per class keeps
#: the whole file to about a minute and still draws over a thousand documents per property.
PER_CLASS = settings(max_examples=max(10, settings.default.max_examples // 4))


@pytest.mark.parametrize(("platform", "cls"), CASES, ids=lambda v: getattr(v, "__name__", v))
@PER_CLASS
@given(data=st.data())
def test_the_fast_function_reads_what_cattrs_reads(
    platform: str, cls: type, data: st.DataObject
) -> None:
    """Same model (same value types) or the same error as cattrs' function, on any input."""
    conv = _converter(platform)
    document = data.draw(documents(platform, cls))
    fast = conv.get_structure_hook(cls)
    slow = _cattrs_function(platform, cls, conv)
    _assert_same(
        _outcome(lambda: fast(document, cls)),
        _outcome(lambda: slow(document, cls)),
        same_error=True,
    )


@pytest.mark.parametrize(("platform", "cls"), CASES, ids=lambda v: getattr(v, "__name__", v))
@PER_CLASS
@given(data=st.data())
def test_the_fast_converter_reads_what_its_explainer_reads(
    platform: str, cls: type, data: st.DataObject
) -> None:
    """At every depth: the fast converter and its detailed copy (all cattrs) agree."""
    conv = _converter(platform)
    document = data.draw(documents(platform, cls))
    _assert_same(
        _outcome(lambda: conv.structure(document, cls)),
        _outcome(lambda: _hooks.explainer(conv).structure(document, cls)),
        same_error=False,
    )


ITEM = {"sku": "MUG", "quantity": 2, "price": "19.98", "title": "Mug", "is_gift": True}
ORDER = {
    "order_id": 7,
    "market_order_id": "111-222",
    "order_status": "Paid",
    "order_datetime": "2026-11-27T12:00:00Z",
    "order_items": [ITEM],
    "is_gift": False,
}


class _Watched(collections.UserDict[str, Any]):
    """A mapping that records how it is read."""

    def __init__(self, data: Mapping[str, Any], log: list[tuple[str, object]]) -> None:
        super().__init__(data)
        self.log = log

    def __contains__(self, key: object) -> bool:
        self.log.append(("in", key))
        return super().__contains__(key)

    def __getitem__(self, key: str) -> Any:
        self.log.append(("get", key))
        return super().__getitem__(key)


@pytest.mark.parametrize("cls", [lm.OrderItem, lm.Order])
def test_a_mapping_that_is_not_a_dict_is_read_by_cattrs_code(cls: type) -> None:
    """Only an exact dict takes the shortcut; any other mapping is read by cattrs' function."""
    document = ITEM if cls is lm.OrderItem else ORDER
    fast_log: list[tuple[str, object]] = []
    slow_log: list[tuple[str, object]] = []
    fast = LM_CONVERTER.get_structure_hook(cls)(_Watched(document, fast_log), cls)
    slow = make_dict_structure_fn(cls, LM_CONVERTER)(_Watched(document, slow_log), cls)
    assert fast == slow == LM_CONVERTER.get_structure_hook(cls)(dict(document), cls)
    assert fast_log == slow_log  # the very same reads, in the same order
    hook = LM_CONVERTER.get_structure_hook(cls)
    assert hook(types.MappingProxyType(document), cls) == slow
    assert hook(collections.OrderedDict(document), cls) == slow
    with pytest.raises(TypeError):
        hook(["sku", "MUG"], cls)


def test_a_missing_required_key_is_refused_by_cattrs_code() -> None:
    """A required key missing: the same KeyError cattrs' own function raises."""
    item = {"sku": "MUG", "price": "1.00"}
    fast = LM_CONVERTER.get_structure_hook(lm.OrderItem)
    slow = make_dict_structure_fn(lm.OrderItem, LM_CONVERTER)
    _assert_same(
        _outcome(lambda: fast(item, lm.OrderItem)),
        _outcome(lambda: slow(item, lm.OrderItem)),
        same_error=True,
    )
    with pytest.raises(KeyError, match="quantity"):
        fast(item, lm.OrderItem)


def _upper(value: Any, _: Any) -> str:
    return str(value).upper()


@pytest.mark.parametrize("when", ["on a copy", "after make_converter"])
def test_a_users_string_hook_reads_every_string(when: str) -> None:
    """A hook registered for ``str`` is called for plain strings too (no shortcut past it)."""
    if when == "on a copy":
        conv = lm.make_converter(detailed=False).copy()
    else:
        conv = lm.make_converter(detailed=False)
    conv.register_structure_hook(str, _upper)
    order = conv.structure(ORDER, lm.Order)
    assert order.market_order_id == "111-222"  # digits: upper() changes nothing
    assert order.order_items[0].sku == "MUG"
    assert order.order_items[0].title == "MUG"  # str | None, read by the user's hook
    assert _fast_structure.is_fast(conv.get_structure_hook(lm.Order))


def test_a_users_int_and_bool_hooks_are_called() -> None:
    """Hooks for ``int`` and ``bool`` replaced after the converter was made are used."""
    conv = ss.make_converter(detailed=False)
    conv.register_structure_hook(int, lambda v, _: v * 10)
    conv.register_structure_hook(bool, lambda v, _: not v)
    result = conv.structure({"orderId": 4, "success": True}, ss.CreateOrderResult)
    assert result.order_id == 40
    assert result.success is False


def test_a_wrapped_hook_of_ours_is_not_taken_for_ours() -> None:
    """``functools.wraps`` copies a function's attributes: the shortcut must still call it."""
    calls: list[object] = []

    @functools.wraps(_hooks._structure_str)
    def counting(value: object, tp: type) -> str:
        calls.append(value)
        return _hooks._structure_str(value, tp)

    conv = lm.make_converter(detailed=False)
    conv.register_structure_hook(str, counting)
    conv.structure({"name": "Size", "value": "L"}, lm.ItemOption)
    assert calls == ["Size", "L"]


def test_a_users_model_hook_is_used_inside_other_models() -> None:
    """A hook registered for a nested model class reads that field."""
    conv = lm.make_converter(detailed=False)
    marker = lm.Address(name="from the user's hook")
    conv.register_structure_hook(lm.Address, lambda v, _: marker)
    order = conv.structure({**ORDER, "ship_to": {"name": "Ana"}}, lm.Order)
    assert order.ship_to is marker


def _naive_times(conv: cattrs.Converter) -> None:
    conv.register_structure_hook(datetime, lambda v, _: datetime.fromisoformat(v[:19]))


def test_the_validators_still_refuse_a_naive_time() -> None:
    """A hook that returns a naive time: the model's validator refuses it, as ``__init__`` does."""
    conv = lm.make_converter(detailed=False)
    _naive_times(conv)
    hook = conv.get_structure_hook(lm.Order)
    assert _fast_structure.is_fast(hook)
    with pytest.raises(ValidationError, match="naive"):
        hook(ORDER, lm.Order)
    with pytest.raises(ValidationError, match="naive"):
        make_dict_structure_fn(lm.Order, conv)(ORDER, lm.Order)
    parsed = lm.read_orders(
        [ORDER, {**ORDER, "last_modified": "2026-11-27T12:00:00"}], converter=conv
    )
    assert parsed.orders == ()
    assert len(parsed.errors) == 2


def test_validators_disabled_by_attrs_are_not_run() -> None:
    """Under ``attrs.validators.disabled()`` the naive time is let through, as ``__init__`` does."""
    conv = lm.make_converter(detailed=False)
    _naive_times(conv)
    hook = conv.get_structure_hook(lm.Order)
    with attrs.validators.disabled():
        fast = hook(ORDER, lm.Order)
        slow = make_dict_structure_fn(lm.Order, conv)(ORDER, lm.Order)
    assert fast == slow
    assert fast.order_datetime.tzinfo is None


def test_aliases_are_read_through_the_fast_function() -> None:
    """Listing Mirror's real key names still land in the fields (the alias layer stays on top)."""
    conv = lm.make_converter(
        detailed=False, aliases={lm.Order: {"purchase_date": "order_datetime", "id": "order_id"}}
    )
    raw = {k: v for k, v in ORDER.items() if k not in ("order_datetime", "order_id")}
    order = conv.structure({**raw, "purchase_date": "2026-11-20T10:00:00Z", "id": 9}, lm.Order)
    assert order.order_datetime == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert order.order_id == 9
    assert order == lm.make_converter(
        detailed=True, aliases={lm.Order: {"purchase_date": "order_datetime", "id": "order_id"}}
    ).structure({**raw, "purchase_date": "2026-11-20T10:00:00Z", "id": 9}, lm.Order)


def test_the_camel_case_names_of_shipstation_are_read() -> None:
    """ShipStation's renames (camelCase, ``WebHookID``) are the keys the fast function reads."""
    order = SS_CONVERTER.structure(
        {
            "orderNumber": "A-1",
            "orderDate": "2026-11-27T08:00:00.0000000",
            "orderStatus": "shipped",
            "order_number": "ignored",
            "billTo": {"postalCode": "98101"},
        },
        ss.Order,
    )
    assert order.order_number == "A-1"
    assert order.bill_to == ss.Address(postal_code="98101")
    hook = SS_CONVERTER.get_structure_hook(ss.Webhook)
    assert hook({"WebHookID": 5, "IsLabelAPIHook": True}, ss.Webhook).web_hook_id == 5


@pytest.mark.parametrize("module", [lm, ss])
def test_strict_and_detailed_converters_keep_cattrs_functions(module: types.ModuleType) -> None:
    """``forbid_extra_keys`` and detailed validation: cattrs' code, its errors word for word."""
    cls = module.Order
    for conv in (
        module.make_converter(strict=True, detailed=False),
        module.make_converter(detailed=True),
        _hooks.explainer(module.make_converter(detailed=False)),
    ):
        assert not _fast_structure.is_fast(conv.get_structure_hook(cls)), conv
    strict = module.make_converter(strict=True, detailed=False)
    wire = {"orderNumber": "A"} if module is ss else {"order_id": 1}
    with pytest.raises(cattrs.ForbiddenExtraKeysError, match="surprise"):
        strict.structure({**wire, "surprise": 1}, cls)


@attrs.frozen(kw_only=True)
class Node:
    """A model that holds itself (a tree of categories, say)."""

    name: str
    children: tuple["Node", ...] = ()
    parent: "Node | None" = None


attrs.resolve_types(Node)


def test_a_model_that_holds_itself_is_read_as_cattrs_reads_it() -> None:
    """Recursion binds late, as in cattrs; the result is cattrs' result."""
    conv = lm.make_converter(detailed=False)
    tree = {
        "name": "a",
        "children": [{"name": "b", "children": [{"name": "c"}]}],
        "parent": {"name": "root"},
    }
    hook = conv.get_structure_hook(Node)
    assert _fast_structure.is_fast(hook)
    assert hook(tree, Node) == make_dict_structure_fn(Node, conv)(tree, Node)
    assert hook(tree, Node).children[0].children[0] == Node(name="c")
    bad = {"name": "a", "children": [{"name": 5.5}]}
    assert _outcome(lambda: hook(bad, Node))[0] == "refused"


def test_a_model_that_holds_itself_is_generated_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cycle is seen and bound late, not followed until Python's recursion limit."""
    generated: list[type] = []
    real = _fast_structure._generate

    def counting(cls: type, *args: Any) -> Any:
        generated.append(cls)
        return real(cls, *args)

    monkeypatch.setattr(_fast_structure, "_generate", counting)
    conv = lm.make_converter(detailed=False)
    assert conv.structure({"name": "a", "children": [{"name": "b"}]}, Node).children[0].name == "b"
    assert 1 <= generated.count(Node) <= 3


@attrs.frozen
class Plain:
    """Slotted, positional, a factory default: built without ``__init__``."""

    quantity: int
    tags: list[str] = attrs.Factory(list)


@attrs.define
class Posted:
    """A post-init hook: the fast function must call the class."""

    quantity: int
    seen: list[int] = attrs.field(factory=list, eq=False)

    def __attrs_post_init__(self) -> None:
        self.seen.append(self.quantity)


@attrs.frozen
class Converted:
    """An attrs converter on a field: left to cattrs entirely."""

    quantity: int = attrs.field(converter=abs)


@attrs.frozen(cache_hash=True)
class Hashed:
    """A cached hash: ``__init__`` sets a slot of its own, so the class is called."""

    quantity: int


@attrs.frozen
class SelfFactory:
    """A default that takes the instance: left to cattrs."""

    quantity: int
    double: int = attrs.field(
        default=attrs.Factory(lambda self: self.quantity * 2, takes_self=True)
    )


@pytest.mark.parametrize("cls", [Plain, Posted, Converted, Hashed, SelfFactory])
@given(quantity=st.one_of(st.integers(), JUNK), tags=st.one_of(st.none(), st.lists(st.text())))
def test_classes_of_other_shapes_read_as_cattrs_reads_them(
    cls: type, quantity: object, tags: object
) -> None:
    """Post-init, converters, cached hashes, factories: the same model as cattrs builds."""
    conv = lm.make_converter(detailed=False)
    document: dict[str, Any] = {"quantity": quantity}
    if tags is not None and cls is Plain:
        document["tags"] = tags
    _assert_same(
        _outcome(lambda: conv.get_structure_hook(cls)(document, cls)),
        _outcome(lambda: make_dict_structure_fn(cls, conv)(document, cls)),
        same_error=True,
    )


def test_which_shapes_are_built_without_init() -> None:
    """Only classes whose ``__init__`` just sets slots skip it; the others are called."""
    assert _fast_structure._init_only_sets_slots(Plain, attrs.fields(Plain))
    assert _fast_structure._init_only_sets_slots(lm.Order, attrs.fields(lm.Order))
    for cls in (Posted, Converted, Hashed, SelfFactory):
        assert not _fast_structure._init_only_sets_slots(cls, attrs.fields(cls)), cls


def test_a_factory_default_is_called_for_each_model() -> None:
    """An absent key with a factory default: a new value per model, never one shared."""
    hook = LM_CONVERTER.get_structure_hook(Plain)
    first, second = hook({"quantity": 1}, Plain), hook({"quantity": 2}, Plain)
    assert first.tags == [] and first.tags is not second.tags


def test_a_post_init_hook_runs_once() -> None:
    """A class with ``__attrs_post_init__`` is built by ``__init__``: the hook runs."""
    posted = LM_CONVERTER.get_structure_hook(Posted)({"quantity": 3}, Posted)
    assert posted.seen == [3]


def _all_values(value: object) -> Iterator[object]:
    yield value
    if attrs.has(type(value)):
        for a in attrs.fields(type(value)):
            yield from _all_values(getattr(value, a.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _all_values(item)


def test_absent_keys_take_the_default_object_itself() -> None:
    """An absent key is the field's default (the very object ``__init__`` would use)."""
    item = LM_CONVERTER.structure({"quantity": 1, "price": "2"}, lm.OrderItem)
    assert item.options is attrs.fields(lm.OrderItem).options.default
    assert all(not isinstance(v, Mapping) for v in _all_values(item))


@attrs.frozen
class Keyed:
    """A model whose wire key is hostile text (a rename is configuration, never code)."""

    value: str
    extra: str | None = None


HOSTILE_KEY = "x'] + __import__('os').getcwd() + o['\n\"\"\"\\"


def test_a_hostile_wire_key_is_read_as_a_literal_key() -> None:
    """Keys are written into the generated source as literals: text there never runs."""
    conv = lm.make_converter(detailed=False)
    renames = {
        "value": override(rename=HOSTILE_KEY),
        "extra": override(rename=HOSTILE_KEY + "2"),
    }
    base = make_dict_structure_fn(Keyed, conv, **renames)
    hook = _fast_structure.make_structure_fn(Keyed, conv, base, **renames)
    assert _fast_structure.is_fast(hook)
    assert hook({HOSTILE_KEY: "v", HOSTILE_KEY + "2": "e"}, Keyed) == Keyed(value="v", extra="e")
    with pytest.raises(KeyError):
        hook({"x": "v"}, Keyed)


@pytest.mark.parametrize(("platform", "cls"), CASES, ids=lambda v: getattr(v, "__name__", v))
def test_the_generated_source_holds_only_names_and_wire_keys(platform: str, cls: type) -> None:
    """No value is written into the code but the wire keys, as ``str`` literals."""
    hook = _converter(platform).get_structure_hook(cls)
    tree = ast.parse("".join(linecache.getlines(hook.__code__.co_filename)))
    keys = {
        a.name if platform == "lm" else ss_json.wire_name(cls, a.name) for a in attrs.fields(cls)
    }
    aliases = {a.alias for a in attrs.fields(cls)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            assert node.value is None or node.value in keys, ast.dump(node)
        if isinstance(node, ast.Name):
            assert node.id in aliases | {"o", "_", "self", "dict"} or re.fullmatch(
                r"v[0-9]+|_[a-z]+|_[a-z][0-9]+(_[0-9]+)?", node.id
            ), node.id
        assert not isinstance(node, ast.Subscript) or (
            isinstance(node.value, ast.Name) and node.value.id == "o"
        ), ast.dump(node)


def test_a_class_of_its_own_new_or_metaclass_is_created_as_cattrs_creates_it() -> None:
    """Interning in __new__, a metaclass __call__, an __init__ patched later: all still run."""
    seen: list[object] = []

    @attrs.frozen(kw_only=True)
    class Interned:
        sku: str
        qty: int = 0

        def __new__(cls, *args: object, **kwargs: object) -> "Interned":
            seen.append(("new", kwargs))
            return super().__new__(cls)

    class Meta(type):
        def __call__(cls, *args: object, **kwargs: object) -> object:
            seen.append(("meta", kwargs))
            return super().__call__(*args, **kwargs)

    @attrs.frozen(kw_only=True)
    class WithMeta(metaclass=Meta):
        sku: str

    @attrs.frozen(kw_only=True)
    class Patched:
        sku: str

    for conv in (ss.make_converter(detailed=False), lm.make_converter(detailed=False)):
        seen.clear()
        assert conv.structure({"sku": "a", "qty": 1}, Interned) == Interned(sku="a", qty=1)
        assert conv.structure({"sku": "b"}, WithMeta).sku == "b"
        assert seen[0] == ("new", {"sku": "a", "qty": 1})
        assert ("meta", {"sku": "b"}) in seen
        assert conv.structure({"sku": "c"}, Patched).sku == "c"  # generated with attrs' init
        original = Patched.__init__

        def patched(self: Patched, *, sku: str, original: Any = original) -> None:
            seen.append(("init", sku))
            original(self, sku=sku.upper())

        Patched.__init__ = patched  # type: ignore[method-assign]
        try:
            assert conv.structure({"sku": "d"}, Patched).sku == "D"
        finally:
            Patched.__init__ = original  # type: ignore[method-assign]
        assert ("init", "d") in seen


def test_a_hostile_class_name_stays_out_of_the_code() -> None:
    name = "X(o, _=_cl):\n  raise SystemExit('injected')\ndef Y"
    hostile = attrs.make_class(name, {"sku": attrs.field(type=str)}, frozen=True, kw_only=True)
    conv = ss.make_converter(detailed=False)
    fn = _fast_structure.make_structure_fn(hostile, conv, lambda o, t: None)
    assert _fast_structure.is_fast(fn)
    assert fn({"sku": "a"}, hostile).sku == "a"


def test_a_hooks_stop_iteration_in_a_list_becomes_runtime_error_as_with_cattrs() -> None:
    """A list is read as cattrs' generator reads it: a hook's StopIteration is a RuntimeError."""
    conv = lm.make_converter(detailed=False)
    base = conv.get_structure_hook(lm.OrderItem)

    def item_hook(value: Any, cls: Any) -> Any:
        next(iter(()))  # a user's next() without a default
        return base(value, cls)  # pragma: no cover - never reached

    conv.register_structure_hook(lm.OrderItem, item_hook)
    with pytest.raises(RuntimeError, match="generator raised StopIteration"):
        conv.structure([{"sku": "A", "quantity": 1, "price": "1"}], tuple[lm.OrderItem, ...])
    with pytest.raises(RuntimeError):  # not an early end of the map: no order lost
        list(map(conv.structure, [[], [{"x": 1}], []], [tuple[lm.OrderItem, ...]] * 3))


def test_a_name_the_parser_rewrites_still_gives_a_function() -> None:
    """``ﬁ`` is an identifier that ``def`` binds as ``fi`` (NFKC): names are ASCII."""
    model = attrs.make_class("Model", {"sku": attrs.field(type=str)}, frozen=True, kw_only=True)
    model.__name__ = "\ufb01"
    conv = ss.make_converter(detailed=False)
    fn = _fast_structure.make_structure_fn(model, conv, lambda o, t: None)
    assert fn({"sku": "a"}, model).sku == "a"


def test_a_new_patched_after_generation_is_called() -> None:
    calls: list[object] = []

    @attrs.frozen(kw_only=True)
    class Late:
        sku: str

    conv = ss.make_converter(detailed=False)
    assert conv.structure({"sku": "a"}, Late).sku == "a"  # generated now, plain

    def new(cls: type, *args: object, **kwargs: object) -> object:
        calls.append(kwargs)
        return object.__new__(cls)

    Late.__new__ = new  # type: ignore[method-assign, assignment]
    try:
        assert conv.structure({"sku": "b"}, Late).sku == "b"
    finally:
        del Late.__new__
    assert calls == [{"sku": "b"}]
