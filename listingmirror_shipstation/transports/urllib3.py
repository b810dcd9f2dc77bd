"""The default transport, on urllib3: pooled connections, TLS verified, explicit timeouts.

It honours the proxy environment by default, as curl and requests do: ``HTTPS_PROXY`` /
``HTTP_PROXY`` (or ``ALL_PROXY``) send a request through that proxy unless ``NO_PROXY`` names
its host.
"""

import contextlib
import logging
import threading
import time
import urllib.parse
import urllib.request
from typing import Any, Final

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from ..errors import ConnectError, RequestTimeout, ResponseTooLargeError, TransportError
from .base import BaseTransport, Request, Response

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "DEFAULT_TIMEOUT", "Urllib3Transport"]

logger = logging.getLogger(__name__)

#: Connect within 10 s, then wait up to 60 s for the answer (label creation can be slow).
DEFAULT_TIMEOUT: Final = urllib3.Timeout(connect=10.0, read=60.0)

#: Largest answer read, counted once decompressed (64 MiB). That is far above any page of 500
#: orders, and far below what a small gzip "bomb" expands to.
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024

#: Bytes read at a time while the body arrives.
_CHUNK: Final = 65536


def _set_socket_timeout(answer: urllib3.BaseHTTPResponse, seconds: float) -> None:
    """Shrink the socket's timeout to *seconds* (when urllib3 exposes the socket)."""
    sock = getattr(getattr(answer, "connection", None), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(max(seconds, 0.001))


def _read_some(answer: urllib3.BaseHTTPResponse) -> bytes:
    """What is there to read now (up to one chunk), without waiting for a full chunk."""
    read1 = getattr(answer, "read1", None)  # urllib3 >= 2.1
    if read1 is not None:
        return bytes(read1(_CHUNK))
    return answer.read(1024)


def _map_error(exc: BaseException, request: Request) -> TransportError:
    """The library's error for a urllib3 failure (the one place they are translated)."""
    reason = exc.reason if isinstance(exc, MaxRetryError) and exc.reason else exc
    where = {"method": request.method, "url": request.url}
    # NewConnectionError subclasses ConnectTimeoutError: test it first, or a refused
    # connection is reported as a timeout.
    if isinstance(reason, NewConnectionError | SSLError):
        return ConnectError(f"cannot connect: {reason}", **where)
    if isinstance(reason, ConnectTimeoutError):
        return ConnectError(f"timed out connecting: {reason}", **where)
    if isinstance(reason, ReadTimeoutError):
        return RequestTimeout(f"no answer in time: {reason}", **where)
    if isinstance(reason, ProtocolError):
        return TransportError(f"connection broken: {reason}", **where)
    return TransportError(f"request failed: {reason}", **where)


class Urllib3Transport(BaseTransport):
    """Sends requests with one urllib3 ``PoolManager`` (thread-safe, connections reused).

    TLS certificates are verified. It sends each request once: urllib3's own retries and
    redirects are off, because pacing and retries are the client's policy, above every
    transport.

    Proxies come from the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY`` and
    ``NO_PROXY``, read once, when the transport is made): a request whose host ``NO_PROXY``
    does not name goes through a ``urllib3.ProxyManager`` for that proxy (user info in the
    proxy URL becomes ``Proxy-Authorization``). Pass ``trust_env=False`` to ignore them.

    Extend it by subclassing: override :meth:`make_pool` for a fixed proxy, a CA bundle or pool
    sizes (a ``ProxyManager`` it returns is used for every request, whatever the environment
    says), and :meth:`make_proxy_pool` for how an environment proxy is reached. Set whatever
    they read *before* calling ``super().__init__()``.

    Args:
        timeout: Default timeout (a request's own ``timeout`` overrides the read part).
        pool_kwargs: Extra keyword arguments for ``urllib3.PoolManager`` (and the proxy pools).
        max_response_bytes: Largest answer read, counted after decompression; a larger one
            raises :class:`~listingmirror_shipstation.errors.ResponseTooLargeError`.
        trust_env: Honour the proxy environment variables.

    Attributes:
        proxies: The proxies read from the environment, by scheme (``no`` holds ``NO_PROXY``).
    """

    def __init__(
        self,
        *,
        timeout: urllib3.Timeout = DEFAULT_TIMEOUT,
        pool_kwargs: dict[str, Any] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        trust_env: bool = True,
    ) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.pool_kwargs = dict(pool_kwargs or {})
        self.proxies: dict[str, str] = (
            dict(urllib.request.getproxies_environment()) if trust_env else {}
        )
        self._proxy_pools: dict[str, urllib3.ProxyManager] = {}
        self._proxy_lock = threading.Lock()
        self.pool = self.make_pool()

    def make_pool(self) -> urllib3.PoolManager:
        """Build the connection pool (override for a proxy or a custom CA bundle)."""
        return urllib3.PoolManager(
            retries=False, timeout=self.timeout, cert_reqs="CERT_REQUIRED", **self.pool_kwargs
        )

    def make_proxy_pool(self, proxy_url: str) -> urllib3.ProxyManager:
        """Build the pool that goes through *proxy_url* (a proxy from the environment)."""
        auth = urllib3.util.parse_url(proxy_url).auth
        headers = (
            urllib3.util.make_headers(proxy_basic_auth=urllib.parse.unquote(auth)) if auth else None
        )
        return urllib3.ProxyManager(
            proxy_url,
            proxy_headers=headers,
            retries=False,
            timeout=self.timeout,
            cert_reqs="CERT_REQUIRED",
            **self.pool_kwargs,
        )

    def pool_for(self, url: str) -> urllib3.PoolManager:
        """The pool that sends to *url*.

        A proxy's pool when the environment names a proxy for its scheme and ``NO_PROXY``
        does not name its host; ``pool`` otherwise.
        """
        if not self.proxies or isinstance(self.pool, urllib3.ProxyManager):
            return self.pool
        parts = urllib.parse.urlsplit(url)
        proxy = self.proxies.get(parts.scheme.lower()) or self.proxies.get("all")
        if not proxy or not parts.hostname:
            return self.pool
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        # proxy_bypass_environment is public in urllib.request but missing from typeshed.
        if urllib.request.proxy_bypass_environment(host, self.proxies):  # type: ignore[attr-defined]
            return self.pool
        with self._proxy_lock:
            pool = self._proxy_pools.get(proxy)
            if pool is None:
                pool = self._proxy_pools[proxy] = self.make_proxy_pool(proxy)
            return pool

    def send(self, request: Request) -> Response:
        """Send *request* once; map every urllib3 failure to the library's errors."""
        timeout = self.timeout
        if request.timeout is not None:
            timeout = urllib3.Timeout(connect=self.timeout.connect_timeout, read=request.timeout)
        try:
            answer = self.pool_for(request.url).request(
                request.method,
                request.url,
                body=request.body,
                headers=dict(request.headers),
                timeout=timeout,
                retries=False,
                redirect=False,
                preload_content=False,
            )
            body = self._read_body(answer, request, timeout)
        except TransportError:
            raise  # already the library's (RequestTimeout is also an OSError)
        except HTTPError as exc:
            raise _map_error(exc, request) from exc
        except OSError as exc:  # a socket error urllib3 did not wrap
            raise TransportError(
                f"request failed: {exc}", method=request.method, url=request.url
            ) from exc
        return Response(status=answer.status, headers=dict(answer.headers), body=body)

    def _read_body(
        self, answer: urllib3.BaseHTTPResponse, request: Request, timeout: urllib3.Timeout
    ) -> bytes:
        """Read the whole body within the read timeout *in total*, and at most the size cap.

        urllib3's read timeout bounds each wait for a byte, so a body sent a byte at a time
        could take forever; here the whole body must arrive within that time, and the socket's
        own timeout shrinks to what is left, so no single wait overruns it. The body is counted
        decompressed and reading stops past ``max_response_bytes`` (a small gzip "bomb" never
        expands in memory).
        """
        limit = timeout.read_timeout
        deadline = time.monotonic() + limit if isinstance(limit, int | float) else None
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise RequestTimeout(
                            f"the answer did not arrive within {limit:g} s",
                            method=request.method,
                            url=request.url,
                        )
                    _set_socket_timeout(answer, left)
                chunk = _read_some(answer)
                if not chunk:
                    return b"".join(chunks)
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise ResponseTooLargeError(
                        f"answer over the limit of {self.max_response_bytes} bytes"
                        " (decompressed); not read further",
                        method=request.method,
                        url=request.url,
                        limit=self.max_response_bytes,
                    )
                chunks.append(chunk)
        except BaseException:
            answer.close()  # the rest of the body is still coming: never reuse the connection
            raise
        finally:
            answer.release_conn()

    def close(self) -> None:
        """Close every pooled connection."""
        self.pool.clear()
        with self._proxy_lock:
            for pool in self._proxy_pools.values():
                pool.clear()
