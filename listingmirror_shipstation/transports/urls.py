"""Pinning the URLs a client follows (a ``next`` link, a webhook's ``resource_url``) to its API.

A followed URL carries the client's credentials, so it must reach the API's own scheme, host
and port. Python's :func:`urllib.parse.urlsplit` and urllib3 read some URLs differently (a
backslash ends the host for urllib3 but not for ``urlsplit``), so :func:`pin_url` reads the URL
with *both*, the way urllib3 will send it, and refuses anything on which they could disagree.
"""

import re
import urllib.parse
from typing import Final

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from ..errors import UnsafeURLError

__all__ = ["pin_url"]

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
#: Characters no followed URL may hold: backslashes, controls, spaces and anything non-ASCII.
_REFUSED: Final = re.compile(r"[\\\x00-\x20\x7f-\U0010ffff]")
_MAX_SHOWN: Final = 80


def _show(url: str) -> str:
    """The URL for a message: without user info, bounded."""
    shown = re.sub(r"//[^/?#]*@", "//…@", url)
    return repr(shown if len(shown) <= _MAX_SHOWN else shown[: _MAX_SHOWN - 1] + "…")


def _origin(url: str) -> tuple[tuple[str, str, int], tuple[str, str, int]]:
    """The (scheme, host, port) of *url* as urllib3 reads it, and as ``urlsplit`` reads it.

    Raises:
        UnsafeURLError: Either parser refuses the URL, or it holds user info.
    """
    try:
        ours = parse_url(url)
        theirs = urllib.parse.urlsplit(url)
        their_port = theirs.port
    except (LocationParseError, ValueError) as exc:
        raise UnsafeURLError(f"refusing a URL that cannot be read: {_show(url)}") from exc
    if ours.auth is not None or "@" in theirs.netloc:
        raise UnsafeURLError(f"refusing a URL with user info: {_show(url)}")
    scheme = (ours.scheme or "").lower()
    if scheme not in _DEFAULT_PORTS or not ours.host or not theirs.hostname:
        raise UnsafeURLError(f"refusing a URL that is not absolute http(s): {_show(url)}")
    default = _DEFAULT_PORTS[scheme]
    return (
        (scheme, ours.host.lower().strip("[]"), ours.port or default),
        (theirs.scheme.lower(), theirs.hostname.lower(), their_port or default),
    )


def pin_url(url: object, base_url: str, *, what: str = "URL") -> str:
    """Return *url* (resolved against *base_url*) if it goes to *base_url*'s scheme, host and port.

    The URL is compared as urllib3 will send it: it is refused when it holds user info, a
    backslash, a control character, a space or a non-ASCII character (a full-width host), a
    port that is not a number from 0 to 65535, a ``[host]`` that is not an IPv6 address, or
    anything else one of the two URL parsers cannot read or reads differently.

    Args:
        url: The URL to follow, absolute or relative to *base_url*.
        base_url: The API's base URL (the credentials' home).
        what: What the URL is, for the error message (``"next"``, ``"resource_url"``).

    Returns:
        The absolute URL to send.

    Raises:
        UnsafeURLError: The URL would go anywhere else, or cannot be read safely.
    """
    if not isinstance(url, str) or not url:
        raise UnsafeURLError(f"refusing {what}: not a URL: {_show(str(url))}")
    if _REFUSED.search(url):
        raise UnsafeURLError(
            f"refusing {what}: a backslash, space, control or non-ASCII character in {_show(url)}"
        )
    try:
        absolute = urllib.parse.urljoin(base_url, url)
    except ValueError as exc:  # e.g. "[127.0.0.1]", an IPv4 address in brackets
        raise UnsafeURLError(f"refusing {what}: cannot read {_show(url)}") from exc
    target = _origin(absolute)
    base = _origin(base_url)
    if target[0] != base[0] or target[1] != base[1] or target[0] != target[1]:
        scheme, host, port = target[0]
        raise UnsafeURLError(
            f"refusing to follow {what} to {scheme}://{host}:{port}"
            f" (only {base[0][0]}://{base[0][1]}:{base[0][2]} is allowed)"
        )
    return absolute
