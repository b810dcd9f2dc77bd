"""The Custom Store endpoint for production WSGI servers, configured by the environment.

What ``serve`` runs, for gunicorn or waitress (one process per worker, each building its own
app)::

    gunicorn --workers 3 --bind 127.0.0.1:8080 'listingmirror_shipstation.wsgi:create_app()'
    waitress-serve --listen 127.0.0.1:8080 --call listingmirror_shipstation.wsgi:create_app

The environment variables (the password never goes on a command line):

``LMSS_CUSTOMSTORE_PASSWORD``
    The password ShipStation sends (required).
``LMSS_ORDERS``
    The Listing Mirror orders JSON file to export (required).
``LMSS_DATABASE``
    Where shipment updates go: ``postgresql://…`` (shared by every worker and machine),
    ``sqlite:///PATH`` or a path (default ``shipment-updates.sqlite3``).
``LMSS_MERCHANT``
    Whose updates, in a shared database (default ``default``).
``LMSS_USERNAME``
    The user name ShipStation sends (default ``shipstation``).

For your own order source, write the same few lines around
:func:`~listingmirror_shipstation.integration.make_custom_store_app`.
"""

import os
from collections.abc import Mapping

from .customstore import CustomStoreApp
from .errors import ConfigurationError
from .integration import JsonFileOrderSource, make_custom_store_app
from .stores import open_shipment_sink, open_snapshot_store

__all__ = ["create_app"]


def create_app(environ: Mapping[str, str] | None = None) -> CustomStoreApp:
    """Build the Custom Store endpoint from environment variables (see the module docstring).

    Args:
        environ: Where to read the variables (default: ``os.environ``).

    Raises:
        ConfigurationError: ``LMSS_CUSTOMSTORE_PASSWORD`` or ``LMSS_ORDERS`` is not set, or
            the database URL is not understood.
        DatabaseUnavailableError: The database cannot be reached.
    """
    env = os.environ if environ is None else environ
    missing = [n for n in ("LMSS_CUSTOMSTORE_PASSWORD", "LMSS_ORDERS") if not env.get(n)]
    if missing:
        raise ConfigurationError(f"set {' and '.join(missing)} for the Custom Store endpoint")
    database = env.get("LMSS_DATABASE") or "shipment-updates.sqlite3"
    merchant = env.get("LMSS_MERCHANT") or "default"
    sink = open_shipment_sink(database, merchant=merchant)
    return make_custom_store_app(
        env.get("LMSS_USERNAME") or "shipstation",
        env["LMSS_CUSTOMSTORE_PASSWORD"],
        JsonFileOrderSource(env["LMSS_ORDERS"]),
        sink,
        # Every worker pages an export from the same snapshot.
        snapshots=open_snapshot_store(database, merchant=merchant),
    )
