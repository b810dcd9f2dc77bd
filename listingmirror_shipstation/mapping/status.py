"""Listing Mirror status ↔ ShipStation status.

The default follows the integration table exactly, both ways:

=================  =====================
Listing Mirror     ShipStation
=================  =====================
Unpaid             ``awaiting_payment``
Paid               ``awaiting_shipment``
Shipped            ``shipped``
Cancelled          ``cancelled``
Wait               ``on_hold``
=================  =====================

Listing Mirror's native statuses map one way, by meaning (an inference; override freely):
Pending → ``awaiting_payment``; Accepted and Ready To Ship → ``awaiting_shipment``;
Complete → ``shipped``; Hold → ``on_hold``. Third-party statuses (Won't Fill, Awaiting
Fulfillment, Filled Awaiting Tracking, Partially Filled) → ``on_hold``, because such an order is
the 3PL's to ship and needs a person's decision if it gets past the filters; Fully Filled →
``shipped``.

Status names are matched ignoring case and repeated spaces. A status with no mapping (a
merchant's custom status nobody declared) takes the ``fallback`` (``on_hold``) and is reported;
with ``strict=True`` it raises :class:`~listingmirror_shipstation.errors.UnmappedStatusError`.
"""

from collections.abc import Iterable, Mapping
from typing import Final

from attrs import field, frozen

from .._values import Unrecognized
from ..errors import UnmappedStatusError
from ..listingmirror import models as lm
from ..shipstation import models as ss

__all__ = ["DEFAULT_REVERSE", "DEFAULT_TABLE", "StatusMap"]

#: The default Listing Mirror → ShipStation table (status name → ShipStation status).
DEFAULT_TABLE: Final[tuple[tuple[str, ss.OrderStatus], ...]] = (
    (lm.OrderStatus.UNPAID.value, ss.OrderStatus.AWAITING_PAYMENT),
    (lm.OrderStatus.PAID.value, ss.OrderStatus.AWAITING_SHIPMENT),
    (lm.OrderStatus.SHIPPED.value, ss.OrderStatus.SHIPPED),
    (lm.OrderStatus.CANCELLED.value, ss.OrderStatus.CANCELLED),
    (lm.OrderStatus.WAIT.value, ss.OrderStatus.ON_HOLD),
    (lm.OrderStatus.PENDING.value, ss.OrderStatus.AWAITING_PAYMENT),
    (lm.OrderStatus.ACCEPTED.value, ss.OrderStatus.AWAITING_SHIPMENT),
    (lm.OrderStatus.READY_TO_SHIP.value, ss.OrderStatus.AWAITING_SHIPMENT),
    (lm.OrderStatus.COMPLETE.value, ss.OrderStatus.SHIPPED),
    ("Hold", ss.OrderStatus.ON_HOLD),
    (lm.OrderStatus.WONT_FILL.value, ss.OrderStatus.ON_HOLD),
    (lm.OrderStatus.AWAITING_FULFILLMENT.value, ss.OrderStatus.ON_HOLD),
    (lm.OrderStatus.FILLED_AWAITING_TRACKING.value, ss.OrderStatus.ON_HOLD),
    (lm.OrderStatus.PARTIALLY_FILLED.value, ss.OrderStatus.ON_HOLD),
    (lm.OrderStatus.FULLY_FILLED.value, ss.OrderStatus.SHIPPED),
)

#: The default ShipStation → Listing Mirror table (the integration table read backwards).
DEFAULT_REVERSE: Final[tuple[tuple[ss.OrderStatus, lm.OrderStatus], ...]] = (
    (ss.OrderStatus.AWAITING_PAYMENT, lm.OrderStatus.UNPAID),
    (ss.OrderStatus.AWAITING_SHIPMENT, lm.OrderStatus.PAID),
    (ss.OrderStatus.SHIPPED, lm.OrderStatus.SHIPPED),
    (ss.OrderStatus.CANCELLED, lm.OrderStatus.CANCELLED),
    (ss.OrderStatus.ON_HOLD, lm.OrderStatus.WAIT),
)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _name(status: lm.OrderStatus | Unrecognized | str) -> str:
    if isinstance(status, lm.OrderStatus):
        return status.value
    if isinstance(status, Unrecognized):
        return status.raw
    return status


@frozen(kw_only=True)
class StatusMap:
    """A frozen, replaceable mapping between the two platforms' order statuses.

    >>> from listingmirror_shipstation.mapping import StatusMap
    >>> from listingmirror_shipstation.listingmirror import OrderStatus as LM
    >>> from listingmirror_shipstation.shipstation import OrderStatus as SS
    >>> statuses = StatusMap().with_status("Ready For Pickup", SS.AWAITING_SHIPMENT)
    >>> statuses.to_shipstation(LM.PAID)
    <OrderStatus.AWAITING_SHIPMENT: 'awaiting_shipment'>
    >>> statuses.to_shipstation("ready for pickup")
    <OrderStatus.AWAITING_SHIPMENT: 'awaiting_shipment'>
    >>> statuses.to_shipstation("Some Custom Status")  # unmapped: the fallback
    <OrderStatus.ON_HOLD: 'on_hold'>

    Attributes:
        table: Listing Mirror status name → ShipStation status; later pairs win.
        reverse: ShipStation status → Listing Mirror status, for shipments coming back.
        fallback: Where an unmapped status goes (not in strict mode).
        strict: Raise :class:`~listingmirror_shipstation.errors.UnmappedStatusError` for an
            unmapped status instead of using the fallback.
    """

    table: tuple[tuple[str, ss.OrderStatus], ...] = DEFAULT_TABLE
    reverse: tuple[tuple[ss.OrderStatus, lm.OrderStatus], ...] = DEFAULT_REVERSE
    fallback: ss.OrderStatus = ss.OrderStatus.ON_HOLD
    strict: bool = False
    _lookup: Mapping[str, ss.OrderStatus] = field(init=False, eq=False, repr=False)
    _back: Mapping[ss.OrderStatus, lm.OrderStatus] = field(init=False, eq=False, repr=False)
    # lookup() of each Listing Mirror status member, by its value (a str: it hashes in C).
    _members: Mapping[str, ss.OrderStatus | None] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        lookup = {_key(name): status for name, status in self.table}
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_back", dict(self.reverse))
        object.__setattr__(self, "_members", self._member_table(lookup))

    @staticmethod
    def _member_table(lookup: Mapping[str, ss.OrderStatus]) -> dict[str, ss.OrderStatus | None]:
        return {member.value: lookup.get(_key(member.value)) for member in lm.OrderStatus}

    def with_status(
        self, listingmirror_status: lm.OrderStatus | str, shipstation_status: ss.OrderStatus
    ) -> "StatusMap":
        """Return a copy where *listingmirror_status* maps to *shipstation_status*.

        Use it to declare a merchant's custom status, or to override a default.
        """
        name = _name(listingmirror_status)
        return StatusMap(
            table=(*self.table, (name, shipstation_status)),
            reverse=self.reverse,
            fallback=self.fallback,
            strict=self.strict,
        )

    def with_statuses(
        self, pairs: Iterable[tuple[lm.OrderStatus | str, ss.OrderStatus]]
    ) -> "StatusMap":
        """Return a copy with every ``(Listing Mirror status, ShipStation status)`` pair added."""
        added = tuple((_name(name), status) for name, status in pairs)
        return StatusMap(
            table=(*self.table, *added),
            reverse=self.reverse,
            fallback=self.fallback,
            strict=self.strict,
        )

    def lookup(self, status: lm.OrderStatus | Unrecognized | str) -> ss.OrderStatus | None:
        """Return the ShipStation status for *status*, or ``None`` if it has no mapping."""
        if status.__class__ is lm.OrderStatus:  # a member: its name's key was looked up once
            try:
                members = self._members
            except AttributeError:  # unpickled from a version before this table: made now
                members = self._member_table(self._lookup)
                object.__setattr__(self, "_members", members)
            return members[status._value_]
        return self._lookup.get(_key(_name(status)))

    def to_shipstation(
        self, status: lm.OrderStatus | Unrecognized | str, *, order_id: int | None = None
    ) -> ss.OrderStatus:
        """Return the ShipStation status for *status*; the fallback if it has no mapping.

        Raises:
            UnmappedStatusError: *status* has no mapping and the map is strict.
        """
        found = self.lookup(status)
        if found is not None:
            return found
        if self.strict:
            name = _name(status)
            raise UnmappedStatusError(
                f"status {name!r} has no ShipStation mapping; declare it with "
                "StatusMap.with_status()",
                order_id=order_id,
                status=name,
            )
        return self.fallback

    def to_listingmirror(self, status: ss.OrderStatus | Unrecognized) -> lm.OrderStatus | None:
        """Return the Listing Mirror status for a ShipStation status, or ``None`` if none."""
        if isinstance(status, Unrecognized):
            return None
        return self._back.get(status)
