"""The status map: the integration table both ways, custom statuses, fallback, strict mode."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from listingmirror_shipstation import Unrecognized
from listingmirror_shipstation import listingmirror as lm
from listingmirror_shipstation import shipstation as ss
from listingmirror_shipstation.errors import UnmappedStatusError
from listingmirror_shipstation.mapping import MappingOptions, StatusMap, to_shipstation_order

TABLE = [
    (lm.OrderStatus.UNPAID, ss.OrderStatus.AWAITING_PAYMENT),
    (lm.OrderStatus.PAID, ss.OrderStatus.AWAITING_SHIPMENT),
    (lm.OrderStatus.SHIPPED, ss.OrderStatus.SHIPPED),
    (lm.OrderStatus.CANCELLED, ss.OrderStatus.CANCELLED),
    (lm.OrderStatus.WAIT, ss.OrderStatus.ON_HOLD),
]


class TestTable:
    @pytest.mark.parametrize(("listingmirror", "shipstation"), TABLE)
    def test_the_integration_table(
        self, listingmirror: lm.OrderStatus, shipstation: ss.OrderStatus
    ) -> None:
        """Each row of the integration table maps both ways."""
        statuses = StatusMap()
        assert statuses.to_shipstation(listingmirror) is shipstation
        assert statuses.to_listingmirror(shipstation) is listingmirror

    @given(st.sampled_from([row[0] for row in TABLE]))
    def test_identity_from_listingmirror(self, status: lm.OrderStatus) -> None:
        """LM -> SS -> LM is the identity on the five table statuses."""
        statuses = StatusMap()
        assert statuses.to_listingmirror(statuses.to_shipstation(status)) is status

    @given(st.sampled_from([row[1] for row in TABLE]))
    def test_identity_from_shipstation(self, status: ss.OrderStatus) -> None:
        """SS -> LM -> SS is the identity on the five table statuses."""
        statuses = StatusMap()
        back = statuses.to_listingmirror(status)
        assert back is not None
        assert statuses.to_shipstation(back) is status

    @pytest.mark.parametrize("status", list(lm.OrderStatus))
    def test_every_native_status_has_a_documented_default(self, status: lm.OrderStatus) -> None:
        """No Listing Mirror status falls back by default: each one is in the table."""
        assert StatusMap().lookup(status) is not None

    def test_native_defaults(self) -> None:
        """Accepted, Ready To Ship: awaiting shipment; Complete: shipped; Pending: unpaid."""
        statuses = StatusMap()
        assert statuses.to_shipstation(lm.OrderStatus.ACCEPTED) is ss.OrderStatus.AWAITING_SHIPMENT
        assert statuses.to_shipstation(lm.OrderStatus.READY_TO_SHIP) is (
            ss.OrderStatus.AWAITING_SHIPMENT
        )
        assert statuses.to_shipstation(lm.OrderStatus.COMPLETE) is ss.OrderStatus.SHIPPED
        assert statuses.to_shipstation(lm.OrderStatus.PENDING) is ss.OrderStatus.AWAITING_PAYMENT

    @pytest.mark.parametrize("status", [ss.OrderStatus.PENDING_FULFILLMENT, Unrecognized("zz_new")])
    def test_shipstation_statuses_outside_the_table_have_no_reverse(self, status: object) -> None:
        """A ShipStation status with no Listing Mirror counterpart maps to None."""
        assert StatusMap().to_listingmirror(status) is None  # type: ignore[arg-type]


class TestCustom:
    def test_custom_status_is_added_and_matched_loosely(self) -> None:
        """A merchant's custom status maps once declared; case and spacing do not matter."""
        statuses = StatusMap().with_status("Ready  For Pickup", ss.OrderStatus.AWAITING_SHIPMENT)
        assert statuses.to_shipstation(Unrecognized("ready for pickup")) is (
            ss.OrderStatus.AWAITING_SHIPMENT
        )

    def test_override_a_default(self) -> None:
        """A later pair wins over the default for the same status."""
        statuses = StatusMap().with_statuses([(lm.OrderStatus.PENDING, ss.OrderStatus.ON_HOLD)])
        assert statuses.to_shipstation(lm.OrderStatus.PENDING) is ss.OrderStatus.ON_HOLD

    @given(st.text().filter(lambda s: StatusMap().lookup(s) is None))
    def test_unmapped_status_takes_the_fallback(self, name: str) -> None:
        """Anything unmapped goes on hold by default, never an exception."""
        assert StatusMap().to_shipstation(Unrecognized(name)) is ss.OrderStatus.ON_HOLD

    def test_strict_mode_raises_a_typed_error(self) -> None:
        """Strict: an unmapped status raises UnmappedStatusError naming it and the order."""
        with pytest.raises(UnmappedStatusError, match="order 9: status 'Frozen'") as caught:
            StatusMap(strict=True).to_shipstation(Unrecognized("Frozen"), order_id=9)
        assert caught.value.status == "Frozen"

    def test_maps_are_values(self) -> None:
        """Two maps built the same way are equal; adding a status gives a different map."""
        assert StatusMap() == StatusMap()
        assert StatusMap().with_status("X", ss.OrderStatus.ON_HOLD) != StatusMap()


class TestMemberLookup:
    """A member is looked up through a table made once per map; its answer is its name's."""

    @given(
        st.lists(
            st.tuples(
                st.sampled_from([m.value for m in lm.OrderStatus]).map(
                    lambda name: f"  {name.upper()}  ".replace(" ", "  ")
                ),
                st.sampled_from(list(ss.OrderStatus)),
            ),
            max_size=4,
        ),
        st.sampled_from(list(lm.OrderStatus)),
    )
    def test_a_member_maps_as_its_name_does_in_any_table(
        self, overrides: list[tuple[str, ss.OrderStatus]], status: lm.OrderStatus
    ) -> None:
        """Overridden in another spelling (case, spaces), a member follows the override."""
        statuses = StatusMap().with_statuses(overrides)
        assert statuses.lookup(status) is statuses.lookup(status.value)
        assert statuses.lookup(status) is statuses.lookup(f" {status.value.lower()} ")

    def test_a_table_without_a_member_leaves_it_unmapped(self) -> None:
        statuses = StatusMap(table=(("Paid", ss.OrderStatus.SHIPPED),))
        assert statuses.lookup(lm.OrderStatus.PAID) is ss.OrderStatus.SHIPPED
        assert statuses.lookup(lm.OrderStatus.UNPAID) is None
        assert statuses.to_shipstation(lm.OrderStatus.UNPAID) is statuses.fallback


class TestMapsOfOtherMakes:
    def test_a_map_pickled_before_the_member_table_still_maps(self) -> None:
        """A pickle from the version before ``_members`` (a rolling deploy) lacks the table."""
        statuses = StatusMap().with_status(lm.OrderStatus.PAID, ss.OrderStatus.ON_HOLD)
        state = statuses.__getstate__()
        assert "_members" in state
        del state["_members"]
        restored = StatusMap.__new__(StatusMap)  # what unpickling does: __new__, __setstate__
        restored.__setstate__(state)
        assert restored.lookup(lm.OrderStatus.PAID) is ss.OrderStatus.ON_HOLD
        assert restored.lookup(lm.OrderStatus.SHIPPED) is statuses.lookup(lm.OrderStatus.SHIPPED)
        assert restored == statuses

    def test_a_subclass_answering_to_shipstation_its_own_way_is_asked(self) -> None:
        class Held(StatusMap):
            def to_shipstation(
                self, status: lm.OrderStatus | Unrecognized | str, *, order_id: int | None = None
            ) -> ss.OrderStatus:
                return ss.OrderStatus.ON_HOLD

        order = lm.Order(
            order_id=7,
            market_order_id="111-222",
            order_status=lm.OrderStatus.PAID,
            order_datetime=datetime(2026, 11, 27, 12, tzinfo=UTC),
            order_items=(lm.OrderItem(sku="MUG", quantity=1, price=Decimal("9.99")),),
            ship_to=lm.Address(name="Ana", street1="1 Main St", city="Austin", country="US"),
        )
        options = MappingOptions(statuses=Held())
        assert to_shipstation_order(order, options).order_status is ss.OrderStatus.ON_HOLD
        assert to_shipstation_order(order).order_status is ss.OrderStatus.AWAITING_SHIPMENT
