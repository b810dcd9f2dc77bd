"""What the bundled stores and the PostgreSQL stores share: the lease, its errors, redaction.

A private leaf: :mod:`listingmirror_shipstation.stores` (which opens the PostgreSQL stores
lazily, psycopg being optional) and :mod:`listingmirror_shipstation.postgres` both import it,
so neither imports the other at module level. Everything here is documented and imported from
:mod:`listingmirror_shipstation.stores`.
"""

import abc
import re
from types import TracebackType
from typing import Self

from .errors import ConfigurationError, ListingMirrorShipStationError

__all__ = ["DatabaseUnavailableError", "LeaseHeldError", "MerchantLease", "redact_url"]

_USERINFO_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/@]*:)[^@/]*@")
_PARAMETER_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|[^&\s]*)", re.IGNORECASE)


class DatabaseUnavailableError(ListingMirrorShipStationError, ConnectionError):
    """The database could not be reached (refused, unknown host, bad credentials, timeout).

    Its message names the database with the password redacted. Not a :class:`ValueError`:
    the Custom Store endpoint answers 500 for it, so ShipStation sends the notice again.
    """


class LeaseHeldError(ListingMirrorShipStationError, RuntimeError):
    """Another process holds the lease of this merchant: its sync is running.

    Attributes:
        merchant: The merchant whose lease is held.
        waited: Seconds spent waiting for it before giving up.
    """

    def __init__(self, merchant: str, waited: float) -> None:
        self.merchant = merchant
        self.waited = waited
        how = f" after waiting {waited:g}s" if waited else ""
        super().__init__(
            f"another sync for merchant {merchant!r} is running (its lease is held){how}; "
            "try again when it has finished"
        )


class MerchantLease(abc.ABC):
    """One merchant's right to run a sync; at most one holder at a time, anywhere.

    Use it as a context manager around the sync. A holder that crashes loses the lease (the
    operating system or the database server notices), so the next run can go.

    Args:
        merchant: Whose lease this is.
        wait: Seconds to wait for a busy lease before :class:`LeaseHeldError` (0: do not wait).
    """

    def __init__(self, merchant: str, *, wait: float = 0.0) -> None:
        if wait < 0:
            raise ConfigurationError(f"wait must be >= 0, got {wait!r}")
        self.merchant = merchant
        self.wait = wait

    @abc.abstractmethod
    def acquire(self) -> None:
        """Take the lease, waiting up to ``wait`` seconds (nothing happens if this holds it).

        Raises:
            LeaseHeldError: Someone else holds it.
        """

    @abc.abstractmethod
    def release(self) -> None:
        """Give the lease back (nothing happens if it is not held)."""

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def redact_url(url: str) -> str:
    """Return *url* with any password replaced by ``***`` (for messages and logs).

    Covers the password of a URL's user part, a ``password=`` query parameter and the
    ``password=`` of a libpq key/value connection string.

    >>> from listingmirror_shipstation.stores import redact_url
    >>> redact_url("postgresql://sync:hunter2@db.internal/lmss")
    'postgresql://sync:***@db.internal/lmss'
    """
    text = _USERINFO_PASSWORD.sub(r"\1***@", url)
    return _PARAMETER_PASSWORD.sub(r"\1***", text)
