"""The request core both clients use: building requests and reading responses, without I/O.

:class:`~listingmirror_shipstation.transports.RequestCore` knows one API's base URL,
credentials and error-body format (passed in by the platform's client: this module knows
neither platform) and does what every call shares. ``build`` joins the path to the base URL
(an absolute URL, such as a ``next`` link, is pinned to the API's host with
:func:`~listingmirror_shipstation.transports.pin_url`), writes the query, and sets
``Authorization``, ``Accept``, ``User-Agent`` and ``Content-Type``. ``read`` turns an error
status into the typed :class:`~listingmirror_shipstation.errors.APIError` (the platform reads
its own error bodies) and a good answer into models, through the platform's decoder.
``failed`` turns a transport error of a request that is not idempotent into
:class:`~listingmirror_shipstation.errors.AmbiguousOutcomeError`. ``log`` writes the one INFO
line per request (method, URL without its query, status, seconds: never a header, so never a
credential).

None of these does I/O, so an async face can reuse them as they are; ``call`` is the
synchronous face: build, send through a transport, log, read.
"""

import importlib.metadata
import logging
import sys
import time
import urllib.parse
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import urllib3

from ..errors import (
    AmbiguousOutcomeError,
    APIError,
    ConfigurationError,
    ConnectError,
    TransportError,
    error_for,
)
from .base import BaseTransport, Request, Response
from .policy import DEFAULT_RETRY, PolicyTransport, RateLimiter, Retry, _find_policy
from .urllib3 import Urllib3Transport
from .urls import pin_url

__all__ = ["DEFAULT_USER_AGENT", "RequestCore"]


def _version() -> str:
    try:
        return importlib.metadata.version("listingmirror-shipstation")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
        return "0+unknown"


#: ``User-Agent`` sent unless a client is given another:
#: ``listingmirror-shipstation/<version> python/<major.minor>``.
DEFAULT_USER_AGENT: Final = (
    f"listingmirror-shipstation/{_version()} python/{sys.version_info[0]}.{sys.version_info[1]}"
)

#: Reads a platform's error body: ``(message or None, per-field messages)``.
ErrorBodyReader = Callable[[bytes], tuple[str | None, Mapping[str, tuple[str, ...]]]]

#: Turns a decoded JSON answer into a model: ``decode(body_bytes, into)``.
Decoder = Callable[[bytes, Any], Any]

_FIRST_REDIRECT: Final = 300  # redirects are never followed: a 3xx is an error, not a success
_IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def _plain(body: bytes) -> tuple[str | None, Mapping[str, tuple[str, ...]]]:
    return None, {}


class RequestCore:
    """Builds one API's requests and reads its responses; does no I/O itself.

    >>> import logging
    >>> from listingmirror_shipstation.transports import MockTransport, Response
    >>> from listingmirror_shipstation.transports.core import RequestCore
    >>> core = RequestCore(base_url="https://api.example.invalid/v2/", authorization="Basic dTpw",
    ...                    decode=lambda body, into: body.decode(), logger=logging.getLogger("x"))
    >>> request = core.build("GET", "items/", query=[("page", "2")])
    >>> request.url, request.idempotent
    ('https://api.example.invalid/v2/items/?page=2', True)
    >>> core.read(request, Response(status=200, body=b"ok"), into=str)
    'ok'
    >>> core.call(MockTransport(lambda r: Response(status=204)), request, into=None) is None
    True

    Args:
        base_url: The API's root; relative paths are joined to it.
        authorization: The ``Authorization`` header's value (never logged, never shown).
        decode: Reads a good answer's body into a model: ``decode(body, into)``.
        logger: Where the one INFO line per request goes (the platform client's logger).
        read_error: Reads the platform's error bodies into ``(message, model_state)``; the
            start of the body is the message by default.
        user_agent: The ``User-Agent`` header
            (``listingmirror-shipstation/<version> python/<x.y>`` by default).
        headers: Other headers sent on every request (e.g. ShipStation's ``x-partner``).
        clock: Seconds, for the log line's duration.

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        *,
        base_url: str,
        authorization: str,
        decode: Decoder,
        logger: logging.Logger,
        read_error: ErrorBodyReader = _plain,
        user_agent: str | None = None,
        headers: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.decode = decode
        self.logger = logger
        self.read_error = read_error
        self.clock = clock
        self._headers = {
            "Authorization": authorization,
            "Accept": "application/json",
            "User-Agent": user_agent or DEFAULT_USER_AGENT,
            **(headers or {}),
        }

    def __repr__(self) -> str:
        return f"RequestCore(base_url={self.base_url!r})"

    # --- building ----------------------------------------------------------------------

    def url(self, path_or_url: str, query: Sequence[tuple[str, str]] = ()) -> str:
        """The absolute URL for *path_or_url*, with *query* appended.

        A path is joined to the base URL; an absolute URL is pinned to the API's scheme, host
        and port (:func:`~listingmirror_shipstation.transports.pin_url`).
        """
        if "://" in path_or_url:
            url = pin_url(path_or_url, self.base_url, what="URL")
        else:
            url = urllib.parse.urljoin(self.base_url, path_or_url.lstrip("/"))
        if query:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(list(query))
        return url

    def follow(self, url: str, *, what: str) -> str:
        """*url* (a ``next`` link, a ``resource_url``) if it stays on the API's host.

        Raises:
            UnsafeURLError: It would carry the credentials anywhere else.
        """
        return pin_url(url, self.base_url, what=what)

    def build(
        self,
        method: str,
        path_or_url: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: bytes | None = None,
        idempotent: bool | None = None,
        content_type: str = "application/json",
    ) -> Request:
        """The :class:`~listingmirror_shipstation.transports.Request` for one call.

        *idempotent* defaults to ``True`` for GET, HEAD, OPTIONS, PUT and DELETE.
        """
        headers = dict(self._headers)
        if body is not None:
            headers["Content-Type"] = content_type
        safe = idempotent if idempotent is not None else method in _IDEMPOTENT_METHODS
        return Request(
            method=method,
            url=self.url(path_or_url, query),
            headers=headers,
            body=body,
            idempotent=safe,
        )

    # --- reading -----------------------------------------------------------------------

    def error(self, request: Request, response: Response) -> APIError:
        """The typed error for an error *response* (the platform reads the body)."""
        try:
            message, model_state = self.read_error(response.body)
        except Exception:  # an unreadable error body never hides the status
            message, model_state = None, {}
        return error_for(
            response.status,
            method=request.method,
            url=request.url,
            headers=response.headers,
            body=response.body,
            message=message,
            model_state=model_state,
        )

    def read(self, request: Request, response: Response, *, into: Any) -> Any:
        """The answer read into *into* (``None`` for no model or an empty body).

        Raises:
            APIError: The status is 3xx (never followed) or an error.
            ConversionError: The body does not fit *into*.
        """
        if response.status >= _FIRST_REDIRECT:
            raise self.error(request, response)
        if into is None or not response.body.strip():
            return None
        return self.decode(response.body, into)

    def failed(self, request: Request, exc: TransportError) -> TransportError:
        """The error to raise for *exc*.

        For a request that is not idempotent and may have arrived, an
        :class:`~listingmirror_shipstation.errors.AmbiguousOutcomeError`; else *exc* itself.
        """
        if isinstance(exc, ConnectError) or request.idempotent:
            return exc
        return AmbiguousOutcomeError(
            f"{request.method} {request.url} may or may not have been applied: {exc}",
            method=request.method,
            url=request.url,
        )

    def log(self, request: Request, outcome: Response | BaseException, seconds: float) -> None:
        """The one INFO line for a request: method, URL without query, status, seconds."""
        status: object = outcome.status if isinstance(outcome, Response) else "no answer"
        self.logger.info(
            "%s %s -> %s (%.2fs)", request.method, request.url.split("?", 1)[0], status, seconds
        )

    # --- the synchronous face ----------------------------------------------------------

    def call(self, transport: BaseTransport, request: Request, *, into: Any) -> Any:
        """Send *request* through *transport* (one INFO line), then :meth:`read` the answer.

        Raises:
            APIError: The final answer has an error status.
            AmbiguousOutcomeError: A request that is not idempotent got no answer.
            TransportError: An idempotent request got no answer.
        """
        started = self.clock()
        try:
            response = transport.send(request)
        except TransportError as exc:
            self.log(request, exc, self.clock() - started)
            failure = self.failed(request, exc)
            if failure is exc:
                raise
            raise failure from exc
        self.log(request, response, self.clock() - started)
        return self.read(request, response, into=into)


def _client_transport(
    transport: BaseTransport | None,
    *,
    timeout: float | None,
    retry: Retry | None,
    rate_limiter: RateLimiter | None,
    clock: Any = None,
    sleep: Any = None,
    rng: Any = None,
    who: str,
) -> tuple[BaseTransport, PolicyTransport]:
    """The transport a client sends through, and the policy in it.

    *transport* (a ``Urllib3Transport`` by default) is wrapped in a
    :class:`~listingmirror_shipstation.transports.PolicyTransport`,
    unless it already is one or wraps one (through ``inner``): then it is used as it is.

    *clock*, *sleep* and *rng* are the clients' deprecated constructor arguments: those given
    go to the new ``PolicyTransport``, with a ``DeprecationWarning``.

    Raises:
        ConfigurationError: Contradictory arguments: *transport* with *timeout*, or a
            transport that has its own policy with *retry*, *rate_limiter*, *clock*, *sleep*
            or *rng*.
    """
    legacy = {
        name: value
        for name, value in (("clock", clock), ("sleep", sleep), ("rng", rng))
        if value is not None
    }
    if transport is not None and timeout is not None:
        raise ConfigurationError(
            "pass timeout= to the transport you give, not to the client as well"
        )
    if legacy:
        warnings.warn(
            f"{who}({', '.join(f'{name}=' for name in legacy)}) is deprecated: pass them to"
            " PolicyTransport(inner, clock=..., sleep=..., rng=...) given as transport=",
            DeprecationWarning,
            stacklevel=3,
        )
    if transport is None:
        transport = Urllib3Transport(
            timeout=urllib3.Timeout(connect=10.0, read=timeout if timeout is not None else 60.0)
        )
    policy = _find_policy(transport)
    if policy is not None:
        given = [
            name for name, value in (("retry", retry), ("rate_limiter", rate_limiter)) if value
        ]
        given += list(legacy)
        if given:
            raise ConfigurationError(
                f"{who}: the transport given has its own PolicyTransport; pass"
                f" {', '.join(given)} to it, not to the client as well"
            )
        return transport, policy
    policy = PolicyTransport(
        transport,
        retry=retry if retry is not None else DEFAULT_RETRY,
        limiter=rate_limiter,
        **legacy,
    )
    return policy, policy
