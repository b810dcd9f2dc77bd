"""ShipStation REST v1 JSON: camelCase keys at every depth, Pacific wall-clock timestamps.

* ``order_date`` is key ``orderDate``, also inside lists; exceptions are in :data:`IRREGULAR`.
* Timestamps: Pacific wall time on the wire (``2015-06-29T08:46:27.0000000``; 0-7 fractional
  digits, ``T`` or space, an offset if present is honoured), aware UTC in the models. Writing
  converts to Pacific time and always uses 7 fractional digits, like ShipStation's own examples.
  Date-only fields are ``YYYY-MM-DD``.
* Money, weights and dimensions are ``Decimal`` both ways (written as exact JSON numbers by
  :func:`dumps`); ids are ``int``.
* Reading is lenient: unknown keys are ignored (refused with ``strict=True``), unknown enum
  spellings are kept as :class:`~listingmirror_shipstation.Unrecognized`, nulls are accepted.
  Unknown keys are **not** kept: a read-and-write round trip drops them (model the field, or
  keep the raw JSON, when you must pass it on).
* A string where a list belongs is refused (``"tagIds": "123"`` is not ``(1, 2, 3)``); an
  empty string reads as an empty list. A date-only field that arrives with a time of day
  (``Fulfillment.ship_date``) keeps it; an id sent as a number (``Carrier.account_number``) is
  written back as a number.
* Writing is exact: every modelled field that is not ``None`` is written, ``False``, ``0``,
  ``""`` and empty lists included; fields left at ``None`` are omitted (no ``orderId: null``).
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from .. import _fast_structure, _fast_unstructure, _hooks, _jsontext, _time
from .models import Webhook, WebhookNotification, WebhooksList, WebhookSubscription, Weight

__all__ = [
    "IRREGULAR",
    "JsonConverter",
    "configure_converter",
    "dumps",
    "loads",
    "make_converter",
    "wire_name",
]

T = TypeVar("T")

#: Wire names that are not the camelCase form of the attribute name.
IRREGULAR: Final[Mapping[tuple[type, str], str]] = {
    (Weight, "weight_units"): "WeightUnits",
    **{
        (cls, a.name): a.name
        for cls in (WebhookNotification, WebhookSubscription)
        for a in attrs.fields(cls)
    },
    (WebhooksList, "webhooks"): "webhooks",
    (Webhook, "web_hook_id"): "WebHookID",
    (Webhook, "is_label_api_hook"): "IsLabelAPIHook",
    (Webhook, "seller_id"): "SellerID",
    (Webhook, "store_id"): "StoreID",
    (Webhook, "hook_type"): "HookType",
    (Webhook, "message_format"): "MessageFormat",
    (Webhook, "url"): "Url",
    (Webhook, "name"): "Name",
    (Webhook, "bulk_copy_batch_id"): "BulkCopyBatchID",
    (Webhook, "bulk_copy_record_id"): "BulkCopyRecordID",
    (Webhook, "active"): "Active",
}


def wire_name(cls: type, name: str) -> str:
    """Return the JSON key of attribute *name* of model *cls*.

    >>> from listingmirror_shipstation.shipstation import AdvancedOptions, wire_name
    >>> wire_name(AdvancedOptions, "custom_field1")
    'customField1'
    """
    return IRREGULAR.get((cls, name), _hooks.camel(name))


#: Error paths in wire names, class by class (``$.webhooks[0].WebHookID``); with a bare name
#: (no class known) the camelCase form.
_path_name: Final = _hooks.WireNames(wire_name, _hooks.camel)


def _overrides(cls: type, *, omit_none: bool) -> dict[str, Any]:  # dict[str, Any]: mypy --strict
    return {
        a.name: override(
            rename=wire_name(cls, a.name), omit_if_default=omit_none and a.default is None
        )
        for a in attrs.fields(cls)
    }


def _structure_datetime(value: object, _: type) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected a timestamp string, got {value!r}")
    return _time.parse_pacific(value)


def _structure_date(value: object, _: type) -> date:
    if not isinstance(value, str):
        raise TypeError(f"expected a date string, got {value!r}")
    return _time.parse_pacific_date(value)


def _structure_date_or_datetime(value: object, _: type) -> datetime | date | None:
    """A date-only field that sometimes carries a time of day: keep the time when it does."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected a date string, got {value!r}")
    if len(value.strip()) == len("2014-04-01"):
        return _time.parse_pacific_date(value)
    return _time.parse_pacific(value)


def _unstructure_date_or_datetime(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _time.format_pacific(value)
    return _time.format_pacific_date(value)


def _structure_str_or_int(value: object, _: type) -> str | int | None:
    """An identifier sent as a string or a number: kept as it came, to be written back so."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected a string or an integer, got {value!r}")


def configure_converter(converter: cattrs.Converter) -> None:
    """Teach *converter* ShipStation's JSON (see the module docstring for the rules)."""
    _hooks.register_strict_primitives(converter)
    _hooks.register_strict_sequences(converter)
    _hooks.register_decimal(converter, as_string=False)
    _hooks.register_fast_optionals(converter)
    _hooks.register_lenient_enums(converter)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime, _time.format_pacific)
    converter.register_structure_hook(date, _structure_date)
    converter.register_unstructure_hook(date, _time.format_pacific_date)
    converter.register_structure_hook(datetime | date | None, _structure_date_or_datetime)
    converter.register_unstructure_hook(datetime | date | None, _unstructure_date_or_datetime)
    converter.register_structure_hook(str | int | None, _structure_str_or_int)
    converter.register_unstructure_hook(str | int | None, lambda value: value)

    # Factories that take the converter they build for: a copy (the detailed explainer of a
    # fast converter, a user's copy) generates its own functions, with its own hooks.
    def structure_factory(cls: Any, conv: cattrs.Converter) -> Any:
        overrides = _overrides(cls, omit_none=False)
        base = make_dict_structure_fn(cls, conv, **overrides)
        if conv.detailed_validation:  # the explainer: cattrs' function, its error messages
            return base
        return _fast_structure.make_structure_fn(cls, conv, base, **overrides)

    def unstructure_factory(cls: Any, conv: cattrs.Converter) -> Any:
        overrides = _overrides(cls, omit_none=True)
        for a in attrs.fields(cls):
            inner = _hooks.inner_unstructure(conv, a.type) if a.default is None else None
            if inner is not None:
                # A field left at None is omitted (the generated code tests it first), so its
                # hook never sees None: call the inner type's hook directly, not a wrapper.
                overrides[a.name] = override(
                    rename=wire_name(cls, a.name), omit_if_default=True, unstruct_hook=inner
                )
        return _fast_unstructure.make_unstructure_fn(cls, conv, **overrides)

    converter.register_structure_hook_factory(attrs.has, structure_factory)
    converter.register_unstructure_hook_factory(attrs.has, unstructure_factory)


class JsonConverter(_hooks.FastConverter):
    """A ShipStation JSON converter that owns its JSON text (cattrs' preconf pattern).

    :meth:`loads` and :meth:`dumps` read and write text with this converter's hooks, so the
    hooks a user registers apply to every path, refusals and their explanations included.
    Made by :func:`make_converter`.

    .. versionadded:: 0.2
    """

    def loads(self, text: str | bytes, cls: type[T]) -> T:
        """Read ShipStation JSON text into *cls* (see :func:`loads`)."""
        return loads(text, cls, converter=self)

    def dumps(self, value: Any, *, indent: int | None = None) -> str:
        """Write a model (or a list of models) as ShipStation JSON text (see :func:`dumps`)."""
        return dumps(value, converter=self, indent=indent)


def make_converter(*, strict: bool = False, detailed: bool = True) -> JsonConverter:
    """Return a new converter for ShipStation REST v1 JSON.

    Args:
        strict: Refuse unknown keys instead of ignoring them (for golden-file tests, so a field
            we do not model shows up instead of vanishing).
        detailed: Collect every error with its path (cattrs' detailed validation). With
            ``False`` the converter is faster, and this library's ``loads`` and clients still
            explain a failure in full by re-reading with a detailed copy of the same converter
            (its hooks, yours included).
    """
    converter = JsonConverter(forbid_extra_keys=strict, detailed_validation=detailed)
    configure_converter(converter)
    converter._seal()  # only our hooks so far (see _hooks.own_hooks_only)
    return converter


# Only for loads()/dumps() called without a converter (a convenience, as cattrs' own global
# converter is): the library's own code passes the converter it was given.
_DEFAULT: Final = make_converter(detailed=False)


def loads(text: str | bytes, cls: type[T], *, converter: cattrs.Converter | None = None) -> T:
    """Read ShipStation JSON text into *cls* (a model, or e.g. ``list[Order]``).

    Raises:
        ConversionError: The text is not JSON or does not fit *cls*; each line says where, in
            wire names (``... @ $.items[0].unitPrice``).
    """
    return _hooks.structure(converter or _DEFAULT, _jsontext.loads(text), cls, namer=_path_name)


def dumps(
    value: Any, *, converter: cattrs.Converter | None = None, indent: int | None = None
) -> str:
    """Write a model (or a list of models) as ShipStation JSON text.

    Raises:
        ConversionError: A value cannot be written (a naive datetime, a non-finite number).
    """
    data = _hooks.unstructure(converter or _DEFAULT, value, namer=_path_name)
    return _jsontext.dumps(data, indent=indent)
