"""The docs say what the code does, and the README reads right on the package index."""

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


def test_readme_links_work_on_the_package_index() -> None:
    """README.md is the package's long description: every link in it is absolute.

    The package index shows the README without the repository around it, so a relative link
    (``[CHANGELOG.md](CHANGELOG.md)``, ``[docs/](docs/)``) leads nowhere there; such files are
    described in prose instead. In-page anchors (``#…``) are fine.
    """
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # code is not rendered as links
    targets = re.findall(r"\]\(\s*<?([^)\s>]+)", text)  # [text](target), ![alt](target)
    targets += re.findall(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", text, re.MULTILINE)
    targets += re.findall(r"""(?:href|src)\s*=\s*["']([^"']+)""", text)
    relative = [t for t in targets if not re.match(r"(https?|mailto):|#", t)]
    assert not relative
