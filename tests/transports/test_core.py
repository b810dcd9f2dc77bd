"""One request core for both clients, a wrapping policy, retries to override, proxies, UA."""

import email.utils
import logging
import re
import sys
import warnings
from datetime import UTC, datetime, timedelta, timezone

import pytest

from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.errors import (
    APIError,
    ConfigurationError,
    ConnectError,
    RateLimitError,
    ValidationError,
)
from listingmirror_shipstation.testing import LoopbackServer, TransportContract, json_response
from listingmirror_shipstation.testing.simulator import FakeClock
from listingmirror_shipstation.transports import (
    BaseTransport,
    MockTransport,
    PolicyTransport,
    RateLimiter,
    Request,
    Response,
    Retry,
    Urllib3Transport,
)
from listingmirror_shipstation.transports.core import DEFAULT_USER_AGENT, RequestCore

EMPTY_LM_PAGE = {"count": 0, "next": None, "results": []}
GET = Request(method="GET", url="https://api.invalid/x", idempotent=True)
POST = Request(method="POST", url="https://api.invalid/x", body=b"{}")


def lm_client(handler, **kwargs: object) -> tuple[lm.ListingMirrorClient, MockTransport]:
    transport = MockTransport(handler)
    clock = FakeClock()
    policy = PolicyTransport(transport, retry=Retry(backoff=0), clock=clock, sleep=clock.sleep)
    return lm.ListingMirrorClient(("user", "pw"), transport=policy, **kwargs), transport  # type: ignore[arg-type]


def ss_client(handler, **kwargs: object) -> tuple[ss.ShipStationClient, MockTransport]:
    transport = MockTransport(handler)
    clock = FakeClock()
    policy = PolicyTransport(transport, retry=Retry(backoff=0), clock=clock, sleep=clock.sleep)
    return ss.ShipStationClient("key", "secret", transport=policy, **kwargs), transport  # type: ignore[arg-type]


class LoggingTransport(BaseTransport):
    """A user's wrapping transport: records each request, then delegates."""

    def __init__(self, inner: BaseTransport) -> None:
        self.inner = inner
        self.seen: list[str] = []

    def send(self, request: Request) -> Response:
        self.seen.append(request.method)
        return self.inner.send(request)


class TestOneCoreForBothClients:
    def test_both_clients_log_one_info_line_per_request_without_secrets(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Each client logs method, URL without query and status once; never a credential.

        The Listing Mirror client logged nothing before the core.
        """
        lm_api, _ = lm_client(lambda r: json_response(EMPTY_LM_PAGE))
        ss_api, _ = ss_client(lambda r: json_response([]))
        with caplog.at_level(logging.INFO):
            lm_api.orders.list(order_status="Paid")
            ss_api.carriers.list()
        lines = [
            re.sub(r"\(\d+\.\d+s\)$", "(s)", r.getMessage())
            for r in caplog.records
            if r.levelno == logging.INFO
        ]
        assert lines == [
            "GET https://api.listingmirror.com/api/v2/orders/ -> 200 (s)",
            "GET https://ssapi.shipstation.com/carriers -> 200 (s)",
        ]
        assert "dXNlcjpwdw" not in caplog.text and "a2V5OnNlY3JldA" not in caplog.text

    def test_a_naive_filter_is_the_same_error_on_both_clients(self) -> None:
        """A naive datetime filter is a ValidationError naming the filter, on both clients.

        The Listing Mirror client raised ConversionError before.
        """
        naive = datetime(2026, 11, 1, 12)  # noqa: DTZ001 - the defect under test
        lm_api, lm_sent = lm_client(lambda r: json_response(EMPTY_LM_PAGE))
        ss_api, ss_sent = ss_client(lambda r: json_response({"orders": [], "pages": 0}))
        with pytest.raises(ValidationError) as lm_error:
            lm_api.orders.list(start_date=naive)
        with pytest.raises(ValidationError) as ss_error:
            ss_api.orders.list(modify_date_start=naive)
        assert (lm_error.value.field, ss_error.value.field) == ("start_date", "modify_date_start")
        assert lm_sent.requests == ss_sent.requests == []

    def test_naive_zone_contradicting_the_converter_is_refused(self) -> None:
        """naive_zone= and a converter reading another zone: ConfigurationError, not a guess."""
        eastern = timezone(timedelta(hours=-5))
        with pytest.raises(ConfigurationError, match="naive_zone"):
            lm.ListingMirrorClient(
                ("u", "p"), converter=lm.make_converter(naive_zone=UTC), naive_zone=eastern
            )
        agreeing = lm.ListingMirrorClient(
            ("u", "p"), converter=lm.make_converter(naive_zone=eastern), naive_zone=eastern
        )
        assert agreeing.naive_zone == eastern

    def test_filters_are_written_in_the_converters_zone(self) -> None:
        """Without naive_zone=, filters are written in the zone the converter reads.

        Before, the filters silently stayed in UTC while the converter read another zone.
        """
        eastern = timezone(timedelta(hours=-5))
        api, transport = lm_client(
            lambda r: json_response(EMPTY_LM_PAGE), converter=lm.make_converter(naive_zone=eastern)
        )
        api.orders.list(start_date=datetime(2026, 11, 1, 12, tzinfo=UTC))
        assert "start_date=2026-11-01T07%3A00%3A00" in transport.requests[0].url

    def test_error_bodies_are_read_by_each_platform(self) -> None:
        """Each platform's client reads its own error bodies; the neutral core keeps the text.

        ShipStation's ModelState and Listing Mirror's errors are read by their clients.
        """
        body = b'{"Message": "bad", "ModelState": {"order.x": ["too long"]}}'
        ss_api, _ = ss_client(lambda r: Response(status=400, body=body))
        with pytest.raises(APIError) as ss_error:
            ss_api.carriers.list()
        assert (ss_error.value.message, ss_error.value.model_state) == (
            "bad",
            {"order.x": ("too long",)},
        )
        lm_api, _ = lm_client(lambda r: Response(status=400, body=b'{"errors": ["no sku"]}'))
        with pytest.raises(APIError, match="no sku"):
            lm_api.orders.list()
        core = RequestCore(
            base_url="https://x.invalid/",
            authorization="Basic x",
            decode=lambda body, into: body,
            logger=logging.getLogger("test"),
        )
        error = core.error(GET, Response(status=400, body=body))
        assert (error.message, error.model_state) == (body.decode(), {})

    def test_resources_follow_one_naming_convention(self) -> None:
        """client.orders.list / iter_all / search on Listing Mirror, as on ShipStation."""
        api, transport = lm_client(lambda r: json_response(EMPTY_LM_PAGE))
        assert len(api.orders.list()) == 0
        assert list(api.orders.iter_all()) == []
        assert len(api.orders.search("M-1")) == 0
        assert api.orders.snapshot().consistent
        assert list(api.master_listings.iter_all()) == []
        assert "search_value=M-1" in transport.requests[2].url

    def test_old_names_still_work_and_warn(self) -> None:
        """The 0.1 names are thin aliases that say what to use instead."""
        api, _ = lm_client(lambda r: json_response(EMPTY_LM_PAGE))
        with pytest.warns(DeprecationWarning, match=r"orders\.iter_all"):
            assert list(api.iter_orders()) == []
        with pytest.warns(DeprecationWarning, match=r"orders\.list"):
            assert len(api.orders()) == 0
        with pytest.warns(DeprecationWarning, match=r"orders\.snapshot"):
            assert api.snapshot_orders().passes == 1
        with pytest.warns(DeprecationWarning, match=r"orders\.search"):
            api.search_orders("M-1")
        with pytest.warns(DeprecationWarning, match="Retry"):
            from listingmirror_shipstation.transports import RetryPolicy
        assert RetryPolicy is Retry
        clock = FakeClock()
        with pytest.warns(DeprecationWarning, match="PolicyTransport"):
            ss.ShipStationClient("k", "s", transport=MockTransport(lambda r: r), clock=clock)


class TestUserAgent:
    def test_every_request_says_who_sends_it(self) -> None:
        """User-Agent: listingmirror-shipstation/<version> python/<x.y>, on both clients."""
        lm_api, lm_sent = lm_client(lambda r: json_response(EMPTY_LM_PAGE))
        ss_api, ss_sent = ss_client(lambda r: json_response([]))
        lm_api.orders.list()
        ss_api.carriers.list()
        python = f"python/{sys.version_info[0]}.{sys.version_info[1]}"
        for request in (*lm_sent.requests, *ss_sent.requests):
            agent = request.headers["User-Agent"]
            assert agent == DEFAULT_USER_AGENT
            assert re.fullmatch(rf"listingmirror-shipstation/\S+ {re.escape(python)}", agent)

    def test_users_can_say_otherwise(self) -> None:
        """user_agent= replaces it."""
        api, sent = ss_client(lambda r: json_response([]), user_agent="acme-sync/2")
        api.carriers.list()
        assert sent.requests[0].headers["User-Agent"] == "acme-sync/2"


class TestRetryObject:
    def test_new_keeps_the_subclass(self) -> None:
        """new() builds type(self)(...), so a user's subclass survives changes."""

        class Patient(Retry):
            pass

        changed = Patient(max_attempts=2).new(deadline=5)
        assert type(changed) is Patient
        assert (changed.max_attempts, changed.deadline) == (2, 5)

    def test_an_overridden_decision_is_what_the_policy_follows(self) -> None:
        """A subclass that never retries a 503 gets the 503 back after one attempt."""

        class NoRetryOn503(Retry):
            def is_retry(self, request, outcome, attempt):  # type: ignore[no-untyped-def]
                if isinstance(outcome, Response) and outcome.status == 503:
                    return False
                return super().is_retry(request, outcome, attempt)

        clock = FakeClock()
        inner = MockTransport(lambda r: Response(status=503))
        policy = PolicyTransport(inner, retry=NoRetryOn503(), clock=clock, sleep=clock.sleep)
        assert policy.send(GET).status == 503
        assert len(inner.requests) == 1
        plain = MockTransport(lambda r: Response(status=503))
        PolicyTransport(plain, retry=Retry(max_attempts=3), clock=clock, sleep=clock.sleep).send(
            GET
        )
        assert len(plain.requests) == 3

    def test_default_decisions(self) -> None:
        """429 always; 5xx and broken connections only when idempotent; ConnectError always."""
        retry = Retry()
        failure = ConnectError("refused", method="POST", url="u")
        assert retry.is_retry(POST, Response(status=429), 1)
        assert not retry.is_retry(POST, Response(status=503), 1)
        assert retry.is_retry(GET, Response(status=503), 1)
        assert retry.is_retry(POST, failure, 1)
        assert not retry.is_retry(GET, Response(status=404), 1)

    def test_retry_after_as_an_http_date(self) -> None:
        """Retry-After given as an HTTP date is waited out (measured against Date)."""
        now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)
        headers = {
            "Retry-After": email.utils.format_datetime(now + timedelta(seconds=9), usegmt=True),
            "Date": email.utils.format_datetime(now, usegmt=True),
        }
        answers = iter([Response(status=429, headers=headers), Response(status=200)])
        clock = FakeClock()
        limiter = RateLimiter(clock=clock, sleep=clock.sleep, margin=0)
        policy = PolicyTransport(
            MockTransport(lambda r: next(answers)),
            limiter=limiter,
            clock=clock,
            sleep=clock.sleep,
        )
        assert policy.send(GET).status == 200
        assert clock.slept == [9.0]
        error = RateLimitError("slow down", status=429, method="GET", url="u", headers=headers)
        assert error.retry_after == 9.0

    def test_the_deadline_bounds_the_whole_call(self) -> None:
        """Endless 429s asking 10 s each stop within a 25 s deadline, with the last 429."""
        clock = FakeClock()
        inner = MockTransport(lambda r: Response(status=429, headers={"Retry-After": "10"}))
        policy = PolicyTransport(
            inner, retry=Retry(max_attempts=100, deadline=25), clock=clock, sleep=clock.sleep
        )
        assert policy.send(POST).status == 429
        assert clock.now <= 25 + 2 * policy.limiter.margin
        assert len(inner.requests) < 5


class TestPolicyComposes:
    def test_a_users_wrapper_around_the_policy_is_used_as_it_is(self) -> None:
        """A user's wrapper around a PolicyTransport is used as it is, with no second policy.

        Two policies would multiply the retries; the requests go through the user's wrapper.
        """
        clock = FakeClock()
        answers = iter([Response(status=503), json_response([])])
        inner = MockTransport(lambda r: next(answers))
        policy = PolicyTransport(inner, retry=Retry(backoff=0), clock=clock, sleep=clock.sleep)
        mine = LoggingTransport(policy)
        api = ss.ShipStationClient("k", "s", transport=mine)
        assert api.carriers.list() == ()
        assert mine.seen == ["GET"]
        assert len(inner.requests) == 2
        assert api.policy is policy

    def test_the_policy_wraps_a_users_transport(self) -> None:
        """A user's plain transport gets the client's policy around it (retries apply)."""
        clock = FakeClock()
        answers = iter([Response(status=503), json_response([])])
        mine = LoggingTransport(MockTransport(lambda r: next(answers)))
        policy = PolicyTransport(mine, retry=Retry(backoff=0), clock=clock, sleep=clock.sleep)
        api = ss.ShipStationClient("k", "s", transport=policy)
        assert api.carriers.list() == ()
        assert mine.seen == ["GET", "GET"]

    def test_contradictory_policy_arguments_are_refused(self) -> None:
        """retry= or rate_limiter= with a transport that has its own policy: refused."""
        policy = PolicyTransport(MockTransport(lambda r: Response(status=200)))
        with pytest.raises(ConfigurationError, match="retry"):
            ss.ShipStationClient("k", "s", transport=policy, retry=Retry())
        with pytest.raises(ConfigurationError, match="rate_limiter"):
            lm.ListingMirrorClient(("u", "p"), transport=policy, rate_limiter=RateLimiter())


class TestPolicyTransportContract(TransportContract):
    """A PolicyTransport around the default transport keeps the transport contract."""

    def make_transport(self) -> BaseTransport:
        return PolicyTransport(Urllib3Transport(), retry=Retry(max_attempts=1))


class TestProxies:
    def test_http_proxy_from_the_environment_is_used(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """HTTP_PROXY set: the request goes to the proxy, in proxy form (absolute URL)."""
        with LoopbackServer() as proxy:
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            with Urllib3Transport() as transport:
                transport.send(Request(method="GET", url="http://shop.invalid/echo"))
            assert proxy.hits == {"http://shop.invalid/echo": 1}

    def test_no_proxy_hosts_go_direct(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A host NO_PROXY names is reached directly; others still go through the proxy."""
        with LoopbackServer() as proxy, LoopbackServer() as target:
            monkeypatch.setenv("HTTP_PROXY", proxy.url)
            monkeypatch.setenv("NO_PROXY", "127.0.0.1")
            with Urllib3Transport() as transport:
                answer = transport.send(Request(method="GET", url=f"{target.url}/status/200"))
                assert transport.pool_for(f"{target.url}/x") is transport.pool
                assert transport.pool_for("http://shop.invalid/x") is not transport.pool
            assert answer.status == 200
            assert target.hits == {"/status/200": 1}
            assert proxy.hits == {}

    def test_trust_env_false_ignores_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """trust_env=False: no proxy, whatever the environment says."""
        monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
        with Urllib3Transport(trust_env=False) as transport:
            assert transport.pool_for("https://ssapi.shipstation.com/") is transport.pool
        with Urllib3Transport() as transport:
            assert transport.pool_for("https://ssapi.shipstation.com/") is not transport.pool


def test_no_warning_from_the_new_names() -> None:
    """The new spellings emit nothing (the suite runs with warnings as errors anyway)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        api, _ = lm_client(lambda r: json_response(EMPTY_LM_PAGE))
        list(api.orders.iter_all())
