"""Pacing and retries, above every transport: one loop, one place, one wrapping transport.

* :class:`~listingmirror_shipstation.transports.PolicyTransport` wraps any transport (ours,
  the simulator's, yours) and runs the loop: pace, send, decide, wait, send again. Clock, sleep
  and randomness are injected there, once, so tests run instantly on a fake clock.
* :class:`~listingmirror_shipstation.transports.RateLimiter` paces requests from the server's
  own headers (ShipStation's ``X-Rate-Limit-Limit``/``-Remaining``/``-Reset``) so that a steady
  workload never meets a 429. It counts requests in flight, so one limiter can be shared by
  several clients (and threads) that use the same credentials. Its ``state`` is visible.
* :class:`~listingmirror_shipstation.transports.Retry` decides what to retry, in the shape of
  urllib3's ``Retry``: a 429 always (nothing was done), after the time the server asks for
  (``Retry-After`` in seconds or as an HTTP date); a 5xx or a broken connection only for
  requests marked idempotent; never past the deadline. Backoff is exponential with full
  jitter. A wait a server asks for is capped at one hour (and never overflows ``sleep``): a
  ``Retry-After`` longer than the deadline ends the call at once with the 429, and never holds
  the limiter, so the next call is not kept waiting for it. Subclass it and override
  :meth:`~listingmirror_shipstation.transports.Retry.is_retry` to change a decision;
  :meth:`~listingmirror_shipstation.transports.Retry.new` keeps the subclass.
"""

import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, Self

import attrs
from attrs import frozen

from ..errors import ConnectError, TransportError, _seconds_to_wait
from .base import BaseTransport, Request, Response

__all__ = [
    "DEFAULT_RETRY",
    "PolicyTransport",
    "RateLimitState",
    "RateLimiter",
    "Retry",
]

_TOO_MANY_REQUESTS: Final = 429
_SERVER_ERROR: Final = 500
#: The longest wait a server's header can impose (``Retry-After``, ``X-Rate-Limit-Reset``):
#: one hour. A longer (or absurd, ``1e308``) value is taken as this long, so no wait overflows
#: ``time.sleep`` nor holds requests for years.
_MAX_WAIT: Final = 3600.0


def _bounded(seconds: float) -> float:
    """*seconds* within ``[0, _MAX_WAIT]`` (NaN counts as 0)."""
    return min(seconds, _MAX_WAIT) if seconds > 0 else 0.0


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

    A reset or a hold longer than one hour is taken as one hour: a garbled or hostile header
    never stalls the limiter for longer, nor overflows ``sleep``.
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

    def release(self, headers: Mapping[str, str] | None, *, sent_at: float | None = None) -> None:
        """Give back the slot of a finished request and learn from its response headers.

        Args:
            headers: The response's headers (``None`` when there was no response).
            sent_at: When the request left (this limiter's clock). The server counted it and
                measured ``X-Rate-Limit-Reset`` then, not when the answer arrived one latency
                later: the window's end is reckoned from here. The time of this call when
                not given.
        """
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if headers is None:
                return
            limit = _header_number(headers, "x-rate-limit-limit")
            remaining = _header_number(headers, "x-rate-limit-remaining")
            reset = _header_number(headers, "x-rate-limit-reset")
            reset = None if reset is None else _bounded(reset)
            if limit is not None:
                self._limit = int(limit)
            if remaining is None:
                return
            estimate = max(0, int(remaining) - self._in_flight)
            now = self.clock()
            counted = now if sent_at is None else min(sent_at, now)
            in_window = self._reset_at is not None and now < self._reset_at
            if in_window and self._remaining is not None:
                # Within a window the count only goes down: a response that reports more
                # left is older than one already seen (threads finish out of order), and
                # believing it would send requests the server then refuses with a 429.
                self._remaining = min(self._remaining, estimate)
                if reset is not None and self._reset_at is not None:
                    self._reset_at = max(self._reset_at, counted + reset + self.margin)
                return
            self._remaining = estimate
            if reset is not None:
                self._reset_at = counted + reset + self.margin

    def hold(self, seconds: float) -> None:
        """The server said to wait *seconds* (a 429): nothing goes before then.

        At most one hour (plus ``margin``) however long *seconds* is.
        """
        with self._lock:
            self._remaining = 0
            until = self.clock() + _bounded(seconds) + self.margin
            self._reset_at = until if self._reset_at is None else max(self._reset_at, until)


class Retry:
    """What to retry, how long to wait, and when to stop: the retry decisions, overridable.

    The shape of urllib3's ``Retry``: the object is immutable, :meth:`new` copies it with
    changes through ``type(self)(...)`` (so a subclass survives), and the decision is one
    method, :meth:`is_retry`, to override:

    >>> from listingmirror_shipstation.transports import Request, Response, Retry
    >>> class NoRetryOn503(Retry):
    ...     def is_retry(self, request, outcome, attempt):
    ...         if isinstance(outcome, Response) and outcome.status == 503:
    ...             return False
    ...         return super().is_retry(request, outcome, attempt)
    >>> retry = NoRetryOn503().new(max_attempts=3)
    >>> type(retry).__name__, retry.max_attempts
    ('NoRetryOn503', 3)
    >>> get = Request(method="GET", url="https://example.invalid/", idempotent=True)
    >>> retry.is_retry(get, Response(status=503), 1), retry.is_retry(get, Response(status=502), 1)
    (False, True)

    Args:
        max_attempts: Attempts in all, the first included.
        deadline: Seconds from the first attempt after which no retry starts; each attempt's
            own timeout is cut to what is left of it.
        backoff: Base of the exponential backoff, in seconds (attempt n waits up to
            ``backoff * 2**(n-1)``, with full jitter).
        max_backoff: Longest single backoff, in seconds.
        default_retry_after: Wait after a 429 that says nothing about when to come back.

    A 429 whose wait (at most one hour: :meth:`retry_after`) does not end within the
    ``deadline`` is not retried: the call ends at once with it (the client raises
    :class:`~listingmirror_shipstation.errors.RateLimitError`, whose ``retry_after`` is what the
    server said).

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        *,
        max_attempts: int = 6,
        deadline: float = 120.0,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        default_retry_after: float = 10.0,
    ) -> None:
        self.max_attempts = max_attempts
        self.deadline = deadline
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.default_retry_after = default_retry_after

    def _params(self) -> dict[str, Any]:
        return {
            "max_attempts": self.max_attempts,
            "deadline": self.deadline,
            "backoff": self.backoff,
            "max_backoff": self.max_backoff,
            "default_retry_after": self.default_retry_after,
        }

    def new(self, **changes: Any) -> Self:
        """A copy with *changes*, of the same class (``type(self)(...)``), as urllib3 does."""
        return type(self)(**{**self._params(), **changes})

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self._params().items())
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Retry) or type(other) is not type(self):
            return NotImplemented
        return self._params() == other._params()

    def __hash__(self) -> int:
        return hash((type(self), tuple(self._params().items())))

    def is_retry(self, request: Request, outcome: Response | TransportError, attempt: int) -> bool:
        """Whether *outcome* of attempt number *attempt* (from 1) is worth another attempt.

        The one decision to override. The default: a 429 always (the server did nothing); a
        5xx only for an idempotent request; a
        :class:`~listingmirror_shipstation.errors.ConnectError` always (nothing was sent); any
        other transport error only for an idempotent request.
        Counting attempts and the deadline are checked separately (:meth:`allows`).
        """
        if isinstance(outcome, Response):
            if outcome.status == _TOO_MANY_REQUESTS:
                return True
            return outcome.status >= _SERVER_ERROR and request.idempotent
        return isinstance(outcome, ConnectError) or request.idempotent

    def wait_for(
        self,
        request: Request,
        outcome: Response | TransportError,
        attempt: int,
        rng: Callable[[], float],
    ) -> float:
        """Seconds to wait before the next attempt: what a 429 asks, else the backoff."""
        if isinstance(outcome, Response) and outcome.status == _TOO_MANY_REQUESTS:
            return self.retry_after(outcome)
        return self.backoff_for(attempt, rng)

    def backoff_for(self, attempt: int, rng: Callable[[], float]) -> float:
        """Seconds to wait before attempt ``attempt + 1`` after a failure (full jitter)."""
        ceiling: float = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return ceiling * rng()

    def retry_after(self, response: Response) -> float:
        """Seconds a 429 asks to wait, at most one hour.

        ``Retry-After`` (seconds or an HTTP date), else ``X-Rate-Limit-Reset``, else
        ``default_retry_after``. A longer ask (``Retry-After: 999999999``, a date in 2099,
        ``1e308``) is taken as one hour: with the default ``deadline`` the call then ends at
        once with the 429.
        """
        seconds = _seconds_to_wait(response.headers)
        return _bounded(self.default_retry_after if seconds is None else seconds)

    def allows(self, attempt: int, elapsed: float, pause: float) -> bool:
        """Whether another attempt may start after *attempt* attempts and *elapsed* seconds.

        It may when *attempt* is under ``max_attempts`` and the wait of *pause* ends within
        the ``deadline``.
        """
        return attempt < self.max_attempts and elapsed + pause <= self.deadline


#: The retry decisions clients use unless told otherwise.
DEFAULT_RETRY: Final = Retry()


class PolicyTransport(BaseTransport):
    """Wraps a transport with pacing and retries: compose it with any transport, yours too.

    Every request waits for the :class:`RateLimiter`, goes to *inner*, and is sent again when
    *retry* says so (see :class:`Retry`). It returns the final response whatever its status
    (the last 429 or 5xx when retries ran out) and raises the last transport error when those
    ran out. A request that is not idempotent is never repeated after it may have reached the
    server. The clients wrap the transport they are given in one of these unless it already is
    one (or wraps one, through an ``inner`` attribute).

    >>> from listingmirror_shipstation.transports import (
    ...     MockTransport, PolicyTransport, Request, Response, Retry)
    >>> answers = iter([Response(status=503), Response(status=200)])
    >>> inner = MockTransport(lambda request: next(answers))
    >>> transport = PolicyTransport(inner, retry=Retry(backoff=0))
    >>> get = Request(method="GET", url="https://example.invalid/", idempotent=True)
    >>> transport.send(get).status
    200
    >>> len(inner.requests)
    2

    Args:
        inner: The transport that sends each attempt.
        retry: The retry decisions.
        limiter: The rate limiter; share one between transports (and clients) that use the same
            credentials. A new one on *clock* and *sleep* by default.
        clock: Monotonic seconds (injectable for tests; also the new limiter's).
        sleep: How to wait (injectable for tests; also the new limiter's).
        rng: Randomness for backoff jitter, from 0 to 1 (injectable for tests).

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        inner: BaseTransport,
        *,
        retry: Retry = DEFAULT_RETRY,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.inner = inner
        self.retry = retry
        self.limiter = limiter if limiter is not None else RateLimiter(clock=clock, sleep=sleep)
        self.clock = clock
        self.sleep = sleep
        self.rng = rng

    def __repr__(self) -> str:
        return f"PolicyTransport({self.inner!r}, retry={self.retry!r})"

    def send(self, request: Request) -> Response:
        """Send *request* through *inner*, paced and retried; return the final response."""
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            self.limiter.acquire()
            sent_at = self.limiter.clock()
            try:
                response = self.inner.send(self._within_deadline(request, started))
            except TransportError as exc:
                self.limiter.release(None)
                if not self._again(request, exc, attempt, started):
                    raise
                continue
            self.limiter.release(response.headers, sent_at=sent_at)
            if response.status < _TOO_MANY_REQUESTS or not self._again(
                request, response, attempt, started
            ):
                return response

    def close(self) -> None:
        """Close the inner transport."""
        self.inner.close()

    def _again(
        self, request: Request, outcome: Response | TransportError, attempt: int, started: float
    ) -> bool:
        """Decide, and wait when another attempt follows."""
        decided = self.retry.is_retry(request, outcome, attempt)
        limited = isinstance(outcome, Response) and outcome.status == _TOO_MANY_REQUESTS
        if not decided and not limited:
            return False
        # A subclass's wait_for() may say anything: never inf, NaN or years (sleep overflows).
        pause = _bounded(self.retry.wait_for(request, outcome, attempt, self.rng))
        again = decided and self.retry.allows(attempt, self.clock() - started, pause)
        if limited and (again or pause <= self.retry.deadline):
            # Nothing goes before then, whatever is decided here; but a wait longer than a
            # call may take is not imposed on the next calls: each asks the server and ends
            # at once with its own 429, instead of sleeping for what this one refused.
            self.limiter.hold(pause)
        if not again:
            return False
        if not limited:
            self.sleep(pause)  # after a 429, acquire() does the waiting (and counts it)
        return True

    def _within_deadline(self, request: Request, started: float) -> Request:
        """*request*, its own timeout cut to what is left of the deadline (never below 1 ms)."""
        if request.timeout is None:
            return request  # the transport's default timeout bounds it
        left = max(0.001, self.retry.deadline - (self.clock() - started))
        return request if request.timeout <= left else attrs.evolve(request, timeout=left)


def _find_policy(transport: BaseTransport) -> PolicyTransport | None:
    """The :class:`PolicyTransport` *transport* is or wraps (through ``inner``), if any."""
    seen = 0
    current: object = transport
    while current is not None and seen < 16:
        if isinstance(current, PolicyTransport):
            return current
        current = getattr(current, "inner", None)
        seen += 1
    return None
