r"""Two single orders that stopped every run (second new-user review), now one order each.

* A lone UTF-16 surrogate escape (``"Jos\\ud800"``) is valid JSON grammar but no character:
  it was refused for the whole page by one reader, accepted by the other and then refused when
  written. Both readers now read it as U+FFFD, with a warning.
* An order id past 64 bits was mapped, rejected for another reason, and then crashed the SQLite
  checkpoint store recording the rejection, on every run. It is now a rejection of its own
  (``order_id``), and a rejection the store cannot keep is logged, never fatal.
"""

import io
import json
import logging
from datetime import timedelta
from pathlib import Path

import pytest

from listingmirror_shipstation import _jsontext
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation.cli import EXAMPLE_ORDERS, main
from listingmirror_shipstation.errors import ConversionError, InvalidOrderError
from listingmirror_shipstation.mapping import convert_customstore_orders, convert_orders
from listingmirror_shipstation.sync import SQLiteCheckpointStore
from listingmirror_shipstation.transports import MockTransport, Response

from .sync.test_sync import T0, lm_order, world

LONE = '"buyer_name": "Jos\\ud800"'  # the JSON text of a lone high surrogate escape


class TestLoneSurrogates:
    def test_both_readers_read_a_lone_surrogate_as_the_replacement_character(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The same text gives the same value through ``loads`` and ``ArrayStream``."""
        text = '[{"a": "Jos\\ud800", "b\\udfff": "ok \\ud83d\\ude00"}]'
        expected = [{"a": "Jos\ufffd", "b\ufffd": "ok \U0001f600"}]
        with caplog.at_level(logging.WARNING):
            assert _jsontext.loads(text) == expected
            assert _jsontext.loads(text.encode()) == expected
            assert list(_jsontext.ArrayStream(io.StringIO(text))) == expected
        assert sum("surrogate" in r.getMessage() for r in caplog.records) == 3
        assert _jsontext.dumps(expected) == '[{"a":"Jos\ufffd","b\ufffd":"ok \U0001f600"}]'

    def test_text_that_is_not_json_is_still_refused(self) -> None:
        """The second reader only reads what msgspec refused for a surrogate; faults stay."""
        with pytest.raises(ConversionError, match="not valid JSON"):
            _jsontext.loads('["Jos\\ud800", tru]')

    def test_the_client_reads_the_order_and_the_page_goes_on(self) -> None:
        """Before, the whole page failed to parse, and with it every sync run."""
        raw = json.dumps({"count": 2, "next": None, "results": [{}, {}]})
        one = '{"order_id": 1, "market_order_id": "M-1", "order_status": "Paid",'
        one += ' "order_datetime": "2026-11-01T00:00:00Z", ' + LONE + "}"
        two = one.replace('"order_id": 1', '"order_id": 2').replace("Jos\\ud800", "Ana")
        body = raw.replace("[{}, {}]", f"[{one}, {two}]").encode()
        transport = MockTransport(
            lambda request: Response(
                status=200, headers={"content-type": "application/json"}, body=body
            )
        )
        client = lm.ListingMirrorClient("token", transport=transport)
        page = client.orders.list()
        assert [(o.order_id, o.buyer_name) for o in page] == [(1, "Jos\ufffd"), (2, "Ana")]

    def test_convert_writes_every_order(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Before: exit 1, nothing written, an internal error naming no order."""
        text = EXAMPLE_ORDERS.read_text(encoding="utf-8")
        assert "José" in text
        path = tmp_path / "orders.json"
        path.write_text(text.replace("José", "Jos\\ud800"), encoding="utf-8")
        assert main(["convert", "--allow-rejected", "--compact", str(path)]) == 0
        out = capsys.readouterr().out
        assert len(json.loads(out)) == 5
        assert "Jos\ufffd" in out


class TestOrderIdsPast64Bits:
    @pytest.mark.parametrize("order_id", [2**63, 0, -1])
    def test_an_order_id_no_store_holds_is_a_rejection_on_both_paths(self, order_id: int) -> None:
        """``order_id`` out of 1 .. 2**63 - 1 is that order's rejection, naming the field."""
        for convert in (convert_orders, convert_customstore_orders):
            result = convert([lm_order(1), lm_order(2, order_id=order_id)])
            assert [o.order_number for o in result.orders] == ["M-1"]
            (rejection,) = result.rejected
            assert isinstance(rejection.error, InvalidOrderError)
            assert rejection.error.field == "order_id"

    def test_the_sync_goes_on_and_later_runs_too(self, tmp_path: Path) -> None:
        """Before: OverflowError from the SQLite store on every run; nothing was sent."""
        store = SQLiteCheckpointStore(tmp_path / "checkpoints.sqlite3")
        orders = [lm_order(1), lm_order(2, order_id=2**63, ship_to=None), lm_order(3)]
        sync, simulator, _, _ = world(orders, store)
        report = sync.run()
        assert sorted(simulator.orders) == ["lm-1", "lm-3"]
        assert [r.order.order_id for r in report.rejected] == [2**63]
        assert report.checkpoint is not None and report.checkpoint > T0 + timedelta(hours=1)
        again = sync.run()  # the next run starts from the checkpoint, as any run
        assert (again.sent, again.rejected) == ((), ())
