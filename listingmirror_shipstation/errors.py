"""Every error this library raises, in one hierarchy.

Catch :class:`ListingMirrorShipStationError` to catch them all. Each error that is about a
value names the field and the value (secrets are never part of a message)::

    ListingMirrorShipStationError
    ├── ConversionError         a payload did not fit the models (.errors: "message @ $.path")
    ├── ValidationError         a value we would send is invalid; nothing was sent (.field, .value)
    ├── ConfigurationError      contradictory or impossible options (also a builtin ValueError)
    ├── XMLError                XML that cannot be read safely (malformed, unsafe, too large)
    │   ├── UnsafeXMLError      a DTD, entity declaration or external reference: refused
    │   └── PayloadTooLargeError   a body over the configured size
    └── MappingError            one order cannot be turned into the other platform's order
        ├── MissingShippingAddressError   the order has no usable shipping address
        ├── ExcludedFulfillmentError      FBA/MCF (or another excluded channel): filtered
        ├── IntegrationNotSelectedError   the order's integration is not chosen: filtered
        ├── UnmappedStatusError           strict status map: the status has no mapping
        └── InvalidOrderError             a field cannot be written (too long, no items, ...)

Every class is also a :class:`ValueError` except the base, and every class pickles (errors cross
process boundaries in job queues).
"""

import functools
from typing import Any, ClassVar

__all__ = [
    "ConfigurationError",
    "ConversionError",
    "ExcludedFulfillmentError",
    "IntegrationNotSelectedError",
    "InvalidOrderError",
    "ListingMirrorShipStationError",
    "MappingError",
    "MissingShippingAddressError",
    "PayloadTooLargeError",
    "UnmappedStatusError",
    "UnsafeXMLError",
    "ValidationError",
    "XMLError",
]

#: Longest value representation put into a message; longer values are cut with an ellipsis.
_MAX_VALUE_REPR = 120


def _show(value: object) -> str:
    """Return a bounded ``repr`` of *value* for an error message."""
    text = repr(value)
    if len(text) > _MAX_VALUE_REPR:
        return text[: _MAX_VALUE_REPR - 1] + "…"
    return text


class ListingMirrorShipStationError(Exception):
    """Base class of every error raised by this library."""


class ConversionError(ListingMirrorShipStationError, ValueError):
    """A payload did not fit the models, or a model could not be written.

    Attributes:
        errors: One line per problem, ``"message @ $.path"``, with wire names in the path.
    """

    def __init__(self, message: str, *, errors: tuple[str, ...] = ()) -> None:
        detail = "; ".join(errors)
        super().__init__(f"{message}: {detail}" if detail else message)
        self.errors = errors
        self._message = message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments are not replayed by the default pickling; rebuild explicitly.
        return functools.partial(type(self), self._message, errors=self.errors), ()


class ValidationError(ListingMirrorShipStationError, ValueError):
    """A value that would be sent is invalid; nothing was sent.

    Attributes:
        field: Where the value is, e.g. ``"order_number"`` or ``"items[2].quantity"``.
        value: The offending value.
    """

    def __init__(self, message: str, *, field: str, value: object) -> None:
        super().__init__(f"{field}: {message} (got {_show(value)})")
        self.field = field
        self.value = value
        self._message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return functools.partial(type(self), self._message, field=self.field, value=self.value), ()


class ConfigurationError(ListingMirrorShipStationError, ValueError):
    """Options that contradict each other or cannot work."""


class XMLError(ListingMirrorShipStationError, ValueError):
    """XML that cannot be read: not well-formed, not safe, or too large."""


class UnsafeXMLError(XMLError):
    """XML with a DTD, an entity declaration or an external reference: refused unread.

    Such constructs are how XXE (reading local files, reaching internal hosts) and "billion
    laughs" (exponential entity expansion) attacks work; no ShipStation document needs them.
    """


class PayloadTooLargeError(XMLError):
    """A body larger than the configured limit: refused unread.

    Attributes:
        size: The size seen (or at least seen), in bytes.
        limit: The limit, in bytes.
    """

    def __init__(self, message: str, *, size: int, limit: int) -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit

    def __reduce__(self) -> tuple[Any, ...]:
        return functools.partial(type(self), self.args[0], size=self.size, limit=self.limit), ()


class MappingError(ListingMirrorShipStationError, ValueError):
    """One Listing Mirror order cannot be turned into a ShipStation order.

    In a batch this never stops the other orders: the order is returned as a rejection with
    this error attached.

    Attributes:
        order_id: Listing Mirror's ``order_id`` of the order.
        reason: A stable machine-readable code, e.g. ``"missing_shipping_address"``.
        filtered: ``True`` when the order was left out on purpose by a filter the merchant
            chose (FBA/MCF, integration not selected), ``False`` when it is an error to fix.
    """

    reason: ClassVar[str] = "mapping_error"
    filtered: ClassVar[bool] = False

    def __init__(self, message: str, *, order_id: int | None) -> None:
        prefix = f"order {order_id}: " if order_id is not None else ""
        super().__init__(prefix + message)
        self.order_id = order_id
        self._message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return functools.partial(type(self), self._message, order_id=self.order_id), ()


class MissingShippingAddressError(MappingError):
    """The order has no shipping address, or one without street, city or country."""

    reason: ClassVar[str] = "missing_shipping_address"


class ExcludedFulfillmentError(MappingError):
    """The order is fulfilled by an excluded channel (FBA and MCF by default)."""

    reason: ClassVar[str] = "excluded_fulfillment_channel"
    filtered: ClassVar[bool] = True


class IntegrationNotSelectedError(MappingError):
    """The order comes from a Listing Mirror integration that was not chosen."""

    reason: ClassVar[str] = "integration_not_selected"
    filtered: ClassVar[bool] = True


class UnmappedStatusError(MappingError):
    """The order's status has no mapping and the status map is strict.

    Attributes:
        status: The status text that has no mapping.
    """

    reason: ClassVar[str] = "unmapped_status"

    def __init__(self, message: str, *, order_id: int | None, status: str) -> None:
        super().__init__(message, order_id=order_id)
        self.status = status

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            functools.partial(
                type(self), self._message, order_id=self.order_id, status=self.status
            ),
            (),
        )


class InvalidOrderError(MappingError):
    """A field of the order cannot be written to the other platform.

    Attributes:
        field: The Listing Mirror field, e.g. ``"market_order_id"``.
        value: The offending value.
    """

    reason: ClassVar[str] = "invalid_order"

    def __init__(self, message: str, *, order_id: int | None, field: str, value: object) -> None:
        super().__init__(f"{field}: {message} (got {_show(value)})", order_id=order_id)
        self.field = field
        self.value = value
        self._message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            functools.partial(
                type(self),
                self._message,
                order_id=self.order_id,
                field=self.field,
                value=self.value,
            ),
            (),
        )
