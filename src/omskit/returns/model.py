"""The RMA aggregate: what comes back, why, where to, in what state, and the money."""

from __future__ import annotations

import datetime as dt

import attrs

from omskit.money import Money
from omskit.returns.lifecycle import next_status
from omskit.returns.refunds import RefundBreakdown
from omskit.storage.ports import Aggregate, Collection

__all__ = [
    "CARRIER_CLAIM_STATUSES",
    "DISPOSITIONS",
    "RMAS",
    "AdvanceHold",
    "CarrierClaim",
    "RefundRecord",
    "Rma",
    "RmaEntry",
    "RmaLine",
]

#: What inspection may decide for each unit: back to sellable stock, blocked in
#: quarantine (B-grade, refurbish), written off, or not accepted (sent back, no refund).
DISPOSITIONS = ("restock", "quarantine", "scrap", "rejected")
#: Dispositions of units that were accepted (refunded).
ACCEPTED = ("restock", "quarantine", "scrap")


@attrs.define(eq=False, slots=True)
class RmaLine:
    """One order line on a return.

    Attributes:
        line_id: the order line.
        sku: its SKU.
        quantity: units asked to return (authorized with the RMA).
        reason: the reason code.
        condition: the condition stated by the customer (may be ``""``).
        received: units that arrived.
        dispositions: units per disposition after inspection.
        refunded: units refunded (or credited to an exchange).
    """

    line_id: str
    sku: str
    quantity: int
    reason: str
    condition: str = ""
    received: int = 0
    dispositions: dict[str, int] = attrs.field(factory=dict)
    refunded: int = 0

    @property
    def accepted(self) -> int:
        """Units inspection accepted (restocked, quarantined or scrapped)."""
        return sum(self.dispositions.get(d, 0) for d in ACCEPTED)

    def copy(self) -> RmaLine:
        """An independent copy."""
        return attrs.evolve(self, dispositions=dict(self.dispositions))


@attrs.frozen
class RmaEntry:
    """One step of an RMA: when, who, what, the move it made and why."""

    at: dt.datetime
    actor: str
    action: str
    before: str
    after: str
    note: str = ""

    def describe(self) -> str:
        """``2026-11-24 09:00 dana authorize: requested -> authorized (note)``."""
        note = f" ({self.note})" if self.note else ""
        move = f"{self.before or 'new'} -> {self.after}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}: {move}{note}"


@attrs.frozen
class RefundRecord:
    """A refund (or an exchange credit) for an RMA, with the breakdown it settled.

    ``paid`` is what went back to the customer: the breakdown's total for a refund
    (to the card and to store credit together), the difference (or nothing) for an
    exchange, whose credit paid for the replacement instead. ``credit`` is the part of
    ``paid`` that went to store credit (``None``: none).
    """

    key: str
    breakdown: RefundBreakdown
    transactions: tuple[str, ...]
    at: dt.datetime
    actor: str
    reason: str
    paid: Money
    credit: Money | None = None

    @property
    def to_card(self) -> Money:
        """The part of ``paid`` that went to the original payment."""
        return self.paid if self.credit is None else self.paid - self.credit


#: What a claim against the carrier can be: filed, then settled (paid) or denied.
CARRIER_CLAIM_STATUSES = ("open", "settled", "denied")


@attrs.frozen(kw_only=True)
class CarrierClaim:
    """A claim against the carrier for goods it lost or damaged in transit.

    Attributes:
        carrier: the carrier that carried the parcel.
        tracking_number: the parcel's tracking number.
        amount: what is claimed: what the customer paid for the units.
        status: ``"open"``, ``"settled"`` or ``"denied"``.
        source: who reported the loss or damage (``"carrier"`` tracking, or the actor).
        filed_at: when it was filed; ``decided_at``: when it was settled or denied.
        settled: what the carrier paid (``None`` until settled).
        reason: why it was denied, or a note on the settlement.
    """

    carrier: str
    tracking_number: str
    amount: Money
    status: str = "open"
    source: str = ""
    filed_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    settled: Money | None = None
    reason: str = ""


@attrs.frozen(kw_only=True)
class AdvanceHold:
    """An advance exchange: the replacement shipped before the return came back.

    The returned units' expected value (``credit``) pays for the replacement, and the
    same amount is held (authorized, not captured) on the replacement's payment as
    security. Accepted at inspection, the hold is ``released`` (voided); never
    returned (the RMA expired or was cancelled), it is ``captured``.

    Attributes:
        order_id: the replacement order (its payment holds the money).
        amount: the amount held.
        credit: the returned units' value credited to the replacement.
        status: ``"held"``, ``"released"`` or ``"captured"``.
        captured: what was captured of the hold (units refused at inspection, or all).
        decided_at: when the hold was released or captured.
    """

    order_id: str
    amount: Money
    credit: Money
    status: str = "held"
    captured: Money | None = None
    decided_at: dt.datetime | None = None


@attrs.define(eq=False)
class Rma(Aggregate):
    """A return merchandise authorization (or a claim) for one order.

    Attributes:
        order_id: the order it belongs to.
        channel: the order's sales channel (its policy applies).
        customer: the order's customer email.
        currency: the order's currency.
        kind: ``"return"``, ``"claim_damaged"`` or ``"claim_lost"``.
        status: see ``omskit.returns.lifecycle``.
        lines: the order lines on it.
        created_at: when it was requested.
        actor: who requested it (the customer, an agent, a connector).
        notes: free text from the customer or an agent.
        photos: references to pictures (URLs or document ids; omskit stores no files).
        location: where the goods go back to; ``location_reason`` says why.
        expires_at: an authorization not received by then expires.
        label_carrier, label_tracking, label_cost: the return label, once issued.
        refunds: refunds paid for it.
        resolution: how it ended (``"refund"``, ``"exchange"``, ``"replace"``...).
        exchange: requested replacement lines as ``(sku, quantity)``.
        replacement_order_id: the order created for an exchange or a replacement.
        carrier_claim: the claim against the carrier (claims only; ``None`` when no
            carrier parcel carried the units).
        advance: the hold of an advance exchange (``None`` for any other RMA).
        history: every step with its actor.
    """

    order_id: str
    channel: str
    customer: str
    currency: str
    kind: str
    status: str
    lines: list[RmaLine]
    created_at: dt.datetime
    actor: str
    notes: tuple[str, ...] = ()
    photos: tuple[str, ...] = ()
    location: str = ""
    location_reason: str = ""
    expires_at: dt.datetime | None = None
    label_carrier: str = ""
    label_tracking: str = ""
    label_cost: Money | None = None
    refunds: list[RefundRecord] = attrs.field(factory=list)
    resolution: str = ""
    exchange: tuple[tuple[str, int], ...] = ()
    replacement_order_id: str = ""
    carrier_claim: CarrierClaim | None = None
    advance: AdvanceHold | None = None
    history: list[RmaEntry] = attrs.field(factory=list)

    @property
    def is_claim(self) -> bool:
        """True for a damaged or lost claim (nothing comes back)."""
        return self.kind != "return"

    def line(self, line_id: str) -> RmaLine | None:
        """The RMA's line for order line ``line_id``, if on it."""
        return next((x for x in self.lines if x.line_id == line_id), None)

    def move(self, action: str, at: dt.datetime, actor: str, note: str = "") -> str:
        """Take ``action`` if the transition table allows it; record who and why."""
        before = self.status
        self.status = next_status(f"return {self.id}", before, action)
        self.history.append(RmaEntry(at, actor, action, before, self.status, note))
        return self.status

    def note_step(self, at: dt.datetime, actor: str, action: str, note: str = "") -> None:
        """Record a step that does not change the status (a label bought, a refund)."""
        self.history.append(RmaEntry(at, actor, action, self.status, self.status, note))

    def clone(self) -> Rma:
        """A copy with its own lines and lists (entries and refunds are immutable)."""
        copy = attrs.evolve(
            self,
            lines=[x.copy() for x in self.lines],
            refunds=list(self.refunds),
            history=list(self.history),
        )
        copy.version = self.version
        return copy


RMAS: Collection[Rma] = Collection(
    "returns",
    Rma,
    indexes={
        "order": lambda r: r.order_id,
        "status": lambda r: r.status,
        "carrier_claim": lambda r: None if r.carrier_claim is None else r.carrier_claim.status,
        "claim_parcel": lambda r: (
            None if r.carrier_claim is None else r.carrier_claim.tracking_number
        ),
    },
    label="return",
)
