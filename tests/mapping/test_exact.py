"""Issue 10: exact to the cent and to the spec on real-world data, on both paths.

Every test here failed on the code before the fix it names. "Both paths" means the REST
mapping (``convert_orders``) and the Custom Store export (``convert_customstore_orders`` and
the XML actually rendered and read back).
"""

import base64
import threading
import urllib.parse
import wsgiref.simple_server
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import attrs
import pytest
import urllib3
from hypothesis import example, given
from hypothesis import strategies as st

from listingmirror_shipstation import Unrecognized, _codes
from listingmirror_shipstation import customstore as cs
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.cli import main
from listingmirror_shipstation.errors import (
    ExcludedFulfillmentError,
    InvalidOrderError,
    InventorySourceNotSelectedError,
    UnknownFulfillmentError,
    ValidationError,
)
from listingmirror_shipstation.integration import (
    JsonFileOrderSource,
    SQLiteShipmentSink,
    make_custom_store_app,
)
from listingmirror_shipstation.mapping import (
    MappingOptions,
    convert_customstore_orders,
    convert_orders,
    to_customstore_order,
    to_shipstation_order,
)
from listingmirror_shipstation.testing import strategies

eligible = strategies.eligible_listingmirror_orders

ORDER = lm.Order(
    order_id=1,
    market_order_id="M-1",
    order_datetime=datetime(2026, 11, 20, 15, tzinfo=UTC),
    order_status=lm.OrderStatus.PAID,
    fulfillment_channel=lm.FulfillmentChannel.MERCHANT,
    buyer_name="Ana",
    ship_to=lm.Address(name="Ana", street1="1 Main St", city="Austin", country="US"),
    order_items=(lm.OrderItem(sku="MUG", quantity=1, price=Decimal("9.99")),),
)


def lm_total(order: lm.Order) -> Decimal:
    """What the buyer pays by Listing Mirror's own figures (price is a line total)."""
    total = Decimal(0)
    for item in order.order_items:
        total += item.price - abs(item.item_discount or 0) + (item.gift_warp_price or 0)
        total += (item.shipping_price or 0) - abs(item.shipping_discount or 0)
        total += (item.tax or 0) + (item.shipping_tax or 0) + (item.gift_warp_tax or 0)
    return total - sum((abs(d.amount) for d in order.discounts), Decimal(0))


def rest_sum(order: ss.Order) -> Decimal:
    lines = sum(((i.unit_price or 0) * (i.quantity or 0) for i in order.items or ()), Decimal(0))
    return lines + (order.shipping_amount or 0) + (order.tax_amount or 0)


def exported(order: lm.Order, options: MappingOptions | None = None) -> cs.Order:
    """The order as ShipStation reads it from the rendered export."""
    rendered = cs.render_orders([to_customstore_order(order, options)], pages=1)
    (parsed,) = cs.parse_orders(rendered).orders
    return parsed


def xml_sum(order: cs.Order) -> Decimal:
    lines = sum((i.unit_price * i.quantity for i in order.items), Decimal(0))
    return lines + (order.shipping_amount or 0) + (order.tax_amount or 0)


def both_paths(orders: list[lm.Order], options: MappingOptions | None = None) -> list[set[int]]:
    """The ids of the orders each path exports."""
    rest = convert_orders(orders, options)
    xml = convert_customstore_orders(orders, options)
    return [
        {int((o.order_key or "").removeprefix("lm-")) for o in rest.orders},
        {int(o.order_id or 0) for o in xml.orders},
    ]


# --- 1. FBA/MCF leak ---------------------------------------------------------------------------

FBA_SPELLINGS = [
    "FBA",
    "fba",
    "Fba",
    " FBA",
    "AFN",
    "afn",
    "Amazon",
    "AMAZON_NA",
    "amazon-eu",
    "Amazon FBA",
    "FBA-US",
    "AmazonFulfillment",
    "fulfilled_by_amazon",
]
MCF_SPELLINGS = ["MCF", "mcf", " Mcf ", "Multi-Channel", "multichannel", "Amazon MCF"]
MERCHANT_SPELLINGS = ["MF", "mf", "MFN", "Merchant", "merchant", "DEFAULT", "FBM"]


def respell(word: str, data: st.DataObject) -> str:
    """Any case per character, any surrounding space."""
    cased = "".join(c.upper() if data.draw(st.booleans()) else c.lower() for c in word)
    pad = st.sampled_from(["", " ", "  ", "\t"])
    return data.draw(pad) + cased + data.draw(pad)


class TestChannels:
    @given(st.sampled_from(FBA_SPELLINGS + MCF_SPELLINGS), st.data())
    def test_fba_and_mcf_in_any_spelling_never_go_out(self, word: str, data: st.DataObject) -> None:
        """Hand-built or read from JSON, any spelling of FBA/MCF is filtered on both paths."""
        spelling = respell(word, data)
        built = attrs.evolve(ORDER, fulfillment_channel=Unrecognized(spelling))
        document = lm.dumps([attrs.evolve(ORDER, fulfillment_channel=None)]).replace(
            '"fulfillment_channel":null', f'"fulfillment_channel":{lm.dumps(spelling)}'
        )
        (read,) = lm.loads(document, list[lm.Order])
        for order in (built, read):
            assert both_paths([order]) == [set(), set()]
            rejection = convert_orders([order]).rejected[0]
            assert isinstance(rejection.error, ExcludedFulfillmentError)

    @given(
        st.sampled_from(
            ["FBA", "AFN", "MCF", "Multi Channel", "Fulfilled By Amazon", "Amazon Fulfillment"]
        ),
        st.lists(st.sampled_from(["Amazon", "US", "EU", "Order", "Prime", "2", "Network"])),
        st.lists(st.sampled_from(["Amazon", "CA", "Inventory", "1"])),
        st.sampled_from([" ", "-", "_", "/", ".", ":", "", "  "]),
        st.data(),
    )
    def test_fba_and_mcf_inside_any_name_never_go_out(
        self,
        core: str,
        before: list[str],
        after: list[str],
        separator: str,
        data: st.DataObject,
    ) -> None:
        """FBA/AFN/MCF, or Amazon with "fulfilled", among other words, any case or joining.

        ``Amazon FBA``, ``FBA-US``, ``AmazonFulfillment``, ``amazon_mcf_2``: each is filtered
        on both paths, never exported as an unknown channel.
        """
        words = [*before, *core.split(), *after]
        if separator:
            spelling = separator.join(respell(w, data).strip() for w in words)
        else:  # CamelCase: the case change is the only separator
            spelling = "".join(w.capitalize() for w in words)
        order = attrs.evolve(ORDER, fulfillment_channel=Unrecognized(spelling))
        assert both_paths([order]) == [set(), set()], spelling
        assert isinstance(convert_orders([order]).rejected[0].error, ExcludedFulfillmentError)

    @given(
        st.sampled_from(["WFS", "Walmart Fulfillment Services", "walmart-fulfilled", "WFS_US"]),
        st.data(),
    )
    def test_walmart_fulfilled_orders_are_left_out_by_default(
        self, word: str, data: st.DataObject
    ) -> None:
        """WFS is shipped by Walmart: filtered like FBA by default, exported when included."""
        order = attrs.evolve(ORDER, fulfillment_channel=Unrecognized(respell(word, data)))
        assert both_paths([order]) == [set(), set()]
        assert isinstance(convert_orders([order]).rejected[0].error, ExcludedFulfillmentError)
        included = MappingOptions(excluded_fulfillment={"FBA", "MCF"})
        assert both_paths([order], included) == [{1}, {1}]

    def test_seller_fulfilled_prime_is_merchant_fulfilled(self) -> None:
        """Seller Fulfilled Prime names Amazon's programme, but the seller ships: exported."""
        for spelling in ("Seller Fulfilled Prime", "SellerFulfilled", "Amazon MFN"):
            order = attrs.evolve(ORDER, fulfillment_channel=Unrecognized(spelling))
            result = convert_orders([order])
            assert (len(result.orders), result.warnings) == (1, ()), spelling

    @given(st.sampled_from(MERCHANT_SPELLINGS), st.data())
    def test_merchant_spellings_go_out_without_a_warning(
        self, word: str, data: st.DataObject
    ) -> None:
        """MFN/Merchant in any spelling is merchant-fulfilled: exported, nothing to report."""
        order = attrs.evolve(ORDER, fulfillment_channel=Unrecognized(respell(word, data)))
        result = convert_orders([order])
        assert len(result.orders) == 1
        assert result.warnings == ()

    def test_unknown_or_missing_channel_is_exported_with_a_warning_by_default(self) -> None:
        """Default: exported as merchant-fulfilled, with an unknown_fulfillment_channel warning."""
        for channel in (None, Unrecognized("Teleport")):
            result = convert_orders([attrs.evolve(ORDER, fulfillment_channel=channel)])
            assert len(result.orders) == 1
            assert [w.code for w in result.warnings] == ["unknown_fulfillment_channel"]

    def test_strict_channels_reject_unknown_and_missing(self) -> None:
        """unknown_fulfillment='reject': a missing or unknown channel is a rejection."""
        options = MappingOptions(unknown_fulfillment="reject")
        orders = [
            attrs.evolve(ORDER, order_id=2, fulfillment_channel=None),
            attrs.evolve(ORDER, order_id=3, fulfillment_channel=Unrecognized("Teleport")),
            ORDER,
        ]
        assert both_paths(orders, options) == [{1}, {1}]
        reasons = {type(r.error) for r in convert_customstore_orders(orders, options).rejected}
        assert reasons == {UnknownFulfillmentError}

    def test_a_bad_setting_is_refused(self) -> None:
        """A misspelt setting is an error when the options are built, not a silent default."""
        with pytest.raises(ValueError, match="unknown_fulfillment"):
            MappingOptions(unknown_fulfillment="strict")  # type: ignore[arg-type]

    @given(
        st.sets(st.integers(0, 6), max_size=4) | st.none(),
        st.lists(st.integers(0, 8) | st.none(), min_size=1, max_size=6),
    )
    def test_inventory_source_allow_list(
        self, allowed: set[int] | None, sources: list[int | None]
    ) -> None:
        """With an allow-list an order goes exactly when its source is in it, on both paths."""
        orders = [
            attrs.evolve(ORDER, order_id=n + 1, fulfillment_inventory_source_id=source)
            for n, source in enumerate(sources)
        ]
        options = MappingOptions(inventory_sources=allowed)
        expected = {
            o.order_id
            for o in orders
            if allowed is None or o.fulfillment_inventory_source_id in allowed
        }
        assert both_paths(orders, options) == [expected, expected]
        for rejection in convert_orders(orders, options).rejected:
            assert isinstance(rejection.error, InventorySourceNotSelectedError)
            assert rejection.filtered

    @given(
        st.lists(
            st.tuples(
                st.sampled_from(FBA_SPELLINGS + MCF_SPELLINGS + MERCHANT_SPELLINGS + ["Teleport"])
                | st.none(),
                st.integers(0, 5) | st.none(),
            ),
            min_size=1,
            max_size=6,
        ),
        st.sets(st.integers(0, 5), max_size=3) | st.none(),
        st.sampled_from(["export", "reject"]),
        st.data(),
    )
    def test_filters_together_on_both_paths(
        self,
        rows: list[tuple[str | None, int | None]],
        allowed: set[int] | None,
        unknown: str,
        data: st.DataObject,
    ) -> None:
        """Any spelling, any allow-list, either setting: exactly the expected orders go out."""
        orders = []
        expected = set()
        for number, (word, source) in enumerate(rows, start=1):
            channel = None if word is None else Unrecognized(respell(word, data))
            orders.append(
                attrs.evolve(
                    ORDER,
                    order_id=number,
                    fulfillment_channel=channel,
                    fulfillment_inventory_source_id=source,
                )
            )
            excluded = word in FBA_SPELLINGS + MCF_SPELLINGS
            known = word in FBA_SPELLINGS + MCF_SPELLINGS + MERCHANT_SPELLINGS
            selected = allowed is None or source in allowed
            if not excluded and selected and (known or unknown == "export"):
                expected.add(number)
        options = MappingOptions(inventory_sources=allowed, unknown_fulfillment=unknown)  # type: ignore[arg-type]
        assert both_paths(orders, options) == [expected, expected]

    def test_source_is_read_from_json(self) -> None:
        """``fulfillment_inventory_source_id`` is a key of the order document."""
        document = lm.dumps([attrs.evolve(ORDER, fulfillment_inventory_source_id=7)])
        (order,) = lm.loads(document, list[lm.Order])
        assert order.fulfillment_inventory_source_id == 7

    def test_cli_convert_takes_inventory_sources(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`convert --inventory-source 5 --inventory-source 6` keeps only those sources."""
        orders = [
            attrs.evolve(ORDER, order_id=n, fulfillment_inventory_source_id=n) for n in (4, 5, 6)
        ]
        path = tmp_path / "orders.json"
        path.write_text(lm.dumps(orders), encoding="utf-8")
        status = main(["convert", str(path), "--inventory-source", "5", "--inventory-source", "6"])
        assert status == 0
        sent = ss.json.loads(capsys.readouterr().out, list[ss.Order])
        assert [o.order_key for o in sent] == ["lm-5", "lm-6"]

    def test_cli_commands_all_take_the_settings(self) -> None:
        """The serve and sync commands accept the same flags (parsed, not run)."""
        from listingmirror_shipstation.cli import _options, _parser

        for argv in (
            ["serve", "--orders", "x.json"],
            ["sync", "orders"],
            ["convert", "x.json"],
        ):
            args = _parser().parse_args(
                [*argv, "--inventory-source", "3", "--unknown-fulfillment", "reject"]
            )
            options = _options(args)
            assert options.inventory_sources == frozenset({3})
            assert options.unknown_fulfillment == "reject"


class _Server(wsgiref.simple_server.WSGIServer):
    pass


class _Quiet(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The whole Custom Store wiring with an inventory-source allow-list, on 127.0.0.1."""
    path = tmp_path / "orders.json"
    app = make_custom_store_app(
        "u",
        "p",
        JsonFileOrderSource(path),
        SQLiteShipmentSink(tmp_path / "updates.sqlite3"),
        MappingOptions(inventory_sources=[2]),
    )
    server = wsgiref.simple_server.make_server(
        "127.0.0.1",
        0,
        app,
        server_class=_Server,
        handler_class=_Quiet,  # type: ignore[arg-type]
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", path
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.timeout(60)
def test_custom_store_wiring_honours_the_allow_list(served: tuple[str, Path]) -> None:
    """make_custom_store_app(options=...) exports only orders of the allowed sources."""
    base, path = served
    orders = [
        attrs.evolve(ORDER, order_id=n, market_order_id=f"M-{n}", fulfillment_inventory_source_id=n)
        for n in (1, 2, 3)
    ]
    path.write_text(lm.dumps(orders), encoding="utf-8")
    query = urllib.parse.urlencode(
        {
            "action": "export",
            "start_date": "11/01/2026 00:00",
            "end_date": "11/30/2026 00:00",
            "page": 1,
        }
    )
    token = base64.b64encode(b"u:p").decode()
    with urllib3.PoolManager(timeout=10, retries=False) as http:
        response = http.request(
            "GET", f"{base}?{query}", headers={"Authorization": f"Basic {token}"}
        )
    assert response.status == 200
    assert [o.order_number for o in cs.parse_orders(response.data).orders] == ["M-2"]


# --- 2. Lines that add up ----------------------------------------------------------------------


_consistent = st.booleans()

_MONEY_FIELDS = (
    "price",
    "item_discount",
    "shipping_discount",
    "shipping_price",
    "shipping_tax",
    "tax",
    "gift_warp_price",
    "gift_warp_tax",
)


@st.composite
def _sub_cent(draw: st.DrawFn, orders: st.SearchStrategy[lm.Order]) -> lm.Order:
    """An order whose amounts may carry a third and fourth decimal place (1.005, 0.0049)."""
    order = draw(orders)
    extra = st.integers(0, 99).map(lambda n: Decimal(n) / 10000)

    def more(value: Decimal | None) -> Decimal | None:
        return None if value is None else value + draw(extra)

    return attrs.evolve(
        order,
        order_items=tuple(
            attrs.evolve(i, **{name: more(getattr(i, name)) for name in _MONEY_FIELDS})
            for i in order.order_items
        ),
        discounts=tuple(attrs.evolve(d, amount=more(d.amount)) for d in order.discounts),
    )


def in_cents(order: lm.Order) -> lm.Order:
    """Every amount of money rounded to cents, half-up: the mapping's documented first step."""

    def cents(value: Decimal | None) -> Decimal | None:
        return None if value is None else value.quantize(Decimal("0.01"), ROUND_HALF_UP)

    return attrs.evolve(
        order,
        order_items=tuple(
            attrs.evolve(i, **{name: cents(getattr(i, name)) for name in _MONEY_FIELDS})
            for i in order.order_items
        ),
        discounts=tuple(attrs.evolve(d, amount=cents(d.amount)) for d in order.discounts),
        order_total=cents(order.order_total),
    )


class TestTotals:
    @pytest.mark.parametrize(
        ("price", "quantity"),
        [("10.00", 3), ("0.01", 2), ("0.05", 7), ("100.00", 6), ("19.98", 2)],
    )
    def test_issue_examples_add_up_on_both_paths(self, price: str, quantity: int) -> None:
        """10.00 for 3 units is 10.00 in ShipStation, not 9.99; 0.01 for 2 is 0.01, not 0.02."""
        item = lm.OrderItem(sku="A", quantity=quantity, price=Decimal(price))
        order = attrs.evolve(ORDER, order_items=(item,))
        rest = to_shipstation_order(order)
        assert rest_sum(rest) == rest.amount_paid == Decimal(price)
        xml = exported(order)
        assert xml_sum(xml) == xml.order_total == Decimal(price)

    @given(eligible, _consistent)
    def test_every_order_adds_up_exactly_on_both_paths(
        self, order: lm.Order, with_total: bool
    ) -> None:
        """Σ unit price x quantity + shipping + tax = amount paid = Listing Mirror's total.

        Any prices, quantities, item and order discounts, gift wrap, shipping discounts; with
        order_total set (to Listing Mirror's consistent figure) and unset. Discounts larger than
        the order are cut down: the amount paid is then 0.00, never negative.
        """
        if with_total:
            order = attrs.evolve(order, order_total=lm_total(order))
        expected = max(lm_total(order), Decimal(0))
        rest = to_shipstation_order(order)
        assert rest_sum(rest) == rest.amount_paid == expected
        xml = exported(order)
        assert xml_sum(xml) == xml.order_total == expected

    @given(_sub_cent(eligible), _consistent)
    def test_sub_cent_amounts_are_rounded_once_and_add_up_on_both_paths(
        self, order: lm.Order, with_total: bool
    ) -> None:
        """Amounts like 1.005 or 0.0049: every amount sent is whole cents, and they add up.

        Each input amount is rounded to cents half-up once, before any sum: the lines, shipping
        and tax add up to the amount paid (to the cent) on REST and in the rendered XML.
        """
        expected = max(lm_total(in_cents(order)), Decimal(0))
        if with_total:  # Listing Mirror's figure, consistent with its amounts in cents
            order = attrs.evolve(order, order_total=expected)
        rest = to_shipstation_order(order)
        amounts = [i.unit_price for i in rest.items or ()]
        amounts += [rest.amount_paid, rest.tax_amount, rest.shipping_amount]
        assert all(a is None or a == a.quantize(Decimal("0.01")) for a in amounts), amounts
        assert rest_sum(rest) == rest.amount_paid == expected
        xml = exported(order)
        assert xml_sum(xml) == xml.order_total == expected

    def test_the_reviewers_sub_cent_order_adds_up(self) -> None:
        """1.005 + tax 0.125 + shipping 0.335, and 3 x 2.004 with tax 0.0049: 3.48 both ways."""
        order = attrs.evolve(
            ORDER,
            order_items=(
                lm.OrderItem(
                    sku="S",
                    quantity=1,
                    price=Decimal("1.005"),
                    tax=Decimal("0.125"),
                    shipping_price=Decimal("0.335"),
                ),
                lm.OrderItem(sku="T", quantity=3, price=Decimal("2.004"), tax=Decimal("0.0049")),
            ),
        )
        rest = to_shipstation_order(order)
        assert (rest.amount_paid, rest.tax_amount, rest.shipping_amount) == (
            Decimal("3.48"),
            Decimal("0.13"),
            Decimal("0.34"),
        )
        assert [i.unit_price for i in rest.items or ()] == [
            Decimal("1.01"),
            Decimal("0.67"),
            Decimal("-0.01"),
        ]
        xml = exported(order)
        assert xml_sum(xml) == xml.order_total == Decimal("3.48")

    def test_a_coupon_larger_than_the_order_is_cut_down_to_a_zero_total(self) -> None:
        """A 50.00 coupon on a 9.99 order: amount paid 0.00 (not -40.01), lines add up, warned."""
        order = attrs.evolve(ORDER, discounts=(lm.Discount(code="GIFT", amount=Decimal("50")),))
        result = convert_orders([order])
        (rest,) = result.orders
        assert rest_sum(rest) == rest.amount_paid == Decimal("0.00")
        coupon = [i for i in rest.items or () if i.sku == "GIFT"]
        assert [i.unit_price for i in coupon] == [Decimal("-9.99")]
        assert [w.code for w in result.warnings] == ["discounts_exceed_total"]
        xml = exported(order)
        assert xml_sum(xml) == xml.order_total == Decimal("0.00")

    def test_a_negative_order_total_is_sent_as_zero_and_reported(self) -> None:
        """order_total -41.01 is never sent: 0.00, with a negative_total warning."""
        result = convert_orders([attrs.evolve(ORDER, order_total=Decimal("-41.01"))])
        assert result.orders[0].amount_paid == Decimal("0.00")
        assert [w.code for w in result.warnings] == ["negative_total"]

    def test_validation_refuses_a_negative_amount_paid(self) -> None:
        """validate_order_for_create names amount_paid and the value."""
        rest = attrs.evolve(to_shipstation_order(ORDER), amount_paid=Decimal("-41.01"))
        with pytest.raises(ValidationError) as caught:
            ss.validate_order_for_create(rest)
        assert (caught.value.field, caught.value.value) == ("amount_paid", Decimal("-41.01"))

    def test_an_inconsistent_order_total_is_sent_and_reported(self) -> None:
        """order_total that disagrees with the lines is what the buyer paid: sent, warned."""
        order = attrs.evolve(ORDER, order_total=Decimal("12.00"))
        result = convert_orders([order])
        assert result.orders[0].amount_paid == Decimal("12.00")
        assert [w.code for w in result.warnings] == ["total_mismatch"]


# --- 3. Gift wrap, 4. empty SKU ----------------------------------------------------------------


class TestLines:
    @given(eligible)
    def test_no_adjustment_line_is_ever_positive(self, order: lm.Order) -> None:
        """Adjustment lines carry negative amounts (the protocol's rule), on both paths."""
        rest = to_shipstation_order(order)
        assert all((i.unit_price or 0) <= 0 for i in rest.items or () if i.adjustment)
        xml = exported(order)
        assert all(i.unit_price <= 0 for i in xml.items if i.adjustment)

    def test_gift_wrap_is_an_ordinary_line(self) -> None:
        """Gift wrap goes out as a non-adjustment line of +3.50 with no SKU, on both paths."""
        item = attrs.evolve(ORDER.order_items[0], gift_warp_price=Decimal("3.50"))
        order = attrs.evolve(ORDER, order_items=(item,))
        (wrap,) = [
            i for i in to_shipstation_order(order).items or () if "Gift wrap" in (i.name or "")
        ]
        assert (wrap.adjustment, wrap.unit_price, wrap.quantity, wrap.sku) == (
            False,
            Decimal("3.50"),
            1,
            None,
        )
        (xml_wrap,) = [i for i in exported(order).items if "Gift wrap" in (i.name or "")]
        assert (xml_wrap.adjustment, xml_wrap.unit_price) == (False, Decimal("3.50"))

    def test_every_item_has_a_sku_element(self) -> None:
        """A discount line with no SKU is written with an empty <SKU/>."""
        item = attrs.evolve(ORDER.order_items[0], item_discount=Decimal("1.00"))
        order = attrs.evolve(ORDER, order_items=(item,))
        rendered = cs.render_orders([to_customstore_order(order)], pages=1).decode()
        items = rendered.split("<Item>")[1:]
        assert len(items) == 2
        assert all("<SKU" in i for i in items)
        assert "<SKU/>" in items[1]


# --- 5. Weights --------------------------------------------------------------------------------


class TestWeights:
    @pytest.mark.parametrize(
        ("value", "unit", "written"),
        [
            ("0.0625", lm.WeightUnit.POUND, ("1.00", "Ounces")),
            ("1.5", lm.WeightUnit.POUND, ("1.50", "Pounds")),
            ("0.125", lm.WeightUnit.OUNCE, ("3.54", "Grams")),
            ("0.001", lm.WeightUnit.POUND, ("0.45", "Grams")),
            ("0.000001", lm.WeightUnit.POUND, ("0.01", "Grams")),
            ("0.001", lm.WeightUnit.GRAM, ("0.01", "Grams")),
            ("2.5", lm.WeightUnit.KILOGRAM, ("2500.00", "Grams")),
        ],
    )
    def test_weights_keep_their_precision(
        self, value: str, unit: lm.WeightUnit, written: tuple[str, str]
    ) -> None:
        """The unit is chosen so the two decimals hold the weight; never zero when positive."""
        item = attrs.evolve(ORDER.order_items[0], weight=Decimal(value), weight_unit=unit)
        order = attrs.evolve(ORDER, order_items=(item,))
        rendered = cs.render_orders([to_customstore_order(order)], pages=1).decode()
        assert f"<Weight>{written[0]}</Weight><WeightUnits>{written[1]}</WeightUnits>" in rendered

    @given(
        st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(999), places=6),
        st.sampled_from([lm.WeightUnit.POUND, lm.WeightUnit.OUNCE, lm.WeightUnit.GRAM]),
    )
    def test_exported_weight_is_within_half_a_centigram(
        self, value: Decimal, unit: lm.WeightUnit
    ) -> None:
        """Whatever the weight, the export carries it to 0.005 g or exactly, and never as 0."""
        item = attrs.evolve(ORDER.order_items[0], weight=value, weight_unit=unit)
        (line,) = exported(attrs.evolve(ORDER, order_items=(item,))).items
        assert line.weight is not None and line.weight > 0
        grams = {"Pounds": Decimal("453.59237"), "Ounces": Decimal("28.349523125"), "Grams": 1}
        assert line.weight_units is not None
        sent = line.weight * grams[line.weight_units.value]
        original = (
            value * {"lb": Decimal("453.59237"), "oz": Decimal("28.349523125"), "g": 1}[unit.value]
        )
        assert abs(sent - original) <= Decimal("0.005") or sent == Decimal("0.01")


# --- 6. Codes ----------------------------------------------------------------------------------

ROWS = [line.split(" ", 2) for line in _codes._ISO.splitlines()]


class TestCodes:
    def test_alpha3_is_converted_not_cut(self) -> None:
        """AUT is Austria (AT), never AU (Australia), on both paths."""
        order = attrs.evolve(ORDER, ship_to=attrs.evolve(ORDER.ship_to, country="AUT"))
        rest = to_shipstation_order(order)
        assert rest.ship_to is not None and rest.ship_to.country == "AT"
        assert exported(order).customer.ship_to.country == "AT"  # type: ignore[union-attr]

    @pytest.mark.parametrize(
        ("given_", "expected"),
        [
            ("United States of America", "US"),
            ("united states", "US"),
            (" us ", "US"),
            ("USA", "US"),
            ("UK", "GB"),
            ("Deutschland", "DE"),
            ("Côte d’Ivoire", "CI"),
        ],
    )
    def test_names_are_read(self, given_: str, expected: str) -> None:
        """Common names and spellings become alpha-2 on both paths."""
        order = attrs.evolve(ORDER, ship_to=attrs.evolve(ORDER.ship_to, country=given_))
        assert to_shipstation_order(order).ship_to.country == expected  # type: ignore[union-attr]
        assert exported(order).customer.ship_to.country == expected  # type: ignore[union-attr]

    @pytest.mark.parametrize("country", ["Atlantis", "XX", "AUTT", "U"])
    def test_an_unreadable_country_is_a_rejection_naming_it(self, country: str) -> None:
        """A country that cannot be read rejects the order, naming field and value."""
        order = attrs.evolve(ORDER, ship_to=attrs.evolve(ORDER.ship_to, country=country))
        for result in (convert_orders([order]), convert_customstore_orders([order])):
            (rejection,) = result.rejected
            assert isinstance(rejection.error, InvalidOrderError)
            assert rejection.error.field == "ship_to.country"
            assert rejection.error.value == country

    @given(
        st.sampled_from(ROWS),
        st.sampled_from(["alpha2", "alpha3", "name"]),
        st.data(),
    )
    def test_no_output_code_differs_from_its_input_meaning(
        self, row: list[str], form: str, data: st.DataObject
    ) -> None:
        """Any ISO spelling of a country (any case, spaces) goes out as that country's alpha-2."""
        alpha2, alpha3, name = row
        word = {"alpha2": alpha2, "alpha3": alpha3, "name": name}[form]
        spelling = (
            respell(word, data)
            if form != "name"
            else data.draw(st.sampled_from([name, name.upper(), name.lower(), f" {name} "]))
        )
        order = attrs.evolve(ORDER, ship_to=attrs.evolve(ORDER.ship_to, country=spelling))
        assert to_shipstation_order(order).ship_to.country == alpha2  # type: ignore[union-attr]
        assert to_customstore_order(order).customer.ship_to.country == alpha2  # type: ignore[union-attr]

    @given(st.text(st.characters(codec="ascii", categories=["Lu", "Ll"]), min_size=3, max_size=3))
    @example(text="AUT")
    @example(text="UAE")
    @example(text="usa")
    @example(text="XKX")
    @example(text="ZZZ")
    def test_three_letters_are_alpha3_or_refused(self, text: str) -> None:
        """Three letters are an alpha-3 code of the table (that country) or a rejection."""
        rows = [*ROWS, _codes._USER_ASSIGNED.split(" ", 2)]  # Kosovo: XK, XKX
        by_alpha3 = {alpha3: alpha2 for alpha2, alpha3, _ in rows}
        # Names of three letters: ISO names and the common ones buyers type ("usa", "uae").
        by_name = {name.lower(): alpha2 for alpha2, _, name in rows} | dict(_codes._COMMON)
        order = attrs.evolve(ORDER, ship_to=attrs.evolve(ORDER.ship_to, country=text))
        result = convert_orders([order])
        if text.upper() in by_alpha3:
            assert result.orders[0].ship_to.country == by_alpha3[text.upper()]  # type: ignore[union-attr]
        elif result.orders:
            assert result.orders[0].ship_to.country == by_name[text.lower()]  # type: ignore[union-attr]
        else:
            assert result.rejected[0].error.field == "ship_to.country"  # type: ignore[attr-defined]

    def test_state_names_become_codes_and_codes_are_never_cut(self) -> None:
        """A US state name becomes its code; a long state is kept whole or refused, never cut."""
        order = attrs.evolve(ORDER, ship_to=attrs.evolve(ORDER.ship_to, state=" texas "))
        assert to_shipstation_order(order).ship_to.state == "TX"  # type: ignore[union-attr]
        long_state = "S" * 101
        order = attrs.evolve(ORDER, ship_to=attrs.evolve(ORDER.ship_to, state=long_state))
        (rejection,) = convert_customstore_orders([order]).rejected
        assert rejection.error.field == "customer.ship_to.state"  # type: ignore[attr-defined]

    def test_a_sku_over_the_limit_is_a_rejection_never_a_cut(self) -> None:
        """Shipments are matched back by SKU: a 51-character SKU rejects the export."""
        sku = "S" * 51
        order = attrs.evolve(ORDER, order_items=(attrs.evolve(ORDER.order_items[0], sku=sku),))
        (rejection,) = convert_customstore_orders([order]).rejected
        assert rejection.error.field == "items[0].sku"  # type: ignore[attr-defined]
        assert rejection.error.value == sku  # type: ignore[attr-defined]
        with pytest.raises(ValidationError, match="never cut"):
            cs.render_orders(
                [attrs.evolve(to_customstore_order(ORDER), currency_code="DOLLARS")], pages=1
            )

    @given(
        st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=80),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=60),
    )
    def test_a_sku_or_postal_code_is_exported_whole_or_not_at_all(
        self, sku: str, postal: str
    ) -> None:
        """Read back from the export, a SKU and a postal code are the input or a rejection."""
        item = attrs.evolve(ORDER.order_items[0], sku=sku)
        ship_to = attrs.evolve(ORDER.ship_to, postal_code=postal)
        order = attrs.evolve(ORDER, order_items=(item,), ship_to=ship_to)
        result = convert_customstore_orders([order])
        if result.rejected:
            assert result.rejected[0].error.field in {  # type: ignore[attr-defined]
                "items[0].sku",
                "customer.ship_to.postal_code",
            }
            return
        (parsed,) = cs.parse_orders(cs.render_orders(result.orders, pages=1)).orders
        assert parsed.items[0].sku == cs.clean_text(sku, len(sku))
        assert parsed.customer.ship_to.postal_code == cs.clean_text(postal, len(postal) or 1)  # type: ignore[union-attr]

    def test_a_long_upc_is_left_out_with_a_warning(self) -> None:
        """An EAN-13 does not fit the export's UPC (12): left out and reported, never cut."""
        item = attrs.evolve(ORDER.order_items[0], upc="4006381333931")
        result = convert_customstore_orders([attrs.evolve(ORDER, order_items=(item,))])
        assert result.orders[0].items[0].upc is None
        assert [w.code for w in result.warnings] == ["code_left_out"]

    def test_currency_must_be_a_code(self) -> None:
        """The currency is upper-cased; a name instead of a code is a rejection."""
        assert exported(attrs.evolve(ORDER, currency=" usd")).currency_code == "USD"
        (rejection,) = convert_orders([attrs.evolve(ORDER, currency="US Dollar")]).rejected
        assert rejection.error.field == "currency"  # type: ignore[attr-defined]


# --- 7. Checks before sending ------------------------------------------------------------------

_SENDABLE = to_shipstation_order(ORDER)


class TestCreateChecks:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            (
                {"ship_to": ss.Address(name="A", country="United States of America")},
                "ship_to.country",
            ),
            ({"bill_to": ss.Address(name="A", country="usa")}, "bill_to.country"),
            ({"weight": ss.Weight(value=Decimal(-3), units=ss.WeightUnit.POUNDS)}, "weight.value"),
            ({"weight": ss.Weight(value=Decimal(1), units=Unrecognized("stone"))}, "weight.units"),
            ({"items": ()}, "items"),
            ({"items": None}, "items"),
            (
                {"items": (ss.OrderItem(sku="A", quantity=1, unit_price=Decimal("-1.00")),)},
                "items[0].unit_price",
            ),
            (
                {
                    "items": (
                        ss.OrderItem(
                            sku="A",
                            quantity=1,
                            weight=ss.Weight(value=Decimal(-1), units=ss.WeightUnit.OUNCES),
                        ),
                    )
                },
                "items[0].weight.value",
            ),
            ({"shipping_amount": Decimal("-4.00")}, "shipping_amount"),
            ({"amount_paid": Decimal("NaN")}, "amount_paid"),
            ({"order_date": datetime(1, 1, 1, tzinfo=UTC)}, "order_date"),
        ],
    )
    def test_what_passes_is_valid_to_send(self, change: dict[str, object], field: str) -> None:
        """Each documented problem is refused, naming the field and the value."""
        order = attrs.evolve(_SENDABLE, **change)
        with pytest.raises(ValidationError) as caught:
            ss.validate_order_for_create(order)
        assert caught.value.field == field

    def test_a_negative_adjustment_is_fine(self) -> None:
        """Discount lines are negative by design."""
        items = (
            *(_SENDABLE.items or ()),
            ss.OrderItem(name="Coupon", quantity=1, unit_price=Decimal(-2), adjustment=True),
        )
        ss.validate_order_for_create(attrs.evolve(_SENDABLE, items=items))

    def test_a_negative_price_is_a_rejection_in_the_mapping(self) -> None:
        """A negative line price from Listing Mirror rejects the order, naming the field."""
        item = attrs.evolve(ORDER.order_items[0], price=Decimal("-5.00"))
        (rejection,) = convert_orders([attrs.evolve(ORDER, order_items=(item,))]).rejected
        assert rejection.error.field == "order_items[0].price"  # type: ignore[attr-defined]


# --- 8. One behaviour on both paths ------------------------------------------------------------


class TestSamePaths:
    def test_entities_are_decoded_once_on_both_paths(self) -> None:
        """'Tom &amp; Jerry' is 'Tom & Jerry' in REST and XML; '&amp;amp;' is decoded once."""
        title = "Cup &amp; saucer"
        item = attrs.evolve(
            ORDER.order_items[0],
            title=title,
            options=(lm.ItemOption(name="Colour &amp; size", value="R&amp;amp;D"),),
        )
        order = attrs.evolve(
            ORDER,
            customer_notes="Tom &amp; Jerry",
            internal_notes="&lt;b&gt;",
            gift_message="&amp;amp;",
            order_items=(item,),
        )
        rest = to_shipstation_order(order)
        xml = exported(order)
        assert rest.customer_notes == xml.customer_notes == "Tom & Jerry"
        assert rest.internal_notes == xml.internal_notes == "<b>"
        assert rest.gift_message == xml.gift_message == "&amp;"
        assert rest.items is not None
        assert rest.items[0].name == xml.items[0].name == "Cup & saucer"
        assert rest.items[0].options == (ss.ItemOption(name="Colour & size", value="R&amp;D"),)
        assert xml.items[0].options[0].value == "R&amp;D"

    def test_a_shipping_discount_without_shipping_is_an_adjustment(self) -> None:
        """ShippingAmount is never negative: the excess discount is a negative adjustment."""
        item = attrs.evolve(
            ORDER.order_items[0], shipping_price=Decimal("2.00"), shipping_discount=Decimal("5.00")
        )
        order = attrs.evolve(ORDER, order_items=(item,))
        rest = to_shipstation_order(order)
        assert rest.shipping_amount == 0
        assert rest.items is not None
        (excess,) = [i for i in rest.items if i.line_item_key == "shipping-discount"]
        assert (excess.adjustment, excess.unit_price) == (True, Decimal("-3.00"))
        assert rest_sum(rest) == rest.amount_paid == lm_total(order)
        xml = exported(order)
        assert xml.shipping_amount == 0
        assert xml_sum(xml) == xml.order_total == lm_total(order)


# --- Values that got through (review of 2026-11-30) ----------------------------------------------


def with_item(**changes: object) -> lm.Order:
    return attrs.evolve(ORDER, order_items=(attrs.evolve(ORDER.order_items[0], **changes),))


class TestValuesThatGotThrough:
    @pytest.mark.parametrize("quantity", [10**12, 2**31])
    def test_a_quantity_past_32_bits_is_rejected_on_both_paths(self, quantity: int) -> None:
        """10**12 units went to REST; ShipStation's quantities are 32-bit. Field and value named."""
        order = with_item(quantity=quantity)
        assert both_paths([order]) == [set(), set()]
        (rejection,) = convert_orders([order]).rejected
        assert isinstance(rejection.error, InvalidOrderError)
        assert (rejection.error.field, rejection.error.value) == ("items[0].quantity", quantity)
        assert len(convert_orders([with_item(quantity=2**31 - 1, price=Decimal(1))]).orders) == 1

    @pytest.mark.parametrize("sku", ["A\x00B", "AB\u202eC", "A\u200bB", "A\nB", "\ufeffAB"])
    def test_a_sku_with_control_or_bidi_characters_is_rejected_on_both_paths(
        self, sku: str
    ) -> None:
        """NUL or U+202E went raw to REST but stripped in the XML: one rule, refused on both."""
        for order in (
            with_item(sku=sku),
            attrs.evolve(ORDER, discounts=(lm.Discount(code=sku, amount=Decimal(1)),)),
        ):
            assert both_paths([order]) == [set(), set()]
            (rejection,) = convert_orders([order]).rejected
            assert isinstance(rejection.error, InvalidOrderError)
            assert rejection.error.field is not None
            assert rejection.error.field.endswith(".sku")
            assert rejection.error.value == sku

    @pytest.mark.parametrize(("given", "code"), [("XK", "XK"), ("Kosovo", "XK"), ("UAE", "AE")])
    def test_kosovo_and_uae_are_accepted(self, given: str, code: str) -> None:
        """XK (user-assigned, used by carriers) and "UAE" were rejected; both go out."""
        address = attrs.evolve(ORDER.ship_to, country=given)
        order = attrs.evolve(ORDER, ship_to=address)
        assert both_paths([order]) == [{1}, {1}]
        assert to_shipstation_order(order).ship_to.country == code
        assert exported(order).customer.ship_to.country == code

    def test_a_negative_zero_price_is_written_as_zero(self) -> None:
        """-0.00 was written as a unit price (REST -0.0, XML -0.00); it is 0.00 now."""
        order = with_item(price=Decimal("-0.00"))
        (item,) = to_shipstation_order(order).items or ()
        assert item.unit_price == 0
        assert item.unit_price is not None
        assert not item.unit_price.is_signed()
        rendered = cs.render_orders([to_customstore_order(order)], pages=1)
        assert b"<UnitPrice>0.00</UnitPrice>" in rendered
        assert b"-0.00" not in rendered


# --- 9. Out-of-range values --------------------------------------------------------------------

HUGE = "1e99999999999999999999"


class TestOutOfRange:
    def test_huge_numbers_are_conversion_errors_in_every_json_reader(self) -> None:
        """No raw decimal.InvalidOperation from any reader, webhook bodies included."""
        from listingmirror_shipstation.errors import ConversionError

        readers = [
            lambda: ss.json.loads(f'{{"orderNumber": "1", "amountPaid": {HUGE}}}', ss.Order),
            lambda: lm.loads(f'[{{"order_id": {HUGE}}}]', list[lm.Order]),
            lambda: ss.WebhooksResource.parse(f'{{"resource_url": "x", "n": {HUGE}}}'),
        ]
        for read in readers:
            with pytest.raises(ConversionError, match="out of range"):
                read()

    @pytest.mark.parametrize(
        ("platform", "text"),
        [
            ("ss", "9999-12-31T23:59:59"),
            ("ss", "0001-01-01T00:00:00+05:00"),
            ("lm", "9999-12-31T23:00:00-05:00"),
            ("lm", "0001-01-01T00:00:00+05:00"),
        ],
    )
    def test_edge_dates_are_conversion_errors_naming_the_field(
        self, platform: str, text: str
    ) -> None:
        """Dates a zone change pushes past year 1 or 9999: the error names the field."""
        from listingmirror_shipstation.errors import ConversionError

        if platform == "ss":
            with pytest.raises(ConversionError, match="orderDate"):
                ss.json.loads(f'{{"orderNumber": "1", "orderDate": "{text}"}}', ss.Order)
            with pytest.raises(ConversionError, match="shipDate"):
                ss.json.loads(f'{{"shipDate": "{text}"}}', ss.Shipment)
        else:
            with pytest.raises(ConversionError, match="order_datetime"):
                lm.loads(
                    f'{{"order_id": 1, "market_order_id": "1", "order_status": "Paid", '
                    f'"order_datetime": "{text}"}}',
                    lm.Order,
                )

    @pytest.mark.parametrize(
        "instant",
        [
            datetime(1, 1, 1, 2, tzinfo=timezone(timedelta(hours=5))),
            datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),
        ],
    )
    def test_edge_dates_are_refused_when_written(self, instant: datetime) -> None:
        """Writing a date that no zone change can carry is an error naming the field."""
        from listingmirror_shipstation.errors import ConversionError

        with pytest.raises(ConversionError, match="orderDate"):
            ss.json.dumps(attrs.evolve(_SENDABLE, order_date=instant))
        with pytest.raises(ConversionError, match="order_datetime"):
            lm.dumps(attrs.evolve(ORDER, order_datetime=instant))
        with pytest.raises(ValidationError) as caught:
            cs.render_orders(
                [attrs.evolve(to_customstore_order(ORDER), order_date=instant)], pages=1
            )
        assert caught.value.field == "order_date"


# --- 10. One bad order is one rejection (issue 9, loss 6) --------------------------------------


class TestOneBadOrder:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            (
                {"order_items": (lm.OrderItem(sku="A", quantity=1, price=9.99),)},
                "order_items[0].price",
            ),  # type: ignore[arg-type]
            (
                {"order_items": (lm.OrderItem(sku="A", quantity="2", price=Decimal(1)),)},
                "order_items[0].quantity",
            ),  # type: ignore[arg-type]
            ({"order_datetime": datetime(1, 1, 1, tzinfo=UTC)}, "order_date"),
            ({"order_total": Decimal("1e400")}, "order_total"),
            ({"market_order_id": 12345}, "market_order_id"),
            ({"order_items": ({"sku": "A", "quantity": 1},)}, "order_items[0]"),
            ({"ship_to": {"country": "US"}}, "ship_to"),
            ({"order_status": "Paid"}, "order_status"),
        ],
    )
    def test_bad_values_reject_only_that_order(self, change: dict[str, object], field: str) -> None:
        """A float price, a str quantity, a year-1 date, overflow: one rejection, the rest go."""
        bad = attrs.evolve(ORDER, order_id=2, **change)
        for result in (
            convert_orders([ORDER, bad, attrs.evolve(ORDER, order_id=3)]),
            convert_customstore_orders([ORDER, bad, attrs.evolve(ORDER, order_id=3)]),
        ):
            assert len(result.orders) == 2
            (rejection,) = result.rejected
            assert isinstance(rejection.error, InvalidOrderError)
            assert rejection.error.field == field
            assert rejection.error.order_id == 2

    def test_any_exception_is_a_rejection(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Even a bug inside the mapping costs one order, not the batch."""
        from listingmirror_shipstation.mapping import orders

        real = orders._status

        def broken(order: lm.Order, *args: object) -> ss.OrderStatus:
            if order.order_id == 2:
                raise RuntimeError("boom")
            return real(order, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(orders, "_status", broken)
        batch = [ORDER, attrs.evolve(ORDER, order_id=2), attrs.evolve(ORDER, order_id=3)]
        for result in (convert_orders(batch), convert_customstore_orders(batch)):
            assert len(result.orders) == 2
            (rejection,) = result.rejected
            assert isinstance(rejection.error, InvalidOrderError)
            assert "RuntimeError: boom" in str(rejection.error)


def test_a_fulfillment_shipped_late_evening_is_that_pacific_day() -> None:
    """A ship date with a time of day is sent back as its Pacific calendar day."""
    from listingmirror_shipstation.mapping import fulfillment_to_update

    fulfillment = ss.Fulfillment(
        fulfillment_id=1,
        order_number="M-1",
        ship_date=datetime(2020, 6, 25, 3, 0, tzinfo=UTC),  # 20:00 on the 24th in Pacific time
    )
    assert fulfillment_to_update(fulfillment).ship_date == date(2020, 6, 24)


def test_lines_the_mapping_added_never_go_back_as_shipped_items() -> None:
    """Gift wrap, rounding, discounts in a shipment or ShipNotice are not LM lines."""
    from listingmirror_shipstation.mapping import ship_notice_to_update, shipment_to_update

    item = attrs.evolve(
        ORDER.order_items[0],
        line_item_id="L1",
        quantity=3,
        price=Decimal("10.00"),
        gift_warp_price=Decimal("2.00"),
        item_discount=Decimal("1.00"),
    )
    order = attrs.evolve(
        ORDER, order_items=(item,), discounts=(lm.Discount(amount=Decimal(1), code="C"),)
    )
    lines = to_shipstation_order(order).items or ()
    assert len(lines) == 5  # the line, gift wrap, discount, coupon, rounding
    shipment = ss.Shipment(
        shipment_id=9,
        shipment_items=tuple(
            ss.ShipmentItem(line_item_key=i.line_item_key, sku=i.sku, quantity=i.quantity)
            for i in lines
        ),
    )
    assert [(i.line_item_id, i.quantity) for i in shipment_to_update(shipment).items] == [("L1", 3)]
    notice = cs.ShipNotice(
        order_id="1",
        items=tuple(
            cs.ShipNoticeItem(line_item_id=i.line_item_id, sku=i.sku, quantity=i.quantity)
            for i in to_customstore_order(order).items
        ),
    )
    assert [(i.line_item_id, i.quantity) for i in ship_notice_to_update(notice).items] == [
        ("L1", 3)
    ]
