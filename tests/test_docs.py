"""The docs say what the code does: the table of Listing Mirror field names is complete."""

import re
from pathlib import Path

import attrs

from listingmirror_shipstation import listingmirror as lm

ROOT = Path(__file__).resolve().parent.parent


def test_field_name_table_matches_the_models() -> None:
    """Every Listing Mirror field is in the guide's table, marked confirmed exactly when it is."""
    text = (ROOT / "docs" / "guides" / "models.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `(\w+\.\w+)` \| (confirmed|ours) \|$", text, re.MULTILINE))
    expected = {
        f"{cls.__name__}.{a.name}": (
            "confirmed" if a.name in lm.CONFIRMED_KEYS.get(cls, frozenset()) else "ours"
        )
        for cls in (getattr(lm.models, n) for n in lm.models.__all__)
        if attrs.has(cls)
        for a in attrs.fields(cls)
    }
    assert table == expected
