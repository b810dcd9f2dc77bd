"""Helpers for testing code built on this library.

Hypothesis strategies for every model, canned responses, a loopback HTTP server and the
transport contract.

Needs the ``testing`` extra (``pip install listingmirror-shipstation[testing]``).
"""

from . import strategies, transports
from .transports import LoopbackServer, TransportContract, json_response

__all__ = ["LoopbackServer", "TransportContract", "json_response", "strategies", "transports"]
