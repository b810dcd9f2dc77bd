"""Pacing and retries, above every transport: one loop, one place.

* :class:`~listingmirror_shipstation.transports.RateLimiter` paces requests from the server's
  own headers (ShipStation's ``X-Rate-Limit-Limit``/``-Remaining``/``-Reset``) so that a steady
  workload never meets a 429. It counts requests in flight, so one limiter can be shared by
  several clients (and threads) that use the same credentials. Its ``state`` is visible.
* :class:`~listingmirror_shipstation.transports.RetryPolicy` says what to retry: a 429 always
  (nothing was done), after the time the server asks for; a 5xx or a broken connection only
  for requests marked idempotent; never past the deadline. Backoff is exponential with full
  jitter.
* :func:`~listingmirror_shipstation.transports.send` runs the loop. Clock, sleep and randomness
  are injectable, so tests run instantly on a fake clock.
"""

import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Final

import attrs
from attrs import frozen

from ..errors import AmbiguousOutcomeError, ConnectError, TransportError, error_for
from .base import BaseTransport, Request, Response

__all__ = [
    "DEFAULT_RETRY",
    "RateLimitState",
    "RateLimiter",
    "RetryPolicy",
    "call",
    "send",
]

_TOO_MANY_REQUESTS: Final = 429
_SERVER_ERROR: Final = 500
_FIRST_REDIRECT: Final = 300  # redirects are never followed: a 3xx is an error, not a success


def _header_number(headers: Mapping[str, str], name: str) -> float | None:
    try:
        value = float(headers[name])
    except (KeyError, ValueError):
        return None
    return value if math.isfinite(value) and value >= 0 else None


@frozen(kw_only=True)
class RateLimitState:
    """What the limiter knows, as of the last response.

    Attributes:
        limit: Requests allowed per window (``X-Rate-Limit-Limit``), if seen.
        remaining: Requests left in the window, less those in flight, if known.
        reset_in: Seconds until the window resets, if known.
        waited: Total seconds spent waiting for the limit so far.
    """

    limit: int | None
    remaining: int | None
    reset_in: float | None
    waited: float


class RateLimiter:
    """Paces requests from ``X-Rate-Limit-*`` headers; share one per set of credentials.

    Nothing is assumed about the limit: until a response has told it, the limiter lets requests
    through. Once ``remaining`` reaches zero it waits until the window resets. Missing or
    garbled headers are ignored, never read as zero.

    Args:
        clock: Monotonic seconds (injectable for tests).
        sleep: How to wait (injectable for tests).
        margin: Seconds added to every reset the server announces: ``X-Rate-Limit-Reset`` is a
            whole-second countdown, so the window may end up to a second later than it says.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        margin: float = 1.0,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self.margin = margin
        self._lock = threading.Lock()
        self._limit: int | None = None
        self._remaining: int | None = None
        self._reset_at: float | None = None
        self._in_flight = 0
        self._waited = 0.0

    @property
    def state(self) -> RateLimitState:
        """The current state (a snapshot)."""
        with self._lock:
            now = self.clock()
            reset_in = None if self._reset_at is None else max(0.0, self._reset_at - now)
            return RateLimitState(
                limit=self._limit, remaining=self._remaining, reset_in=reset_in, waited=self._waited
            )

    def acquire(self) -> float:
        """Wait until a request may go, take its slot, and return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock()
                if self._reset_at is not None and now >= self._reset_at:
                    self._remaining, self._reset_at = None, None  # a new window
                if self._remaining is None or self._remaining > 0:
                    if self._remaining is not None:
                        self._remaining -= 1
                    self._in_flight += 1
                    self._waited += waited
                    return waited
                pause = (self._reset_at - now) if self._reset_at is not None else 1.0
            pause = max(pause, 0.001)
            self.sleep(pause)
            waited += pause

    def release(self, headers: Mapping[str, str] | None) -> None:
        """Give back the slot of a finished request and learn from its response headers."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if headers is None:
                return
            limit = _header_number(headers, "x-rate-limit-limit")
            remaining = _header_number(headers, "x-rate-limit-remaining")
            reset = _header_number(headers, "x-rate-limit-reset")
            if limit is not None:
                self._limit = int(limit)
            if remaining is None:
                return
            estimate = max(0, int(remaining) - self._in_flight)
            now = self.clock()
            in_window = self._reset_at is not None and now < self._reset_at
            if in_window and self._remaining is not None:
                # Within a window the count only goes down: a response that reports more
                # left is older than one already seen (threads finish out of order), and
                # believing it would send requests the server then refuses with a 429.
                self._remaining = min(self._remaining, estimate)
                if reset is not None and self._reset_at is not None:
                    self._reset_at = max(self._reset_at, now + reset + self.margin)
                return
            self._remaining = estimate
            if reset is not None:
                self._reset_at = now + reset + self.margin

    def hold(self, seconds: float) -> None:
        """The server said to wait *seconds* (a 429): nothing goes before then."""
        with self._lock:
            self._remaining = 0
            until = self.clock() + seconds + self.margin
            self._reset_at = until if self._reset_at is None else max(self._reset_at, until)


@frozen(kw_only=True)
class RetryPolicy:
    """What to retry, how long to wait, and when to stop.

    Attributes:
        max_attempts: Attempts in all, the first included.
        deadline: Seconds from the first attempt after which no retry starts.
        backoff: Base of the exponential backoff, in seconds (attempt n waits up to
            ``backoff * 2**(n-1)``, with full jitter).
        max_backoff: Longest single backoff, in seconds.
        default_retry_after: Wait after a 429 that says nothing about when to come back.
    """

    max_attempts: int = 6
    deadline: float = 120.0
    backoff: float = 0.5
    max_backoff: float = 30.0
    default_retry_after: float = 10.0

    def backoff_for(self, attempt: int, rng: Callable[[], float]) -> float:
        """Seconds to wait before attempt ``attempt + 1`` after a failure (full jitter)."""
        ceiling: float = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return ceiling * rng()

    def retry_after(self, response: Response) -> float:
        """Seconds a 429 asks to wait (``Retry-After``, else ``X-Rate-Limit-Reset``)."""
        for name in ("retry-after", "x-rate-limit-reset"):
            value = _header_number(response.headers, name)
            if value is not None:
                return value
        return self.default_retry_after


#: The retry policy clients use unless told otherwise.
DEFAULT_RETRY: Final = RetryPolicy()


def send(
    transport: BaseTransport,
    request: Request,
    *,
    policy: RetryPolicy = DEFAULT_RETRY,
    limiter: RateLimiter | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> Response:
    """Send *request* through *transport*, paced by *limiter* and retried by *policy*.

    Returns the final response, whatever its status (the last 429 or 5xx when retries ran
    out); raises the last transport error when those ran out. A request that is not
    idempotent is never repeated after it may have reached the server.
    """
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        if limiter is not None:
            limiter.acquire()
        try:
            response = transport.send(_within_deadline(request, policy, started, clock))
        except TransportError as exc:
            if limiter is not None:
                limiter.release(None)
            # Nothing reached the server, or repeating is harmless: a retry is safe.
            repeatable = isinstance(exc, ConnectError) or request.idempotent
            pause = policy.backoff_for(attempt, rng)
            if not repeatable or not _may_retry(policy, attempt, started, pause, clock):
                raise
            sleep(pause)
            continue
        if limiter is not None:
            limiter.release(response.headers)
        if response.status == _TOO_MANY_REQUESTS:
            pause = policy.retry_after(response)
            if limiter is not None:
                limiter.hold(pause)
            if not _may_retry(policy, attempt, started, pause, clock):
                return response
            if limiter is None:
                sleep(pause)  # with a limiter, acquire() does the waiting (and counts it)
            continue
        if response.status >= _SERVER_ERROR and request.idempotent:
            pause = policy.backoff_for(attempt, rng)
            if _may_retry(policy, attempt, started, pause, clock):
                sleep(pause)
                continue
        return response


def call(
    transport: BaseTransport,
    request: Request,
    *,
    policy: RetryPolicy = DEFAULT_RETRY,
    limiter: RateLimiter | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> Response:
    """:func:`send`, then judge the outcome as the clients do.

    Raises:
        APIError: The final answer has an error status (the subclass for that status, with
            the server's message); a 3xx is a
            :class:`~listingmirror_shipstation.errors.RedirectError`.
        AmbiguousOutcomeError: A request that is not idempotent got no answer; it may or may
            not have been applied.
        ConnectError: Nothing reached the server, even after retries.
        TransportError: An idempotent request got no answer, even after retries.
    """
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
    if response.status >= _FIRST_REDIRECT:
        raise error_for(
            response.status,
            method=request.method,
            url=request.url,
            headers=response.headers,
            body=response.body,
        )
    return response


def _within_deadline(
    request: Request, policy: RetryPolicy, started: float, clock: Callable[[], float]
) -> Request:
    """*request*, its own timeout cut to what is left of the deadline (never below 1 ms)."""
    if request.timeout is None:
        return request  # the transport's default timeout bounds it
    left = max(0.001, policy.deadline - (clock() - started))
    return request if request.timeout <= left else attrs.evolve(request, timeout=left)


def _may_retry(
    policy: RetryPolicy, attempt: int, started: float, pause: float, clock: Callable[[], float]
) -> bool:
    return attempt < policy.max_attempts and clock() + pause - started <= policy.deadline
