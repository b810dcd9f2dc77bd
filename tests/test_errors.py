"""Errors: one hierarchy, typed, pickleable, naming the field and the value."""

import builtins
import inspect
import pickle
import re

import pytest

from listingmirror_shipstation import errors, stores

CLASSES = [c for c in vars(errors).values() if inspect.isclass(c) and issubclass(c, Exception)]

SAMPLES: list[Exception] = [
    errors.ListingMirrorShipStationError("boom"),
    errors.ConversionError("cannot read Order", errors=("bad @ $.orderDate",)),
    errors.ValidationError("must be at most 50 characters", field="order_number", value="x" * 60),
    errors.ConfigurationError("transport= and timeout= contradict"),
    errors.MappingError("cannot map", order_id=1),
    errors.MissingShippingAddressError("has no shipping address", order_id=2),
    errors.ExcludedFulfillmentError("fulfilled by FBA", order_id=3),
    errors.IntegrationNotSelectedError("integration 9 is not selected", order_id=4),
    errors.InventorySourceNotSelectedError("inventory source 3 is not selected", order_id=4),
    errors.UnknownFulfillmentError("fulfillment channel 'xyz' is not known", order_id=4),
    errors.UnmappedStatusError("status 'X' has no mapping", order_id=5, status="X"),
    errors.InvalidOrderError("too long", order_id=6, field="market_order_id", value="y"),
    errors.XMLError("not well-formed XML: no element found"),
    errors.TransportError("broken", method="GET", url="https://x.invalid/a"),
    errors.ConnectError("refused", method="GET", url="https://x.invalid/a"),
    errors.RequestTimeout("slow", method="GET", url="https://x.invalid/a"),
    errors.AmbiguousOutcomeError("maybe", method="POST", url="https://x.invalid/a"),
    errors.UnsafeURLError("refusing https://evil.example"),
    errors.ResponseTooLargeError("too large", method="GET", url="https://x.invalid/a", limit=5),
    *(
        cls(
            "boom",
            status=status,
            method="GET",
            url="https://x.invalid/a",
            headers={"a": "b"},
            body=b"{}",
            model_state={"f": ("bad",)},
        )
        for cls, status in (
            (errors.APIError, 418),
            (errors.BadRequestError, 400),
            (errors.AuthenticationError, 401),
            (errors.AccessDeniedError, 403),
            (errors.NotFoundError, 404),
            (errors.RateLimitError, 429),
            (errors.ServerError, 500),
            (errors.RedirectError, 302),
        )
    ),
    errors.UnsafeXMLError("refused unsafe XML: DTDForbidden"),
    errors.PayloadTooLargeError("body of 9 bytes is over the limit of 5", size=9, limit=5),
]


def test_every_class_has_a_sample() -> None:
    """The samples below cover every error class."""
    assert {type(s) for s in SAMPLES} == set(CLASSES)


def test_one_base_class() -> None:
    """Everything derives from ListingMirrorShipStationError."""
    assert all(issubclass(c, errors.ListingMirrorShipStationError) for c in CLASSES)


@pytest.mark.parametrize("error", SAMPLES, ids=lambda e: type(e).__name__)
def test_pickles_with_every_attribute(error: Exception) -> None:
    """Errors cross process boundaries (job queues) intact."""
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)


def test_no_builtin_is_shadowed() -> None:
    """No error class reuses a builtin exception's name."""
    import builtins

    assert not {c.__name__ for c in CLASSES} & set(dir(builtins))


def test_messages_name_field_and_value() -> None:
    """A validation error says where and what; a long value is cut."""
    error = errors.ValidationError("is too long", field="items[2].sku", value="z" * 500)
    assert str(error).startswith("items[2].sku: is too long (got 'zzz")
    assert len(str(error)) < 200


def test_rejection_reasons_are_stable_codes() -> None:
    """Each mapping error has a distinct reason code; filters are marked as such."""
    mapping_errors = [c for c in CLASSES if issubclass(c, errors.MappingError)]
    assert len({c.reason for c in mapping_errors}) == len(mapping_errors)
    assert {c.__name__ for c in mapping_errors if c.filtered} == {
        "ExcludedFulfillmentError",
        "IntegrationNotSelectedError",
        "InventorySourceNotSelectedError",
    }


def test_error_for_picks_the_class_from_the_table() -> None:
    """Known statuses get their class, other 5xx ServerError, anything else APIError."""
    cases = {
        400: errors.BadRequestError,
        404: errors.NotFoundError,
        503: errors.ServerError,
        418: errors.APIError,
    }
    for status, cls in cases.items():
        error = errors.error_for(status, method="GET", url="u", headers={}, body=b"not json")
        assert type(error) is cls
        assert error.message == "not json"


def test_api_error_repr_hides_the_body() -> None:
    """The repr shows status, method and URL only (bodies may carry personal data)."""
    error = errors.error_for(
        500, method="GET", url="https://x/a", headers={}, body=b'{"Message": "m"}'
    )
    assert repr(error) == "ServerError(status=500, method='GET', url='https://x/a')"


def _documented_tree() -> dict[str, tuple[str | None, str | None]]:
    """Each class drawn in errors.py's docstring: its drawn parent and bracketed builtin."""
    doc = errors.__doc__ or ""
    tree = doc.split("::\n\n", 1)[1].split("\n\n", 1)[0]
    drawn: dict[str, tuple[str | None, str | None]] = {}
    stack: list[str] = []
    for line in tree.splitlines():
        match = re.match(r"(?P<lead>[ │├└─]*)(?P<name>[A-Z]\w+)(?: \[(?P<builtin>\w+)\])?", line)
        if match is None:
            continue
        depth = (len(match["lead"]) - 4) // 4
        del stack[depth:]
        drawn[match["name"]] = (stack[-1] if stack else None, match["builtin"])
        stack.append(match["name"])
    return drawn


def test_the_documented_tree_is_the_hierarchy() -> None:
    """Every class is drawn once, under its real parent, with exactly its builtin co-parent."""
    drawn = _documented_tree()
    assert set(drawn) == {c.__name__ for c in CLASSES}
    builtin_errors = {c for c in vars(builtins).values() if isinstance(c, type)}
    for cls in CLASSES:
        parent, builtin = drawn[cls.__name__]
        if parent is None:
            assert cls is errors.ListingMirrorShipStationError
            continue
        library_parent = getattr(errors, parent)
        assert cls.__bases__[0] is library_parent, cls.__name__
        added = {b.__name__ for b in cls.__bases__ if b in builtin_errors}
        assert added == ({builtin} if builtin else set()), cls.__name__


def test_value_error_is_only_what_the_tree_says() -> None:
    """``except ValueError`` catches bad input, never a transport failure or an error status."""
    drawn = _documented_tree()

    def documented_value_error(name: str) -> bool:
        parent, builtin = drawn[name]
        return builtin == "ValueError" or (parent is not None and documented_value_error(parent))

    for cls in CLASSES:
        assert issubclass(cls, ValueError) == documented_value_error(cls.__name__), cls.__name__
    assert not issubclass(errors.TransportError, ValueError)
    assert not issubclass(errors.APIError, ValueError)


#: The library's errors defined outside ``errors.py``, with a sample each.
ELSEWHERE: list[Exception] = [
    stores.DatabaseUnavailableError("cannot reach postgresql://u:***@db/x"),
    stores.LeaseHeldError("acme", 1.5),
]


def test_no_class_writes_its_own_reduce() -> None:
    """One pickling mechanism: only the base class defines ``__reduce__``, here or elsewhere."""
    classes = [*CLASSES, *(type(e) for e in ELSEWHERE)]
    own = [c.__name__ for c in classes if "__reduce__" in vars(c)]
    assert own == ["ListingMirrorShipStationError"]


@pytest.mark.parametrize("error", ELSEWHERE, ids=lambda e: type(e).__name__)
def test_errors_outside_the_module_pickle_too(error: Exception) -> None:
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert type(copy) is type(error)
    assert (str(copy), vars(copy)) == (str(error), vars(error))


class _UsersError(errors.ValidationError):
    """A user's subclass with its own keyword-only arguments and no ``__reduce__``."""

    def __init__(self, message: str, *, field: str, value: object, shop: str, retry: int = 1):
        super().__init__(message, field=field, value=value)
        self.shop = shop
        self.retry = retry


def test_users_subclasses_pickle_too() -> None:
    """The base mechanism replays any subclass's own arguments, and attributes set later."""
    error = _UsersError("bad", field="sku", value="x", shop="eu", retry=3)
    error.seen_by = "worker-2"
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (copy.shop, copy.retry, copy.field, copy.seen_by) == ("eu", 3, "sku", "worker-2")
    assert str(copy) == str(error)
