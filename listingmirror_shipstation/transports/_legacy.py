"""The 0.1 names of the policy (``RetryPolicy``, ``send``, ``call``), deprecated, kept thin."""

import random
import time
from collections.abc import Callable

from ..errors import AmbiguousOutcomeError, ConnectError, TransportError, error_for
from .base import BaseTransport, Request, Response
from .policy import DEFAULT_RETRY, PolicyTransport, RateLimiter, Retry

__all__ = ["RetryPolicy", "call", "send"]

RetryPolicy = Retry


def send(
    transport: BaseTransport,
    request: Request,
    *,
    policy: Retry = DEFAULT_RETRY,
    limiter: RateLimiter | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> Response:
    """Deprecated: ``PolicyTransport(transport, ...).send(request)``."""
    wrapped = PolicyTransport(
        transport, retry=policy, limiter=limiter, clock=clock, sleep=sleep, rng=rng
    )
    return wrapped.send(request)


def call(
    transport: BaseTransport,
    request: Request,
    *,
    policy: Retry = DEFAULT_RETRY,
    limiter: RateLimiter | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> Response:
    """Deprecated: :func:`send`, then an error status raised as the typed error."""
    try:
        response = send(
            transport, request, policy=policy, limiter=limiter, clock=clock, sleep=sleep, rng=rng
        )
    except ConnectError:
        raise
    except TransportError as exc:
        if request.idempotent:
            raise
        raise AmbiguousOutcomeError(
            f"{request.method} {request.url} may or may not have been applied: {exc}",
            method=request.method,
            url=request.url,
        ) from exc
    if response.status >= 300:
        raise error_for(
            response.status,
            method=request.method,
            url=request.url,
            headers=response.headers,
            body=response.body,
        )
    return response
