"""A Hypothesis state machine drives RMAs of one order through every action at random.

Each action either follows the transition table (and the RMA's status is then exactly
the table's target) or is refused without changing anything. Invariants after every
step: every recorded move is a table move, units held by live returns never exceed the
delivered units, returned units never exceed delivered ones, refunds never exceed what
was captured; an advance exchange's hold is held, released or captured as its return
ends, and its replacement's payment covers what it owes plus the hold.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from omskit import OMS, InvalidTransition, ValidationError
from omskit.returns import RMA_TRANSITIONS, ReturnNotEligible
from omskit.returns.exchanges import ADVANCE_FROM
from omskit.returns.operations import held_units
from omskit.testing import FakeClock

from .returns_helpers import build_world, make_seller


class RmaMachine(RuleBasedStateMachine):
    """One delivered order (3 tees, 2 mugs) and any number of returns against it."""

    rmas = Bundle("rmas")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC))
        self.oms = OMS.in_memory(clock=self.clock, autoload=False)
        build_world(self.oms)
        self.order = make_seller(self.oms)({"TEE": 3, "MUG": 2}, shipping="4.90")
        self.expected: dict[str, str] = {}

    def act(self, rma_id: str, action: str, call: object) -> None:
        rma = self.oms.returns.get(rma_id)
        before = rma.status
        target = RMA_TRANSITIONS[before].get(action)
        if action == "inspect" and target and rma.advance and rma.advance.status == "held":
            target = RMA_TRANSITIONS[target]["exchange"]  # an advance exchange closes too
        try:
            call()  # type: ignore[operator]
        except InvalidTransition:
            assert target is None, f"{action} from {before} is a table move but was refused"
        except (ValidationError, ReturnNotEligible):
            pass
        now = self.oms.returns.get(rma_id).status
        assert now in (before, target)
        self.expected[rma_id] = now

    @rule(target=rmas, tees=st.integers(0, 3), mugs=st.integers(0, 2))
    def request(self, tees: int, mugs: int) -> str:
        lines = {k: v for k, v in (("L1", tees), ("L2", mugs)) if v}
        try:
            rma = self.oms.returns.request(self.order.id, lines or {"L1": 0})
        except (ReturnNotEligible, ValidationError):
            return ""
        self.expected[rma.id] = "requested"
        return rma.id

    @rule(rma=rmas)
    def authorize(self, rma: str) -> None:
        if rma:
            self.act(rma, "authorize", lambda: self.oms.returns.authorize(rma))

    @rule(rma=rmas)
    def reject(self, rma: str) -> None:
        if rma:
            self.act(rma, "reject", lambda: self.oms.returns.reject(rma, reason="worn"))

    @rule(rma=rmas)
    def cancel(self, rma: str) -> None:
        if rma:
            self.act(rma, "cancel", lambda: self.oms.returns.cancel(rma))

    @rule(rma=rmas, part=st.booleans())
    def receive(self, rma: str, part: bool) -> None:
        if not rma:
            return
        lines = self.oms.returns.get(rma).lines
        qty = {x.line_id: (x.quantity + 1) // 2 if part else x.quantity for x in lines}
        self.act(rma, "receive", lambda: self.oms.returns.receive(rma, qty))

    @rule(rma=rmas, refuse=st.integers(0, 2))
    def inspect(self, rma: str, refuse: int) -> None:
        if not rma:
            return
        plan = {}
        for x in self.oms.returns.get(rma).lines:
            if x.received:
                no = min(refuse, x.received)
                plan[x.line_id] = {"restock": x.received - no, "rejected": no}
        self.act(rma, "inspect", lambda: self.oms.returns.inspect(rma, plan))

    @rule(rma=rmas)
    def refund(self, rma: str) -> None:
        if rma:
            self.act(rma, "refund", lambda: self.oms.returns.refund(rma))

    @rule(rma=rmas)
    def exchange(self, rma: str) -> None:
        if rma:
            self.act(rma, "exchange", lambda: self.oms.returns.exchange(rma, {"TEE-L": 1}))

    @rule(target=rmas, tees=st.integers(1, 3))
    def advance_exchange(self, tees: int) -> str:
        """Request, authorize and exchange in advance at once (else it is rarely reached)."""
        try:
            rma = self.oms.returns.request(self.order.id, {"L1": tees}, authorize=True)
        except ReturnNotEligible:
            return ""
        rma = self.oms.returns.exchange(rma.id, {"TEE-L": tees}, advance=True)
        assert rma.advance is not None
        self.expected[rma.id] = "authorized"
        return rma.id

    @rule(rma=rmas)
    def exchange_in_advance(self, rma: str) -> None:
        if not rma:
            return
        before = self.oms.returns.get(rma)
        try:
            self.oms.returns.exchange(rma, {"TEE-L": 1}, advance=True)
        except InvalidTransition:
            assert before.status not in ADVANCE_FROM
            assert not before.replacement_order_id
        after = self.oms.returns.get(rma)
        assert after.status == before.status  # the goods are not back: nothing moves
        if before.status in ADVANCE_FROM and not before.replacement_order_id:
            assert after.advance is not None
            assert after.advance.status == "held"

    @rule(rma=rmas)
    def close(self, rma: str) -> None:
        if rma:
            self.act(rma, "close", lambda: self.oms.returns.close(rma, reason="kept"))

    @rule(days=st.integers(1, 40))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days)
        for rma in self.oms.returns.expire_due():
            assert self.expected[rma.id] in ("authorized", "label_issued")
            self.expected[rma.id] = "expired"

    @invariant()
    def statuses_are_what_the_table_says(self) -> None:
        for rma in self.oms.returns.for_order(self.order.id):
            assert rma.status == self.expected[rma.id]
            for step in rma.history[1:]:
                if step.before == step.after and step.action not in RMA_TRANSITIONS[step.before]:
                    continue  # a noted step (an advance exchange), not a move
                assert RMA_TRANSITIONS[step.before].get(step.action) == step.after

    @invariant()
    def advance_holds_follow_the_return(self) -> None:
        for rma in self.oms.returns.for_order(self.order.id):
            hold = rma.advance
            if hold is None:
                continue
            expected = {"closed": "released", "expired": "captured", "cancelled": "captured"}
            assert hold.status == expected.get(rma.status, "held")
            replacement = self.oms.orders.get(hold.order_id)
            pay = self.oms.payments.get(hold.order_id)
            kept = hold.amount if hold.status == "held" else hold.amount * 0
            assert pay.covered == pay.owed(replacement.total.gross) + kept

    @invariant()
    def quantities_never_exceed_what_was_delivered(self) -> None:
        order = self.oms.orders.get(self.order.id)
        held: dict[str, int] = {}
        for rma in self.oms.returns.for_order(order.id):
            for line_id, qty in held_units(rma).items():
                held[line_id] = held.get(line_id, 0) + qty
        for line in order.lines:
            assert held.get(line.id, 0) <= line.delivered
            assert line.returned <= line.delivered

    @invariant()
    def refunds_never_exceed_what_was_captured(self) -> None:
        payment = self.oms.payments.get(self.order.id)
        assert payment.refunded <= payment.captured
        assert self.oms.inventory.reconcile() == []


TestRmaLifecycle = RmaMachine.TestCase
