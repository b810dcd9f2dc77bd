"""listingmirror_shipstation: a typed SDK connecting Listing Mirror with ShipStation.

Import the platform packages under short aliases; their classes share names on purpose
(``listingmirror.Order``, ``shipstation.Order``)::

    from listingmirror_shipstation import listingmirror as lm, shipstation as ss, mapping
"""

import logging

from . import errors, listingmirror, mapping, shipstation
from ._values import Unrecognized

__all__ = ["Unrecognized", "errors", "listingmirror", "mapping", "shipstation"]

#: The package version.
__version__ = "0.1.0.dev0"

Unrecognized.__module__ = __name__  # documented and imported from the top level

# A library never configures logging for the application; it only makes sure it stays quiet.
logging.getLogger(__name__).addHandler(logging.NullHandler())
