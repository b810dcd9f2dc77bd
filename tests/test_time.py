"""Clock rules: ShipStation's Pacific wall time and Listing Mirror's ISO 8601."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given

from listingmirror_shipstation import _time
from listingmirror_shipstation.testing import strategies


class TestPacific:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2015-06-29T08:46:27.0000000", datetime(2015, 6, 29, 15, 46, 27, tzinfo=UTC)),
            ("2015-07-16T14:00:34.8230000", datetime(2015, 7, 16, 21, 0, 34, 823000, tzinfo=UTC)),
            ("2014-12-03T11:46:11.283", datetime(2014, 12, 3, 19, 46, 11, 283000, tzinfo=UTC)),
            ("2014-11-12T08:45:20.55", datetime(2014, 11, 12, 16, 45, 20, 550000, tzinfo=UTC)),
            ("2015-01-01 00:00:00", datetime(2015, 1, 1, 8, tzinfo=UTC)),
            ("2014-04-01", datetime(2014, 4, 1, 7, tzinfo=UTC)),
            ("2015-06-29T08:46:27Z", datetime(2015, 6, 29, 8, 46, 27, tzinfo=UTC)),
            ("2015-06-29T08:46:27-05:00", datetime(2015, 6, 29, 13, 46, 27, tzinfo=UTC)),
        ],
    )
    def test_reads_every_documented_form(self, text: str, expected: datetime) -> None:
        """0-7 fractional digits, T or space, date only, with or without an offset."""
        assert _time.parse_pacific(text) == expected

    def test_repeated_fall_back_hour_is_the_earlier_instant(self) -> None:
        """01:30 on the fall-back night is read as PDT, the first of the two 01:30s."""
        assert _time.parse_pacific("2010-11-07 01:30:00") == datetime(
            2010, 11, 7, 8, 30, tzinfo=UTC
        )

    def test_skipped_spring_forward_hour_uses_the_offset_before_the_jump(self) -> None:
        """02:30 does not exist on 2024-03-10 in Pacific time: read with PST (-8)."""
        assert _time.parse_pacific("2024-03-10 02:30:00") == datetime(
            2024, 3, 10, 10, 30, tzinfo=UTC
        )

    @given(strategies.shipstation_instants)
    def test_format_then_parse_is_the_identity(self, instant: datetime) -> None:
        """Every instant outside the repeated hour survives the wire, to the microsecond."""
        assert _time.parse_pacific(_time.format_pacific(instant)) == instant

    def test_other_zones_are_converted(self) -> None:
        """An aware datetime in Tokyo is converted to Pacific, not relabelled."""
        tokyo = datetime(2024, 7, 1, 21, tzinfo=timezone(timedelta(hours=9)))
        assert _time.format_pacific(tokyo) == "2024-07-01T05:00:00.0000000"

    def test_naive_is_refused(self) -> None:
        """Writing a naive datetime is an error, never a guess."""
        with pytest.raises(ValueError, match="naive"):
            _time.format_pacific(datetime(2024, 1, 1))  # noqa: DTZ001

    @pytest.mark.parametrize("text", ["", "yesterday", "2024-13-01", "2024-01-01T25:00:00"])
    def test_garbage_is_refused(self, text: str) -> None:
        """Text that is not a timestamp raises ValueError."""
        with pytest.raises(ValueError):  # noqa: PT011 - the message is the parser's
            _time.parse_pacific(text)

    def test_date_field_accepts_a_timestamp(self) -> None:
        """A date-only field sent as a full timestamp keeps its Pacific calendar date."""
        assert _time.parse_pacific_date("2015-06-29T23:30:00.0000000") == date(2015, 6, 29)


class TestIso:
    def test_naive_value_is_read_in_the_given_zone(self) -> None:
        """Listing Mirror's zone is undocumented: a naive value takes the caller's zone."""
        eastern = timezone(timedelta(hours=-5))
        assert _time.parse_iso("2024-01-01T10:00:00", eastern) == datetime(
            2024, 1, 1, 15, tzinfo=UTC
        )

    def test_offset_and_z_are_honoured(self) -> None:
        """An explicit offset wins over the default zone."""
        assert _time.parse_iso("2024-01-01T10:00:00Z") == datetime(2024, 1, 1, 10, tzinfo=UTC)
        assert _time.parse_iso("2024-01-01T10:00:00+02:00") == datetime(2024, 1, 1, 8, tzinfo=UTC)

    @given(strategies.listingmirror_instants)
    def test_round_trip(self, instant: datetime) -> None:
        """format_iso_utc then parse_iso is the identity."""
        assert _time.parse_iso(_time.format_iso_utc(instant)) == instant
