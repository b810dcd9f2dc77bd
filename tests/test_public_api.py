"""Every package declares a complete, sorted __all__, and every public name is documented."""

import importlib
import inspect
import pkgutil
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
def test_subpackages_reexport_their_modules(name: str) -> None:
    """A subpackage exports every public name of its public modules."""
    package = importlib.import_module(name)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{name}.{info.name}")
        assert set(module.__all__) <= set(package.__all__), info.name


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_has_a_docstring(name: str) -> None:
    """Modules, classes and functions in __all__ say what they are."""
    module = importlib.import_module(name)
    assert inspect.getdoc(module)
    for attr, value in public_objects(module).items():
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), f"{name}.{attr}"


def test_every_public_name_is_in_the_api_reference() -> None:
    """docs/api.rst mentions every public name of every public module."""
    api = (ROOT / "docs" / "api.rst").read_text(encoding="utf-8")
    missing = [
        f"{name}.{attr}"
        for name in MODULES
        for attr in importlib.import_module(name).__all__
        if not attr.startswith("__")
        and inspect.ismodule(getattr(importlib.import_module(name), attr)) is False
        and attr not in api
    ]
    assert not missing


def test_version() -> None:
    """The package has a version string."""
    assert listingmirror_shipstation.__version__.count(".") >= 2
