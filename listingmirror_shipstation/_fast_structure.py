"""Generated structure functions for attrs models, for the fast (non-detailed) converters.

cattrs generates, per model class, a function that calls one hook per field, collects the
optional fields in a dict and calls the class with ``**res``. For the common case (a plain
``dict`` holding every required key) :func:`make_structure_fn` generates a function that does the
same work with less machinery:

* each field's value goes through the hook the converter gives for its type, looked up when the
  function is generated (as cattrs does), in the order cattrs calls them (optional fields first,
  then the required ones); the call is skipped only for a hook of ours known to return a value
  of that exact class unchanged (:func:`._hooks.passes_unchanged`), e.g. a ``str`` read by the
  ``str`` hook;
* an absent key takes the field's default, without the hook, as cattrs and attrs do;
* the instance is built without ``__init__`` (``object.__new__`` and each slot's member
  descriptor), only for classes whose attrs ``__init__`` does exactly that and nothing more; it
  then runs the validators in field order, unless attrs' validators are disabled. Any other
  class is called with literal keyword arguments.

Anything else (an input that is not exactly a ``dict``, a required key missing) is handed to
cattrs' own function, so a refusal comes from the same code as before. Classes this module does
not know how to build exactly (converters on fields, ``init=False`` fields, generics, overrides
other than renames and hooks...) keep cattrs' function, as do strict converters
(``forbid_extra_keys``) and detailed ones (their error messages are cattrs').
"""

import inspect
import keyword
import linecache
import re
import types
import typing
import weakref
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
import cattrs
from cattrs.gen import override as _override

from . import _codegen, _fastinit, _hooks

__all__ = ["is_fast", "make_structure_fn"]

StructureFn = Callable[[Any, Any], Any]

#: The class of ``cattrs.gen.override(...)`` (not exported by cattrs under a public name).
_Override: Final = type(_override())

#: The generated functions, so that tests (and readers) can tell them from cattrs' own.
_GENERATED: Final["weakref.WeakSet[Callable[..., Any]]"] = weakref.WeakSet()


#: The lines attrs writes in an ``__init__`` that only sets slots (and runs validators).
_PLAIN_INIT_LINE: Final = re.compile(
    r"_setattr = _cached_setattr_get\(self\)"
    r"|_setattr\('(?P<set>\w+)', (?P<value>\w+)\)"
    r"|self\.(?P<self>\w+) = (?P<self_value>\w+)"
    r"|if (?P<given>\w+) is not NOTHING:"
    r"|else:"
    r"|_setattr\('(?P<fset>\w+)', __attr_factory_(?P<factory>\w+)\(\)\)"
    r"|self\.(?P<fself>\w+) = __attr_factory_(?P<sfactory>\w+)\(\)"
    r"|if _config\._run_validators is True:"
    r"|__attr_validator_(?P<vname>\w+)\(self, __attr_(?P<vattr>\w+), self\.(?P<vself>\w+)\)"
)


def is_fast(fn: object) -> bool:
    """Whether *fn* is a structure function generated here (not cattrs' own)."""
    try:
        return fn in _GENERATED
    except TypeError:  # not weak-referenceable: not ours
        return False


def _init_only_sets_slots(cls: type, fields: tuple["attrs.Attribute[Any]", ...]) -> bool:
    """Whether ``cls.__init__`` is attrs' and does no more than set each slot and validate.

    Then ``object.__new__`` plus each slot's member descriptor, followed by the validators in
    field order, builds the same instance. Checked on the ``__init__`` attrs wrote (its source is
    in :mod:`linecache`): any line of another shape (a converter, a hook, ``cache_hash``, a
    factory that takes ``self``...) keeps the call to the class.
    """
    if "__init__" not in cls.__dict__:  # inherited: not the one attrs wrote for this class
        return False
    # Under _fastinit's faster __init__ (which does what attrs' does), attrs' own is judged.
    code = getattr(_fastinit.attrs_init(cls), "__code__", None)
    if code is None or not code.co_filename.startswith("<attrs generated"):
        return False
    if "__attrs_attrs__" not in cls.__dict__ or "__slots__" not in cls.__dict__:
        return False
    if getattr(cls, "__attrs_pre_init__", None) or getattr(cls, "__attrs_post_init__", None):
        return False
    # Creating an instance is type.__call__ -> object.__new__ -> __init__ only when neither the
    # class (interning, a registry) nor its metaclass says otherwise.
    new: object = cls.__new__
    call: object = type(cls).__call__
    if new is not object.__new__ or call is not type.__call__:
        return False
    for a in fields:
        if not a.init or a.converter is not None:
            return False
        if _takes_self(a):
            return False
        if not isinstance(inspect.getattr_static(cls, a.name, None), types.MemberDescriptorType):
            return False
    lines = linecache.getlines(code.co_filename)
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith("def __init__("))
    except StopIteration:
        return False
    aliases = {a.name: a.alias for a in fields}
    validated = {a.name for a in fields if a.validator is not None}
    factories = {a.name for a in fields if _is_factory(a)}
    set_names: list[str] = []
    for line in lines[start + 1 :]:
        if not line.startswith((" ", "\t")):  # the next method, or the end
            break
        text = line.strip()
        if not text:
            continue
        match = _PLAIN_INIT_LINE.fullmatch(text)
        if match is None:
            return False
        found = match.groupdict()
        name = found["set"] or found["self"]
        if name is not None:  # a field set from its own argument, nothing else
            if aliases.get(name) != (found["value"] or found["self_value"]):
                return False
            set_names.append(name)
        if (found["self"] or found["fself"]) and _own_setattr(cls):
            return False  # ``self.x = x`` goes through a __setattr__ of the class's own
        name = found["fset"] or found["fself"]
        # A field set from its own factory (its argument absent), no other.
        if name is not None and (
            name not in factories or (found["factory"] or found["sfactory"]) != name
        ):
            return False
        if found["given"] is not None and found["given"] not in aliases.values():
            return False
        name = found["vname"]
        if name is not None and not (name == found["vattr"] == found["vself"] in validated):
            return False
    return sorted(set_names) == sorted(aliases)


def _own_setattr(cls: type) -> bool:
    """Whether assigning an attribute of *cls* goes through a ``__setattr__`` of its own."""
    setter: Any = getattr(cls, "__setattr__", None)
    return setter is not object.__setattr__


def _is_factory(a: "attrs.Attribute[Any]") -> bool:
    """Whether the default of *a* is an ``attrs.Factory`` (called for each instance)."""
    return isinstance(a.default, attrs.Factory)  # type: ignore[arg-type]


def _takes_self(a: "attrs.Attribute[Any]") -> bool:
    """Whether the default of *a* is a factory that takes the instance being built."""
    default: Any = a.default
    return _is_factory(a) and bool(default.takes_self)


def _field_hook(conv: cattrs.Converter, tp: Any) -> tuple[Callable[..., Any], bool]:
    """The converter's hook for *tp*, and whether cattrs would call it with the type too.

    As cattrs' ``find_structure_handler``: looked up without caching; a cycle (a model that
    holds itself) binds late, through ``conv.structure``.
    """
    try:
        hook = conv.get_structure_hook(tp, cache_result=False)
    except RecursionError:
        return conv.structure, True
    if hook == getattr(conv, "_structure_call", None):
        return tp, False  # cattrs calls the type itself with the value alone
    return hook, True


def _skip_test(value: str, classes: frozenset[type], names: dict[str, Any], i: int) -> str:
    """The condition under which *value* still needs its hook (its class is none of *classes*).

    Each class it names is bound in *names* for the generated code.
    """
    parts = []
    for j, cls in enumerate(sorted(classes, key=lambda c: c.__qualname__)):
        if cls is type(None):
            parts.append(f"{value} is not None")
        else:
            name = f"_k{i}_{j}"
            names[name] = cls
            parts.append(f"{value}.__class__ is not {name}")
    return " and ".join(parts)


def _read_value(
    conv: cattrs.Converter,
    a: "attrs.Attribute[Any]",
    i: int,
    override: Any,
    names: dict[str, Any],
    indent: str,
) -> list[str]:
    """Lines that set ``v{i}`` from ``o[key]`` (already fetched into ``v{i}``) through its hook."""
    if override is not None and override.struct_hook is not None:
        hook: Callable[..., Any] = override.struct_hook
        with_type = True
    else:
        hook, with_type = _field_hook(conv, a.type)
    names[f"_h{i}"] = hook
    names[f"_t{i}"] = a.type
    call = f"_h{i}(v{i}, _t{i})" if with_type else f"_h{i}(v{i})"
    classes = _hooks.passes_unchanged(hook) if with_type else frozenset()
    if not classes:
        return [f"{indent}v{i} = {call}"]
    return [f"{indent}if {_skip_test(f'v{i}', classes, names, i)}:", f"{indent}  v{i} = {call}"]


def _plan_ok(cls: type, conv: cattrs.Converter, overrides: Mapping[str, Any]) -> bool:
    """Whether this module reproduces cattrs' function for *cls* exactly (else cattrs' is kept)."""
    if conv.detailed_validation or getattr(conv, "forbid_extra_keys", False):
        return False
    if not (isinstance(cls, type) and attrs.has(cls)) or getattr(cls, "__parameters__", None):
        return False
    if typing.get_origin(cls) is not None:
        return False
    names = {a.name for a in attrs.fields(cls)}
    for name, override in overrides.items():
        if name not in names or not isinstance(override, _Override):
            return False
        if override.omit is not None:  # omitted fields: rare, kept with cattrs
            return False
    for a in attrs.fields(cls):
        tp = a.type
        if tp is None or isinstance(tp, typing.TypeVar | str):
            return False
        if typing.get_origin(tp) in (typing.Annotated, typing.Final) or tp is typing.Final:
            return False
        if not a.init or a.converter is not None:
            return False
        if _takes_self(a):
            return False
        if not a.alias.isidentifier() or keyword.iskeyword(a.alias):
            return False
    return True


def make_structure_fn(
    cls: type, conv: cattrs.Converter, base: StructureFn, **overrides: Any
) -> StructureFn:
    """A fast structure function for the attrs class *cls*, or *base* (cattrs' own) when unsure.

    Args:
        cls: The attrs class.
        conv: The converter whose hooks read the fields; a detailed or strict converter gets
            *base* back unchanged.
        base: cattrs' function for *cls* (``make_dict_structure_fn(cls, conv, **overrides)``):
            it reads every input the fast function does not (not a ``dict``, a required key
            missing), so refusals are cattrs'.
        **overrides: The same ``cattrs.gen.override(...)`` per field name that *base* was made
            with; renames and structure hooks are honoured, anything else keeps *base*.

    Raises:
        RecursionError: *cls* is already being generated in this thread (a model that holds
            itself), as cattrs raises, so the hook that asked binds late.
    """
    with _codegen.generating(cls, "structure"):
        if not _plan_ok(cls, conv, overrides):
            return base
        return _generate(cls, conv, base, overrides)


def _generate(
    cls: type, conv: cattrs.Converter, base: StructureFn, overrides: Mapping[str, Any]
) -> StructureFn:
    """Write, compile and return the function (see :func:`make_structure_fn`)."""
    fields = attrs.fields(cls)
    use_alias = getattr(conv, "use_alias", False)
    names: dict[str, Any] = {"_cl": cls, "_base": base}
    keys = []
    for a in fields:
        override = overrides.get(a.name)
        rename = override.rename if override is not None else None
        keys.append(rename if rename is not None else (a.alias if use_alias else a.name))
    required = [i for i, a in enumerate(fields) if a.default is attrs.NOTHING]
    checks = "".join(f" or {keys[i]!r} not in o" for i in required)
    lines = [
        "  if o.__class__ is not dict" + checks + ":",
        "    return _base(o, _)",
    ]
    # The order cattrs calls the hooks in: optional fields, then the required ones.
    for i, a in enumerate(fields):
        if i in required:
            continue
        lines.append(f"  if {keys[i]!r} in o:")
        lines.append(f"    v{i} = o[{keys[i]!r}]")
        lines += _read_value(conv, a, i, overrides.get(a.name), names, "    ")
        lines.append("  else:")
        if _is_factory(a):
            names[f"_f{i}"] = a.default.factory
            lines.append(f"    v{i} = _f{i}()")
        else:
            names[f"_d{i}"] = a.default
            lines.append(f"    v{i} = _d{i}")
    for i in required:
        lines.append(f"  v{i} = o[{keys[i]!r}]")
        lines += _read_value(conv, fields[i], i, overrides.get(fields[i].name), names, "  ")
    if _init_only_sets_slots(cls, fields):
        # Built as __init__ would, while __init__ and __new__ are still the ones judged here
        # (a test may patch them later: then the class is called, as cattrs calls it).
        names["_new"] = object.__new__
        names["_init"] = vars(cls)["__init__"]
        names["_onew"] = object.__new__
        lines.append("  if _cl.__init__ is _init and _cl.__new__ is _onew:")
        lines.append("    self = _new(_cl)")
        for i, a in enumerate(fields):
            names[f"_s{i}"] = inspect.getattr_static(cls, a.name).__set__
            lines.append(f"    _s{i}(self, v{i})")
        validated = [i for i, a in enumerate(fields) if a.validator is not None]
        if validated:
            names["_disabled"] = attrs.validators.get_disabled
            lines.append("    if not _disabled():")
            for i in validated:
                names[f"_v{i}"] = fields[i].validator
                names[f"_a{i}"] = fields[i]
                lines.append(f"      _v{i}(self, _a{i}, v{i})")
        lines.append("    return self")
    arguments = ", ".join(f"{a.alias}=v{i}" for i, a in enumerate(fields))
    lines.append(f"  return _cl({arguments})")
    # ASCII only: the parser rewrites some Unicode names (NFKC), and a class name is not code.
    fn_name = "fast_structure_" + re.sub(r"[^0-9A-Za-z_]", "_", cls.__name__)
    script = "\n".join([f"def {fn_name}(o, _=_cl):", *lines, ""])
    fn: StructureFn = _codegen.function(
        script,
        name=fn_name,
        prefix=f"fast structure {cls.__module__}.{cls.__qualname__}",
        namespace=names,
    )
    _GENERATED.add(fn)
    return fn
