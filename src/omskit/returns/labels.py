"""Return labels through the carrier port, and tracking the return parcel until it arrives.

The label is bought from the carrier that delivered the parcel through the carrier
service's purchase path (``CarrierService.return_label_in``: keyed, settled on failure,
voidable like an outbound label), stored under the RMA's id (owner ``"returns"``), and
its tracking moves the RMA: picked up means ``in_transit``; a
delivery scan is noted on the RMA, which then waits for the warehouse to ``receive`` it.
"""

from __future__ import annotations

from omskit.carriers.model import Label, TrackingEvent
from omskit.carriers.purchases import LabelPurchase
from omskit.carriers.records import LABELS, LabelRecord
from omskit.errors import ValidationError
from omskit.fulfillment.model import SHIPMENTS
from omskit.returns.events import ReturnInTransit, RmaLabelIssued
from omskit.returns.lifecycle import next_status
from omskit.returns.model import RMAS, Rma
from omskit.returns.ports import ReturnsContext
from omskit.storage.ports import UnitOfWork

__all__ = ["issue_label_in", "on_tracking", "outbound_label"]


def outbound_label(uow: UnitOfWork, rma: Rma) -> LabelRecord | None:
    """The label of a parcel that carried units of the RMA's lines to the customer."""
    wanted = {x.line_id for x in rma.lines}
    labels = uow.repo(LABELS)
    for shipment in uow.repo(SHIPMENTS).list_by("order", rma.order_id):
        for parcel in shipment.parcels:
            if wanted & {ref for ref, _ in parcel.lines}:
                record = labels.find_by("tracking", (shipment.carrier, parcel.tracking_number))
                if record is not None and record.status == "active":
                    return record
    return None


def issue_label_in(
    svc: ReturnsContext,
    uow: UnitOfWork,
    rma: Rma,
    *,
    actor: str,
    bought: list[Label] | None = None,
    attempts: list[LabelPurchase] | None = None,
) -> Rma:
    """Buy a return label for an authorized RMA from the carrier that delivered it.

    Raises:
        InvalidTransition: the RMA is not authorized.
        ValidationError: a claim (nothing travels) or no carrier parcel to return.
        CarrierUnavailable: the carrier failed; nothing is stored. A label bought for
            a transaction that then failed is in ``bought``, the purchase in
            ``attempts``: the caller settles them (``CarrierService.settle_failed``).
    """
    next_status(f"return {rma.id}", rma.status, "issue_label")
    if rma.is_claim:
        raise ValidationError("return", rma.id, "a claim sends nothing back; no label")
    original = outbound_label(uow, rma)
    if original is None:
        raise ValidationError(
            "order", rma.order_id, "has no carrier parcel for these lines to return"
        )
    carriers = svc.services.carriers
    now = svc.runtime.clock.now()
    record = carriers.return_label_in(
        uow, original, reference=rma.id, owner="returns", bought=bought, attempts=attempts
    )
    label = record.label
    rma.move("issue_label", now, actor, f"{label.carrier} {label.tracking_number}")
    rma.label_carrier, rma.label_tracking = label.carrier, label.tracking_number
    rma.label_cost = label.price
    rma.record(
        RmaLabelIssued(
            rma_id=rma.id,
            order_id=rma.order_id,
            carrier=label.carrier,
            tracking_number=label.tracking_number,
            price=label.price,
        )
    )
    uow.repo(RMAS).save(rma)
    return rma


def on_tracking(
    svc: ReturnsContext, uow: UnitOfWork, record: LabelRecord, new: tuple[TrackingEvent, ...]
) -> None:
    """Move the RMA a return label belongs to (called by the carrier service)."""
    if record.owner != "returns" or not new:
        return
    rma = uow.repo(RMAS).find(record.reference)
    if rma is None:
        return
    now = svc.runtime.clock.now()
    if rma.status == "label_issued" and record.shipped:
        rma.move("ship", now, "carrier", f"picked up: {record.tracking_number}")
        rma.record(
            ReturnInTransit(
                rma_id=rma.id, order_id=rma.order_id, tracking_number=record.tracking_number
            )
        )
    if record.delivered and rma.status in ("label_issued", "in_transit"):
        rma.note_step(
            now,
            "carrier",
            "delivered",
            f"at {rma.location or 'the sender'}; waiting to be received",
        )
    uow.repo(RMAS).save(rma)
