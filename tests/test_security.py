"""Security checks that are about the code as a whole (see docs/security.md for the list)."""

import ast
import base64
import hmac
import io
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from listingmirror_shipstation.customstore import app as app_module

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "listingmirror_shipstation"


def test_credentials_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both user and password go through hmac.compare_digest, even when the user is wrong."""
    compared: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(app_module.hmac, "compare_digest", spy)

    class Source(app_module.OrderSource):
        def orders_modified(self, start: Any, end: Any) -> list[Any]:
            return []

    class Receiver(app_module.ShipNoticeReceiver):
        def receive(self, notice: Any) -> bool:
            return True

    app = app_module.CustomStoreApp("user", "secret", Source(), Receiver())
    token = base64.b64encode(b"wrong-user:secret").decode()
    environ = {
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "action=export",
        "HTTP_AUTHORIZATION": f"Basic {token}",
        "wsgi.input": io.BytesIO(),
    }
    statuses: list[str] = []
    app(environ, lambda status, headers: statuses.append(status))  # type: ignore[arg-type]
    assert statuses == ["401 Unauthorized"]
    assert [pair[1] for pair in compared] == [b"user", b"secret"]


FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_MODULES = {"pickle", "marshal", "shelve", "yaml", "dill"}
#: The one module that compiles source the library writes (for the models' ``__init__`` and
#: the fast converters' functions), as attrs and cattrs themselves do: the source is made of
#: fixed text, names of its own (``_s3``, ``v3``), field names checked to be identifiers, and
#: ``repr()`` of the wire keys, which are ``str``; every other value (defaults, hooks,
#: descriptors) is passed in the function's globals, never written into the source. Nothing
#: read from input reaches it: it runs when a class is first built or converted.
CODEGEN = {"_codegen.py"}


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_eval_or_pickle_of_input(path: Path) -> None:
    """No module evaluates code or unpickles data (input is parsed, never executed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed = {"exec", "compile"} if path.relative_to(PACKAGE).as_posix() in CODEGEN else set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in FORBIDDEN_CALLS - allowed, f"{path.name}: {node.func.id}()"
        if isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & FORBIDDEN_MODULES
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] not in FORBIDDEN_MODULES


def test_runtime_dependencies_are_bounded() -> None:
    """Every runtime dependency has a lower bound and, but for tz data, an upper bound."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        name = re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0]
        assert ">=" in requirement, requirement
        if name != "tzdata":  # time-zone data: every new release is wanted
            assert "<" in requirement, requirement


def test_urllib3_is_at_least_2_6() -> None:
    """urllib3 is bounded below by 2.6.0, which fixed the redirect and decompression advisories."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (urllib3,) = (r for r in project["dependencies"] if r.startswith("urllib3"))
    lower = re.search(r">=\s*([0-9.]+)", urllib3)
    assert lower is not None, urllib3
    assert tuple(int(p) for p in lower.group(1).split(".")) >= (2, 6, 0), urllib3
