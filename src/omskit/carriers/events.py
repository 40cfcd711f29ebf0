"""Events recorded by the carrier service."""

from __future__ import annotations

import attrs

from omskit.events import Event
from omskit.money import Money

__all__ = ["LabelPurchased", "LabelVoided", "ReturnLabelIssued", "TrackingUpdated"]


@attrs.frozen(kw_only=True)
class LabelPurchased(Event):
    """A label was bought (or a drop-ship supplier's label registered)."""

    label_id: str
    carrier: str
    service: str
    tracking_number: str
    reference: str
    price: Money


@attrs.frozen(kw_only=True)
class LabelVoided(Event):
    """An unused label was cancelled."""

    label_id: str
    carrier: str
    tracking_number: str
    reference: str


@attrs.frozen(kw_only=True)
class ReturnLabelIssued(Event):
    """A return label was issued for a parcel that was sent out."""

    label_id: str
    carrier: str
    tracking_number: str
    original_tracking_number: str
    reference: str


@attrs.frozen(kw_only=True)
class TrackingUpdated(Event):
    """New tracking events arrived for a parcel; ``status`` is the parcel's status now."""

    label_id: str
    carrier: str
    tracking_number: str
    reference: str
    status: str
    previous_status: str
    codes: tuple[str, ...]
