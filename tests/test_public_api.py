"""Every package declares a complete, sorted __all__, and every public name is documented."""

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import listingmirror_shipstation

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    {
        info.name
        for info in pkgutil.walk_packages(
            listingmirror_shipstation.__path__, prefix="listingmirror_shipstation."
        )
        if not info.name.rsplit(".", 1)[-1].startswith("_")
    }
    | {"listingmirror_shipstation"}
)


def public_objects(module: ModuleType) -> dict[str, object]:
    return {name: getattr(module, name) for name in module.__all__}


def _isort_key(name: str) -> tuple[int, str]:
    """Ruff's RUF022 order: CONSTANTS, then Classes, then everything else."""
    if name.isupper() or (name.upper() == name and "_" in name):
        return (0, name)
    return (1, name) if name[:1].isupper() else (2, name)


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_unique(name: str) -> None:
    """__all__ is sorted (constants, classes, then the rest) and has no duplicates."""
    module = importlib.import_module(name)
    assert list(module.__all__) == sorted(set(module.__all__), key=_isort_key)


@pytest.mark.parametrize("name", MODULES)
def test_all_is_complete(name: str) -> None:
    """Every public function or class defined in a module is in its __all__."""
    module = importlib.import_module(name)
    defined = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and getattr(value, "__module__", None) == name
    }
    assert defined <= set(module.__all__)


PACKAGES = [
    m
    for m in MODULES
    if m.count(".") == 1
    and hasattr(importlib.import_module(m), "__path__")
    and not m.endswith(".testing")  # testing exports its modules, not their names
]


@pytest.mark.parametrize("name", PACKAGES)
def test_subpackages_present_names_of_their_modules(name: str) -> None:
    """A subpackage's face comes from its modules, and every module name stays importable.

    The face (``__all__``) is what users need; a module's other public names (limits, helpers
    the rules are built from) are documented in their module and still import from the package,
    so code written against an earlier face does not break.
    """
    package = importlib.import_module(name)
    declared: set[str] = set()
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{name}.{info.name}")
        declared |= set(module.__all__) | {info.name}
        for attr in module.__all__:
            assert getattr(package, attr) is getattr(module, attr), f"{name}.{attr}"
    assert set(package.__all__) <= declared


#: Public faces: the top level, each subpackage (the testing kit aside) and each top-level module.
FACES = [m for m in MODULES if m.count(".") <= 1 and not m.endswith(".testing")]
#: The most names the faces may export together (issue 13: 226 before, mostly implementation).
NAME_BUDGET = 180


def face_names() -> dict[str, list[str]]:
    """Each public name (not a module) across the faces, with the faces exporting it."""
    names: dict[str, list[str]] = {}
    for face in FACES:
        module = importlib.import_module(face)
        for attr in module.__all__:
            if not inspect.ismodule(getattr(module, attr)):
                names.setdefault(attr, []).append(face)
    return names


def test_the_public_face_stays_within_its_budget() -> None:
    """What users import stays small: implementation details are not in any face."""
    names = face_names()
    assert len(names) <= NAME_BUDGET, f"{len(names)} public names: {sorted(names)}"
    details = {"clean_text", "normalise", "LIMITS", "IRREGULAR", "wire_name", "CONFIRMED_KEYS"}
    assert not details & set(names), details & set(names)
    assert "status_text" not in names


def test_pure_layers_import_no_http_library() -> None:
    """Models, converters and mapping load without urllib3, the transports or the clients."""
    code = (
        "import sys, listingmirror_shipstation.mapping, listingmirror_shipstation.customstore\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] == 'urllib3'\n"
        "          or m.startswith('listingmirror_shipstation.transports')\n"
        "          or m.endswith('.client') and m.startswith('listingmirror_shipstation')]\n"
        "print(','.join(loaded))"
    )
    out = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""


def test_clients_still_import_from_their_packages() -> None:
    """The lazy face serves the clients and their resources, typed and from the package path."""
    code = (
        "from listingmirror_shipstation.shipstation import ShipStationClient, OrdersResource\n"
        "from listingmirror_shipstation.listingmirror import ListingMirrorClient, Page\n"
        "from listingmirror_shipstation import shipstation, ShipStationClient as Top\n"
        "from listingmirror_shipstation import MockTransport, Urllib3Transport\n"
        "assert Top is ShipStationClient\n"
        "import sys\n"
        "print(ShipStationClient.__module__, ListingMirrorClient.__module__,\n"
        "      shipstation.client.__name__, 'urllib3' in sys.modules)"
    )
    out = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == [
        "listingmirror_shipstation.shipstation",
        "listingmirror_shipstation.listingmirror",
        "listingmirror_shipstation.shipstation.client",
        "True",
    ]
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        importlib.import_module("listingmirror_shipstation.shipstation").NoSuchThing  # noqa: B018


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_has_a_docstring(name: str) -> None:
    """Modules, classes and functions in __all__ say what they are."""
    module = importlib.import_module(name)
    assert inspect.getdoc(module)
    for attr, value in public_objects(module).items():
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"{name}.{attr}"


#: The API reference: a hand-written index and one page per task (issue 11: one 1.4 MB page before).
API_PAGES = [ROOT / "docs" / "api.rst", *sorted((ROOT / "docs" / "api").glob("*.rst"))]
_DIRECTIVE = re.compile(
    r"^\.\. (currentmodule|automodule|auto\w+|py:\w+):: *(\S+)((?:\n   .*)*)", re.MULTILINE
)
_SETS_MODULE = {"currentmodule", "automodule", "py:module", "py:currentmodule"}


def documented_targets() -> list[str]:
    """The dotted name of every object a reference page documents as its canonical target.

    ``.. autoclass:: Order`` under ``.. currentmodule:: listingmirror_shipstation.shipstation``
    documents ``listingmirror_shipstation.shipstation.Order``; a directive marked ``:no-index:``
    is a repeat for the reader, not a target.
    """
    targets = []
    for page in API_PAGES:
        module = ""
        for kind, name, options in _DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            if kind in _SETS_MODULE:
                module = name
            elif ":no-index:" not in options:
                full = name.startswith("listingmirror_shipstation.")
                targets.append(name if full else f"{module}.{name}")
    return targets


def resolve(dotted: str) -> object:
    """The object a dotted name names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:end]))
        except ImportError:
            continue
        for part in parts[end:]:
            value = getattr(value, part)
        return value
    raise LookupError(dotted)


def test_every_public_name_is_documented_once_in_the_api_reference() -> None:
    """Every public name of every public module is the target of exactly one reference entry.

    Not merely mentioned: a name only named in prose (or only on a page left out of the
    reference) has no entry to link to, and a second entry would make its links ambiguous.
    """
    targets = [(dotted.rsplit(".", 1)[-1], resolve(dotted)) for dotted in documented_targets()]
    wrong = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            value = getattr(module, attr)
            if attr.startswith("__") or inspect.ismodule(value):
                continue
            entries = sum(1 for short, obj in targets if short == attr and obj is value)
            if entries != 1:
                wrong[f"{name}.{attr}"] = entries
    assert not wrong, f"entries per public name (want 1): {wrong}"


def test_every_reference_page_is_in_the_index() -> None:
    """docs/api.rst's toctree lists each page of docs/api/, and only those."""
    index = API_PAGES[0].read_text(encoding="utf-8")
    listed = re.findall(r"^   (api/\w+)$", index, re.MULTILINE)
    assert sorted(listed) == sorted(f"api/{page.stem}" for page in API_PAGES[1:])
    assert len(API_PAGES) > 10


def test_version() -> None:
    """The package has a version string."""
    assert listingmirror_shipstation.__version__.count(".") >= 2


def test_version_is_not_older_than_the_apis_it_documents() -> None:
    """``__version__`` (sent in the User-Agent) is at least what the transports' docs announce.

    It said ``0.1.0.dev0`` while ``PolicyTransport``, ``Retry`` ... said
    ``.. versionadded:: 0.2``.
    """
    from listingmirror_shipstation import transports

    added = {
        tuple(int(part) for part in found.split("."))
        for name in transports.__all__
        for found in re.findall(
            r"\.\. versionadded:: (\d+\.\d+)", inspect.getdoc(getattr(transports, name)) or ""
        )
    }
    version = tuple(int(part) for part in listingmirror_shipstation.__version__.split(".")[:2])
    assert added
    assert version >= max(added)


def test_dir_shows_the_public_namespace_only() -> None:
    """``dir(listingmirror_shipstation)`` lists ``__all__``, not its helpers; lazy names work."""
    names = dir(listingmirror_shipstation)
    assert set(listingmirror_shipstation.__all__) <= set(names)
    assert "__version__" in names
    for helper in ("Any", "TYPE_CHECKING", "_LAZY", "importlib", "logging"):
        assert helper not in names
    assert listingmirror_shipstation.MockTransport.__name__ == "MockTransport"
    assert names == sorted(names)
