"""Stateful property test: random stock movements never break the inventory invariants."""

from __future__ import annotations

import datetime as dt

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from omskit import OMS, OmskitError
from omskit.inventory import Allocation
from omskit.testing import FakeClock

SKUS = ("A-1", "B-2")
LOCS = ("L1", "L2")
REFS = ("R0", "R1", "R2")


class InventoryMachine(RuleBasedStateMachine):
    """Receive, reserve, release, consume, adjust and transfer at random."""

    @initialize(backorder=st.booleans())
    def setup(self, backorder: bool) -> None:
        self.oms = OMS.in_memory(clock=FakeClock(dt.datetime(2026, 1, 5, tzinfo=dt.UTC)),
                                 autoload=False)  # fmt: skip
        for sku in SKUS:
            self.oms.catalog.add_product(sku, name=sku, weight_grams=100)
        for code in LOCS:
            self.oms.inventory.add_location(code, name=code, country="DE", lat=50, lon=10)
        self.backorder_sku = "B-2" if backorder else None
        if backorder:
            self.oms.inventory.set_backorder_policy("B-2", "backorder", cap=5)
        self.model_reserved: dict[str, int] = {}

    def _try(self, fn: object, *args: object, **kw: object) -> None:
        before = self._snapshot()
        try:
            fn(*args, **kw)  # type: ignore[operator]
        except OmskitError:
            assert self._snapshot() == before, "a failed call changed state"

    def _snapshot(self) -> list[tuple[str, int, int, int]]:
        return sorted((lv.id, lv.on_hand, lv.reserved, lv.quarantined)
                      for lv in self.oms.inventory.levels())  # fmt: skip

    @rule(sku=st.sampled_from(SKUS), loc=st.sampled_from(LOCS), qty=st.integers(-2, 20))
    def receive(self, sku: str, loc: str, qty: int) -> None:
        self._try(self.oms.inventory.receive, sku, location=loc, quantity=qty)

    @rule(
        ref=st.sampled_from(REFS),
        lines=st.lists(
            st.tuples(st.sampled_from(SKUS), st.sampled_from(LOCS), st.integers(1, 8)),
            min_size=1,
            max_size=3,
        ),
        partial=st.booleans(),
    )
    def reserve(self, ref: str, lines: list[tuple[str, str, int]], partial: bool) -> None:
        allocs = [Allocation(loc, sku, q, f"{ref}-{i}") for i, (sku, loc, q) in enumerate(lines)]
        self._try(
            self.oms.inventory.reserve, reference=ref, allocations=allocs, allow_partial=partial
        )

    @rule(ref=st.sampled_from(REFS))
    def release(self, ref: str) -> None:
        self._try(self.oms.inventory.release, reference=ref, reason="cancelled")

    @rule(ref=st.sampled_from(REFS), qty=st.integers(1, 5))
    def consume(self, ref: str, qty: int) -> None:
        held = [r for r in self._reservations(ref) if r.quantity]
        if not held:
            self._try(
                self.oms.inventory.consume, reference=ref, line_ref="x", location="L1", quantity=qty
            )
            return
        r = held[0]
        self._try(
            self.oms.inventory.consume,
            reference=ref,
            line_ref=r.line_ref,
            location=r.location,
            quantity=qty,
        )

    def _reservations(self, ref: str) -> list[object]:
        return list(self.oms.inventory.reservations(ref))  # type: ignore[arg-type]

    @rule(sku=st.sampled_from(SKUS), loc=st.sampled_from(LOCS), delta=st.integers(-10, 10))
    def adjust(self, sku: str, loc: str, delta: int) -> None:
        self._try(self.oms.inventory.adjust, sku, location=loc, delta=delta, reason="check")

    @rule(
        sku=st.sampled_from(SKUS),
        src=st.sampled_from(LOCS),
        dst=st.sampled_from(LOCS),
        qty=st.integers(0, 15),
    )
    def transfer(self, sku: str, src: str, dst: str, qty: int) -> None:
        self._try(
            self.oms.inventory.transfer, sku, from_location=src, to_location=dst, quantity=qty
        )

    @rule(sku=st.sampled_from(SKUS), loc=st.sampled_from(LOCS), qty=st.integers(-3, 3))
    def quarantine(self, sku: str, loc: str, qty: int) -> None:
        self._try(self.oms.inventory.quarantine, sku, location=loc, quantity=qty, reason="qc")

    @invariant()
    def on_hand_never_negative(self) -> None:
        for lv in self.oms.inventory.levels():
            assert lv.on_hand >= 0
            assert lv.reserved >= 0
            assert 0 <= lv.quarantined <= lv.on_hand

    @invariant()
    def available_never_below_zero_unless_backorders_allow(self) -> None:
        oversold = 0
        for lv in self.oms.inventory.levels():
            if lv.sku != self.backorder_sku:
                assert lv.available >= 0, lv
            else:
                oversold += max(0, -lv.available)
        assert oversold <= 5

    @invariant()
    def ledger_rebuilds_the_same_levels(self) -> None:
        assert self.oms.inventory.reconcile() == []
        rebuilt = self.oms.inventory.rebuild()
        for lv in self.oms.inventory.levels():
            t = rebuilt.get(lv.id)
            got = (t.on_hand, t.reserved, t.quarantined) if t else (0, 0, 0)
            assert got == (lv.on_hand, lv.reserved, lv.quarantined)

    @invariant()
    def reservations_add_up_to_reserved(self) -> None:
        held: dict[str, int] = {}
        for ref in REFS:
            for r in self.oms.inventory.reservations(ref):
                key = f"{r.location}:{r.sku}"
                held[key] = held.get(key, 0) + r.quantity
        for lv in self.oms.inventory.levels():
            assert held.get(lv.id, 0) == lv.reserved


TestInventoryStateMachine = InventoryMachine.TestCase
TestInventoryStateMachine.settings = settings(max_examples=80, stateful_step_count=40,
                                              deadline=None)  # fmt: skip
