"""The returns service: eligibility, the RMA lifecycle, receipt, inspection and refunds.

Reached as ``oms.returns``. Every state-changing method is one transaction (through
``PaymentService.run``, which journals the gateway calls a refund makes): it succeeds
whole or changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from omskit.carriers.model import Label
from omskit.carriers.purchases import LabelPurchase
from omskit.errors import InvalidTransition, ValidationError
from omskit.money import Money, MoneyLike
from omskit.orders.storage import ORDERS
from omskit.plugins.manager import Registry, collect_registry
from omskit.returns import claims, exchanges, labels, timeline
from omskit.returns import operations as ops
from omskit.returns.events import ClaimFiled
from omskit.returns.lifecycle import next_status
from omskit.returns.model import CARRIER_CLAIM_STATUSES, RMAS, Rma
from omskit.returns.policy import ReturnCheck, parse_lines
from omskit.returns.ports import ReturnsServices
from omskit.returns.refunds import RefundBreakdown
from omskit.returns.rules import ReturnRule
from omskit.returns.settings import ReturnSettings
from omskit.returns.totals import ReturnTotals, order_totals
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_text

__all__ = ["ReturnsService", "ReturnsServices"]

T = TypeVar("T")


def _actor(actor: Any) -> str:
    return check_text(actor, "actor", max_length=100)


def _texts(values: Sequence[Any], field: str) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ValidationError(field, values, "expected a list of texts")
    return tuple(check_text(v, f"{field}[{i}]", max_length=2000) for i, v in enumerate(values))


class ReturnsService:
    """Returns (RMAs), their policy, refunds, exchanges and claims.

    Settings come from configuration section ``returns`` ([`ReturnSettings`][]);
    eligibility rules from the ``omskit_register_return_rules`` hook.
    """

    def __init__(self, runtime: Runtime, services: ReturnsServices) -> None:
        self.runtime = runtime
        self.services = services
        self.settings = ReturnSettings.from_mapping(runtime.config.section("returns"))
        self._rules: Registry[ReturnRule] | None = None
        services.carriers.add_tracking_listener(
            lambda uow, record, new: labels.on_tracking(self, uow, record, new)
        )
        services.carriers.add_tracking_listener(
            lambda uow, record, new: claims.on_lost_parcel(self, uow, record, new)
        )
        services.orders.add_timeline_source(timeline.timeline_entries)

    @property
    def rules(self) -> Registry[ReturnRule]:
        """Eligibility rules registered through ``omskit_register_return_rules``, by name."""
        if self._rules is None:
            self._rules = collect_registry(
                self.runtime.plugins, "omskit_register_return_rules", "return rule"
            )
        return self._rules

    def _run(self, use_case: Callable[[UnitOfWork], T]) -> T:
        return self.services.payments.run(use_case)

    def _change(self, rma_id: str, change: Callable[[UnitOfWork, Rma], Rma]) -> Rma:
        return self._run(lambda uow: change(uow, ops.load_rma(uow, rma_id)))

    def _lines(self, lines: Any) -> list[Any]:
        return parse_lines(lines, self.settings.reasons.codes(), default_reason="other")

    # -- policy -------------------------------------------------------------------------
    def check(
        self,
        order_id: str,
        lines: Mapping[str, int] | Sequence[Mapping[str, Any]],
        *,
        customer: str | None = None,
    ) -> ReturnCheck:
        """Say, per line, whether it may come back and why; nothing is created.

        ``lines`` is ``{line_id: quantity}`` or a list of
        ``{"line", "quantity", "reason", "condition"}``.

        Raises:
            NotFound: no such order.
            ValidationError: malformed lines (field, value, what is allowed).
            ReturnNotEligible: ``customer`` is not the order's customer.
        """
        requests = self._lines(lines)
        with self.runtime.storage.unit_of_work() as uow:
            return ops.check_in(self, uow, order_id, requests, customer=customer)

    # -- lifecycle ----------------------------------------------------------------------
    def request(
        self,
        order_id: str,
        lines: Mapping[str, int] | Sequence[Mapping[str, Any]],
        *,
        customer: str | None = None,
        notes: Sequence[str] = (),
        photos: Sequence[str] = (),
        authorize: bool = False,
        actor: str = "customer",
    ) -> Rma:
        """Open a return for ``lines`` (see [`check`][]); with ``authorize``, accept it too.

        ``photos`` are references (URLs, document ids); omskit stores no files.

        Raises:
            ReturnNotEligible: a line the policy refuses (each named with why), or
                ``customer`` is not the order's; nothing is created.
            NotFound: no such order.
            ValidationError: malformed input.
        """
        requests = self._lines(lines)
        actor = _actor(actor)
        note_list, photo_list = _texts(notes, "notes"), _texts(photos, "photos")

        def use_case(uow: UnitOfWork) -> Rma:
            rma = ops.request_in(
                self,
                uow,
                order_id,
                requests,
                customer=customer,
                notes=note_list,
                photos=photo_list,
                exchange=(),
                actor=actor,
            )
            if authorize:
                ops.authorize_in(self, uow, rma, location=None, actor=actor)
            return rma

        return self._run(use_case)

    def authorize(self, rma_id: str, *, location: str | None = None, actor: str = "system") -> Rma:
        """Accept a requested return; the goods go to ``location`` (default: chosen by rule).

        The choice and its reason are kept on the RMA (``location``, ``location_reason``);
        the authorization expires after the policy's ``authorization_days``.
        """
        actor = _actor(actor)
        return self._change(
            rma_id,
            lambda uow, rma: ops.authorize_in(self, uow, rma, location=location, actor=actor),
        )

    def reject(self, rma_id: str, *, reason: str, actor: str = "system") -> Rma:
        """Refuse a requested return, saying why."""
        reason, actor = check_text(reason, "reason"), _actor(actor)
        return self._change(
            rma_id,
            lambda uow, rma: ops.stop_in(self, uow, rma, "reject", reason=reason, actor=actor),
        )

    def cancel(self, rma_id: str, *, reason: str = "", actor: str = "customer") -> Rma:
        """Withdraw a return before its goods are on their way.

        The hold of an advance exchange is then captured: the customer keeps the
        replacement and pays for it.
        """
        reason = check_text(reason, "reason", required=False)
        actor = _actor(actor)

        def change(uow: UnitOfWork, rma: Rma) -> Rma:
            rma = ops.stop_in(self, uow, rma, "cancel", reason=reason, actor=actor)
            exchanges.forfeit_advance_in(self, uow, rma, actor=actor)
            return rma

        return self._change(rma_id, change)

    def expire_due(self, *, actor: str = "system") -> list[Rma]:
        """Expire every authorization whose time ran out before its goods arrived.

        An advance exchange's hold is captured (the replacement is paid for).
        """
        actor = _actor(actor)
        now = self.runtime.clock.now()

        def use_case(uow: UnitOfWork) -> list[Rma]:
            done = []
            for status in ("authorized", "label_issued"):
                for rma in uow.repo(RMAS).list_by("status", status):
                    if rma.expires_at is not None and rma.expires_at < now:
                        exchanges.forfeit_advance_in(self, uow, rma, actor=actor)
                        done.append(
                            ops.stop_in(
                                self, uow, rma, "expire", actor=actor, reason="not received in time"
                            )
                        )
            return done

        return self._run(use_case)

    def receive(
        self,
        rma_id: str,
        quantities: Mapping[str, int] | None = None,
        *,
        location: str | None = None,
        actor: str = "warehouse",
    ) -> Rma:
        """Record the units that arrived (default: all), at ``location``.

        ``location`` defaults to the one chosen at authorization; any active location
        may receive (a store taking a return over the counter).
        """
        actor = _actor(actor)
        return self._change(
            rma_id,
            lambda uow, rma: ops.receive_in_rma(
                self, uow, rma, quantities, location=location, actor=actor
            ),
        )

    def inspect(
        self,
        rma_id: str,
        dispositions: Mapping[str, str | Mapping[str, int]] | None = None,
        *,
        actor: str = "warehouse",
    ) -> Rma:
        """Decide each received unit: ``restock``, ``quarantine``, ``scrap``, ``rejected``.

        ``dispositions`` is ``{line_id: "restock"}`` (every received unit of the line) or
        ``{line_id: {"restock": 2, "scrap": 1}}``; default: restock everything. Restocked
        units become sellable at the receiving location, quarantined ones are booked
        there blocked, scrapped ones are booked and written off (all in the ledger,
        reference the RMA id); rejected units are not accepted and not refunded. The
        order's ``OrderLine.returned`` counts the accepted units.
        """
        actor = _actor(actor)

        def change(uow: UnitOfWork, rma: Rma) -> Rma:
            rma = ops.inspect_in(self, uow, rma, dispositions, actor=actor)
            if rma.advance is not None and rma.advance.status == "held":
                rma = exchanges.finish_advance_in(self, uow, rma, actor=actor)
            return rma

        return self._change(rma_id, change)

    def simulate(self, rma_id: str) -> RefundBreakdown:
        """The refund [`refund`][] would pay now, part by part; nothing changes."""
        with self.runtime.storage.unit_of_work() as uow:
            return ops.simulate_in(self, uow, ops.load_rma(uow, rma_id))

    def refund(
        self,
        rma_id: str,
        *,
        idempotency_key: str | None = None,
        reason: str = "",
        to: str = "original",
        store_credit: MoneyLike | str | None = None,
        actor: str = "system",
    ) -> Rma:
        """Refund the inspected return and close it.

        The amount is [`simulate`][]'s: never more than the payment holds (captured
        minus refunded, plus store credit spent on the order). It goes to the original
        payment (``to="original"``), all of it to the customer's store credit
        (``to="store_credit"``), or split: ``store_credit`` of it to store credit and the
        rest to the card. The card never takes back more than it paid; what store
        credit paid goes back to store credit. A repeated ``idempotency_key`` changes
        nothing.

        Raises:
            InvalidTransition: the return is not inspected (or already closed).
            IdempotencyConflict: the key refunded another return.
            ValidationError: an unknown ``to``; ``store_credit`` above the refund.
            PaymentDeclined, GatewayUnavailable: the gateway refused; nothing changes.
        """
        key = None if idempotency_key is None else check_text(idempotency_key, "idempotency_key")
        reason = check_text(reason, "reason", required=False)
        if to not in ("original", "store_credit"):
            raise ValidationError("to", to, "expected 'original' or 'store_credit'")
        actor = _actor(actor)

        def change(uow: UnitOfWork, rma: Rma) -> Rma:
            split = None
            if store_credit is not None:
                split = Money.of(store_credit, rma.currency, "store_credit")
            return ops.refund_in(
                self, uow, rma, key=key, reason=reason, actor=actor, to=to, store_credit=split
            )

        return self._change(rma_id, change)

    def close(self, rma_id: str, *, reason: str, actor: str = "system") -> Rma:
        """Close an inspected return without refunding it."""
        reason, actor = check_text(reason, "reason"), _actor(actor)
        return self._change(
            rma_id, lambda uow, rma: ops.close_in(self, uow, rma, reason=reason, actor=actor)
        )

    def issue_label(self, rma_id: str, *, actor: str = "system") -> Rma:
        """Buy a return label for an authorized return from the carrier that delivered it.

        Its cost is kept on the RMA (``label_cost``) and deducted from the refund when
        the policy says the customer pays (``label_paid_by``). The label's tracking moves
        the RMA to ``in_transit`` once the carrier has the parcel.

        Raises:
            InvalidTransition: the return is not authorized.
            ValidationError: a claim, or no carrier parcel to return.
            CarrierUnavailable: the carrier failed; nothing changes (a label bought
                before the failure is voided, an unknown outcome is journaled).
        """
        actor = _actor(actor)
        bought: list[Label] = []
        attempts: list[LabelPurchase] = []
        try:
            return self._change(
                rma_id,
                lambda uow, rma: labels.issue_label_in(
                    self, uow, rma, actor=actor, bought=bought, attempts=attempts
                ),
            )
        except Exception:
            self.services.carriers.settle_failed(bought, attempts)
            raise

    def exchange(
        self,
        rma_id: str,
        lines: Mapping[str, int] | Sequence[Mapping[str, Any]],
        *,
        advance: bool = False,
        actor: str = "system",
    ) -> Rma:
        """Replace the inspected return's accepted units with ``lines`` (``{sku: qty}``).

        A replacement order is captured (idempotently) and routed like any other; the
        returned units' value pays for it, and the difference is authorized on the
        original payment method (dearer) or refunded to the original payment (cheaper).
        ``rma.replacement_order_id`` names it; ``rma.refunds`` records the credit.

        With ``advance``, the replacement ships before the goods come back (the return
        is authorized, not yet received): the units' expected value is credited and as
        much is held on the customer's payment method (``rma.advance``). Inspection
        releases the hold (capturing only the share of units it refuses); expiry or
        cancellation captures it.

        Raises:
            InvalidTransition: the return is not inspected (with ``advance``: not
                authorized, or already received).
            PaymentDeclined: the difference or the hold was refused; the replacement is
                cancelled.
            ValidationError, OrderRejected, InsufficientStock: as capture raises them.
        """
        wanted, actor = exchanges.parse_replacement(lines), _actor(actor)
        if advance:
            return self._replace(rma_id, wanted, action="advance", free=False, actor=actor)
        return self._replace(rma_id, wanted, action="exchange", free=False, actor=actor)

    def claim(
        self,
        order_id: str,
        lines: Mapping[str, int] | Sequence[Mapping[str, Any]],
        *,
        kind: str,
        resolution: str = "refund",
        tracking_number: str | None = None,
        notes: Sequence[str] = (),
        photos: Sequence[str] = (),
        actor: str = "agent",
    ) -> Rma:
        """Settle units that were ``"lost"`` in transit or arrived ``"damaged"``.

        Nothing comes back: the claim is requested, authorized and resolved at once,
        either by a ``"refund"`` of the units or by a ``"replace"`` ment order that costs
        the customer nothing. Shipped (not necessarily delivered) units may be claimed.
        A claim against the carrier of the parcel (``tracking_number``, default: the
        parcel that carried the lines) is filed on the RMA (``rma.carrier_claim``) for
        what the customer paid for the units; decide it later with
        [`settle_carrier_claim`][] or [`deny_carrier_claim`][].

        Raises:
            ValidationError: an unknown ``kind`` or ``resolution``, malformed lines, a
                ``tracking_number`` of no parcel of the order.
            ReturnNotEligible: more units than were shipped and not returned or claimed.
        """
        if kind not in ("lost", "damaged"):
            raise ValidationError("kind", kind, "expected 'lost' or 'damaged'")
        if resolution not in ("refund", "replace"):
            raise ValidationError("resolution", resolution, "expected 'refund' or 'replace'")
        requests = parse_lines(lines, self.settings.reasons.codes(), default_reason=kind)
        actor = _actor(actor)
        note_list, photo_list = _texts(notes, "notes"), _texts(photos, "photos")
        parcel = None if tracking_number is None else check_text(tracking_number, "tracking_number")

        def open_claim(uow: UnitOfWork) -> Rma:
            rma = ops.request_in(
                self,
                uow,
                order_id,
                requests,
                customer=None,
                notes=note_list,
                photos=photo_list,
                exchange=(),
                actor=actor,
                kind=f"claim_{kind}",
            )
            ops.authorize_in(self, uow, rma, location=None, actor=actor)
            rma.record(
                ClaimFiled(
                    rma_id=rma.id,
                    order_id=order_id,
                    kind=kind,
                    resolution=resolution,
                    actor=actor,
                    lines=tuple((x.line_id, x.quantity) for x in rma.lines),
                )
            )
            claims.file_in(self, uow, rma, tracking_number=parcel, source=actor, actor=actor)
            if resolution == "refund":
                ops.refund_in(
                    self, uow, rma, key=None, reason=f"claim: {kind}", actor=actor, action="resolve"
                )
            return rma

        rma = self._run(open_claim)
        if resolution == "refund":
            return rma
        wanted = tuple((x.sku, x.quantity) for x in rma.lines)
        return self._replace(rma.id, wanted, action="resolve", free=True, actor=actor)

    def resolve_claim(self, rma_id: str, *, resolution: str, actor: str = "agent") -> Rma:
        """Settle with the customer a claim opened from carrier tracking (a lost parcel).

        ``resolution`` is ``"refund"`` (the units' value back to the original payment)
        or ``"replace"`` (a free replacement order).

        Raises:
            ValidationError: an unknown ``resolution``, or the RMA is not a claim.
            InvalidTransition: the claim is already resolved.
        """
        if resolution not in ("refund", "replace"):
            raise ValidationError("resolution", resolution, "expected 'refund' or 'replace'")
        actor = _actor(actor)
        rma = self.get(rma_id)
        if not rma.is_claim:
            raise ValidationError("rma_id", rma_id, "is a return, not a claim")
        if resolution == "replace":
            wanted = tuple((x.sku, x.quantity) for x in rma.lines)
            return self._replace(rma.id, wanted, action="resolve", free=True, actor=actor)
        return self._change(
            rma_id,
            lambda uow, r: ops.refund_in(
                self, uow, r, key=None, reason=f"claim: {r.kind}", actor=actor, action="resolve"
            ),
        )

    def settle_carrier_claim(
        self,
        rma_id: str,
        amount: MoneyLike | str | None = None,
        *,
        note: str = "",
        actor: str = "agent",
    ) -> Rma:
        """The carrier paid the claim: ``amount`` (default: everything claimed).

        Raises:
            ValidationError: no carrier claim; an amount above the claim or not positive.
            InvalidTransition: the claim was already settled or denied.
        """
        note, actor = check_text(note, "note", required=False), _actor(actor)

        def change(uow: UnitOfWork, rma: Rma) -> Rma:
            paid = None if amount is None else Money.of(amount, rma.currency, "amount")
            return claims.decide_in(
                self, uow, rma, outcome="settle", amount=paid, reason=note, actor=actor
            )

        return self._change(rma_id, change)

    def deny_carrier_claim(self, rma_id: str, *, reason: str, actor: str = "agent") -> Rma:
        """The carrier refused the claim, saying why.

        Raises:
            ValidationError: no carrier claim, or an empty reason.
            InvalidTransition: the claim was already settled or denied.
        """
        reason, actor = check_text(reason, "reason"), _actor(actor)
        return self._change(
            rma_id,
            lambda uow, rma: claims.decide_in(
                self, uow, rma, outcome="deny", amount=None, reason=reason, actor=actor
            ),
        )

    def _replace(
        self,
        rma_id: str,
        wanted: tuple[tuple[str, int], ...],
        *,
        action: str,
        free: bool,
        actor: str,
    ) -> Rma:
        with self.runtime.storage.unit_of_work() as uow:
            rma = ops.load_rma(uow, rma_id)
            if rma.replacement_order_id:
                return rma
            if action == "advance":
                if rma.status not in exchanges.ADVANCE_FROM:
                    raise InvalidTransition(
                        f"return {rma.id}",
                        rma.status,
                        "exchange in advance",
                        list(exchanges.ADVANCE_FROM),
                    )
            else:
                next_status(f"return {rma.id}", rma.status, action)
            order = uow.repo(ORDERS).get(rma.order_id)
        replacement = exchanges.capture_replacement(self, rma, order, wanted, actor)

        def settle(uow: UnitOfWork, r: Rma) -> Rma:
            if action == "advance":
                return exchanges.advance_in(self, uow, r, replacement.id, actor=actor)
            return exchanges.settle_replacement_in(
                self, uow, r, replacement.id, action=action, free=free, actor=actor
            )

        try:
            return self._change(rma_id, settle)
        except Exception:
            self.services.orders.cancel(
                replacement.id, reason=f"the exchange for return {rma_id} failed", actor=actor
            )
            raise

    # -- reads --------------------------------------------------------------------------
    def get(self, rma_id: str) -> Rma:
        """The return ``rma_id``; raises [`UnknownReturn`][omskit.returns.errors.UnknownReturn]."""
        with self.runtime.storage.unit_of_work() as uow:
            return ops.load_rma(uow, rma_id)

    def carrier_claims(self, status: str = "open") -> list[Rma]:
        """Claims whose claim against the carrier is ``status`` (open, settled, denied).

        Raises:
            ValidationError: an unknown status.
        """
        if status not in CARRIER_CLAIM_STATUSES:
            allowed = ", ".join(CARRIER_CLAIM_STATUSES)
            raise ValidationError("status", status, f"expected one of {allowed}")
        with self.runtime.storage.unit_of_work() as uow:
            found = uow.repo(RMAS).list_by("carrier_claim", status)
        return sorted(found, key=lambda r: (r.created_at, r.id))

    def totals(self, order_id: str) -> ReturnTotals:
        """The order's totals after its returns: per line, per tax rate, net sales.

        Raises:
            NotFound: no such order.
        """
        with self.runtime.storage.unit_of_work() as uow:
            order = uow.repo(ORDERS).get(order_id)
            found = uow.repo(RMAS).list_by("order", order.id)
        return order_totals(order, sorted(found, key=lambda r: (r.created_at, r.id)))

    def for_order(self, order_id: str) -> list[Rma]:
        """Every return of ``order_id``, oldest first."""
        with self.runtime.storage.unit_of_work() as uow:
            found = uow.repo(RMAS).list_by("order", order_id)
        return sorted(found, key=lambda r: (r.created_at, r.id))
