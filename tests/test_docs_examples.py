"""Every code example in the README and the docs runs as written, with only its own imports.

``python`` blocks run one by one, each in a fresh namespace, in a folder holding ``orders.json``
(what ``python -m listingmirror_shipstation example-orders > orders.json`` writes). ``{doctest}``
blocks run page by page, in order, like a session following the page, without Sphinx's global
set-up (so a missing import fails here). A block that needs real credentials and the network is
marked on the line above its fence with ``% not run: needs real credentials`` (a MyST comment,
invisible in the docs), and one that needs the reader's own code or services (their order source,
their PostgreSQL server, Celery) with ``% not run: needs your own code and services``; such a
block is only compiled.
"""

import contextlib
import doctest
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from listingmirror_shipstation.cli import EXAMPLE_ORDERS

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"^```(python|\{doctest\})[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
NOT_RUN = ("% not run: needs real credentials", "% not run: needs your own code and services")


def blocks(kind: str) -> Iterator[tuple[Path, int, str, bool]]:
    """(page, line, code, runnable) for each block of *kind* in the README and the docs."""
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            if match.group(1) != kind:
                continue
            line = text.count("\n", 0, match.start()) + 1
            before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            yield page, line, match.group(2), before.strip() not in NOT_RUN


def block_id(block: tuple[Path, int, str, bool]) -> str:
    return f"{block[0].relative_to(ROOT)}:{block[1]}"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the example orders, and the variables the docs tell users to set."""
    (tmp_path / "orders.json").write_bytes(EXAMPLE_ORDERS.read_bytes())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LMSS_CUSTOMSTORE_PASSWORD", "a-long-random-password")
    return tmp_path


PYTHON = list(blocks("python"))


def test_there_are_examples() -> None:
    """The extraction finds the README's example and the guides' (a broken regex finds none)."""
    assert any(page.name == "README.md" for page, *_ in PYTHON)
    assert len(PYTHON) >= 5
    assert len(list(blocks("{doctest}"))) >= 5


@pytest.mark.parametrize("block", PYTHON, ids=block_id)
def test_python_block_runs(block: tuple[Path, int, str, bool], workdir: Path) -> None:
    """The block runs on its own (or, marked as needing credentials, at least compiles)."""
    page, line, code, runnable = block
    compiled = compile(code, f"{page.name}:{line}", "exec")
    if not runnable:
        return
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compiled, {"__name__": "__docs_example__"})  # noqa: S102 - our own docs


@pytest.mark.parametrize(
    "page",
    sorted({page for page, *_ in blocks("{doctest}")}),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_doctest_page_runs_without_the_global_setup(page: Path, workdir: Path) -> None:
    """A page's doctests pass with only the imports the page shows."""
    code = "\n".join(c for p, _, c, _ in blocks("{doctest}") if p == page)
    test = doctest.DocTestParser().get_doctest(code, {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = io.StringIO()
    runner.run(test, out=out.write)
    assert runner.failures == 0, out.getvalue()
    assert os.getcwd() == str(workdir)


def test_a_page_read_as_a_list_says_so() -> None:
    """The README's old mistake gets one clear line, not one per field of every order."""
    from listingmirror_shipstation import listingmirror as lm
    from listingmirror_shipstation.errors import ConversionError

    with pytest.raises(ConversionError) as caught:
        lm.loads(EXAMPLE_ORDERS.read_bytes(), list[lm.Order])
    assert caught.value.errors == (
        "expected an array, got an object (a page? use read_orders()) @ $",
    )
