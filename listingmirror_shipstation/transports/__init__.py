"""Transports (how requests travel) and the policy that wraps them (pacing and retries).

Transports know nothing of either platform. Extend them by subclassing
:class:`BaseTransport` (or :class:`Urllib3Transport`), or by wrapping another transport;
:class:`PolicyTransport` is such a wrapper, and composes with yours.
"""

import warnings
from typing import Any

from .._exports import adopt
from .base import BaseTransport, Request, Response
from .core import DEFAULT_USER_AGENT, RequestCore
from .mock import MockTransport
from .policy import DEFAULT_RETRY, PolicyTransport, RateLimiter, RateLimitState, Retry
from .urllib3 import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, Urllib3Transport
from .urls import pin_url

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "BaseTransport",
    "MockTransport",
    "PolicyTransport",
    "RateLimitState",
    "RateLimiter",
    "Request",
    "RequestCore",
    "Response",
    "Retry",
    "Urllib3Transport",
    "pin_url",
]

adopt(globals(), __all__, __name__)

#: Names kept for one release, each with a ``DeprecationWarning``: old name -> new spelling.
_DEPRECATED = {
    "RetryPolicy": "Retry",
    "send": "PolicyTransport(transport, ...).send(request)",
    "call": "a client (the request core judges the statuses)",
}


def __getattr__(name: str) -> Any:
    if name not in _DEPRECATED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"listingmirror_shipstation.transports.{name} is deprecated; use {_DEPRECATED[name]}",
        DeprecationWarning,
        stacklevel=2,
    )
    from . import _legacy

    return getattr(_legacy, name)
