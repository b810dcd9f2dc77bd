"""Helpers for testing code built on this library.

Hypothesis strategies for every model, canned responses, a loopback HTTP server, the
transport contract, ShipStation and Listing Mirror simulators whose data can move mid-run
(:mod:`~listingmirror_shipstation.testing.simulator`) and a server that serves them over real
HTTP (:mod:`~listingmirror_shipstation.testing.server`).

Needs the ``testing`` extra (``pip install listingmirror-shipstation[testing]``).
"""

from . import server, simulator, strategies, transports
from .server import SimulatorServer
from .transports import LoopbackServer, TransportContract, json_response

__all__ = [
    "LoopbackServer",
    "SimulatorServer",
    "TransportContract",
    "json_response",
    "server",
    "simulator",
    "strategies",
    "transports",
]
