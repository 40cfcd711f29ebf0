"""Stateful test of money through orders: edits, refunds, cancels and shipments reconcile.

Each run picks a currency (JPY, EUR, KWD: 0, 2 and 3 decimals), prices with tax included
or excluded, and when money is taken (``payments.capture``: at order, at shipment, or by
hand). Then random steps: capture orders (some with a shipping charge, some with a coupon
that makes them cost nothing, some with a card the gateway declines or flags), edit them
up and down, add lines, cancel units and whole orders, give goodwill refunds, capture by
hand, ship what is allocated, pay for held orders and release them.

Invariants after every step, to the minor unit, for every order ``o`` and its payment
``p`` (``goodwill`` is what the test itself gave as goodwill refunds, counted here):

* **the order adds up**: ``o.total == sum(line totals) + o.shipping + o.duties``, net
  and gross; a cancelled order's total, shipping and lines are all zero, and a live one
  keeps the shipping charge it was captured with;
* **the customer pays exactly for what they keep, less goodwill**: with
  ``owed = max(0, o.total.gross - goodwill)``, ``(p.captured - p.refunded) + p.open ==
  owed`` whenever the payment is authorized at all (not ``pending``/``failed``), and a
  payment that was never authorized owes nothing or waits for a new method;
* **open authorizations are the order's unpaid total**: ``p.open == owed - p.balance``
  (the same equation, read the other way); with capture at order nothing stays open on
  a live order that is not on hold, and with capture at shipment nothing stays open once
  every unit shipped;
* **no refund exceeds what was captured**: on every authorization ``refunded <=
  captured <= authorized - voided``, every capture, void and refund the gateway was sent
  succeeded (it declines a refund over what was captured), and each authorization's
  amounts are exactly the sandbox's own ledger; the sandbox holds no authorization that
  no stored payment lists;
* **goodwill is its own record**: the payment's adjustments sum to the goodwill given
  and each names the refunds that paid it;
* nothing is left for compensation (no faults are injected here).

``REFUSED`` errors must change nothing but the payment's record of a declined call.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from omskit import OMS
from omskit.errors import InvalidTransition, NotFound, PaymentError, ValidationError
from omskit.money import Money, TaxedMoney
from omskit.orders import ORDERS
from omskit.payments import PAYMENTS, GatewayUnavailable, SandboxGateway
from omskit.testing import FakeClock

from ...faults import InjectedFault, faulty_oms  # noqa: TID252 - shared fakes

REFUSED = (InvalidTransition, ValidationError, PaymentError, NotFound)

#: per currency: unit prices of three SKUs and the shipping charge
PRICES = {
    "JPY": ({"TEN": "1200", "MUG": "1580", "CAP": "1990"}, "600"),
    "EUR": ({"TEN": "10.00", "MUG": "12.50", "CAP": "15.99"}, "4.90"),
    "KWD": ({"TEN": "3.250", "MUG": "4.125", "CAP": "5.005"}, "1.750"),
}
SKUS = ("TEN", "MUG", "CAP")
METHODS = ("tok_visa", "tok_visa", "tok_visa", "tok_review", "tok_declined")


class MoneyMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC))
        self.count = 0
        self.goodwill: dict[str, Money] = {}
        self.shipping: dict[str, TaxedMoney] = {}

    @initialize(
        currency=st.sampled_from(sorted(PRICES)),
        includes_tax=st.booleans(),
        capture=st.sampled_from(["order", "shipment", "manual"]),
    )
    def setup(self, currency: str, includes_tax: bool, capture: str) -> None:
        self.currency, self.mode = currency, capture
        self.oms = oms = self.build({"payments": {"capture": capture}})
        prices, self.shipping_charge = PRICES[currency]
        oms.channels.update("web", currencies=[currency])
        oms.pricing.add_price_list("default", currency, includes_tax=includes_tax)
        oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
        for sku, price in prices.items():
            oms.catalog.add_product(sku, name=sku, price=price, currency=currency)
            oms.pricing.set_price("default", sku, price)
            oms.inventory.receive(sku, location="BER", quantity=400)
        oms.pricing.add_promotion(
            "FREE", name="On the house", kind="percent", percent=100, coupon_only=True
        )
        oms.pricing.add_coupon("FREE", "FREE")

    def build(self, config: dict[str, Any]) -> OMS:
        return OMS.in_memory(config, clock=self.clock, autoload=False)

    def sandbox(self) -> SandboxGateway:
        gateway = self.oms.payments.gateway("sandbox")
        assert isinstance(gateway, SandboxGateway)
        return gateway

    def given_goodwill(self, order_id: str) -> Money:
        return self.goodwill[order_id]

    def unlisted_ok(self, ledgers: dict[str, dict[str, Decimal]]) -> None:
        assert ledgers == {}, ledgers  # every authorization belongs to a stored payment

    def unsettled(self) -> bool:
        return False  # no faults here: nothing is ever left to compensate

    def money(self, amount: Decimal | int | str) -> Money:
        return Money(amount, self.currency)

    # -- helpers -----------------------------------------------------------------------
    def attempt(self, order_id: str, action: Any) -> bool:
        before = self.oms.orders.get(order_id)
        payment = self.oms.payments.find(order_id)
        try:
            action()
        except PaymentError:
            if payment is not None:  # a declined call is kept on the payment's record only
                after = self.oms.payments.get(order_id)
                assert after.covered == payment.covered
                assert after.adjustments == payment.adjustments
            return False
        except REFUSED:
            assert self.oms.orders.get(order_id).version == before.version
            if payment is not None:
                assert self.oms.payments.get(order_id).version == payment.version
            return False
        return True

    # -- rules -------------------------------------------------------------------------
    @rule(
        target=orders,
        lines=st.lists(
            st.tuples(st.sampled_from(SKUS), st.integers(1, 4)),
            min_size=1,
            max_size=3,
            unique_by=lambda t: t[0],
        ),
        method=st.sampled_from(METHODS),
        shipping=st.booleans(),
        free=st.integers(0, 6),
    )
    def capture(self, lines: list[tuple[str, int]], method: str, shipping: bool, free: int) -> str:
        self.count += 1
        self.clock.advance(minutes=7)
        payload: dict[str, Any] = {
            "channel": "web",
            "external_id": f"M-{self.count}",
            "currency": self.currency,
            "customer": {"email": f"c{self.count}@example.com"},
            "ship_to": {
                "country": "DE",
                "line1": f"Street {self.count}",
                "city": "Berlin",
                "postal_code": "10115",
            },
            "lines": [{"sku": s, "quantity": q} for s, q in lines],
            "payment": {"method": method},
        }
        if shipping and free:
            payload["shipping"] = self.shipping_charge
        if free == 0:
            payload["coupons"] = ["FREE"]
        order = self.oms.orders.capture(payload)
        self.goodwill[order.id] = self.money(0)
        self.shipping[order.id] = order.shipping
        return order.id

    def line_of(self, order_id: str, pick: int) -> str:
        """One of the order's lines (an unknown one now and then: a refused edit)."""
        lines = self.oms.orders.get(order_id).lines
        return lines[pick % len(lines)].id if pick < 40 else f"L{len(lines) + 1}"

    @rule(order=orders, pick=st.integers(0, 41), qty=st.integers(1, 5))
    def edit_quantity(self, order: str, pick: int, qty: int) -> None:
        line_id = self.line_of(order, pick)
        self.attempt(order, lambda: self.oms.orders.edit(order, {"quantities": {line_id: qty}}))

    @rule(order=orders, sku=st.sampled_from(SKUS), qty=st.integers(1, 3))
    def edit_add_line(self, order: str, sku: str, qty: int) -> None:
        if any(x.sku == sku for x in self.oms.orders.get(order).lines):
            return  # one line per SKU: routing does not pool lines of one SKU
        self.attempt(
            order, lambda: self.oms.orders.edit(order, {"add": [{"sku": sku, "quantity": qty}]})
        )

    @rule(order=orders, chance=st.integers(0, 3))
    def cancel(self, order: str, chance: int) -> None:
        if chance == 0:  # now and then: a cancelled order takes no other step
            self.attempt(order, lambda: self.oms.orders.cancel(order, reason="changed mind"))

    @rule(order=orders, pick=st.integers(0, 41), qty=st.integers(1, 2))
    def cancel_units(self, order: str, pick: int, qty: int) -> None:
        line_id = self.line_of(order, pick)
        self.attempt(
            order, lambda: self.oms.orders.cancel_lines(order, {line_id: qty}, reason="fewer")
        )

    @rule(order=orders, percent=st.integers(1, 130))
    def goodwill_refund(self, order: str, percent: int) -> None:
        payment = self.oms.payments.find(order)
        if payment is None:
            return
        minor = payment.balance.minor_units * percent // 100
        if minor <= 0:
            return
        amount = Money.from_minor_units(minor, self.currency)
        done = self.attempt(order, lambda: self.oms.orders.refund(order, amount, reason="goodwill"))
        if done:
            self.goodwill[order] += amount

    @rule(order=orders, percent=st.integers(1, 120))
    def capture_by_hand(self, order: str, percent: int) -> None:
        payment = self.oms.payments.find(order)
        if payment is None or not payment.open_amount.amount:
            return
        minor = max(1, payment.open_amount.minor_units * percent // 100)
        amount = Money.from_minor_units(minor, self.currency)
        self.attempt(order, lambda: self.oms.orders.capture_payment(order, amount))

    @rule(order=orders)
    def pay_and_release(self, order: str) -> None:
        current = self.oms.orders.get(order)
        if not current.on_hold:
            return
        if current.payment_status == "failed":
            self.attempt(order, lambda: self.oms.orders.pay(order, "tok_visa"))
        self.attempt(order, lambda: self.oms.orders.release(order, reason="reviewed"))

    @rule(order=orders, part=st.integers(0, 2))
    def ship(self, order: str, part: int) -> None:
        current = self.oms.orders.get(order)
        ready = {x.id: x.allocated - x.shipped for x in current.lines if x.allocated > x.shipped}
        if part and ready:
            first = sorted(ready)[0]
            ready = {first: 1}
        if not ready or current.on_hold:
            return
        self.count += 1
        with self.oms.runtime.transaction() as uow:
            self.oms.orders.record_shipment_in(uow, order, ready, shipment_id=f"s{self.count}")
            for line_id, qty in ready.items():  # what fulfillment does with the stock
                self.oms.inventory.consume_in(
                    uow, reference=order, line_ref=line_id, location="BER", quantity=qty
                )

    # -- invariants --------------------------------------------------------------------
    def _orders(self) -> list[Any]:
        with self.oms.runtime.storage.unit_of_work() as uow:
            return list(uow.repo(ORDERS).scan())

    @invariant()
    def orders_add_up(self) -> None:
        if not hasattr(self, "oms"):
            return
        for order in self._orders():
            zero = self.money(0)
            duties = order.duties if order.duties is not None else zero
            gross = sum((x.total.gross for x in order.lines), zero)
            net = sum((x.total.net for x in order.lines), zero)
            assert order.total.gross == gross + order.shipping.gross + duties
            assert order.total.net == net + order.shipping.net + duties
            if order.status == "cancelled":
                assert order.total.gross.is_zero
                assert order.shipping.gross.is_zero
                assert all(x.total.gross.is_zero for x in order.lines)
            else:
                assert order.shipping == self.shipping[order.id]

    @invariant()
    def payments_cover_what_is_owed(self) -> None:
        if not hasattr(self, "oms") or self.unsettled():
            return
        sandbox = self.sandbox().ledgers()
        listed: set[str] = set()
        for order in self._orders():
            payment = self.oms.payments.get(order.id)
            zero = self.money(0)
            goodwill = self.given_goodwill(order.id)
            owed = max(order.total.gross - goodwill, zero)
            assert order.payment_status == payment.status
            assert payment.goodwill == goodwill
            if payment.status == "pending":
                assert owed.is_zero
            elif payment.status == "failed":
                assert payment.covered.is_zero
                assert order.on_hold or order.status == "cancelled"
            else:
                assert payment.balance + payment.open_amount == owed, (payment.explain(), owed)
            live = order.status != "cancelled"
            if self.mode == "order" and live and not order.on_hold:
                assert payment.open_amount.is_zero, payment.explain()
            active = [x for x in order.lines if x.active]
            if self.mode == "shipment" and active and all(x.shipped >= x.active for x in active):
                assert payment.open_amount.is_zero, payment.explain()
            for txn in payment.transactions:
                if txn.kind != "authorize":
                    assert txn.succeeded, (txn, payment.explain())
            for ledger in payment.authorizations:
                listed.add(ledger.id)
                assert zero <= ledger.refunded <= ledger.captured
                assert ledger.captured + ledger.voided <= ledger.authorized
                assert sandbox[ledger.id] == {
                    "authorized": ledger.authorized.amount,
                    "captured": ledger.captured.amount,
                    "voided": ledger.voided.amount,
                    "refunded": ledger.refunded.amount,
                }
            by_id = {t.id: t for t in payment.transactions}
            for adjustment in payment.adjustments:
                paid_by = [by_id[i] for i in adjustment.transactions]
                assert all(t.kind == "refund" and t.succeeded for t in paid_by)
                assert sum((t.amount for t in paid_by), zero) == adjustment.amount
        self.unlisted_ok({k: v for k, v in sandbox.items() if k not in listed})
        assert self.oms.payments.pending_compensations() == []


TestMoneyMachine = MoneyMachine.TestCase
TestMoneyMachine.settings = settings(stateful_step_count=18, deadline=None)


class MoneyUnderFaults(MoneyMachine):
    """The same steps and invariants with gateway and store faults injected between them.

    A fault is armed for the next step: the gateway fails an operation before, during or
    after its side effect (once, three times: more than the retries, or until healed), or
    the next commit writing orders or payments raises before or after writing
    (``tests/faults.py``). A step a fault breaks raises the injected error and nothing else.
    The invariants are checked whenever no compensation is pending; ``heal_and_retry``
    heals the fakes and retries compensations, after which none may be left, and every
    authorization the sandbox made that no stored payment lists must be fully undone
    (nothing open, every capture refunded). Goodwill is read from the payment here (a
    refund whose answer was lost may or may not have happened).
    """

    def build(self, config: dict[str, Any]) -> OMS:
        self.faults = faulty_oms(self.clock, config)
        return self.faults.oms

    def sandbox(self) -> SandboxGateway:
        return self.faults.gateway.inner

    def given_goodwill(self, order_id: str) -> Money:
        return self.oms.payments.get(order_id).goodwill

    def unsettled(self) -> bool:
        return bool(self.oms.payments.pending_compensations())

    def unlisted_ok(self, ledgers: dict[str, dict[str, Decimal]]) -> None:
        for ledger in ledgers.values():  # undone: released, and refunded if taken
            assert ledger["authorized"] == ledger["captured"] + ledger["voided"], ledger
            assert ledger["captured"] == ledger["refunded"], ledger

    def attempt(self, order_id: str, action: Any) -> bool:
        faulted: list[BaseException] = []

        def guarded() -> Any:
            try:
                return action()
            except (InjectedFault, GatewayUnavailable) as exc:
                if not injected(exc):
                    raise
                faulted.append(exc)
                return None

        return super().attempt(order_id, guarded) and not faulted

    @rule(
        target=MoneyMachine.orders,
        lines=st.lists(
            st.tuples(st.sampled_from(SKUS), st.integers(1, 4)),
            min_size=1,
            max_size=3,
            unique_by=lambda t: t[0],
        ),
        method=st.sampled_from(METHODS),
        shipping=st.booleans(),
        free=st.integers(0, 6),
    )
    def capture(self, lines: list[tuple[str, int]], method: str, shipping: bool, free: int) -> Any:
        try:
            return super().capture(lines, method, shipping, free)
        except (InjectedFault, GatewayUnavailable) as exc:
            if not injected(exc):
                raise
            return multiple()

    @rule(order=MoneyMachine.orders, part=st.integers(0, 2))
    def ship(self, order: str, part: int) -> None:
        try:
            super().ship(order, part)
        except (InjectedFault, GatewayUnavailable) as exc:  # fulfillment retries it
            if not injected(exc):
                raise
            self.faults.gateway.heal()
            self.faults.store.heal()
            super().ship(order, part)

    @rule(
        operation=st.sampled_from(["authorize", "capture", "void", "refund"]),
        when=st.sampled_from(["before", "during", "after"]),
        times=st.sampled_from([1, 3, None]),
    )
    def gateway_fault(self, operation: str, when: Any, times: int | None) -> None:
        self.faults.gateway.heal()
        self.faults.gateway.fail(operation, when, times=times)

    @rule(when=st.sampled_from(["before", "after"]), orders_too=st.booleans())
    def store_fault(self, when: Any, orders_too: bool) -> None:
        self.faults.store.heal()
        self.faults.store.fail_commit(when, writing=ORDERS if orders_too else PAYMENTS)

    @rule()
    def heal_and_retry(self) -> None:
        self.faults.gateway.heal()
        self.faults.store.heal()
        for _ in range(3):  # a recorded change may need a settlement after it
            self.oms.payments.retry_compensations()
        assert self.oms.payments.pending_compensations() == []


def injected(exc: BaseException) -> bool:
    """Whether ``exc`` is one of the faults the fakes inject (raw, or wrapped by omskit)."""
    return isinstance(exc, InjectedFault) or isinstance(exc.__cause__, InjectedFault)


TestMoneyUnderFaults = MoneyUnderFaults.TestCase
# Derandomized (a fixed sample of runs) until the two known defects below are fixed: a
# random search finds them in a fair share of runs, and CI would fail by chance. Set
# OMSKIT_EXPLORE=1 to search afresh, as a developer fixing them should.
TestMoneyUnderFaults.settings = settings(
    stateful_step_count=18, deadline=None, derandomize=not os.environ.get("OMSKIT_EXPLORE")
)


@pytest.mark.xfail(
    strict=True,
    reason="known defect: a money call on a payment whose settlement is still pending "
    "acts on omskit's stale view (the gateway already voided part of it) and is declined",
)
def test_a_capture_while_a_settlement_is_pending_is_not_declined() -> None:
    state = MoneyUnderFaults()
    state.setup(currency="EUR", includes_tax=False, capture="shipment")
    order = state.capture(free=4, lines=[("MUG", 1), ("TEN", 3)], method="tok_visa", shipping=False)
    state.store_fault(orders_too=False, when="before")
    state.gateway_fault(operation="void", times=3, when="during")
    state.edit_quantity(order=order, pick=29, qty=5)
    state.capture_by_hand(order=order, percent=21)
    state.capture_by_hand(order=order, percent=63)
    state.heal_and_retry()
    state.payments_cover_what_is_owed()


@pytest.mark.xfail(
    strict=True,
    reason="known defect: cancelling twice under a store fault and an unanswered "
    "authorize leaves an authorization at the gateway that no payment lists, still open",
)
def test_cancelling_under_faults_leaves_no_authorization_open_at_the_gateway() -> None:
    state = MoneyUnderFaults()
    state.setup(currency="EUR", includes_tax=False, capture="order")
    order = state.capture(free=1, lines=[("TEN", 1)], method="tok_visa", shipping=False)
    state.store_fault(orders_too=False, when="before")
    state.gateway_fault(operation="authorize", times=3, when="during")
    state.cancel(chance=0, order=order)
    state.cancel(chance=0, order=order)
    state.heal_and_retry()
    state.payments_cover_what_is_owed()


@pytest.mark.parametrize("edit", ["quantity", "add_line"])
def test_a_settlement_retried_after_an_unanswered_void_sends_the_same_key(edit: str) -> None:
    """Found by the machine above: an edit whose commit failed left an authorization to
    void; the void reached the gateway but went unanswered, and the retry derived a new
    idempotency key, so the gateway voided twice what omskit recorded once (and a
    compensation stayed pending). Every attempt of a settlement now sends the same key."""
    state = MoneyUnderFaults()
    state.setup(currency="EUR", includes_tax=False, capture="shipment")
    order = state.capture(free=1, lines=[("TEN", 1)], method="tok_visa", shipping=False)
    state.store_fault(orders_too=False, when="before")
    state.gateway_fault(operation="void", times=3, when="during")
    if edit == "quantity":
        state.edit_quantity(order=order, pick=0, qty=2)
    else:
        state.edit_add_line(order=order, qty=1, sku="MUG")
    state.heal_and_retry()
    state.orders_add_up()
    state.payments_cover_what_is_owed()
    state.teardown()
