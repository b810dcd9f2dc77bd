"""Make public names belong to the package users import them from."""

import importlib
import inspect
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any

__all__ = ["adopt", "lazy_client"]


def adopt(namespace: Mapping[str, Any], names: Iterable[str], module: str) -> None:
    """Set ``__module__`` of every class and function in *names* to *module*.

    The docs, reprs and type hints then show the path users import from
    (``listingmirror_shipstation.shipstation.Order``, not ``...shipstation.models.Order``), as
    httpx does. Pickle finds the objects there too.
    """
    for name in names:
        value = namespace[name]
        if inspect.isclass(value) or inspect.isfunction(value):
            value.__module__ = module


def lazy_client(
    package: str, namespace: MutableMapping[str, Any], face: Iterable[str]
) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` serving ``package.client`` and its names on first use.

    A platform package's models and converter then load no HTTP library (urllib3, the
    transports): only a program that uses the client pays for it. ``from package import
    ShipStationClient`` keeps working; the names the package's ``__all__`` (*face*) lists are
    adopted (:func:`adopt`) when first served, and cached in the package's namespace.
    """
    shown = frozenset(face)

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook PEP 562 names
        if name.startswith("__"):  # dunder probes (__path__, __wrapped__ ...) never load it
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        client = importlib.import_module(f"{package}.client")
        served = [n for n in getattr(client, "__all__", ()) if n not in namespace]
        if served:  # the first use: every name at once, so annotations all show the face
            values = {n: getattr(client, n) for n in served}
            adopt(values, [n for n in served if n in shown], package)
            namespace.update(values)
        if name == "client":
            return client
        if name not in namespace:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return namespace[name]

    return __getattr__
