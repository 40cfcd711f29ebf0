"""Claims against the carrier: goods lost or damaged in transit, recorded and decided.

A claim RMA (``kind`` ``claim_lost`` or ``claim_damaged``) settles with the customer
(a refund or a free replacement, nothing comes back); the [`CarrierClaim`][] on it is
what the merchant asks the carrier for: the parcel's carrier and tracking number and the
value of the units (what the customer paid for them). It starts ``open`` and is later
``settled`` (the carrier paid, at most the amount claimed) or ``denied``.

A loss is reported by the customer or an agent (``oms.returns.claim``) or by the carrier
itself: a ``lost`` tracking scan on an outbound parcel opens a claim RMA for the
parcel's units at once, with the carrier claim filed, when the returns setting
``lost_parcels`` is ``"claim"`` (the default). No money moves from a tracking webhook: an
agent resolves the claim (``oms.returns.resolve_claim``) by refund or reshipment.
"""

from __future__ import annotations

from omskit.carriers.model import TrackingEvent
from omskit.carriers.records import LABELS, LabelRecord
from omskit.errors import InvalidTransition, ValidationError
from omskit.fulfillment.model import SHIPMENTS
from omskit.money import Money
from omskit.orders.storage import ORDERS
from omskit.returns.events import CarrierClaimDecided, CarrierClaimFiled, ClaimFiled
from omskit.returns.labels import outbound_label
from omskit.returns.model import RMAS, CarrierClaim, Rma
from omskit.returns.operations import authorize_in, request_in, simulate_in
from omskit.returns.policy import LineRequest
from omskit.returns.ports import ReturnsContext
from omskit.storage.ports import UnitOfWork

__all__ = ["decide_in", "file_in", "on_lost_parcel", "parcel_label"]


def parcel_label(uow: UnitOfWork, rma: Rma, tracking_number: str | None) -> LabelRecord | None:
    """The outbound label the claim is about: ``tracking_number``'s, or the parcel's.

    Raises:
        ValidationError: ``tracking_number`` names no parcel of the order.
    """
    if tracking_number is None:
        return outbound_label(uow, rma)
    for shipment in uow.repo(SHIPMENTS).list_by("order", rma.order_id):
        if any(p.tracking_number == tracking_number for p in shipment.parcels):
            found = uow.repo(LABELS).find_by("tracking", (shipment.carrier, tracking_number))
            if found is not None:
                return found
    raise ValidationError(
        "tracking_number",
        tracking_number,
        f"no carrier parcel of order {rma.order_id} has this tracking number",
    )


def file_in(
    svc: ReturnsContext,
    uow: UnitOfWork,
    rma: Rma,
    *,
    tracking_number: str | None,
    source: str,
    actor: str,
) -> Rma:
    """File the claim against the carrier that carried ``rma``'s units (if one did).

    The amount claimed is what the customer paid for the units (the refund's goods
    value, before any fee). Without a carrier parcel (a shipment recorded without a
    label) nothing is filed and the RMA says so.
    """
    label = parcel_label(uow, rma, tracking_number)
    now = svc.runtime.clock.now()
    if label is None:
        rma.note_step(now, actor, "carrier_claim", "no carrier parcel: nothing to claim")
        return rma
    value = simulate_in(svc, uow, rma).goods
    rma.carrier_claim = CarrierClaim(
        carrier=label.carrier,
        tracking_number=label.tracking_number,
        amount=value,
        source=source,
        filed_at=now,
    )
    rma.note_step(now, actor, "carrier_claim", f"{label.carrier} {label.tracking_number}: {value}")
    rma.record(
        CarrierClaimFiled(
            rma_id=rma.id,
            order_id=rma.order_id,
            carrier=label.carrier,
            tracking_number=label.tracking_number,
            amount=value,
            actor=actor,
        )
    )
    uow.repo(RMAS).save(rma)
    return rma


def decide_in(
    svc: ReturnsContext,
    uow: UnitOfWork,
    rma: Rma,
    *,
    outcome: str,
    amount: Money | None,
    reason: str,
    actor: str,
) -> Rma:
    """``settle`` (the carrier paid ``amount``, default: all of it) or ``deny`` the claim.

    Raises:
        ValidationError: no carrier claim on the RMA; an amount above the claim, not
            positive, or in another currency.
        InvalidTransition: the claim was already decided.
    """
    claim = rma.carrier_claim
    if claim is None:
        raise ValidationError("rma_id", rma.id, "has no claim against a carrier")
    if claim.status != "open":
        raise InvalidTransition(
            f"carrier claim of return {rma.id}", claim.status, outcome, ["open"]
        )
    now = svc.runtime.clock.now()
    if outcome == "settle":
        paid = claim.amount if amount is None else amount
        if paid.currency != claim.amount.currency or paid.amount <= 0 or paid > claim.amount:
            raise ValidationError(
                "amount", str(paid), f"a positive amount of at most the {claim.amount} claimed"
            )
        _ = paid.minor_units  # raises InvalidAmount for more digits than the currency has
        decided = CarrierClaim(
            carrier=claim.carrier, tracking_number=claim.tracking_number, amount=claim.amount,
            status="settled", source=claim.source, filed_at=claim.filed_at, decided_at=now,
            settled=paid, reason=reason,
        )  # fmt: skip
    else:
        decided = CarrierClaim(
            carrier=claim.carrier, tracking_number=claim.tracking_number, amount=claim.amount,
            status="denied", source=claim.source, filed_at=claim.filed_at, decided_at=now,
            reason=reason,
        )  # fmt: skip
    rma.carrier_claim = decided
    note = f"{decided.status}" + (f" {decided.settled}" if decided.settled else "")
    rma.note_step(now, actor, f"carrier_claim_{outcome}", f"{note}; {reason}" if reason else note)
    rma.record(
        CarrierClaimDecided(
            rma_id=rma.id,
            order_id=rma.order_id,
            carrier=decided.carrier,
            tracking_number=decided.tracking_number,
            status=decided.status,
            settled=decided.settled,
            actor=actor,
        )
    )
    uow.repo(RMAS).save(rma)
    return rma


def on_lost_parcel(
    svc: ReturnsContext, uow: UnitOfWork, record: LabelRecord, new: tuple[TrackingEvent, ...]
) -> None:
    """Open a claim for the units of an outbound parcel the carrier reports ``lost``."""
    if svc.settings.lost_parcels != "claim" or record.owner != "fulfillment":
        return
    if record.label.is_return or not any(e.status == "lost" for e in new):
        return
    if uow.repo(RMAS).list_by("claim_parcel", record.tracking_number):
        return  # already claimed (a repeated webhook, or the customer was quicker)
    shipment = uow.repo(SHIPMENTS).find(record.reference)
    if shipment is None:
        return
    parcel = next(
        (p for p in shipment.parcels if p.tracking_number == record.tracking_number), None
    )
    if parcel is None or not parcel.lines:
        return
    order = uow.repo(ORDERS).get(shipment.order_id)
    known = {x.id for x in order.lines}
    requests = [
        LineRequest(line_id, qty, "lost", "") for line_id, qty in parcel.lines if line_id in known
    ]
    if not requests:
        return
    rma = request_in(
        svc, uow, order.id, requests, customer=None, notes=(f"lost: {record.tracking_number}",),
        photos=(), exchange=(), actor="carrier", kind="claim_lost",
    )  # fmt: skip
    authorize_in(svc, uow, rma, location=None, actor="carrier")
    rma.expires_at = None  # waits for an agent to resolve it, however long that takes
    rma.record(
        ClaimFiled(
            rma_id=rma.id, order_id=order.id, kind="lost", resolution="", actor="carrier",
            lines=tuple((x.line_id, x.quantity) for x in rma.lines),
        )
    )  # fmt: skip
    file_in(
        svc, uow, rma, tracking_number=record.tracking_number, source="carrier", actor="carrier"
    )
