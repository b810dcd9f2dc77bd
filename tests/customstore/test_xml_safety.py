"""The two-pass XML parse refuses exactly what defusedxml refuses, whatever the encoding.

The Custom Store parsers run an expat pre-scan with defusedxml's refusing handlers, then
ElementTree's C parser on the same bytes. These tests hold that design to its promise: a DOCTYPE
is refused however it is spelled or encoded, and on any input the outcome (refused, malformed,
read) is the one defusedxml's hardened parser gives.
"""

import contextlib
from pathlib import Path

import defusedxml
import defusedxml.ElementTree
import pytest
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation import _time
from listingmirror_shipstation import customstore as cs
from listingmirror_shipstation.errors import (
    ConversionError,
    UnsafeXMLError,
    XMLError,
)

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "customstore"
VECTORS = [p.read_bytes() for p in sorted(GOLDEN.glob("*.xml"))]

#: Documents defusedxml refuses, written without an XML declaration.
HOSTILE = [
    "<!DOCTYPE ShipNotice><ShipNotice/>",
    '<!DOCTYPE ShipNotice [<!ENTITY x "y">]><ShipNotice><Carrier>&x;</Carrier></ShipNotice>',
    '<!DOCTYPE ShipNotice SYSTEM "http://127.0.0.1:9/x.dtd"><ShipNotice/>',
    '<!DOCTYPE ShipNotice PUBLIC "-//x//y" "file:///etc/passwd"><ShipNotice/>',
    '<!DOCTYPE ShipNotice [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p">%p;]><ShipNotice/>',
    '<!DOCTYPE ShipNotice [<!ENTITY u SYSTEM "x" NDATA gif>]><ShipNotice/>',
    "<!-- a comment --><?pi data?>\n<!DOCTYPE ShipNotice><ShipNotice/>",
]
#: How a document may be encoded: (Python codec, name in the XML declaration or None, BOM).
FORMS = [
    ("utf-8", None, False),
    ("utf-8", "utf-8", False),
    ("utf-8", "UTF-8", True),
    ("utf-16-le", None, False),  # no BOM, no declaration: expat reads UTF-16LE
    ("utf-16-le", None, True),
    ("utf-16-le", "UTF-16", True),
    ("utf-16-le", "UTF-16LE", False),
    ("utf-16-be", None, True),
    ("utf-16-be", "UTF-16", True),
    ("utf-16-be", "UTF-16BE", False),
    ("iso-8859-1", "ISO-8859-1", False),
    ("cp1252", "windows-1252", False),  # 8-bit encodings expat reads through Python's codecs
    ("iso-8859-15", "iso-8859-15", False),
]
#: Things to splice into a document, so that mutations meet DTD syntax and encodings often.
SPLICES = [
    b"<!DOCTYPE x>",
    b"<!DOCTYPE ShipNotice [<!ENTITY e 'v'>]>",
    b"&e;",
    b"&amp;&#65;",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"<?xml version='1.0' encoding='utf-16'?>",
    b"<?xml version='1.0' encoding='iso-8859-1'?>",
    b"<![CDATA[<!DOCTYPE x>]]>",
    b"<!--<!DOCTYPE x>-->",
]


def encoded(document: str, codec: str, declared: str | None, bom: bool) -> bytes:
    """*document* in *codec*, with an XML declaration naming *declared* and/or a BOM."""
    text = f'<?xml version="1.0" encoding="{declared}"?>{document}' if declared else document
    marks = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
    return (marks[codec] if bom else b"") + text.encode(codec)


def defusedxml_outcome(data: bytes) -> str:
    """What defusedxml's hardened ElementTree parser makes of *data*."""
    try:
        defusedxml.ElementTree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException:
        return "refused"
    except Exception:  # any other failure of the reference parser means "malformed"
        return "malformed"
    return "read"


def our_outcome(data: bytes) -> str:
    """What parse_orders makes of *data*, in the same three words."""
    try:
        cs.parse_orders(data)
    except UnsafeXMLError:
        return "refused"
    except XMLError:
        return "malformed"
    except ConversionError:
        return "read"  # well-formed and safe; only its content did not fit
    return "read"


@st.composite
def spliced(draw: st.DrawFn) -> bytes:
    """A vector (or a hostile document in some encoding) with a slice replaced."""
    vector = draw(
        st.sampled_from(VECTORS)
        | st.tuples(st.sampled_from(HOSTILE), st.sampled_from(FORMS)).map(
            lambda pair: encoded(pair[0], *pair[1])
        )
    )
    start = draw(st.integers(0, len(vector)))
    end = draw(st.integers(start, min(len(vector), start + 40)))
    filler = draw(st.binary(max_size=40) | st.sampled_from(SPLICES))
    return vector[:start] + filler + vector[end:]


class TestRefusals:
    @pytest.mark.parametrize("document", HOSTILE)
    @pytest.mark.parametrize(("codec", "declared", "bom"), FORMS)
    def test_a_doctype_is_refused_in_every_encoding(
        self, document: str, codec: str, declared: str | None, bom: bool
    ) -> None:
        """DTDs, entities and external references are refused however the bytes encode them.

        A byte search for ``<!DOCTYPE`` would miss every UTF-16 case; the pre-scan reads the
        bytes with expat, as the second parse does.
        """
        data = encoded(document, codec, declared, bom)
        assert defusedxml_outcome(data) == "refused"  # the reference agrees it is hostile
        for parse in (cs.parse_ship_notice, cs.parse_orders):
            with pytest.raises(UnsafeXMLError, match="refused unsafe XML"):
                parse(data)

    @pytest.mark.parametrize(("codec", "declared", "bom"), FORMS)
    def test_the_same_documents_without_a_doctype_are_read(
        self, codec: str, declared: str | None, bom: bool
    ) -> None:
        """The refusal is about the DOCTYPE, not the encoding: the rest reads normally."""
        document = "<!-- c --><ShipNotice><OrderNumber>A&amp;B&#65;é</OrderNumber></ShipNotice>"
        assert cs.parse_ship_notice(encoded(document, codec, declared, bom)).order_number == (
            "A&BAé"
        )

    def test_the_refusal_names_what_was_refused(self) -> None:
        """The error says which kind of construct was refused, and chains defusedxml's error."""
        with pytest.raises(UnsafeXMLError, match="DTDForbidden") as caught:
            cs.parse_ship_notice(HOSTILE[1].encode())
        assert isinstance(caught.value.__cause__, defusedxml.DTDForbidden)

    @given(st.binary(max_size=300) | spliced())
    def test_outcome_is_the_one_defusedxml_gives(self, data: bytes) -> None:
        """On any bytes: refused, malformed or read exactly when defusedxml says so."""
        assert our_outcome(data) == defusedxml_outcome(data)


class TestDates:
    @given(
        st.tuples(st.integers(0, 13), st.integers(0, 32), st.integers(0, 9999)),
        st.none() | st.tuples(st.integers(0, 25), st.integers(0, 61)),
    )
    def test_the_protocol_form_reads_as_the_general_parser_reads_it(
        self, day: tuple[int, int, int], time: tuple[int, int] | None
    ) -> None:
        """``MM/dd/yyyy HH:mm`` or ``MM/dd/yyyy``, valid or not, reads as ``_time`` reads it.

        (LabelCreateDate and ShipDate take a shortcut for the protocol's own form.)
        """
        text = f"{day[0]:02d}/{day[1]:02d}/{day[2]:04d}"
        if time is not None:
            text += f" {time[0]:02d}:{time[1]:02d}"
        body = (
            f"<ShipNotice><LabelCreateDate>{text}</LabelCreateDate>"
            f"<ShipDate>{text}</ShipDate></ShipNotice>"
        ).encode()
        unreadable: list[str] = []
        notice = cs.parse_ship_notice(body, on_unreadable=lambda path, _: unreadable.append(path))
        expected = None
        with contextlib.suppress(ValueError):
            expected = _time.parse_customstore(text)
        assert notice.label_create_date == expected
        assert notice.ship_date == (expected.date() if expected else None)
        assert bool(unreadable) == (expected is None)
