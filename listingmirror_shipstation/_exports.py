"""Make public names belong to the package users import them from."""

import inspect
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["adopt"]


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
