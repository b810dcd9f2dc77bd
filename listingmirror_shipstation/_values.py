"""Values shared by every platform's models: an enum spelling we do not know, kept as sent."""

from attrs import frozen

__all__ = ["TypedModels", "Unrecognized"]


class TypedModels(tuple):  # type: ignore[type-arg]  # a tuple of any models
    """A tuple of models that a reader of this library built with only its own hooks.

    Every value of every model in it has its declared type (the hooks refuse anything else,
    and the models are frozen, their values immutable), so the mapping need not check their
    types again. Only this library's readers make one, and only with a converter that holds
    no hook but ours; a slice, a copy as a list, or a tuple a caller builds is a plain tuple
    and is checked as usual. It behaves as a tuple in every other way.
    """

    __slots__ = ()


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
