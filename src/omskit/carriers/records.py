"""Stored labels and the tracking events known for each."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from omskit.carriers.model import Label, TrackingEvent
from omskit.carriers.tracking import is_delivered, is_shipped, merge_events, status_of
from omskit.storage.ports import Aggregate, Collection

__all__ = ["LABELS", "LabelRecord"]


@attrs.define(eq=False)
class LabelRecord(Aggregate):
    """One parcel label: what the carrier issued, whether it is void, and its tracking.

    ``reference`` is the shipper's id the label was bought for (a shipment id);
    ``owner`` names the capability that manages the label (``"fulfillment"``), which then
    also decides when it may be voided.
    """

    label: Label
    reference: str = ""
    owner: str = ""
    status: str = "active"
    events: tuple[TrackingEvent, ...] = ()
    deliveries: frozenset[str] = frozenset()
    external: bool = False

    @property
    def carrier(self) -> str:
        """The carrier's name."""
        return self.label.carrier

    @property
    def tracking_number(self) -> str:
        """The parcel's tracking number."""
        return self.label.tracking_number

    @property
    def tracking_status(self) -> str:
        """The parcel's status from every event known (see [`omskit.carriers.tracking`][])."""
        return status_of(self.events)

    @property
    def shipped(self) -> bool:
        """True once the parcel left the shipper."""
        return is_shipped(self.events)

    @property
    def delivered(self) -> bool:
        """True once a delivery scan is known."""
        return is_delivered(self.events)

    def merge(
        self, incoming: Iterable[TrackingEvent], delivery_id: str = ""
    ) -> tuple[TrackingEvent, ...]:
        """Add ``incoming`` events; returns the ones that were new (none for a duplicate)."""
        if delivery_id and delivery_id in self.deliveries:
            return ()
        self.events, new = merge_events(self.events, incoming)
        if delivery_id:
            self.deliveries = self.deliveries | {delivery_id}
        return new

    def clone(self) -> LabelRecord:
        """A cheap copy: every field is immutable."""
        copy = attrs.evolve(self)
        copy.version = self.version
        return copy


LABELS: Collection[LabelRecord] = Collection(
    "labels",
    LabelRecord,
    unique={"tracking": lambda r: (r.label.carrier, r.label.tracking_number)},
    indexes={"reference": lambda r: r.reference or None},
    label="label",
)
