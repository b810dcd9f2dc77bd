"""Custom Store XML: well-formed output for any text, safe parsing of any bytes."""

import contextlib
import random
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listingmirror_shipstation import Unrecognized
from listingmirror_shipstation import customstore as cs
from listingmirror_shipstation.customstore._fields import ORDER as ORDER_ROWS
from listingmirror_shipstation.customstore._fields import TABLES, Field, Kind, walk
from listingmirror_shipstation.customstore.validate import CODES, LIMITS
from listingmirror_shipstation.errors import (
    ConversionError,
    ListingMirrorShipStationError,
    PayloadTooLargeError,
    UnsafeXMLError,
    ValidationError,
    XMLError,
)
from listingmirror_shipstation.testing import strategies

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "customstore"
EXPORT = (GOLDEN / "export-current-style.xml").read_bytes()
NOTICE = (GOLDEN / "shipnotice-current-style.xml").read_bytes()

ORDER = cs.Order(
    order_id="1",
    order_number="A-1",
    order_date=datetime(2026, 11, 27, 10, 5, tzinfo=UTC),
    order_status="Paid",
    last_modified=datetime(2026, 11, 27, 11, 0, tzinfo=UTC),
    order_total=Decimal("10.00"),
    customer=cs.Customer(customer_code="c", ship_to=cs.Address(name="N", country="US")),
    items=(cs.Item(sku="S", name="Thing", quantity=1, unit_price=Decimal("10.00")),),
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ShipNotice><OrderNumber>&lol9;</OrderNumber></ShipNotice>"""


def xxe(path: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{path}">]>'
        "<ShipNotice><OrderNumber>&x;</OrderNumber></ShipNotice>"
    ).encode()


class TestVectors:
    def test_export_vector(self) -> None:
        """The current-style export: CDATA text, stray PM, empty elements, the adjustment line."""
        page = cs.parse_orders(EXPORT)
        assert page.pages == 1
        (order,) = page.orders
        assert order.order_date == datetime(2019, 10, 18, 21, 56, tzinfo=UTC)
        assert order.last_modified == datetime(2011, 12, 8, 12, 56, tzinfo=UTC)
        assert order.shipping_method == "Ground & Express <Std>"
        assert order.customer_notes == 'Leave at "back door" & ring'
        assert (order.internal_notes, order.gift_message, order.custom_field1) == (None,) * 3
        assert order.customer.ship_to is not None
        assert order.customer.ship_to.address2 is None
        widget, discount = order.items
        assert widget.options == (cs.Option(name="Size", value="Large", weight=Decimal(10)),)
        assert (widget.weight, widget.weight_units) == (Decimal(8), cs.WeightUnits.OUNCES)
        assert (discount.sku, discount.unit_price, discount.adjustment) == (
            None,
            Decimal("-10.00"),
            True,
        )
        total = sum((i.unit_price * i.quantity for i in order.items), Decimal(0))
        assert total + (order.shipping_amount or 0) == order.order_total

    def test_ship_notice_vector(self) -> None:
        """The current-style notice: LineItemID after Quantity, empty NotifyCustomer, UPC."""
        notice = cs.parse_ship_notice(NOTICE)
        assert (notice.order_id, notice.order_number) == ("900001", "TV-1001")
        assert notice.notify_customer is None
        assert notice.label_create_date == datetime(2019, 10, 19, 12, 56, tzinfo=UTC)
        assert notice.ship_date == date(2019, 10, 19)
        assert (notice.carrier, notice.service) == ("USPS", "Priority Mail")
        assert notice.shipping_cost == Decimal("4.95")
        assert notice.items == (
            cs.ShipNoticeItem(
                sku="TV-SKU-1",
                name="Test Widget",
                quantity=2,
                line_item_id="L-1",
                upc="012345678905",
            ),
        )

    def test_2012_style_notice(self) -> None:
        """No CDATA, no OrderID or LineItemID, a 12-hour date with PM."""
        body = b"""<?xml version="1.0" encoding="utf-8"?>
<ShipNotice><OrderNumber>ABC123</OrderNumber><CustomerCode>customer@mystore.com</CustomerCode>
<LabelCreateDate>12/8/2011 12:56 PM</LabelCreateDate><ShipDate>12/8/2011</ShipDate>
<Carrier>USPS</Carrier><Service>Priority Mail</Service><TrackingNumber>1Z</TrackingNumber>
<ShippingCost>4.95</ShippingCost><Recipient><Name>The President</Name></Recipient>
<Items><Item><SKU>FD88821</SKU><Name>My Product Name</Name><Quantity>2</Quantity></Item>
</Items></ShipNotice>"""
        notice = cs.parse_ship_notice(body)
        assert notice.order_id is None
        assert notice.label_create_date == datetime(2011, 12, 8, 12, 56, tzinfo=UTC)
        assert notice.items[0].line_item_id is None

    @pytest.mark.parametrize(
        ("element", "text", "field", "expected"),
        [
            ("ShippingCost", "$4.95", "shipping_cost", Decimal("4.95")),
            ("ShippingCost", "4.95 USD", "shipping_cost", Decimal("4.95")),
            ("ShippingCost", "USD 4.95", "shipping_cost", Decimal("4.95")),
            ("ShipDate", "2026-11-20", "ship_date", date(2026, 11, 20)),
            ("ShipDate", "11/20/2026 12:56:07.5", "ship_date", date(2026, 11, 20)),
            (
                "LabelCreateDate",
                "2026-11-20T12:56:07.123",
                "label_create_date",
                datetime(2026, 11, 20, 12, 56, 7, 123000, tzinfo=UTC),
            ),
            (
                "LabelCreateDate",
                "2026-11-20T14:56:07+02:00",
                "label_create_date",
                datetime(2026, 11, 20, 12, 56, 7, tzinfo=UTC),
            ),
            (
                "LabelCreateDate",
                "11/20/2026 12:56:07.123",
                "label_create_date",
                datetime(2026, 11, 20, 12, 56, 7, tzinfo=UTC),
            ),
        ],
    )
    def test_odd_forms_with_a_certain_meaning_are_read(
        self, element: str, text: str, field: str, expected: object
    ) -> None:
        """Forms seen from real senders are read, not refused, even by the strict parse."""
        body = f"<ShipNotice><{element}>{text}</{element}></ShipNotice>".encode()
        assert getattr(cs.parse_ship_notice(body), field) == expected

    @pytest.mark.parametrize(("text", "expected"), [("1.0", 1), ("2.00", 2), ("+3", 3), ("007", 7)])
    def test_whole_quantities_written_oddly_are_read(self, text: str, expected: int) -> None:
        """A quantity whose value is a whole number is that number."""
        body = f"<ShipNotice><Items><Item><Quantity>{text}</Quantity></Item></Items></ShipNotice>"
        assert cs.parse_ship_notice(body.encode()).items[0].quantity == expected

    @pytest.mark.parametrize(
        "text", ["2.5", "-1", "100000", "9" * 4000, "1e3", "one"], ids=lambda t: t[:8]
    )
    def test_a_quantity_outside_0_to_99999_is_unreadable(self, text: str) -> None:
        """Fractions, negatives and huge numbers are never stored: strict raises, lenient drops."""
        body = f"<ShipNotice><Items><Item><SKU>A</SKU><Quantity>{text}</Quantity></Item></Items>"
        body += "</ShipNotice>"
        with pytest.raises(ConversionError, match=r"Item\[0\]\.Quantity"):
            cs.parse_ship_notice(body.encode())
        reported: list[tuple[str, str]] = []
        notice = cs.parse_ship_notice(
            body.encode(), on_unreadable=lambda path, value: reported.append((path, value))
        )
        assert notice.items == (cs.ShipNoticeItem(sku="A"),)
        assert reported == [("$.Items.Item[0].Quantity", text)]

    def test_lenient_parse_keeps_every_readable_field(self) -> None:
        """on_unreadable: each odd optional value is reported by path and read as None."""
        body = (
            b"<ShipNotice><OrderNumber>TV-1</OrderNumber><TrackingNumber>1Z</TrackingNumber>"
            b"<NotifyCustomer>perhaps</NotifyCustomer><ShippingCost>4,95</ShippingCost>"
            b"<ShipDate>next week</ShipDate><LabelCreateDate>2026-13-40</LabelCreateDate>"
            b"<Items><Item><SKU>A</SKU><Quantity>2</Quantity></Item></Items></ShipNotice>"
        )
        with pytest.raises(ConversionError):
            cs.parse_ship_notice(body)
        reported: list[str] = []
        notice = cs.parse_ship_notice(body, on_unreadable=lambda path, value: reported.append(path))
        assert (notice.order_number, notice.tracking_number) == ("TV-1", "1Z")
        assert (notice.shipping_cost, notice.ship_date, notice.label_create_date) == (None,) * 3
        assert notice.notify_customer is None
        assert notice.items == (cs.ShipNoticeItem(sku="A", quantity=2),)
        assert sorted(reported) == [
            "$.LabelCreateDate",
            "$.NotifyCustomer",
            "$.ShipDate",
            "$.ShippingCost",
        ]

    def test_element_order_does_not_matter(self) -> None:
        """Children of Order, Customer, BillTo, ShipTo, Item and Option may come in any order."""
        root = ElementTree.fromstring(EXPORT)  # noqa: S314 - our own test vector
        rng = random.Random(7)  # noqa: S311 - a fixed shuffle, not a secret
        unordered = {"Order", "Customer", "BillTo", "ShipTo", "Item", "Option"}
        for element in (e for e in root.iter() if e.tag in unordered):
            children = list(element)
            rng.shuffle(children)
            element[:] = children
        shuffled = ElementTree.tostring(root, encoding="utf-8")
        assert cs.parse_orders(shuffled) == cs.parse_orders(EXPORT)


#: Rendering and parsing whole orders costs ~25 ms an example: a quarter of the profile's examples
#: (at least 10) for the round trips; the field-level tests keep the full count.
HEAVY = settings(max_examples=max(10, settings.default.max_examples // 4))


def _leaf_paths(rows: tuple[Field, ...], prefix: tuple[Field, ...] = ()) -> list[tuple[Field, ...]]:
    """Every path from the order to an element holding a value (not a container)."""
    paths = []
    for row in rows:
        if row.kind in (Kind.NESTED, Kind.LIST):
            paths += _leaf_paths(row.fields, (*prefix, row))
        else:
            paths.append((*prefix, row))
    return paths


def _sample(row: Field) -> object:
    """A value of *row*'s kind that the export carries (text over its limit is cut)."""
    if row.kind is Kind.CODE:
        return {"Country": "DE", "CurrencyCode": "EUR"}.get(row.tag, "C-7"[: row.limit])
    if row.kind is Kind.TEXT:
        return "t\u00e9" * (row.limit or 1)
    return {
        Kind.MONEY: Decimal("12.345"),
        Kind.WEIGHT: Decimal("0.004"),
        Kind.INT: 3,
        Kind.BOOL: True,
        Kind.DATE: datetime(2026, 11, 28, 9, 30, 59, tzinfo=UTC),
    }.get(row.kind) or next(iter(row.model))  # type: ignore[call-overload]


def _get(value: object, path: tuple[Field, ...]) -> object:
    for row in path:
        value = getattr(value, row.attr)
        if row.kind is Kind.LIST:
            value = value[0]  # type: ignore[index]
    return value


def _set(value: object, path: tuple[Field, ...], new: object) -> object:
    row, rest = path[0], path[1:]
    if not rest:
        return attrs.evolve(value, **{row.attr: new})
    child = getattr(value, row.attr)
    if row.kind is Kind.LIST:
        return attrs.evolve(value, **{row.attr: (_set(child[0], rest, new), *child[1:])})
    return attrs.evolve(value, **{row.attr: _set(child, rest, new)})


#: An order with every container present: both addresses, one item with one option.
FULL = attrs.evolve(
    ORDER,
    customer=cs.Customer(bill_to=cs.Address(), ship_to=cs.Address()),
    items=(cs.Item(quantity=1, unit_price=Decimal("0.00"), options=(cs.Option(),)),),
)


class TestFieldTable:
    """The one table of the export (``customstore._fields``) drives render, parse and limits."""

    @pytest.mark.parametrize("model", list(TABLES), ids=lambda m: m.__name__)
    def test_every_model_field_has_a_row(self, model: type) -> None:
        """Each model attribute has a row, in the model's order, and each row an attribute.

        A field added to an export model but not to the table (so neither written nor read)
        fails here.
        """
        rows = [row.attr for row in TABLES[model]]
        assert rows == [a.name for a in attrs.fields(model)]

    def test_nested_rows_use_their_models_table(self) -> None:
        for row in walk():
            if row.kind in (Kind.NESTED, Kind.LIST):
                assert row.model is not None
                assert row.fields is TABLES[row.model]

    def test_limits_and_codes_come_from_the_table(self) -> None:
        rows = [row for row in walk() if row.limit is not None]
        assert dict(LIMITS) == {row.name: row.limit for row in rows}
        assert len(LIMITS) == len(rows), "two rows share the name of a limit"
        assert {row.name for row in rows if row.kind is Kind.CODE} == CODES

    @pytest.mark.parametrize(
        "path", _leaf_paths(ORDER_ROWS), ids=lambda p: ".".join(row.tag for row in p)
    )
    @pytest.mark.parametrize("cdata", [True, False], ids=["cdata", "escaped"])
    def test_every_row_is_written_and_read_back(self, path: tuple[Field, ...], cdata: bool) -> None:
        """Each element of the table, set alone, survives render then parse as normalised."""
        order = _set(FULL, path, _sample(path[-1]))
        assert isinstance(order, cs.Order)
        read = cs.parse_orders(cs.render_orders([order], pages=1, cdata=cdata)).orders[0]
        expected = _get(cs.normalise(order), path)
        assert _get(read, path) == expected
        omitted = len(path) > 1 and path[-1].attr in path[-2].omit
        assert (expected is None) == omitted  # carried, unless this element never carries it


class TestRoundTrip:
    @pytest.mark.parametrize("cdata", [True, False], ids=["cdata", "escaped"])
    @HEAVY
    @given(orders=st.lists(strategies.customstore_orders, max_size=2))
    def test_parse_of_render_is_the_normalised_input(
        self, cdata: bool, orders: list[cs.Order]
    ) -> None:
        """parse_orders(render_orders(x)) == normalise(x), for hostile text in every field."""
        data = cs.render_orders(orders, pages=7, cdata=cdata)
        page = cs.parse_orders(data)
        assert page.pages == 7
        assert page.orders == tuple(cs.normalise(o) for o in orders)

    @HEAVY
    @given(strategies.customstore_orders)
    def test_output_is_well_formed_utf8_for_a_plain_parser(self, order: cs.Order) -> None:
        """Any conforming XML parser reads the export, not only ours."""
        ElementTree.fromstring(cs.render_orders([order], pages=1))  # noqa: S314 - our own output

    def test_cdata_terminator_is_split(self) -> None:
        """]]> inside text is written as two CDATA sections and reads back whole."""
        order = attrs.evolve(ORDER, customer_notes="a]]>b")
        data = cs.render_orders([order], pages=1)
        assert b"<![CDATA[a]]]]><![CDATA[>b]]>" in data
        assert cs.parse_orders(data).orders[0].customer_notes == "a]]>b"

    def test_forbidden_characters_are_removed_and_line_ends_normalised(self) -> None:
        """NUL and other C0 controls are dropped; CR LF becomes LF; tabs stay."""
        order = attrs.evolve(ORDER, internal_notes="a\x00b\x1fc\r\nd\te\ufffe")
        assert cs.parse_orders(cs.render_orders([order], pages=1)).orders[0].internal_notes == (
            "abc\nd\te"
        )

    def test_text_is_cut_by_characters(self) -> None:
        """1,200 emoji are cut to the 1,000-character limit, not to 1,000 bytes."""
        order = attrs.evolve(ORDER, gift_message="😀" * 1200)
        read = cs.parse_orders(cs.render_orders([order], pages=1)).orders[0]
        assert read.gift_message == "😀" * cs.LIMITS["GiftMessage"]

    def test_format_of_dates_money_and_weights(self) -> None:
        """UTC MM/dd/yyyy HH:mm, two decimals half-up, Pounds/Ounces/Grams."""
        item = cs.Item(
            sku="S",
            quantity=2,
            unit_price=Decimal("1.005"),
            weight=Decimal("0.375"),
            weight_units=cs.WeightUnits.GRAMS,
        )
        data = cs.render_orders([attrs.evolve(ORDER, items=(item,))], pages=1).decode()
        assert "<OrderDate>11/27/2026 10:05</OrderDate>" in data
        assert "<UnitPrice>1.01</UnitPrice>" in data
        assert "<Weight>0.38</Weight><WeightUnits>Grams</WeightUnits>" in data

    def test_at_most_ten_options(self) -> None:
        """Options beyond the documented ten per item are not written."""
        options = tuple(cs.Option(name=f"n{i}", value="v") for i in range(12))
        item = attrs.evolve(ORDER.items[0], options=options)
        read = cs.parse_orders(cs.render_orders([attrs.evolve(ORDER, items=(item,))], pages=1))
        assert len(read.orders[0].items[0].options) == cs.MAX_OPTIONS

    def test_streaming_yields_one_chunk_per_order(self) -> None:
        """The streaming renderer yields a header, one chunk per order, and the end."""
        chunks = list(cs.iter_render_orders([ORDER] * 3, pages=1))
        assert len(chunks) == 5
        assert chunks[0].startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        assert b"".join(chunks) == cs.render_orders([ORDER] * 3, pages=1)

    def test_empty_page_is_well_formed(self) -> None:
        """A page beyond the last is an empty <Orders> document, never an empty body."""
        assert cs.parse_orders(cs.render_orders([], pages=2)) == cs.OrdersPage(pages=2)

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"order_number": "\x00"}, "order_number"),
            ({"order_total": Decimal("10000000.00")}, "order_total"),
            (
                {"items": (cs.Item(quantity=0, unit_price=Decimal(1)),)},
                "items[0].quantity",
            ),
            (
                {
                    "items": (
                        cs.Item(quantity=1, unit_price=Decimal(1), weight_units=Unrecognized("kg")),
                    )
                },
                "items[0].weight_units",
            ),
        ],
    )
    def test_what_cannot_be_written_is_refused_by_name(
        self, change: dict[str, object], field: str
    ) -> None:
        """An order the protocol cannot carry raises ValidationError naming the field."""
        with pytest.raises(ValidationError) as caught:
            cs.render_orders([attrs.evolve(ORDER, **change)], pages=1)
        assert caught.value.field == field


class TestHostileInput:
    def test_xxe_is_refused_and_no_file_is_read(self, tmp_path: Path) -> None:
        """An external entity pointing at a local file is refused before anything is read."""
        secret = tmp_path / "secret.txt"
        secret.write_text("TOP-SECRET", encoding="utf-8")
        with pytest.raises(UnsafeXMLError) as caught:
            cs.parse_ship_notice(xxe(secret))
        assert "TOP-SECRET" not in str(caught.value)

    def test_billion_laughs_is_refused_quickly(self) -> None:
        """Exponential entity expansion is refused at the DOCTYPE, long before it could grow."""
        started = time.perf_counter()
        with pytest.raises(UnsafeXMLError):
            cs.parse_ship_notice(BILLION_LAUGHS)
        assert time.perf_counter() - started < 5  # generous: the refusal is immediate

    def test_external_dtd_is_refused(self) -> None:
        """A DOCTYPE with an external DTD is refused too."""
        body = b'<!DOCTYPE ShipNotice SYSTEM "http://127.0.0.1:9/x.dtd"><ShipNotice/>'
        with pytest.raises(UnsafeXMLError):
            cs.parse_ship_notice(body)

    def test_body_over_the_limit_is_refused_unread(self) -> None:
        """max_bytes is enforced before parsing."""
        with pytest.raises(PayloadTooLargeError) as caught:
            cs.parse_ship_notice(NOTICE, max_bytes=100)
        assert (caught.value.size, caught.value.limit) == (len(NOTICE), 100)

    @pytest.mark.parametrize(
        "data",
        [b"", b"<", b"\xff\xfe", b"<ShipNotice>", b"<?xml version='1.0' encoding='utf-16'?><a/>"],
    )
    def test_malformed_is_an_xml_error(self, data: bytes) -> None:
        """Bytes that are not XML raise XMLError."""
        with pytest.raises(XMLError):
            cs.parse_ship_notice(data)

    def test_wrong_root_and_bad_values_name_the_path(self) -> None:
        """A document of the wrong kind or with a bad value says where."""
        with pytest.raises(ConversionError, match="expected <ShipNotice>"):
            cs.parse_ship_notice(b"<Orders/>")
        with pytest.raises(ConversionError, match=r"@ \$\.Items\.Item\[0\]\.Quantity"):
            cs.parse_ship_notice(
                b"<ShipNotice><Items><Item><Quantity>2.5</Quantity></Item></Items></ShipNotice>"
            )

    @given(st.binary(max_size=2000))
    def test_arbitrary_bytes_raise_only_library_errors(self, data: bytes) -> None:
        """On any bytes, the parsers return a model or raise one of the library's errors."""
        for parse in (cs.parse_ship_notice, cs.parse_orders):
            with contextlib.suppress(ListingMirrorShipStationError):
                parse(data)

    @given(st.data())
    def test_mutated_vectors_raise_only_library_errors(self, data: st.DataObject) -> None:
        """Vectors with a slice replaced by random bytes: a model or a library error."""
        for vector, parse in ((NOTICE, cs.parse_ship_notice), (EXPORT, cs.parse_orders)):
            start = data.draw(st.integers(0, len(vector)))
            end = data.draw(st.integers(start, min(len(vector), start + 40)))
            mutated = vector[:start] + data.draw(st.binary(max_size=40)) + vector[end:]
            with contextlib.suppress(ListingMirrorShipStationError):
                parse(mutated)

    @given(st.data())
    def test_lenient_notice_parse_fails_only_on_the_document(self, data: st.DataObject) -> None:
        """With on_unreadable, no value can fail a notice: only unreadable XML or another root.

        Every value the lenient parse dropped was reported, with its path.
        """
        start = data.draw(st.integers(0, len(NOTICE)))
        end = data.draw(st.integers(start, min(len(NOTICE), start + 40)))
        filler = data.draw(st.text(max_size=40)).encode("utf-8")
        mutated = NOTICE[:start] + filler + NOTICE[end:]
        reported: list[str] = []
        failure: ListingMirrorShipStationError | None = None
        try:
            cs.parse_ship_notice(mutated, on_unreadable=lambda path, _: reported.append(path))
        except (XMLError, ConversionError) as exc:
            failure = exc
        if isinstance(failure, ConversionError):
            assert "expected <ShipNotice>" in str(failure)
        assert all(path.startswith("$.") for path in reported)


class TestExportQuery:
    def test_shipstation_encoding(self) -> None:
        """%2f, %3a and + (form encoding, lower-case hex) decode to the UTC window."""
        query = cs.parse_export_query(
            "action=export&start_date=11%2f05%2f2023+14%3a07&end_date=11%2f06%2f2023+14%3a07&page=3"
        )
        assert query == cs.ExportQuery(
            start=datetime(2023, 11, 5, 14, 7, tzinfo=UTC),
            end=datetime(2023, 11, 6, 14, 7, tzinfo=UTC),
            page=3,
        )

    def test_mapping_and_defaults(self) -> None:
        """A decoded mapping works too; page defaults to 1."""
        query = cs.parse_export_query(
            {"start_date": ["1/13/2014 8:00"], "end_date": "1/13/2014 23:00"}
        )
        assert (query.start.hour, query.end.hour, query.page) == (8, 23, 1)

    @pytest.mark.parametrize(
        ("query", "problem"),
        [
            ("end_date=01%2f01%2f2024+00%3a00", "start_date is required"),
            ("start_date=yesterday&end_date=01/01/2024 00:00", "expected MM/dd/yyyy HH:mm"),
            ("start_date=01/02/2024 00:00&end_date=01/01/2024 00:00", "is before start_date"),
            ("start_date=01/01/2024 00:00&end_date=01/02/2024 00:00&page=0", "page number from 1"),
        ],
    )
    def test_bad_queries_say_what_is_wrong(self, query: str, problem: str) -> None:
        """Each problem is a ConversionError that names it."""
        with pytest.raises(ConversionError, match=problem):
            cs.parse_export_query(query)

    @given(st.text(max_size=200))
    def test_any_text_gives_a_query_or_a_library_error(self, text: str) -> None:
        """parse_export_query raises nothing but the library's errors."""
        with contextlib.suppress(ListingMirrorShipStationError):
            cs.parse_export_query(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/08/2011 21:56", datetime(2011, 12, 8, 21, 56, tzinfo=UTC)),
        ("12/8/2011 21:56 PM", datetime(2011, 12, 8, 21, 56, tzinfo=UTC)),
        ("12/8/2011 12:56 PM", datetime(2011, 12, 8, 12, 56, tzinfo=UTC)),
        ("12/8/2011 12:30 AM", datetime(2011, 12, 8, 0, 30, tzinfo=UTC)),
        ("2/3/2012 7:45 pm", datetime(2012, 2, 3, 19, 45, tzinfo=UTC)),
        ("12/08/2011 21:56:07", datetime(2011, 12, 8, 21, 56, 7, tzinfo=UTC)),
        ("11/05/2023  14:07:00", datetime(2023, 11, 5, 14, 7, tzinfo=UTC)),
        ("11052023T1407", datetime(2023, 11, 5, 14, 7, tzinfo=UTC)),
        ("10/19/2019", datetime(2019, 10, 19, tzinfo=UTC)),
    ],
)
def test_every_date_form_seen_in_the_wild(text: str, expected: datetime) -> None:
    """Padded or not, 12- or 24-hour (with a stray PM), seconds, double spaces, compact."""
    notice = cs.parse_ship_notice(
        f"<ShipNotice><LabelCreateDate>{text}</LabelCreateDate></ShipNotice>".encode()
    )
    assert notice.label_create_date == expected
