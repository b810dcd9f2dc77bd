"""The layout tells the architecture: who may import whom, checked on the source."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "listingmirror_shipstation"

#: For each place, the package modules it must never import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "errors": ("*",),
    "_values": ("*",),
    "_gc": ("*",),
    "_codegen": ("*",),
    "_exports": ("*",),
    "_fast_unstructure": (
        "listingmirror",
        "shipstation",
        "customstore",
        "mapping",
        "transports",
        "testing",
    ),
    "_sqlite": ("*",),
    "_time": ("listingmirror", "shipstation", "customstore", "mapping", "transports", "testing"),
    "_fastinit": (
        "listingmirror",
        "shipstation",
        "customstore",
        "mapping",
        "transports",
        "testing",
    ),
    "_hooks": ("listingmirror", "shipstation", "customstore", "mapping", "transports", "testing"),
    "_fast_structure": (
        "listingmirror",
        "shipstation",
        "customstore",
        "mapping",
        "transports",
        "testing",
    ),
    "_jsontext": (
        "listingmirror",
        "shipstation",
        "customstore",
        "mapping",
        "transports",
        "testing",
    ),
    "listingmirror": ("shipstation", "customstore", "mapping", "testing", "cli"),
    "shipstation": ("listingmirror", "customstore", "mapping", "testing", "cli"),
    "customstore": ("listingmirror", "shipstation", "mapping", "testing", "cli"),
    "transports": ("listingmirror", "shipstation", "customstore", "mapping", "testing", "cli"),
    "mapping": ("transports", "testing", "cli", "json", "xml", "client", "app"),
    # Wiring layers: they may import clients, mapping and models, not what wires *them*.
    "sync": ("testing", "cli", "wsgi", "_serve", "stores", "postgres", "xml", "app"),
    "testing": ("cli", "wsgi", "_serve", "stores", "postgres", "sync", "integration", "app"),
    "stores": ("testing", "cli", "wsgi", "_serve", "transports", "client", "mapping"),
    "postgres": ("testing", "cli", "wsgi", "_serve", "transports", "client", "mapping"),
    "wsgi": ("testing", "cli", "_serve", "transports", "client", "sync"),
    "_serve": ("*",),
    "_codes": ("*",),
    # The main job in one call (reads, maps, writes): no transport, store or server.
    "conversion": (
        "testing",
        "cli",
        "wsgi",
        "_serve",
        "stores",
        "postgres",
        "sync",
        "integration",
        "transports",
        "client",
        "app",
        "customstore",
    ),
    "_leases": ("*",),  # but errors: the lease, its errors and redaction, for both store kinds
}

#: Modules free to wire everything (nothing imports them but ``__main__``).
WIRING: frozenset[str] = frozenset({"integration", "cli", "__main__", "__init__"})


def imported_modules(path: Path) -> set[str]:
    """Package-relative dotted names imported by *path* (``..shipstation.models`` -> ...)."""
    relative_to = path.relative_to(PACKAGE).with_suffix("").parts
    package = relative_to[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                target = [*base, *(node.module.split(".") if node.module else [])]
                names.add(".".join(target))
                names.update(".".join([*target, alias.name]) for alias in node.names)
            elif node.module and node.module.startswith("listingmirror_shipstation"):
                names.add(node.module.removeprefix("listingmirror_shipstation").lstrip("."))
        elif isinstance(node, ast.Import):
            names.update(
                a.name.removeprefix("listingmirror_shipstation").lstrip(".")
                for a in node.names
                if a.name.startswith("listingmirror_shipstation")
            )
    return {n for n in names if n}


def owner(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_import_rules(path: Path) -> None:
    """Platform packages never import each other; only mapping knows both; leaves stay leaves."""
    own = owner(path)
    if own in WIRING:
        return  # integration.py, cli.py and __main__.py may wire everything
    forbidden = FORBIDDEN[own]
    for name in imported_modules(path):
        parts = name.split(".")
        if parts[0] == own:
            continue
        if forbidden == ("*",):
            allowed = {"errors"} if own != "errors" else set()
            assert parts[0] in allowed, f"{path.name} imports {name}"
        else:
            assert not set(parts) & set(forbidden), f"{path.name} imports {name}"


def test_mapping_imports_only_models_and_validation_of_the_platforms() -> None:
    """mapping/ sees the platforms' models and send-checks, never their wire formats."""
    for path in (PACKAGE / "mapping").glob("*.py"):
        for name in imported_modules(path):
            parts = name.split(".")
            if parts[0] in {"listingmirror", "shipstation", "customstore"} and len(parts) > 1:
                assert parts[1] in {"models", "validate"}, f"{path.name} imports {name}"


def test_the_rules_cover_every_package_and_module() -> None:
    """A new subpackage or top-level module gets a rule here before it lands."""
    places = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    places |= {p.stem for p in PACKAGE.glob("*.py")}
    assert places - WIRING <= set(FORBIDDEN), places - WIRING - set(FORBIDDEN)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_in_the_package_imports_the_testing_kit(path: Path) -> None:
    """``testing/`` serves users' tests; the library itself never depends on it."""
    if owner(path) in {"testing", "__main__"}:
        return
    assert not {n for n in imported_modules(path) if n.split(".")[0] == "testing"}, path.name
