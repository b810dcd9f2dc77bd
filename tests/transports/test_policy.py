"""Pacing and retries: on a fake clock, and against a real loopback server."""

import http.server
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation.errors import ConnectError, RateLimitError, RequestTimeout
from listingmirror_shipstation.listingmirror import ListingMirrorClient
from listingmirror_shipstation.testing.server import SimulatorServer
from listingmirror_shipstation.testing.simulator import ShipStationSimulator
from listingmirror_shipstation.transports import (
    DEFAULT_RETRY,
    BaseTransport,
    MockTransport,
    PolicyTransport,
    RateLimiter,
    Request,
    Response,
    Retry,
    Urllib3Transport,
)


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
    """One request through a PolicyTransport around *transport*."""
    wrapped = PolicyTransport(
        transport, retry=policy, limiter=limiter, clock=clock, sleep=sleep, rng=rng
    )
    return wrapped.send(request)


class FakeClock:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class RollingWindowServer:
    """A ShipStation-like server: N requests per rolling minute, X-Rate-Limit-* headers."""

    def __init__(self, clock: FakeClock, limit: int = 40, window: float = 60.0) -> None:
        self.clock, self.limit, self.window = clock, limit, window
        self.sent: deque[float] = deque()
        self.statuses: list[int] = []

    def __call__(self, request: Request) -> Response:
        now = self.clock()
        while self.sent and self.sent[0] <= now - self.window:
            self.sent.popleft()
        if len(self.sent) >= self.limit:
            status, remaining = 429, 0
        else:
            self.sent.append(now)
            status, remaining = 200, self.limit - len(self.sent)
        reset = (self.sent[0] + self.window - now) if self.sent else self.window
        self.statuses.append(status)
        return Response(
            status=status,
            headers={
                "X-Rate-Limit-Limit": str(self.limit),
                "X-Rate-Limit-Remaining": str(remaining),
                "X-Rate-Limit-Reset": f"{reset:.0f}",
            },
        )


def no_jitter() -> float:
    return 1.0


def run(transport: MockTransport, request: Request, clock: FakeClock, **kwargs: object) -> Response:
    return send(
        transport,
        request,
        clock=clock,
        sleep=clock.sleep,
        rng=no_jitter,
        **kwargs,  # type: ignore[arg-type]
    )


GET = Request(method="GET", url="https://api.invalid/x", idempotent=True)
POST = Request(method="POST", url="https://api.invalid/x", body=b"{}", idempotent=False)


class TestPacing:
    @given(st.integers(1, 400), st.integers(5, 60), st.floats(0, 3))
    def test_a_steady_workload_never_meets_a_429(
        self, requests: int, limit: int, think: float
    ) -> None:
        """Paced by the headers, a rolling-window server never answers 429."""
        clock = FakeClock()
        server = RollingWindowServer(clock, limit=limit)
        limiter = RateLimiter(clock=clock, sleep=clock.sleep)
        transport = MockTransport(server)
        for _ in range(requests):
            run(transport, GET, clock, limiter=limiter)
            clock.now += think
        assert 429 not in server.statuses
        assert len(server.statuses) == requests

    def test_limiter_is_shared_between_clients(self) -> None:
        """Two callers on one limiter together stay under the server's limit."""
        clock = FakeClock()
        server = RollingWindowServer(clock, limit=10)
        shared = RateLimiter(clock=clock, sleep=clock.sleep)
        first, second = MockTransport(server), MockTransport(server)
        for _ in range(30):
            run(first, GET, clock, limiter=shared)
            run(second, GET, clock, limiter=shared)
        assert 429 not in server.statuses
        assert shared.state.waited > 0

    def test_state_is_visible_and_missing_headers_are_not_zero(self) -> None:
        """The state reflects the last headers; a response without them changes nothing."""
        clock = FakeClock()
        limiter = RateLimiter(clock=clock, sleep=clock.sleep)
        headers = {
            "X-Rate-Limit-Limit": "40",
            "X-Rate-Limit-Remaining": "7",
            "X-Rate-Limit-Reset": "20",
        }
        run(
            MockTransport(lambda r: Response(status=200, headers=headers)),
            GET,
            clock,
            limiter=limiter,
        )
        state = limiter.state
        assert (state.limit, state.remaining, state.reset_in) == (40, 7, 21)  # reset + 1 s margin
        run(MockTransport(lambda r: Response(status=200)), GET, clock, limiter=limiter)
        assert limiter.state.remaining == 6  # one slot used, nothing read as zero
        assert clock.slept == []


class TestRetries:
    def test_429_waits_for_the_reset_and_retries_any_method(self) -> None:
        """A 429 is retried, even for a POST, after X-Rate-Limit-Reset seconds."""
        answers = iter(
            [
                Response(
                    status=429, headers={"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "20"}
                ),
                Response(status=200),
            ]
        )
        clock = FakeClock()
        transport = MockTransport(lambda r: next(answers))
        response = run(transport, POST, clock, limiter=RateLimiter(clock=clock, sleep=clock.sleep))
        assert response.status == 200
        assert len(transport.requests) == 2
        assert sum(clock.slept) >= 20

    def test_retry_after_is_honoured(self) -> None:
        """Retry-After in seconds is waited out (plus the limiter's margin, here none)."""
        answers = iter([Response(status=429, headers={"Retry-After": "7"}), Response(status=200)])
        clock = FakeClock()
        limiter = RateLimiter(clock=clock, sleep=clock.sleep, margin=0)
        transport = MockTransport(lambda r: next(answers))
        assert run(transport, GET, clock, limiter=limiter).status == 200
        assert clock.slept == [7.0]

    def test_5xx_is_retried_for_idempotent_requests_only(self) -> None:
        """A GET is retried after a 500; a POST gets the 500 back at once."""
        clock = FakeClock()
        answers = iter([Response(status=500), Response(status=200)])
        assert run(MockTransport(lambda r: next(answers)), GET, clock).status == 200
        post = MockTransport(lambda r: Response(status=500))
        assert run(post, POST, clock).status == 500
        assert len(post.requests) == 1

    def test_connect_errors_are_retried_even_for_post(self) -> None:
        """Nothing reached the server: safe to retry whatever the method."""
        calls = iter([ConnectError("refused", method="POST", url="u"), Response(status=201)])

        def handler(request: Request) -> Response:
            item = next(calls)
            if isinstance(item, Exception):
                raise item
            return item

        assert run(MockTransport(handler), POST, FakeClock()).status == 201

    def test_timeouts_of_non_idempotent_requests_are_not_retried(self) -> None:
        """The server may have acted: the timeout is raised after one attempt."""

        def handler(request: Request) -> Response:
            raise RequestTimeout("slow", method=request.method, url=request.url)

        transport = MockTransport(handler)
        with pytest.raises(RequestTimeout):
            run(transport, POST, FakeClock())
        assert len(transport.requests) == 1

    @given(st.floats(1, 300), st.floats(0.1, 5))
    def test_retries_stop_at_the_deadline(self, deadline: float, backoff: float) -> None:
        """No retry starts after the deadline; the last 5xx is returned."""
        clock = FakeClock()
        policy = Retry(max_attempts=1000, deadline=deadline, backoff=backoff, max_backoff=30)
        transport = MockTransport(lambda r: Response(status=503))
        assert run(transport, GET, clock, policy=policy).status == 503
        assert clock.now <= deadline
        assert len(transport.requests) >= 1

    def test_a_stale_response_never_raises_the_estimate_within_a_window(self) -> None:
        """Responses finishing out of order: an older, higher ``Remaining`` is not believed.

        Threads sharing one limiter finish in any order; if the answer that says "39 left"
        arrives after the one that says "0 left", believing it lets 39 requests go into a
        window the server has closed, and every one meets a 429.
        """
        clock = FakeClock()
        limiter = RateLimiter(clock=clock, sleep=clock.sleep)

        def headers(remaining: int) -> dict[str, str]:
            return {
                "x-rate-limit-limit": "40",
                "x-rate-limit-remaining": str(remaining),
                "x-rate-limit-reset": "30",
            }

        limiter.acquire()
        limiter.acquire()
        limiter.release(headers(0))  # the newer answer: the window is used up
        limiter.release(headers(39))  # an older answer, arriving late
        assert limiter.state.remaining == 0
        clock.now += 31 + 1  # past the reset (and its margin): a new window
        limiter.acquire()
        limiter.release(headers(39))
        assert limiter.state.remaining == 39

    def test_threads_sharing_a_limiter_never_meet_a_429_from_stale_responses(self) -> None:
        """Out-of-order completions against a strict window: no request is refused."""
        clock = FakeClock()
        server = RollingWindowServer(clock, limit=5, window=60.0)
        limiter = RateLimiter(clock=clock, sleep=clock.sleep)
        held: list[Response] = []
        for _ in range(12):
            # Two requests in flight; the first one's answer (older) is given back last.
            limiter.acquire()
            limiter.acquire()
            first = server(GET)
            second = server(GET)
            limiter.release(second.headers)
            limiter.release(first.headers)
            held.extend([first, second])
        assert 429 not in server.statuses


# --- against a real server -------------------------------------------------------------------


class ScriptedHandler(http.server.BaseHTTPRequestHandler):
    script: deque[tuple[int, dict[str, str]]]
    hits: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        type(self).hits.append(self.command)
        status, headers = type(self).script.popleft() if type(self).script else (200, {})
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = _answer  # noqa: N815


@pytest.fixture
def scripted() -> Iterator[tuple[str, type[ScriptedHandler]]]:
    handler = type("Handler", (ScriptedHandler,), {"script": deque(), "hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/orders", handler
    server.shutdown()
    server.server_close()


class TestOnARealServer:
    def test_429_with_headers_then_success(self, scripted) -> None:
        """The transport returns the 429; the policy waits Reset and succeeds."""
        url, handler = scripted
        handler.script.extend(
            [(429, {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "3"}), (200, {})]
        )
        clock = FakeClock()
        with Urllib3Transport() as transport:
            response = send(
                transport,
                Request(method="POST", url=url, body=b"[]"),
                limiter=RateLimiter(clock=clock, sleep=clock.sleep),
                clock=clock,
                sleep=clock.sleep,
            )
        assert response.status == 200
        assert handler.hits == ["POST", "POST"]
        assert sum(clock.slept) >= 3

    def test_500_then_success_for_a_safe_call(self, scripted) -> None:
        """A GET that meets a 500 is sent again and succeeds."""
        url, handler = scripted
        handler.script.extend([(500, {}), (200, {})])
        clock = FakeClock()
        with Urllib3Transport() as transport:
            response = send(
                transport,
                Request(method="GET", url=url, idempotent=True),
                clock=clock,
                sleep=clock.sleep,
            )
        assert (response.status, handler.hits) == (200, ["GET", "GET"])

    def test_500_not_retried_for_an_unsafe_call(self, scripted) -> None:
        """A POST that is not idempotent meets a 500 once, and gets it back."""
        url, handler = scripted
        handler.script.extend([(500, {}), (200, {})])
        with Urllib3Transport() as transport:
            response = send(
                transport, Request(method="POST", url=url, body=b"x"), sleep=lambda s: None
            )
        assert (response.status, handler.hits) == (500, ["POST"])

    def test_retries_stop_at_the_deadline(self, scripted) -> None:
        """Endless 503s: retried until the deadline, then the 503 is returned."""
        url, handler = scripted
        handler.script.extend([(503, {})] * 50)
        clock = FakeClock()
        policy = Retry(max_attempts=50, deadline=10, backoff=1, max_backoff=4)
        with Urllib3Transport() as transport:
            response = send(
                transport,
                Request(method="GET", url=url, idempotent=True),
                policy=policy,
                clock=clock,
                sleep=clock.sleep,
                rng=no_jitter,
            )
        assert response.status == 503
        assert 1 < len(handler.hits) < 50
        assert clock.now <= 10


class TestWholeCallIsBounded:
    def test_a_trickling_body_is_cut_at_the_read_timeout(self) -> None:
        """A body sent a byte at a time cannot outlast the read timeout: RequestTimeout.

        urllib3's read timeout bounds each wait for a byte; the transport bounds the whole
        body. The server here would need about 8 s for its body; the call gives up at 0.5 s,
        which the test observes as an error, not by timing it.
        """

        class Trickle(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = b'{"a": "' + b"x" * 150 + b'"}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                stop = threading.Event()
                for byte in body:
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        return
                    stop.wait(0.05)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
        server.daemon_threads = True
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        thread.start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            with Urllib3Transport() as transport, pytest.raises(RequestTimeout):
                transport.send(Request(method="GET", url=url, timeout=0.5))
        finally:
            server.shutdown()
            server.server_close()

    def test_the_policy_cuts_a_request_timeout_to_the_deadline_left(self) -> None:
        """Each attempt's own timeout is at most what is left of the retry deadline."""
        clock = FakeClock()
        seen: list[float | None] = []

        def handler(request: Request) -> Response:
            seen.append(request.timeout)
            clock.now += 4  # each attempt takes 4 s
            return Response(status=503)

        send(
            MockTransport(handler),
            Request(method="GET", url="https://x/", idempotent=True, timeout=60),
            policy=Retry(max_attempts=5, deadline=10, backoff=0),
            clock=clock,
            sleep=clock.sleep,
            rng=no_jitter,
        )
        assert seen[0] == 10
        assert all(t is not None and t <= 10 for t in seen)
        assert seen[1:] == [6, 2][: len(seen) - 1]


class TestServerWaitsAreBounded:
    """A server's Retry-After (or reset) never hangs, crashes or poisons later calls.

    ``Retry-After: 999999999`` or a date in 2099 used to hold the limiter that long, so the
    next call slept for years; ``1e308`` made the next call raise a plain ``OverflowError``
    from ``time.sleep``.
    """

    OK = b'{"count": 0, "next": null, "previous": null, "results": []}'

    @pytest.mark.parametrize(
        "headers",
        [
            {"Retry-After": "999999999"},
            {"Retry-After": "1e308"},
            {
                "Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT",
                "Date": "Mon, 30 Nov 2026 12:00:00 GMT",
            },
        ],
    )
    def test_a_wait_beyond_the_deadline_fails_the_call_not_the_next(
        self, headers: dict[str, str]
    ) -> None:
        """The first call gets its 429 at once; the next one is sent without any wait."""
        answers = iter([Response(status=429, headers=headers), Response(status=200)])
        clock = FakeClock()
        transport = MockTransport(lambda r: next(answers))
        policy = PolicyTransport(transport, clock=clock, sleep=clock.sleep, rng=no_jitter)
        assert policy.send(GET).status == 429
        assert policy.send(GET).status == 200
        assert clock.slept == []
        assert len(transport.requests) == 2

    def test_the_client_raises_rate_limit_error_with_the_servers_value(self) -> None:
        """RateLimitError.retry_after says what the server said; the next call succeeds."""
        answers = iter(
            [
                Response(status=429, headers={"Retry-After": "999999999"}),
                Response(status=200, headers={"Content-Type": "application/json"}, body=self.OK),
            ]
        )
        clock = FakeClock()
        transport = PolicyTransport(
            MockTransport(lambda r: next(answers)), clock=clock, sleep=clock.sleep
        )
        client = ListingMirrorClient(("u", "p"), transport=transport)
        with pytest.raises(RateLimitError) as caught:
            client.orders.list()
        assert caught.value.retry_after == 999999999
        assert client.orders.list().count == 0
        assert clock.slept == []

    def test_an_endless_deadline_waits_at_most_an_hour_and_never_overflows(self) -> None:
        """With ``deadline=inf`` a ``1e308`` wait is honoured as one hour, then retried."""
        clock = FakeClock()

        def sleep(seconds: float) -> None:
            if seconds > threading.TIMEOUT_MAX:  # what the real time.sleep refuses
                raise OverflowError(seconds)
            clock.sleep(seconds)

        answers = iter(
            [Response(status=429, headers={"Retry-After": "1e308"}), Response(status=200)]
        )
        transport = MockTransport(lambda r: next(answers))
        policy = PolicyTransport(
            transport, retry=Retry(deadline=math.inf), clock=clock, sleep=sleep, rng=no_jitter
        )
        assert policy.send(GET).status == 200
        assert clock.slept == [3600.0 + 1.0]  # one hour, plus the limiter's margin

    def test_a_huge_reset_header_holds_the_limiter_an_hour_at_most(self) -> None:
        """``X-Rate-Limit-Reset: 1e308`` with nothing remaining: the limiter waits an hour."""
        clock = FakeClock()
        limiter = RateLimiter(clock=clock, sleep=clock.sleep, margin=0)
        limiter.acquire()
        limiter.release({"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1e308"})
        limiter.acquire()
        assert clock.slept == [3600.0]
        limiter.hold(float("inf"))
        limiter.acquire()
        assert clock.slept == [3600.0, 3600.0]

    def test_retry_after_is_capped_at_an_hour(self) -> None:
        """Retry.retry_after: the server's ask, at most 3600 s; NaN or negative is no wait."""
        retry = Retry()
        assert retry.retry_after(Response(status=429, headers={"Retry-After": "1e308"})) == 3600
        assert retry.retry_after(Response(status=429, headers={"Retry-After": "7"})) == 7


class TestSharedLimiterOverHTTP:
    def test_answers_out_of_order_never_raise_the_estimate(self) -> None:
        """Two threads, one limiter, the older answer arrives last: the estimate stays low.

        The simulator computes each answer (and its ``X-Rate-Limit-Remaining``) when the
        request arrives and hands the first one back late, so the older, higher count is the
        last one the limiter sees. Believing it would let requests go that the server refuses.
        """
        simulator = ShipStationSimulator(clock=time.monotonic, limit=4, window=60.0)
        simulator.delay_next(0.5)  # the first answer comes back late
        limiter = RateLimiter()
        errors: list[BaseException] = []
        with SimulatorServer(simulator) as server, Urllib3Transport() as transport:
            request = Request(method="GET", url=f"{server.url}/orders", idempotent=True)

            def get() -> None:
                try:
                    send(transport, request, limiter=limiter)
                except BaseException as exc:  # pragma: no cover - reported below
                    errors.append(exc)

            first = threading.Thread(target=get)
            first.start()
            for _ in range(500):  # until the first request has arrived (bounded)
                if simulator.requests_seen:
                    break
                threading.Event().wait(0.01)
            second = threading.Thread(target=get)
            second.start()
            second.join(timeout=10)
            first.join(timeout=10)
        assert errors == []
        assert simulator.statuses == [200, 200]
        true_remaining = 4 - 2
        remaining = limiter.state.remaining
        assert remaining is not None
        assert remaining <= true_remaining


class TestPacingAtLatency:
    def test_the_window_is_reckoned_from_when_the_request_left(self) -> None:
        """Answers 2 s late still leave the pace at the window's: zero 429s, little lost.

        With 2 s between the server counting a request and its answer arriving, no more than
        the reset margin (plus the header's rounding) is lost per window, on a fake clock.

        Reckoning the reset from the answer's arrival, as before, lost the latency on every
        window as well (each period was at least window + latency + margin - rounding).
        """
        clock = FakeClock()
        window, limit = 60.0, 10
        simulator = ShipStationSimulator(clock=clock, limit=limit, window=window, sleep=clock.sleep)
        simulator.latency = 2.0
        counted: list[float] = []
        simulator.on_request = lambda number, request: counted.append(clock.now)
        limiter = RateLimiter(clock=clock, sleep=clock.sleep)
        transport = PolicyTransport(
            MockTransport(simulator), limiter=limiter, clock=clock, sleep=clock.sleep
        )
        request = Request(method="GET", url="https://ssapi.invalid/orders", idempotent=True)
        for _ in range(6 * limit):
            assert transport.send(request).status == 200
        assert simulator.statuses.count(429) == 0
        periods = [counted[j + limit] - counted[j] for j in range(len(counted) - limit)]
        assert min(periods) >= window
        assert max(periods) <= window + limiter.margin + 0.5
