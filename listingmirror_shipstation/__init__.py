"""listingmirror_shipstation: a typed SDK connecting Listing Mirror with ShipStation.

Import the platform packages under short aliases; their classes share names on purpose
(``listingmirror.Order``, ``shipstation.Order``)::

    from listingmirror_shipstation import listingmirror as lm, shipstation as ss, mapping

Both clients and the transport classes are here too (``from listingmirror_shipstation import
ShipStationClient``), imported on first use: ``import listingmirror_shipstation`` loads no HTTP
library.
"""

import importlib
import logging
from typing import TYPE_CHECKING, Any

from . import errors, listingmirror, mapping, shipstation
from ._values import Unrecognized

if TYPE_CHECKING:  # the real names for type checkers; at run time __getattr__ imports them
    from .listingmirror import ListingMirrorClient
    from .shipstation import ShipStationClient
    from .transports import BaseTransport, MockTransport, Urllib3Transport

__all__ = [
    "BaseTransport",
    "ListingMirrorClient",
    "MockTransport",
    "ShipStationClient",
    "Unrecognized",
    "Urllib3Transport",
    "errors",
    "listingmirror",
    "mapping",
    "shipstation",
]

#: The package version.
__version__ = "0.2.0.dev0"

Unrecognized.__module__ = __name__  # documented and imported from the top level

#: The names served on first use, and the package each comes from.
_LAZY = {
    "ShipStationClient": ".shipstation",
    "ListingMirrorClient": ".listingmirror",
    "BaseTransport": ".transports",
    "MockTransport": ".transports",
    "Urllib3Transport": ".transports",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # The public namespace only: __all__, the version and the public subpackages imported so
    # far; never the helpers above (importlib, TYPE_CHECKING, _LAZY ...).
    modules = {
        name
        for name, value in globals().items()
        if not name.startswith("_")
        and getattr(value, "__name__", "").startswith(f"{__name__}.")
        and type(value) is type(errors)
    }
    return sorted({*__all__, "__version__", *modules})


# A library never configures logging for the application; it only makes sure it stays quiet.
logging.getLogger(__name__).addHandler(logging.NullHandler())
