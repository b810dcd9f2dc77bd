"""Transports (how requests travel) and the policy above them (pacing and retries).

Transports know nothing of either platform. Extend them by subclassing
:class:`BaseTransport` (or :class:`Urllib3Transport`), or by wrapping another transport.
"""

from .._exports import adopt
from .base import BaseTransport, Request, Response
from .mock import MockTransport
from .policy import DEFAULT_RETRY, RateLimiter, RateLimitState, RetryPolicy, call, send
from .urllib3 import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, Urllib3Transport
from .urls import pin_url

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "BaseTransport",
    "MockTransport",
    "RateLimitState",
    "RateLimiter",
    "Request",
    "Response",
    "RetryPolicy",
    "Urllib3Transport",
    "call",
    "pin_url",
    "send",
]

adopt(globals(), __all__, __name__)
