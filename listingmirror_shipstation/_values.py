"""Values shared by every platform's models: an enum spelling we do not know, kept as sent."""

from attrs import frozen

__all__ = ["Unrecognized"]


@frozen
class Unrecognized:
    """An enum value a platform sent that this library does not know.

    The spelling is kept exactly, so it can be shown, logged, compared and written back to the
    platform it came from. Type checkers make callers handle it next to the enum members.

    >>> from listingmirror_shipstation import Unrecognized
    >>> Unrecognized("inches").raw
    'inches'

    Attributes:
        raw: The value exactly as the platform spelled it.
    """

    raw: str
