"""cattrs helpers that every wire format shares.

Strict primitives (no ``bool("false") is True``, no ``int(2.5) == 2``), exact ``Decimal``,
lenient enums (``E | Unrecognized``), and the translation of cattrs' error groups into one
:class:`~listingmirror_shipstation.errors.ConversionError` whose paths use wire names.
"""

import enum
import operator
import re
import types
import typing
import weakref
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.fns import identity
from cattrs.v import format_exception

from . import _gc
from ._values import Unrecognized
from .errors import ConversionError, _forget_tracebacks

__all__ = [
    "FastConverter",
    "WireNames",
    "camel",
    "explainer",
    "inner_unstructure",
    "lenient_enum_parts",
    "passes_unchanged",
    "register_decimal",
    "register_fast_optionals",
    "register_lenient_enums",
    "register_strict_primitives",
    "register_strict_sequences",
    "structure",
    "unstructure",
]

T = TypeVar("T")

_SNAKE_PART = re.compile(r"_([a-z0-9])")


def camel(name: str) -> str:
    """Return the camelCase form of a snake_case attribute name.

    >>> camel("order_number"), camel("custom_field1"), camel("street1")
    ('orderNumber', 'customField1', 'street1')
    """
    return _SNAKE_PART.sub(lambda m: m.group(1).upper(), name)


#: Digits beyond which a number is not an id nor a quantity (ids fit in 64 bits: 19 digits).
_MAX_INT_DIGITS = 30
#: Exponent beyond which a decimal is not an amount any platform means (and arithmetic on it
#: would need unbounded precision).
_MAX_DECIMAL_EXPONENT = 100


def _structure_int(value: object, _: type) -> int:
    if value.__class__ is int:  # the common case first (bool is not int's class)
        return value
    if isinstance(value, bool):
        raise TypeError(f"expected an integer, got the boolean {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if not number.is_finite() or number.adjusted() > _MAX_INT_DIGITS:
            # 1e999999999 would make int() build a billion-digit number: refuse it first.
            raise ValueError(f"expected an integer, got {value!r}")
        if value != int(value):
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    raise TypeError(f"expected an integer, got {value!r}")


def _structure_str(value: object, _: type) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)  # an id sent as a number where a string is documented
    raise TypeError(f"expected a string, got {value!r}")


def _structure_bool(value: object, _: type) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise TypeError(f"expected a boolean, got {value!r}")


#: Hooks of this module that return a value of some exact classes unchanged, with those classes.
#: Only the function objects made here are in it (a user's hook, even one wrapped with
#: ``functools.wraps`` around ours, is not), so generated code may skip exactly these calls.
_UNCHANGED: Final["weakref.WeakKeyDictionary[Callable[..., Any], frozenset[type]]"] = (
    weakref.WeakKeyDictionary()
)


def passes_unchanged(hook: Callable[..., Any]) -> frozenset[type]:
    """The value classes *hook* returns unchanged when the value's class is exactly one of them.

    Empty for any hook this module did not make (it is then always called). Used by
    :mod:`._fast_structure` to skip a call whose result is known.
    """
    try:
        return _UNCHANGED.get(hook, frozenset())
    except TypeError:  # not weak-referenceable (a bound method, a builtin): not ours
        return frozenset()


def _passes(hook: Callable[..., Any], *classes: type) -> None:
    """Record that *hook* returns a value of one of *classes* (exactly) unchanged."""
    _UNCHANGED[hook] = frozenset(classes)


def _optional_inner(tp: Any) -> Any | None:
    """``T`` if *tp* is ``T | None`` with a single ``T``, else ``None``."""
    if typing.get_origin(tp) not in (types.UnionType, typing.Union):
        return None
    args = typing.get_args(tp)
    rest = [a for a in args if a is not type(None)]
    if len(args) != 2 or len(rest) != 1:
        return None
    return rest[0]


def register_fast_optionals(converter: cattrs.Converter) -> None:
    """Resolve ``T | None`` hooks once per type instead of on every value (a hot path)."""

    # Factories take the converter they build for (cattrs' extended factories), so a copy of
    # the converter (the detailed explainer, a user's copy) builds its own hooks, not ours.
    def structure_factory(tp: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
        inner = _optional_inner(tp)
        hook = converter.get_structure_hook(inner)
        if hook is _structure_str:  # the commonest field: no second call for a plain string

            def structure_optional_str(value: Any, _: Any) -> Any:
                if value is None or value.__class__ is str:
                    return value
                return _structure_str(value, str)

            _passes(structure_optional_str, type(None), str)
            return structure_optional_str
        if hook is _structure_int:

            def structure_optional_int(value: Any, _: Any) -> Any:
                if value is None or value.__class__ is int:
                    return value
                return _structure_int(value, int)

            _passes(structure_optional_int, type(None), int)
            return structure_optional_int

        if hook is _structure_decimal:  # amounts: mostly numeric strings, read in one call

            def structure_optional_decimal(value: Any, _: Any) -> Any:
                if value is None:
                    return None
                if value.__class__ is str:
                    try:
                        result = Decimal(value)
                    except InvalidOperation:
                        pass  # the full hook says why
                    else:
                        if result.is_finite() and (
                            not result or abs(result.adjusted()) <= _MAX_DECIMAL_EXPONENT
                        ):
                            return result
                return _structure_decimal(value, Decimal)

            _passes(structure_optional_decimal, type(None))
            return structure_optional_decimal

        def structure_optional(value: Any, _: Any) -> Any:
            return None if value is None else hook(value, inner)

        _passes(structure_optional, type(None), *passes_unchanged(hook))
        return structure_optional

    def unstructure_factory(tp: Any, converter: cattrs.Converter) -> Callable[[Any], Any]:
        hook = converter.get_unstructure_hook(_optional_inner(tp))
        if hook is identity:  # str, int, bool: None passes through unchanged, no wrapper needed
            return identity

        def unstructure_optional(value: Any) -> Any:
            return None if value is None else hook(value)

        unstructure_optional.inner = hook  # type: ignore[attr-defined]  # see inner_unstructure
        return unstructure_optional

    converter.register_structure_hook_factory(
        lambda tp: _optional_inner(tp) is not None, structure_factory
    )
    converter.register_unstructure_hook_factory(
        lambda tp: _optional_inner(tp) is not None, unstructure_factory
    )


def inner_unstructure(converter: cattrs.Converter, tp: Any) -> Callable[[Any], Any] | None:
    """The hook of ``T`` when *converter* writes ``T | None`` with this module's wrapper.

    For generated code that omits a field left at ``None`` (so its hook never sees ``None``):
    it can call the inner hook directly. ``None`` when a hook of the user's (or any other)
    writes ``T | None``: that hook is kept.
    """
    if _optional_inner(tp) is None:
        return None
    hook = converter.get_unstructure_hook(tp)
    if hook is identity:
        return identity
    inner: Callable[[Any], Any] | None = getattr(hook, "inner", None)
    return inner


_passes(_structure_int, int)
_passes(_structure_str, str)
_passes(_structure_bool, bool)


def register_strict_primitives(converter: cattrs.Converter) -> None:
    """Make ``int``, ``str`` and ``bool`` refuse values that would silently change meaning."""
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(bool, _structure_bool)


def _is_homogeneous_tuple(tp: Any) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def register_strict_sequences(converter: cattrs.Converter) -> None:
    """Make ``tuple[X, ...]`` fields refuse a string or an object where a list belongs.

    cattrs would walk ``"123"`` character by character (``(1, 2, 3)``) and an object by its
    keys. An empty string reads as an empty list (some servers send ``""`` for "none").
    """

    def factory(tp: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
        base = homogenous_tuple_structure_factory(tp, converter)
        element = typing.get_args(tp)[0]
        if converter.detailed_validation or element is Any:
            handler = None
        else:
            try:
                handler = converter.get_structure_hook(element)
            except RecursionError:  # a model that holds itself: cattrs' own late binding
                handler = None

        def structure_tuple(value: Any, cls: Any) -> Any:
            if value.__class__ is list and handler is not None:  # what JSON gives: one step
                try:
                    return tuple([handler(item, element) for item in value])
                except StopIteration as exc:  # as cattrs' generator turns it (PEP 479)
                    raise RuntimeError("generator raised StopIteration") from exc
            if isinstance(value, str | bytes):
                if not value:
                    return ()
                raise TypeError(f"expected a list, got the string {value!r}")
            if isinstance(value, Mapping):
                raise TypeError("expected a list, got an object")
            return base(value, cls)

        return structure_tuple

    converter.register_structure_hook_factory(_is_homogeneous_tuple, factory)


def _structure_decimal(value: object, _: type) -> Decimal:
    if value.__class__ is str:  # the common case first: Decimal() ignores surrounding space
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"expected a decimal number, got {value!r}") from None
        if not result.is_finite():
            raise ValueError(f"expected a finite number, got {value!r}")
        if result and abs(result.adjusted()) > _MAX_DECIMAL_EXPONENT:
            raise ValueError(f"number out of range: {value!r}")
        return result
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got the boolean {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"expected a decimal number, got {value!r}") from None
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))  # the shortest text that reads back as this float
    else:
        raise TypeError(f"expected a number, got {value!r}")
    if not result.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    if result and abs(result.adjusted()) > _MAX_DECIMAL_EXPONENT:
        raise ValueError(f"number out of range: {value!r}")
    return result


def _check_finite(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"cannot write the non-finite number {value!r}")
    return value


def register_decimal(converter: cattrs.Converter, *, as_string: bool) -> None:
    """Read ``Decimal`` from numbers or numeric strings; write it exactly.

    With *as_string* the value is written as a JSON string (``"19.99"``), otherwise it stays a
    ``Decimal`` for the JSON text layer to write as a number.
    """
    converter.register_structure_hook(Decimal, _structure_decimal)
    if as_string:
        converter.register_unstructure_hook(Decimal, lambda v: str(_check_finite(v)))
    else:
        converter.register_unstructure_hook(Decimal, _check_finite)


def lenient_enum_parts(tp: Any) -> tuple[type[enum.Enum], bool] | None:
    """If *tp* is ``E | Unrecognized`` (optionally ``| None``), return ``(E, allows_none)``."""
    if typing.get_origin(tp) not in (types.UnionType, typing.Union):
        return None
    args = typing.get_args(tp)
    enums = [a for a in args if isinstance(a, type) and issubclass(a, enum.Enum)]
    rest = {a for a in args if a not in enums}
    if len(enums) != 1 or not rest or not rest <= {Unrecognized, type(None)}:
        return None
    if Unrecognized not in rest:
        return None
    return enums[0], type(None) in rest


_unrecognized_raw: Final = operator.attrgetter("raw")


def register_lenient_enums(
    converter: cattrs.Converter,
    aliases: Callable[[type[enum.Enum], str], enum.Enum | None] | None = None,
) -> None:
    """Read ``E | Unrecognized`` fields: a known spelling becomes ``E``, any other is kept.

    *aliases*, if given, may map other spellings to a member (e.g. ``"lbs"`` to pounds).
    An ``Unrecognized`` is written back as its raw spelling, an enum member as its value.
    """

    def factory(tp: Any) -> Callable[[Any, Any], Any]:
        parts = lenient_enum_parts(tp)
        assert parts is not None  # noqa: S101 - the predicate guarantees it
        enum_cls, allows_none = parts
        # The table Enum's own lookup tries first; a miss takes the full path below (so an
        # enum with its own _missing_, and the aliases, still decide).
        members = enum_cls._value2member_map_

        def hook(value: Any, _: Any) -> Any:
            if value.__class__ is str:  # the common case: a known spelling, found at once
                member = members.get(value)
                if member is not None:
                    return member
            if value is None:
                if allows_none:
                    return None
                raise TypeError("expected a value, got null")
            if isinstance(value, enum_cls):
                return value
            if isinstance(value, Unrecognized) and isinstance(value.raw, str):
                return value  # an Unrecognized(5) built by hand is refused below
            if not isinstance(value, str | int) or isinstance(value, bool):
                raise TypeError(f"expected a string, got {value!r}")
            try:
                return enum_cls(value)
            except ValueError:
                pass
            if aliases is not None and isinstance(value, str):
                member = aliases(enum_cls, value)
                if member is not None:
                    return member
            return Unrecognized(str(value))

        if allows_none:
            _passes(hook, type(None))
        return hook

    def unstructure_factory(tp: Any, converter: cattrs.Converter) -> Callable[[Any], Any]:
        parts = lenient_enum_parts(tp)
        assert parts is not None  # noqa: S101 - the predicate guarantees it
        enum_cls = parts[0]
        # The converter's own hooks for the two classes (a user's, if registered): the union
        # is dispatched on the value's class as cattrs would, without its dispatch per value.
        enum_hook = converter.get_unstructure_hook(enum_cls)
        raw_hook = converter.get_unstructure_hook(Unrecognized)

        def unstructure_lenient_enum(value: Any) -> Any:
            if value.__class__ is enum_cls:
                return enum_hook(value)
            if value.__class__ is Unrecognized:
                return raw_hook(value)
            return converter.unstructure(value)  # None, or anything else: as the union would

        # For generated code (_fast_unstructure) that tests the two classes itself.
        unstructure_lenient_enum.parts = (enum_cls, enum_hook, raw_hook)  # type: ignore[attr-defined]
        return unstructure_lenient_enum

    converter.register_structure_hook_factory(
        lambda tp: lenient_enum_parts(tp) is not None, factory
    )
    converter.register_unstructure_hook_factory(
        lambda tp: lenient_enum_parts(tp) is not None, unstructure_factory
    )
    converter.register_unstructure_hook(Unrecognized, _unrecognized_raw)


Namer = Callable[[str], str]

_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[([^\]]*)\]")


def _model_in(tp: Any) -> type | None:
    """The attrs class *tp* is, or the one of ``M | None`` (and other unions with one model)."""
    if isinstance(tp, type) and attrs.has(tp):
        return tp
    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        models = [a for a in typing.get_args(tp) if isinstance(a, type) and attrs.has(a)]
        if len(models) == 1:
            return models[0]
    return None


def _element_type(tp: Any) -> Any:
    """The type of the items of ``list[T]``, ``tuple[T, ...]``, ``Sequence[T]`` (or ``| None``)."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        rest = [a for a in typing.get_args(tp) if a is not type(None)]
        return _element_type(rest[0]) if len(rest) == 1 else None
    args = typing.get_args(tp)
    if origin is None or not args:
        return None
    if isinstance(origin, type) and issubclass(origin, Mapping):
        return args[-1]
    return args[0]


class WireNames:
    """Turns attribute paths (``$.webhooks[0].web_hook_id``) into wire paths, class by class.

    One translator per wire format: *wire_name* gives the key of an attribute of a model class
    (``(Webhook, "web_hook_id") -> "WebHookID"``), and the path is walked from the class read
    or written, so every class's own names are used: no table of exceptions by bare name.
    Called with a bare name (the older interface), it uses *fallback*.

    Args:
        wire_name: ``(model class, attribute name) -> wire key``.
        fallback: For a name whose class is unknown.
    """

    def __init__(
        self, wire_name: Callable[[type, str], str], fallback: Callable[[str], str] = str
    ) -> None:
        self.wire_name = wire_name
        self.fallback = fallback

    def __call__(self, name: str) -> str:
        """The wire key of attribute *name* when its class is unknown."""
        return self.fallback(name)

    def path(self, cls: Any, path: str) -> str:
        """Translate *path* (``$`` then ``.name`` and ``[index]`` parts) read from *cls*."""
        if not path.startswith("$"):
            return path
        out = ["$"]
        tp: Any = cls
        position = 1
        for match in _PATH_PART.finditer(path, 1):
            if match.start() != position:  # not a path we understand: leave the rest as is
                break
            position = match.end()
            name, index = match.group(1), match.group(2)
            if name is not None:
                model = _model_in(tp)
                if model is None:
                    out.append("." + self.fallback(name))
                    tp = None
                    continue
                out.append("." + self.wire_name(model, name))
                field = attrs.fields_dict(model).get(name)
                tp = field.type if field is not None else None
            else:
                out.append(f"[{index}]")
                tp = _element_type(tp)
        return "".join(out) + path[position:]


def _wire_path(line: str, namer: Namer, cls: Any = None) -> str:
    message, sep, path = line.rpartition(" @ ")
    if not sep:
        return line
    if isinstance(namer, WireNames) and cls is not None:
        return message + sep + namer.path(cls, path)
    return message + sep + re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: namer(m.group(0)), path)


def _format_exception(exc: BaseException, tp: type | None) -> str:
    base = format_exception(exc, tp)
    if (
        isinstance(exc, ValueError | TypeError)
        and str(exc)
        and not isinstance(exc, cattrs.BaseValidationError)
    ):
        return f"{base}: {exc}"
    return base


class FastConverter(cattrs.Converter):
    """A converter without detailed validation that explains a refusal with a detailed copy.

    Several times faster on good data. When reading fails, :func:`structure` reads the same
    data again with :attr:`explainer`, so errors still name every path. The explainer is a copy
    of *this* converter (``copy(detailed_validation=True)``), made when first needed and made
    again after any hook is registered here: every hook a user registers applies on both paths.

    It takes cattrs' arguments; ``detailed_validation`` defaults to ``False``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) < 8:  # detailed_validation is cattrs' 8th parameter
            kwargs.setdefault("detailed_validation", False)
        super().__init__(*args, **kwargs)
        self._explainer: cattrs.Converter | None = None
        self._own_hooks_only = False

    @property
    def explainer(self) -> cattrs.Converter:
        """The detailed copy of this converter that explains refused input (built lazily)."""
        if self.detailed_validation:
            return self
        if self._explainer is None:
            self._explainer = self.copy(detailed_validation=True)
        return self._explainer

    def copy(self, *args: Any, **kwargs: Any) -> Any:
        """A copy with every hook (see :meth:`cattrs.Converter.copy`) and our own attributes."""
        result = super().copy(*args, **kwargs)
        # cattrs keeps hooks registered for a union (``str | int | None``) in a table its
        # copy() leaves behind: carry them over, or the copy cannot read those fields.
        result._union_struct_registry.update(self._union_struct_registry)
        for name, value in vars(self).items():
            if name != "_explainer":
                setattr(result, name, value)
        if args or set(kwargs) - {"detailed_validation", "forbid_extra_keys"}:
            result._own_hooks_only = False  # e.g. type_overrides may bring hooks of their own
        return result

    def _changed(self) -> None:
        self._explainer = None
        self._own_hooks_only = False

    def _seal(self) -> None:
        """Mark this converter as holding only this library's hooks (see :func:`own_hooks_only`).

        Called by this library's ``make_converter`` functions when they are done; any hook
        registered afterwards (by anyone) clears the mark.
        """
        self._own_hooks_only = True

    def register_structure_hook(self, *args: Any, **kwargs: Any) -> Any:
        """See :meth:`cattrs.Converter.register_structure_hook` (also for the explainer)."""
        self._changed()
        return super().register_structure_hook(*args, **kwargs)

    def register_structure_hook_func(self, *args: Any, **kwargs: Any) -> Any:
        """See :meth:`cattrs.Converter.register_structure_hook_func` (also for the explainer)."""
        self._changed()
        return super().register_structure_hook_func(*args, **kwargs)

    def register_structure_hook_factory(self, *args: Any, **kwargs: Any) -> Any:
        """See :meth:`cattrs.Converter.register_structure_hook_factory` (also the explainer)."""
        self._changed()
        return super().register_structure_hook_factory(*args, **kwargs)

    def register_unstructure_hook(self, *args: Any, **kwargs: Any) -> Any:
        """See :meth:`cattrs.Converter.register_unstructure_hook` (also for the explainer)."""
        self._changed()
        return super().register_unstructure_hook(*args, **kwargs)

    def register_unstructure_hook_func(self, *args: Any, **kwargs: Any) -> Any:
        """See :meth:`cattrs.Converter.register_unstructure_hook_func` (also the explainer)."""
        self._changed()
        return super().register_unstructure_hook_func(*args, **kwargs)

    def register_unstructure_hook_factory(self, *args: Any, **kwargs: Any) -> Any:
        """See :meth:`cattrs.Converter.register_unstructure_hook_factory` (also the explainer)."""
        self._changed()
        return super().register_unstructure_hook_factory(*args, **kwargs)


def own_hooks_only(converter: cattrs.Converter) -> bool:
    """Whether *converter* holds only this library's hooks, as its ``make_converter`` made it.

    A converter of a class of ours (not a subclass of someone else), sealed when it was made and
    given no hook since. Models it reads have every value of its declared type, so a reader may
    hand them on as :class:`~listingmirror_shipstation._values.TypedModels`.
    """
    if not (
        isinstance(converter, FastConverter)
        and type(converter).__module__.startswith("listingmirror_shipstation.")
        and converter._own_hooks_only
    ):
        return False
    # Refused input is read again by the explainer: a hook registered on it counts too.
    explaining = converter._explainer
    return explaining is None or explaining is converter or own_hooks_only(explaining)


def explainer(converter: cattrs.Converter) -> cattrs.Converter:
    """The detailed converter that explains what *converter* refused: its own copy.

    *converter* itself when it validates in detail already; a :class:`FastConverter`'s cached
    copy; for any other converter, ``converter.copy(detailed_validation=True)``.
    """
    if converter.detailed_validation:
        return converter
    if isinstance(converter, FastConverter):
        return converter.explainer
    return converter.copy(detailed_validation=True)


def structure(
    converter: cattrs.Converter,
    data: object,
    cls: type[T],
    *,
    namer: Namer = str,
    what: str | None = None,
) -> T:
    """Structure *data* into *cls*, turning any failure into one ConversionError.

    The error's lines say what was wrong and where (``$.items[0].quantity``), with attribute
    names turned back into wire names by *namer* (class by class when it is a
    :class:`WireNames`). A converter without detailed validation has the failure explained
    by its own detailed copy (:func:`explainer`), so the user's hooks apply there too.
    """
    try:
        return converter.structure(data, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError, AttributeError) as exc:
        if not converter.detailed_validation:
            _forget_tracebacks(exc)  # the explainer says what it was (see _forget_tracebacks)
            return structure(explainer(converter), data, cls, namer=namer, what=what)
        lines = tuple(
            _wire_path(line, namer, cls)
            for line in cattrs.transform_error(exc, format_exception=_format_exception)
        )
        name = what or getattr(cls, "__name__", str(cls))
        _forget_tracebacks(exc, keep_own=True)  # its lines are made; the one chained keeps its
        raise ConversionError(f"cannot read {name}", errors=lines) from exc


def _at_the_edge(value: datetime) -> bool:
    """Whether a change of zone could push *value* out of datetime's range."""
    try:
        value + timedelta(days=1)
        value - timedelta(days=1)
    except OverflowError:
        return True
    return False


def _unwritable_path(value: object, namer: Namer, path: str = "$") -> str | None:
    """Return the wire path of the first value no wire format can hold (naive time, NaN)."""
    if isinstance(value, datetime) and (value.utcoffset() is None or _at_the_edge(value)):
        return path
    if isinstance(value, Decimal) and not value.is_finite():
        return path
    cls = type(value)
    if attrs.has(cls):
        for attribute in attrs.fields(cls):
            key = (
                namer.wire_name(cls, attribute.name)
                if isinstance(namer, WireNames)
                else namer(attribute.name)
            )
            found = _unwritable_path(getattr(value, attribute.name), namer, f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _unwritable_path(item, namer, f"{path}[{index}]")
            if found:
                return found
    return None


def unstructure(converter: cattrs.Converter, value: object, *, namer: Namer = str) -> Any:
    """Unstructure *value*; a value that cannot be written becomes a ConversionError.

    The error names the path of the offending value (``$.items[0].unitPrice``), in wire names.
    """
    try:
        with _gc.paused():  # a batch of models becomes many dicts, none in a cycle
            return converter.unstructure(value)
    except (ValueError, TypeError) as exc:
        if isinstance(value, list | tuple):  # the path in the first item that fails alone
            for index, item in enumerate(value):
                try:
                    converter.unstructure(item)
                except (ValueError, TypeError):
                    what = type(value).__name__
                    raise unwritable(item, exc, namer, path=f"$[{index}]", what=what) from exc
        raise unwritable(value, exc, namer) from exc


def unwritable(
    value: object, exc: Exception, namer: Namer, *, path: str = "$", what: str | None = None
) -> ConversionError:
    """The error :func:`unstructure` raises for *value*, which failed to unstructure with *exc*.

    *path* is where *value* is (``$[3]``: the fourth item of a list of *what*, whose earlier
    items were written), *what* the name of what was being written (*value*'s class's by
    default).
    """
    found = _unwritable_path(value, namer, path)
    line = f"{exc} @ {found}" if found else str(exc)
    return ConversionError(f"cannot write {what or type(value).__name__}", errors=(line,))
