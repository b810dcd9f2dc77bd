"""The command line converts the bundled example as the README promises."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from listingmirror_shipstation.cli import EXAMPLE_ORDERS, main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        status = main(list(args))
    finally:
        sys.stdout, sys.stderr = old
    return status, out.getvalue(), err.getvalue()


def test_example_converts_with_reasons_for_everything_left_out() -> None:
    """5 orders out; FBA and MCF skipped, the address-less one rejected; exit 1."""
    status, out, err = run("convert", str(EXAMPLE_ORDERS))
    payload = json.loads(out)
    assert status == 1
    assert [o["orderKey"] for o in payload] == [
        "lm-700101",
        "lm-700102",
        "lm-700103",
        "lm-700104",
        "lm-700108",
    ]
    assert "skipped (excluded_fulfillment_channel): order 700105" in err
    assert "skipped (excluded_fulfillment_channel): order 700106" in err
    assert "rejected (missing_shipping_address): order 700107" in err
    assert "order 700108: status 'Awaiting Engraving' has no mapping" in err
    assert err.rstrip().endswith("converted 5, skipped 2, rejected 1, unreadable 0")


def test_example_payload_carries_the_integration_features() -> None:
    """Coupon line, gift message, custom fields, non-ASCII text, kg converted to grams."""
    _, out, _ = run("convert", str(EXAMPLE_ORDERS), "--allow-rejected")
    orders = {o["orderKey"]: o for o in json.loads(out)}
    ebay = orders["lm-700102"]
    assert {"sku": "WINTER5", "unitPrice": -5.00}.items() <= next(
        i for i in ebay["items"] if i["adjustment"]
    ).items()
    tokyo = orders["lm-700103"]
    assert tokyo["gift"] is True and tokyo["giftMessage"] == "お誕生日おめでとう！ 🎂"
    assert tokyo["items"][0]["weight"] == {"value": 1200.0, "units": "grams"}
    assert tokyo["advancedOptions"]["customField2"] == "Shopify – Tokyo store"
    amazon = orders["lm-700101"]["advancedOptions"]
    assert (amazon["customField1"], amazon["customField3"]) == (
        "113-4829301-5521877",
        "S01-8821345",
    )


def test_allow_rejected_exits_zero() -> None:
    """--allow-rejected still reports rejections but exits 0."""
    status, _, err = run("convert", str(EXAMPLE_ORDERS), "--allow-rejected")
    assert status == 0
    assert "rejected (missing_shipping_address)" in err


def test_fba_mcf_can_be_included_and_integrations_chosen() -> None:
    """--include-fba-mcf exports them; --integration keeps only the chosen ones."""
    _, out, _ = run("convert", str(EXAMPLE_ORDERS), "--include-fba-mcf", "--integration", "11")
    assert [o["orderKey"] for o in json.loads(out)] == ["lm-700101", "lm-700105"]


def test_unreadable_file_is_exit_2(tmp_path: Path) -> None:
    """A missing file or invalid JSON is a usage error with a message, not a traceback."""
    assert run("convert", str(tmp_path / "nope.json"))[0] == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    status, _, err = run("convert", str(bad))
    assert status == 2
    assert "not valid JSON" in err


def test_bad_order_is_reported_and_the_rest_converted(tmp_path: Path) -> None:
    """An order that does not fit the model is 'unreadable'; the others still go out."""
    data = json.loads(EXAMPLE_ORDERS.read_text(encoding="utf-8"))["results"]
    data[0]["order_items"][0]["quantity"] = "many"
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    status, out, err = run("convert", str(path))
    assert status == 1
    assert len(json.loads(out)) == 4
    assert "unreadable: cannot read order at index 0" in err


@pytest.mark.timeout(60)
def test_module_entry_point() -> None:
    """Python -m listingmirror_shipstation runs the same command line."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "listingmirror_shipstation",
            "convert",
            str(EXAMPLE_ORDERS),
            "--compact",
            "--allow-rejected",
        ],
        capture_output=True,
        text=True,
        check=False,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 5
