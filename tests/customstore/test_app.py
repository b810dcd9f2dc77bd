"""The Custom Store endpoint, end to end: a real HTTP server on 127.0.0.1, called as ShipStation."""

import base64
import io
import logging
import socket
import time
import urllib.parse
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from listingmirror_shipstation import Unrecognized
from listingmirror_shipstation import customstore as cs
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation.errors import ConfigurationError, ConversionError
from listingmirror_shipstation.integration import (
    ListingMirrorOrderSource,
    ShipmentSink,
    make_custom_store_app,
)
from listingmirror_shipstation.mapping import Rejection

from .test_xml import BILLION_LAUGHS, NOTICE, xxe

USER, PASSWORD = "shipstation", "pa:ss wörd&=?"
START = datetime(2026, 11, 1, tzinfo=UTC)


def lm_order(number: int, **changes: object) -> lm.Order:
    order = lm.Order(
        order_id=number,
        market_order_id=f"M-{number}",
        order_datetime=START + timedelta(hours=number),
        last_modified=START + timedelta(hours=number, minutes=5),
        order_status=lm.OrderStatus.PAID,
        buyer_name="Ana",
        ship_to=lm.Address(name="Ana", street1="1 Main St", city="Austin", country="US"),
        order_items=(lm.OrderItem(sku=f"SKU-{number}", quantity=1, price=Decimal("9.99")),),
    )
    return attrs.evolve(order, **changes)


class ListSource(ListingMirrorOrderSource):
    def __init__(self, orders: Iterable[lm.Order]) -> None:
        self.orders = list(orders)
        self.calls: list[tuple[datetime, datetime]] = []

    def orders_modified(self, start: datetime, end: datetime) -> list[lm.Order]:
        self.calls.append((start, end))
        return [o for o in self.orders if start <= (o.last_modified or o.order_datetime) <= end]


class ListSink(ShipmentSink):
    def __init__(self) -> None:
        self.updates: list[lm.ShipmentUpdate] = []

    def deliver(self, update: lm.ShipmentUpdate) -> bool:
        if any(u.shipment_id == update.shipment_id for u in self.updates):
            return False
        self.updates.append(update)
        return True


def auth(user: str = USER, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def export_url(base: str, page: int, start: datetime = START, days: int = 30) -> str:
    fmt = "%m/%d/%Y %H:%M"
    query = (
        urllib.parse.urlencode(
            {
                "action": "export",
                "start_date": start.strftime(fmt),
                "end_date": (start + timedelta(days=days)).strftime(fmt),
                "page": page,
            }
        )
        .replace("%2F", "%2f")
        .replace("%3A", "%3a")
    )  # ShipStation's lower-case hex
    return f"{base}?{query}"


SHIPNOTIFY = (
    "?action=shipnotify&order_number=TV-1001&carrier=USPS&service="
    "&tracking_number=9400100000000000000001"
)


class TestExport:
    def test_every_left_out_or_warned_order_is_logged_once(
        self, serve, http, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An order without address and one with a custom status: one log line each, not two.

        ``serve`` logged each twice, once from the mapping and once from the integration.
        """
        source = ListSource(
            [
                lm_order(1),
                lm_order(2, ship_to=None),
                lm_order(3, order_status=Unrecognized("Awaiting Engraving")),
            ]
        )
        base = serve(make_custom_store_app(USER, PASSWORD, source, ListSink()))
        with caplog.at_level(logging.WARNING, logger="listingmirror_shipstation"):  # serve's
            response = http.request("GET", export_url(base, 1), headers=auth())
        assert response.status == 200
        for number in (2, 3):
            lines = [r for r in caplog.records if f"order {number}" in r.getMessage()]
            assert len(lines) == 1, [r.getMessage() for r in lines]

    def test_pages_cover_every_order_exactly_once(self, serve, http) -> None:
        """Seven orders, three per page: three pages, every order once, in a stable order."""
        source = ListSource(lm_order(n) for n in (5, 1, 7, 3, 2, 6, 4))
        base = serve(make_custom_store_app(USER, PASSWORD, source, ListSink(), page_size=3))
        seen: list[str] = []
        for page in (1, 2, 3):
            response = http.request("GET", export_url(base, page), headers=auth())
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/xml")
            parsed = cs.parse_orders(response.data)
            assert parsed.pages == 3
            seen += [o.order_number for o in parsed.orders]
        assert seen == [f"M-{n}" for n in range(1, 8)]
        beyond = http.request("GET", export_url(base, 4), headers=auth())
        assert cs.parse_orders(beyond.data) == cs.OrdersPage(pages=3)

    def test_only_the_window_and_only_eligible_orders(self, serve, http) -> None:
        """Orders outside the window, FBA orders and address-less ones are never exported."""
        rejected: list[Rejection] = []
        source = ListSource(
            [
                lm_order(1),
                lm_order(2, fulfillment_channel=lm.FulfillmentChannel.FBA),
                lm_order(3, ship_to=None),
                lm_order(4, last_modified=START - timedelta(days=3)),
            ]
        )
        app = make_custom_store_app(USER, PASSWORD, source, ListSink(), on_rejected=rejected.append)
        data = http.request("GET", export_url(serve(app), 1), headers=auth()).data
        page = cs.parse_orders(data)
        assert [o.order_number for o in page.orders] == ["M-1"]
        assert page.pages == 1
        assert sorted(r.reason for r in rejected) == [
            "excluded_fulfillment_channel",
            "missing_shipping_address",
        ]
        # A source with only orders_modified is asked for the window itself, nothing wider.
        assert set(source.calls) == {(START, START + timedelta(days=30))}

    def test_credentials_in_the_query_are_accepted(self, serve, http) -> None:
        """SS-UserName and SS-Password query parameters work instead of Basic."""
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), ListSink()))
        query = urllib.parse.urlencode({"SS-UserName": USER, "SS-Password": PASSWORD})
        response = http.request("GET", export_url(base, 1) + "&" + query)
        assert response.status == 200
        assert cs.parse_orders(response.data) == cs.OrdersPage(pages=0)

    def test_invalid_orders_from_a_source_are_left_out_and_reported(self, serve, http) -> None:
        """An order the protocol cannot carry is left out of its page and reported."""
        good = cs.Order(
            order_number="A",
            order_status="Paid",
            order_total=Decimal(1),
            order_date=START,
            last_modified=START,
            customer=cs.Customer(),
        )
        bad = attrs.evolve(good, order_number="B", order_total=Decimal("1E9"))

        class Source(cs.OrderSource):
            def orders_modified(self, start: datetime, end: datetime) -> list[cs.Order]:
                return [good, bad]

        class Receiver(cs.ShipNoticeReceiver):
            def receive(self, notice: cs.ShipNotice) -> bool:
                return True

        invalid: list[str] = []
        app = cs.CustomStoreApp(
            USER,
            PASSWORD,
            Source(),
            Receiver(),
            on_invalid=lambda order, error: invalid.append(f"{order.order_number}:{error.field}"),
        )
        page = cs.parse_orders(http.request("GET", export_url(serve(app), 1), headers=auth()).data)
        assert [o.order_number for o in page.orders] == ["A"]
        assert invalid == ["B:order_total"]


class TestShipNotify:
    def test_twice_delivers_once(self, serve, http) -> None:
        """The same notice posted twice: both answered 200, one update delivered."""
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        answers = [
            http.request("POST", base + SHIPNOTIFY, body=NOTICE, headers=auth()) for _ in range(2)
        ]
        assert [a.status for a in answers] == [200, 200]
        assert b"<Result>ok</Result>" in answers[0].data
        assert b"<Result>duplicate</Result>" in answers[1].data
        (update,) = sink.updates
        assert (update.order_id, update.tracking_number, update.carrier) == (
            900001,
            "9400100000000000000001",
            "USPS",
        )
        assert update.items[0].line_item_id == "L-1"

    def test_empty_body_ships_the_whole_order_from_the_query(self, serve, http) -> None:
        """No body: the query names order and tracking; no items means the whole order."""
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        response = http.request("POST", base + SHIPNOTIFY, body=b"", headers=auth())
        assert response.status == 200
        (update,) = sink.updates
        assert (update.market_order_id, update.items) == ("TV-1001", ())

    def test_xxe_is_refused_and_no_file_is_read(self, serve, http, tmp_path: Path) -> None:
        """An external-entity body is answered 400 and the file's content goes nowhere."""
        secret = tmp_path / "secret.txt"
        secret.write_text("TOP-SECRET", encoding="utf-8")
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        response = http.request("POST", base + SHIPNOTIFY, body=xxe(secret), headers=auth())
        assert response.status == 400
        assert b"TOP-SECRET" not in response.data
        assert sink.updates == []

    def test_billion_laughs_is_refused_quickly(self, serve, http) -> None:
        """Entity expansion never starts: a prompt 400."""
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), ListSink()))
        started = time.perf_counter()
        response = http.request("POST", base + SHIPNOTIFY, body=BILLION_LAUGHS, headers=auth())
        assert response.status == 400
        assert time.perf_counter() - started < 5  # generous: refusal is immediate

    def test_body_over_the_limit_is_413(self, serve, http) -> None:
        """A body larger than max_body_bytes is refused unread."""
        app = make_custom_store_app(USER, PASSWORD, ListSource([]), ListSink())
        app.max_body_bytes = 100
        response = http.request("POST", serve(app) + SHIPNOTIFY, body=NOTICE, headers=auth())
        assert response.status == 413
        assert b"<Error>" in response.data


def notice_with(element: str, text: str) -> bytes:
    """The golden notice with one element's text replaced."""
    start = NOTICE.index(f"<{element}>".encode()) + len(element) + 2
    end = NOTICE.index(f"</{element}>".encode())
    return NOTICE[:start] + text.encode() + NOTICE[end:]


def raw_request(base: str, head: str, body: bytes = b"") -> tuple[int, bytes]:
    """Send bytes as they are (headers urllib3 would fix); return the status and the body."""
    url = urllib.parse.urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        conn.sendall(head.encode("latin-1") + b"\r\n\r\n" + body)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


class TestLoss5OverHTTP:
    """A ship notice is never refused, and so lost, for an odd or unreadable part (loss 5)."""

    @pytest.mark.parametrize(
        ("element", "text"),
        [
            ("ShippingCost", "$4.95"),
            ("ShipDate", "2026-11-20"),
            ("LabelCreateDate", "2026-11-20T12:56:07.123"),
            ("Quantity", "1.0"),
        ],
    )
    def test_each_odd_field_seen_from_shipstation_is_recorded(
        self, serve, http, element: str, text: str
    ) -> None:
        """Each form once answered 400 (the shipment lost) is read and delivered: 200."""
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        body = notice_with(element, text)
        response = http.request("POST", base + SHIPNOTIFY, body=body, headers=auth())
        assert response.status == 200, response.data
        (update,) = sink.updates
        assert (update.order_id, update.tracking_number) == (900001, "9400100000000000000001")
        if element == "Quantity":
            assert [(i.line_item_id, i.quantity) for i in update.items] == [("L-1", 1)]
        shipped = date(2026, 11, 20) if element == "ShipDate" else date(2019, 10, 19)
        assert update.ship_date == shipped

    @pytest.mark.parametrize(
        ("element", "text"),
        [
            ("NotifyCustomer", "perhaps"),
            ("ShippingCost", "4,95 €uro"),
            ("ShipDate", "sometime"),
            ("Quantity", "9" * 4000),
        ],
        ids=["NotifyCustomer", "ShippingCost", "ShipDate", "Quantity-4000-digits"],
    )
    def test_an_unreadable_optional_field_is_warned_and_ignored(
        self, serve, http, caplog: pytest.LogCaptureFixture, element: str, text: str
    ) -> None:
        """200, the shipment recorded without that field, a WARNING naming field and value."""
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        with caplog.at_level(logging.WARNING, logger="listingmirror_shipstation"):
            response = http.request(
                "POST", base + SHIPNOTIFY, body=notice_with(element, text), headers=auth()
            )
        assert response.status == 200, response.data
        (update,) = sink.updates
        assert update.tracking_number == "9400100000000000000001"
        assert all(i.quantity is None or i.quantity <= cs.MAX_QUANTITY for i in update.items)
        (record,) = [r for r in caplog.records if element in r.getMessage()]
        assert record.levelno == logging.WARNING
        assert text[:20] in record.getMessage()
        assert len(record.getMessage()) < 400  # a 4,000-digit value is cut, not logged whole

    @pytest.mark.parametrize(
        "body",
        [b"<ShipNotice><Items>", b"\xff\xfe\x00garbage", b"<html>502 Bad Gateway</html>"],
        ids=["truncated", "binary", "wrong-root"],
    )
    def test_an_unreadable_body_is_recorded_from_the_query(
        self, serve, http, caplog: pytest.LogCaptureFixture, body: bytes
    ) -> None:
        """The query names order, carrier and tracking: recorded (whole order), 200, warned."""
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        with caplog.at_level(logging.WARNING, logger="listingmirror_shipstation"):
            response = http.request("POST", base + SHIPNOTIFY, body=body, headers=auth())
        assert response.status == 200, response.data
        (update,) = sink.updates
        assert (update.market_order_id, update.carrier, update.tracking_number, update.items) == (
            "TV-1001",
            "USPS",
            "9400100000000000000001",
            (),
        )
        assert "unreadable body" in caplog.text

    def test_a_dtd_is_still_refused_with_a_good_query(self, serve, http) -> None:
        """Leniency never reaches hostile input: a DTD is 400 and nothing is recorded."""
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        response = http.request("POST", base + SHIPNOTIFY, body=BILLION_LAUGHS, headers=auth())
        assert response.status == 400
        assert sink.updates == []

    def test_bad_credentials_are_still_401_with_an_odd_notice(self, serve, http) -> None:
        """Leniency is for the body only: wrong credentials are 401 and nothing is recorded."""
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        body = notice_with("ShippingCost", "$4.95")
        response = http.request("POST", base + SHIPNOTIFY, body=body, headers=auth(password="no"))
        assert response.status == 401
        assert sink.updates == []

    def test_two_untracked_shipments_of_the_same_lines_are_both_recorded(self, serve, http) -> None:
        """No tracking number, same lines, another label and day: a second shipment, stored.

        The key used to be order + tracking + lines, so the second answered "duplicate" and
        was never stored; a repost of either is still a duplicate.
        """
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        untracked = "?action=shipnotify&order_number=TV-1001&carrier=USPS&service="
        first = notice_with("TrackingNumber", "")
        second = first.replace(b"10/19/2019 12:56", b"10/21/2019 09:10").replace(
            b"<ShipDate>10/19/2019", b"<ShipDate>10/21/2019"
        )
        answers = [
            http.request("POST", base + untracked, body=body, headers=auth())
            for body in (first, second, first, second)
        ]
        assert [a.status for a in answers] == [200] * 4
        assert [b"duplicate" in a.data for a in answers] == [False, False, True, True]
        assert [u.ship_date for u in sink.updates] == [date(2019, 10, 19), date(2019, 10, 21)]
        assert len({u.shipment_id for u in sink.updates}) == 2

    @pytest.mark.parametrize("unreadable", [b"<ShipNotice><Items>", b"<html>502</html>"])
    def test_one_shipment_posted_readable_and_unreadable_is_recorded_once(
        self, serve, http, unreadable: bytes
    ) -> None:
        """The same tracked shipment, once with its body and once unreadable: one update.

        The key used to take the order id and the lines, which an unreadable body (recorded from
        the query) has not, so one shipment was stored twice.
        """
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        for body in (NOTICE, unreadable):
            response = http.request("POST", base + SHIPNOTIFY, body=body, headers=auth())
            assert response.status == 200, response.data
        (update,) = sink.updates
        assert [(i.line_item_id, i.quantity) for i in update.items] == [("L-1", 2)]

    @pytest.mark.parametrize("length", ["-5", "+5", "5 5", "0x05", "abc"])
    def test_an_invalid_content_length_is_400(self, serve, length: str) -> None:
        """Content-Length -5 was read as empty and answered 200; any invalid length is 400."""
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        token = auth()["Authorization"]
        status, body = raw_request(
            base,
            f"POST /shipstation{SHIPNOTIFY} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {token}\r\nContent-Length: {length}\r\nConnection: close",
        )
        assert status == 400
        assert b"Content-Length" in body
        assert sink.updates == []


class TestIncompleteBody:
    """A body shorter than its Content-Length is an incomplete request: 400, nothing recorded.

    A notice whose client stopped sending (300012 of 500000 bytes, then a half-close) was
    answered 200 and recorded from the query, so ShipStation never sent the whole one again.
    """

    def call(self, app: object, body: bytes, length: int, *, read_size: int | None = None):
        class Stream(io.BytesIO):
            def read(self, size: int | None = -1) -> bytes:  # a server's short reads
                if read_size is not None and size is not None and size > read_size:
                    size = read_size
                return super().read(size)

        seen: list[str] = []
        environ = {
            "REQUEST_METHOD": "POST",
            "QUERY_STRING": SHIPNOTIFY[1:],
            "CONTENT_LENGTH": str(length),
            "HTTP_AUTHORIZATION": auth()["Authorization"],
            "wsgi.input": Stream(body),
        }
        answer = b"".join(app(environ, lambda status, headers: seen.append(status)))  # type: ignore[operator]
        return seen[0], answer

    def test_a_short_wsgi_input_is_400_and_not_recorded(self) -> None:
        """wsgi.input ends before CONTENT_LENGTH: 400 ``incomplete_body``; the sink is empty."""
        sink = ListSink()
        app = make_custom_store_app(USER, PASSWORD, ListSource([]), sink)
        status, answer = self.call(app, NOTICE[:-10], len(NOTICE))
        assert status.startswith("400"), answer
        assert b"incomplete_body" in answer
        assert sink.updates == []

    def test_short_reads_of_a_whole_body_are_read_to_the_end(self) -> None:
        """A server whose reads return a few bytes at a time still gives the whole notice: 200."""
        sink = ListSink()
        app = make_custom_store_app(USER, PASSWORD, ListSource([]), sink)
        status, answer = self.call(app, NOTICE, len(NOTICE), read_size=7)
        assert status.startswith("200"), answer
        (update,) = sink.updates
        assert [i.line_item_id for i in update.items] == ["L-1"]  # from the body, read whole

    def test_a_half_closed_short_body_over_http_is_400(self, serve) -> None:
        """Over a real socket: Content-Length says 1000 more bytes than come, then EOF: 400."""
        sink = ListSink()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        url = urllib.parse.urlsplit(base)
        token = auth()["Authorization"]
        head = (
            f"POST /shipstation{SHIPNOTIFY} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {token}\r\nContent-Length: {len(NOTICE) + 1000}\r\n"
            "Connection: close\r\n\r\n"
        )
        with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
            conn.sendall(head.encode() + NOTICE)
            conn.shutdown(socket.SHUT_WR)
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        assert data.split(b"\r\n", 1)[0].split()[1] == b"400", data[:200]
        assert sink.updates == []


class TestReceiverErrors:
    """The answer depends on the error's class: 400 only for a notice that can never apply."""

    @pytest.mark.parametrize(
        "error", [RuntimeError("sink down"), ValueError("bug in my sink"), KeyError("bug")]
    )
    def test_an_unexpected_sink_error_is_500_and_logged(
        self, serve, http, caplog: pytest.LogCaptureFixture, error: Exception
    ) -> None:
        """A sink's bug or outage is 500 (ShipStation retries), logged with its reason."""

        class Failing(ShipmentSink):
            def deliver(self, update: lm.ShipmentUpdate) -> bool:
                raise error

        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), Failing()))
        with caplog.at_level(logging.ERROR, logger="listingmirror_shipstation"):
            response = http.request("POST", base + SHIPNOTIFY, body=NOTICE, headers=auth())
        assert response.status == 500
        assert b"<Code>internal_error</Code>" in response.data
        assert type(error).__name__ in caplog.text
        assert str(error).strip("'") in caplog.text

    def test_a_delivery_that_failed_is_made_when_shipstation_retries(self, serve, http) -> None:
        """The sink is down for the first attempt (500); the retry delivers it, once."""

        class DownOnce(ListSink):
            def deliver(self, update: lm.ShipmentUpdate) -> bool:
                if not hasattr(self, "failed"):
                    self.failed = True
                    raise ConnectionError("database restarting")
                return super().deliver(update)

        sink = DownOnce()
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), sink))
        statuses = [
            http.request("POST", base + SHIPNOTIFY, body=NOTICE, headers=auth()).status
            for _ in range(3)
        ]
        assert statuses == [500, 200, 200]
        assert len(sink.updates) == 1

    def test_a_notice_that_cannot_apply_is_400(self, serve, http) -> None:
        """A library ConversionError from the sink says the notice is bad: 400 with why."""

        class Refusing(ShipmentSink):
            def deliver(self, update: lm.ShipmentUpdate) -> bool:
                raise ConversionError("cannot apply", errors=("unknown order @ $.order_id",))

        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), Refusing()))
        response = http.request("POST", base + SHIPNOTIFY, body=NOTICE, headers=auth())
        assert response.status == 400
        assert b"unknown order" in response.data


class TestErrors:
    @pytest.mark.parametrize(
        "headers",
        [{}, auth(password="wrong"), auth(user="other"), {"Authorization": "Basic !!!"}],
        ids=["none", "password", "user", "garbage"],
    )
    def test_wrong_credentials_are_401_with_xml(self, serve, http, headers: dict[str, str]) -> None:
        """401 with a well-formed XML body (never empty) and a Basic challenge."""
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), ListSink()))
        response = http.request("GET", export_url(base, 1), headers=headers)
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        assert b"<Code>unauthorized</Code>" in response.data
        assert PASSWORD.encode() not in response.data

    def test_methods_and_actions(self, serve, http) -> None:
        """Wrong method: 405 with Allow. Unknown action: 400. Both XML."""
        base = serve(make_custom_store_app(USER, PASSWORD, ListSource([]), ListSink()))
        wrong = http.request("POST", export_url(base, 1), headers=auth())
        assert (wrong.status, wrong.headers["Allow"]) == (405, "GET, HEAD")
        unknown = http.request("GET", base + "?action=dance", headers=auth())
        assert unknown.status == 400
        assert b"<Code>unknown_action</Code>" in unknown.data
        bad = http.request("GET", base + "?action=export&start_date=soon", headers=auth())
        assert bad.status == 400
        assert b"start_date" in bad.data

    @pytest.mark.parametrize("page", ["99999999999999999999999", "2147483648", "9" * 5000])
    def test_a_page_number_past_32_bits_is_400(self, serve, http, tmp_path: Path, page) -> None:
        """page=99999999999999999999999 overflowed SQLite's offset: a 500. Now a 400."""
        source = ListSource([lm_order(1)])
        snapshots = cs.SQLiteSnapshotStore(tmp_path / "snapshots.sqlite3")
        app = make_custom_store_app(USER, PASSWORD, source, ListSink(), snapshots=snapshots)
        base = serve(app)
        response = http.request(
            "GET", export_url(base, 1).replace("page=1", f"page={page}"), headers=auth()
        )
        assert response.status == 400, response.data[:200]
        assert b"page" in response.data
        last = http.request(
            "GET", export_url(base, 1).replace("page=1", "page=2147483647"), headers=auth()
        )
        assert last.status == 200, last.data[:200]
        assert b"<Order>" not in last.data

    def test_unexpected_failure_is_a_generic_500_logged_without_secrets(
        self, serve, http, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The body says nothing; the log has the traceback but not the password or query."""

        class Broken(ListingMirrorOrderSource):
            def orders_modified(self, start: datetime, end: datetime) -> list[lm.Order]:
                raise RuntimeError("database on fire")

        base = serve(make_custom_store_app(USER, PASSWORD, Broken(), ListSink()))
        query = urllib.parse.urlencode({"SS-UserName": USER, "SS-Password": PASSWORD})
        with caplog.at_level(logging.DEBUG, logger="listingmirror_shipstation"):
            response = http.request("GET", export_url(base, 1) + "&" + query)
        assert response.status == 500
        assert b"database on fire" not in response.data
        assert b"<Code>internal_error</Code>" in response.data
        assert "database on fire" in caplog.text
        assert PASSWORD not in caplog.text
        assert urllib.parse.quote_plus(PASSWORD) not in caplog.text

    def test_configuration_and_repr(self) -> None:
        """Empty credentials are refused; the password never shows in a repr."""
        app = make_custom_store_app(USER, PASSWORD, ListSource([]), ListSink())
        assert PASSWORD not in repr(app)
        with pytest.raises(ConfigurationError):
            make_custom_store_app(USER, "", ListSource([]), ListSink())
        with pytest.raises(ConfigurationError):
            make_custom_store_app(USER, PASSWORD, ListSource([]), ListSink(), page_size=0)
