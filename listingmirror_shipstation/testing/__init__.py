"""Helpers for testing code built on this library: public Hypothesis strategies.

Needs the ``testing`` extra (``pip install listingmirror-shipstation[testing]``).
"""

from . import strategies

__all__ = ["strategies"]
