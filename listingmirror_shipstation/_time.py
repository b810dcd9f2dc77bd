"""Every rule about clocks and date formats, in one place.

* ShipStation REST v1 speaks US Pacific wall time (``America/Los_Angeles``, DST-aware) with no
  offset, 0-7 fractional digits, ``T`` or a space between date and time.
* ShipStation's Custom Store protocol speaks UTC ``MM/dd/yyyy HH:mm``, and is read leniently
  (non-padded, two-digit years, seconds, 12-hour with AM/PM, 24-hour with a stray PM).
* Listing Mirror speaks ISO 8601; its time zone is not documented, so a value without an offset
  is read in a zone the caller chooses (UTC by default).
* Models hold timezone-aware datetimes normalised to UTC; a naive datetime is refused.
* A value that a zone change would push past year 1 or 9999 raises
  :class:`~listingmirror_shipstation.errors.ValidationError` (a ``ValueError``), never
  ``OverflowError``; the converters turn it into an error naming the field.
"""

import re
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from .errors import ValidationError

__all__ = [
    "PACIFIC",
    "aware",
    "format_customstore",
    "format_iso_utc",
    "format_pacific",
    "format_pacific_date",
    "parse_customstore",
    "parse_customstore_date",
    "parse_iso",
    "parse_pacific",
    "parse_pacific_date",
]

#: ShipStation's clock.
PACIFIC = ZoneInfo("America/Los_Angeles")

_PACIFIC_RE = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,7}))?)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)


def aware(instance: Any, attribute: "attrs.Attribute[Any]", value: object) -> None:
    """Attrs validator: a datetime (if not ``None``) must carry a time zone."""
    if isinstance(value, datetime) and value.utcoffset() is None:
        raise ValidationError(
            "naive datetime refused; give it a time zone (e.g. tzinfo=datetime.UTC)",
            field=attribute.name,
            value=value,
        )


def _in_zone(value: datetime, zone: tzinfo, text: object) -> datetime:
    """*value* converted to *zone*; out of range is a ValidationError, not an OverflowError."""
    try:
        return value.astimezone(zone)
    except (OverflowError, ValueError):
        raise ValidationError(
            "is out of the range of dates (years 1 to 9999 in every zone)",
            field="timestamp",
            value=text,
        ) from None


def _offset(text: str) -> tzinfo:
    if text == "Z":
        return UTC
    return datetime.strptime(text.replace(":", ""), "%z").tzinfo or UTC


def parse_pacific(text: str) -> datetime:
    """Read a ShipStation REST v1 timestamp into an aware UTC datetime.

    Without an offset the value is Pacific wall time. In the repeated hour of the November
    fall-back night the earlier instant (PDT) is taken; a wall time in the skipped spring-forward
    hour is read with the offset in force before the jump (PST). A seventh fractional digit
    (100 ns) is below Python's resolution and is truncated.
    """
    match = _PACIFIC_RE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a ShipStation timestamp: {text!r}")
    parts = match.groupdict()
    fraction = (parts["f"] or "").ljust(6, "0")[:6]
    zone = _offset(parts["tz"]) if parts["tz"] else PACIFIC
    local = datetime(
        int(parts["y"]),
        int(parts["mo"]),
        int(parts["d"]),
        int(parts["h"] or 0),
        int(parts["mi"] or 0),
        int(parts["s"] or 0),
        int(fraction),
        tzinfo=zone,
    )
    return _in_zone(local, UTC, text)


def format_pacific(value: datetime) -> str:
    """Write an aware datetime as ShipStation's Pacific wall time, 7 fractional digits.

    The datetime is converted (never relabelled). A naive datetime is refused.
    """
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime refused: {value!r}")
    local = _in_zone(value, PACIFIC, value)
    if local.year >= 1000:  # isoformat's 26 first characters are the same text, made faster
        return local.isoformat(timespec="microseconds")[:26] + "0"
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond:06d}0"


def parse_pacific_date(text: str) -> date:
    """Read a ShipStation date-only field (``2014-04-01``).

    A full timestamp is accepted too; its Pacific calendar date is taken.
    """
    stripped = text.strip()
    if len(stripped) == 10:  # YYYY-MM-DD
        return date.fromisoformat(stripped)
    return _in_zone(parse_pacific(stripped), PACIFIC, text).date()


def format_pacific_date(value: date) -> str:
    """Write a date-only field as ``YYYY-MM-DD``."""
    return value.isoformat()


def parse_iso(text: str, naive_zone: tzinfo = UTC) -> datetime:
    """Read an ISO 8601 timestamp into an aware UTC datetime.

    A value without an offset is taken to be wall time in *naive_zone*. A date alone means
    midnight in that zone.
    """
    stripped = text.strip()
    parsed = datetime.fromisoformat(stripped)
    if parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=naive_zone)  # a naive wall time is given a zone, once
    return _in_zone(parsed, UTC, text)


def format_iso_utc(value: datetime) -> str:
    """Write an aware datetime as ISO 8601 in UTC with a ``Z`` suffix."""
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime refused: {value!r}")
    text = _in_zone(value, UTC, value).replace(tzinfo=None).isoformat()
    return text + "Z"


_CUSTOMSTORE_RE = re.compile(
    r"\s*(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})"
    r"(?:\s+(?P<h>\d{1,2}):(?P<mi>\d{1,2})(?::(?P<s>\d{1,2}))?"
    r"(?:\s*(?P<ap>[AaPp])\.?\s*[Mm]\.?)?)?\s*"
)
_COMPACT_RE = re.compile(r"\s*(?P<mo>\d{2})(?P<d>\d{2})(?P<y>\d{4})\D(?P<h>\d{2})(?P<mi>\d{2})\s*")
_NOON = 12


def parse_customstore(text: str) -> datetime:
    """Read a Custom Store timestamp (UTC) into an aware UTC datetime.

    Accepts ``MM/dd/yyyy HH:mm`` and every variant seen in the wild: one-digit month, day and
    hour, two-digit years (20xx), optional seconds, repeated spaces, a 12-hour time with AM/PM,
    a 24-hour time with a stray AM/PM (ignored when the hour is above 12), a date alone
    (midnight), and the compact ``MMDDYYYYxHHMM`` form.
    """
    match = _CUSTOMSTORE_RE.fullmatch(text) or _COMPACT_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a Custom Store date: {text!r}")
    parts = match.groupdict()
    year = int(parts["y"])
    if len(parts["y"]) == 2:
        year += 2000
    hour = int(parts.get("h") or 0)
    suffix = (parts.get("ap") or "").upper()
    if suffix and hour <= _NOON:
        if hour == 0:
            raise ValueError(f"hour 0 with {suffix}M: {text!r}")
        if suffix == "P" and hour < _NOON:
            hour += _NOON
        elif suffix == "A" and hour == _NOON:
            hour = 0
    return datetime(
        year,
        int(parts["mo"]),
        int(parts["d"]),
        hour,
        int(parts.get("mi") or 0),
        int(parts.get("s") or 0),
        tzinfo=UTC,
    )


def parse_customstore_date(text: str) -> date:
    """Read a Custom Store date (``ShipDate``); a time after the date is ignored."""
    return parse_customstore(text).date()


def format_customstore(value: datetime) -> str:
    """Write an aware datetime as the protocol's UTC ``MM/dd/yyyy HH:mm`` (seconds dropped)."""
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime refused: {value!r}")
    return f"{_in_zone(value, UTC, value):%m/%d/%Y %H:%M}"
