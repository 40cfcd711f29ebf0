"""Suppliers, reorder policies, suggested purchase orders and receiving them.

A [`ReorderPolicy`][] per SKU and location says when to reorder:

* ``reorder_point``: when the stock position (available + incoming) is at or below the
  reorder point, order ``order_quantity`` (or enough to cover ``cover_days`` of demand);
* ``min_max``: when the position is at or below ``minimum``, order up to ``maximum``.

Points left unset are derived from *recent demand*: units consumed (shipped) at that
location over the last ``demand_days`` days, read from the ledger. The reorder point is
then demand during the supplier's lead time. Quantities are raised to the supplier's
minimum order quantity and rounded up to whole packs.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Literal

import attrs

from omskit.errors import InvalidQuantity
from omskit.ids import IdGenerator
from omskit.inventory.errors import UnknownPurchaseOrder, UnknownSupplier
from omskit.inventory.events import PurchaseOrderPlaced, PurchaseOrderReceived
from omskit.inventory.ledger import MOVEMENTS
from omskit.inventory.operations import load_location, receive_in
from omskit.inventory.reservations import load_level
from omskit.inventory.stock import STOCK, Incoming, level_id
from omskit.money import Money, sum_money
from omskit.storage.ports import Aggregate, Collection, UnitOfWork
from omskit.validation import check_quantity

__all__ = [
    "PURCHASE_ORDERS",
    "REORDER_POLICIES",
    "SUPPLIERS",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "ReorderPolicy",
    "SuggestedLine",
    "SuggestedPurchaseOrder",
    "Supplier",
    "SupplyTerms",
    "place_purchase_order",
    "receive_purchase_order",
    "recent_demand",
    "suggest_purchase_orders",
]


@attrs.frozen
class SupplyTerms:
    """What one supplier asks for one SKU."""

    unit_cost: Money
    moq: int = 1
    pack_size: int = 1
    lead_time_days: int | None = None

    def round_up(self, quantity: int) -> int:
        """``quantity`` raised to the minimum order quantity and to whole packs."""
        quantity = max(quantity, self.moq)
        return math.ceil(quantity / self.pack_size) * self.pack_size


@attrs.define(eq=False)
class Supplier(Aggregate):
    """Someone we buy from. ``id`` is its code; ``terms`` by SKU."""

    name: str
    lead_time_days: int = 7
    terms: dict[str, SupplyTerms] = attrs.field(factory=dict)

    def lead_time(self, sku: str) -> int:
        """Days from ordering ``sku`` to its arrival."""
        t = self.terms.get(sku)
        return (
            t.lead_time_days
            if t is not None and t.lead_time_days is not None
            else (self.lead_time_days)
        )

    def clone(self) -> Supplier:
        """A copy with its own ``terms`` mapping."""
        copy = attrs.evolve(self, terms=dict(self.terms))
        copy.version = self.version
        return copy


@attrs.define(eq=False)
class ReorderPolicy(Aggregate):
    """When and how much to reorder of one SKU at one location (``id``: the level id)."""

    sku: str
    location: str
    supplier: str
    method: Literal["reorder_point", "min_max"] = "reorder_point"
    reorder_point: int | None = None
    order_quantity: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    demand_days: int = 28
    cover_days: int = 14

    def clone(self) -> ReorderPolicy:
        """A cheap copy (all fields are immutable values)."""
        copy = attrs.evolve(self)
        copy.version = self.version
        return copy


@attrs.frozen
class PurchaseOrderLine:
    """``ordered`` units of ``sku`` at ``unit_cost``; ``received`` so far."""

    sku: str
    ordered: int
    unit_cost: Money
    received: int = 0

    @property
    def open(self) -> int:
        """Units still to arrive."""
        return self.ordered - self.received


@attrs.define(eq=False)
class PurchaseOrder(Aggregate):
    """An order placed with a supplier, delivered to one location."""

    supplier: str
    location: str
    expected: dt.date
    lines: tuple[PurchaseOrderLine, ...] = ()
    status: str = "open"

    @property
    def total(self) -> Money:
        """What the order costs."""
        currency = self.lines[0].unit_cost.currency if self.lines else "EUR"
        return sum_money((ln.unit_cost * ln.ordered for ln in self.lines), currency)

    def clone(self) -> PurchaseOrder:
        """A cheap copy (lines are immutable)."""
        copy = attrs.evolve(self)
        copy.version = self.version
        return copy


SUPPLIERS: Collection[Supplier] = Collection("suppliers", Supplier, label="supplier")
REORDER_POLICIES: Collection[ReorderPolicy] = Collection(
    "reorder_policies", ReorderPolicy, label="reorder policy"
)
PURCHASE_ORDERS: Collection[PurchaseOrder] = Collection(
    "purchase_orders", PurchaseOrder, indexes={"status": lambda p: p.status},
    label="purchase order",
)  # fmt: skip


@attrs.frozen
class SuggestedLine:
    """One SKU to reorder, with the reasoning behind the quantity."""

    sku: str
    quantity: int
    unit_cost: Money
    reason: str


@attrs.frozen
class SuggestedPurchaseOrder:
    """What to order from one supplier for one location."""

    supplier: str
    location: str
    expected: dt.date
    lines: tuple[SuggestedLine, ...]

    @property
    def total(self) -> Money:
        """Estimated cost."""
        return sum_money((ln.unit_cost * ln.quantity for ln in self.lines),
                         self.lines[0].unit_cost.currency)  # fmt: skip


def recent_demand(uow: UnitOfWork, sku: str, location: str, since: dt.datetime) -> int:
    """Units of ``sku`` shipped from ``location`` since ``since``, from the ledger."""
    return sum(-m.on_hand for m in uow.repo(MOVEMENTS).list_by("level", level_id(sku, location))
               if m.kind == "consume" and m.at >= since)  # fmt: skip


def _suggest_one(uow: UnitOfWork, policy: ReorderPolicy, supplier: Supplier,
                 now: dt.datetime) -> SuggestedLine | None:  # fmt: skip
    level = uow.repo(STOCK).find(level_id(policy.sku, policy.location))
    position = (level.available + level.incoming_total) if level is not None else 0
    since = now - dt.timedelta(days=policy.demand_days)
    demand = recent_demand(uow, policy.sku, policy.location, since)
    daily = Decimal(demand) / policy.demand_days
    lead = supplier.lead_time(policy.sku)
    during_lead = math.ceil(daily * lead)
    cover = math.ceil(daily * policy.cover_days)
    basis = f"demand {daily:.2f}/day over {policy.demand_days} days, lead time {lead} days"
    if policy.method == "min_max":
        low = policy.minimum if policy.minimum is not None else during_lead
        high = policy.maximum if policy.maximum is not None else low + max(cover, 1)
        if position > low:
            return None
        wanted = high - position
        why = f"position {position} <= min {low}: order up to max {high} ({basis})"
    else:
        point = policy.reorder_point if policy.reorder_point is not None else during_lead
        if position > point:
            return None
        wanted = policy.order_quantity or (point - position + max(cover, 1))
        why = f"position {position} <= reorder point {point} ({basis})"
    terms = supplier.terms.get(policy.sku)
    if terms is None or wanted <= 0:
        return None
    quantity = terms.round_up(wanted)
    if quantity != wanted:
        why += f"; {wanted} rounded to {quantity} (MOQ {terms.moq}, pack {terms.pack_size})"
    return SuggestedLine(policy.sku, quantity, terms.unit_cost, why)


def suggest_purchase_orders(
    uow: UnitOfWork, now: dt.datetime, location: str | None = None
) -> list[SuggestedPurchaseOrder]:
    """Purchase orders to place now, one per supplier and location, per the policies."""
    grouped: dict[tuple[str, str], list[SuggestedLine]] = {}
    leads: dict[tuple[str, str], int] = {}
    suppliers = uow.repo(SUPPLIERS)
    for policy in uow.repo(REORDER_POLICIES).scan():
        if location is not None and policy.location != location:
            continue
        supplier = suppliers.find(policy.supplier)
        if supplier is None:
            raise UnknownSupplier(policy.supplier)
        line = _suggest_one(uow, policy, supplier, now)
        if line is not None:
            key = (supplier.id, policy.location)
            grouped.setdefault(key, []).append(line)
            leads[key] = max(leads.get(key, 0), supplier.lead_time(policy.sku))
    return [
        SuggestedPurchaseOrder(
            s, loc, now.date() + dt.timedelta(days=leads[(s, loc)]), tuple(lines)
        )
        for (s, loc), lines in grouped.items()
    ]


def place_purchase_order(
    uow: UnitOfWork,
    ids: IdGenerator,
    now: dt.datetime,
    *,
    supplier: str,
    location: str,
    lines: dict[str, int],
    expected: dt.date | None = None,
) -> PurchaseOrder:
    """Place a purchase order; its units count as incoming stock for promise dates."""
    vendor = uow.repo(SUPPLIERS).find(supplier)
    if vendor is None:
        raise UnknownSupplier(supplier)
    load_location(uow, location, for_receiving=True)
    if not lines:
        raise InvalidQuantity("lines", lines, "order at least one SKU")
    lead = max(vendor.lead_time(sku) for sku in lines)
    when = expected or (now.date() + dt.timedelta(days=lead))
    po = PurchaseOrder(id=ids.new_id("po"), supplier=supplier, location=location, expected=when)
    po_lines = []
    stock = uow.repo(STOCK)
    for sku, raw in lines.items():
        qty = check_quantity(raw, f"lines.{sku}")
        terms = vendor.terms.get(sku)
        if terms is None:
            raise InvalidQuantity(f"lines.{sku}", qty, f"supplier {supplier!r} has no terms "
                                  f"for {sku!r}; add them with set_supply_terms()")  # fmt: skip
        po_lines.append(PurchaseOrderLine(sku, qty, terms.unit_cost))
        level = load_level(uow, sku, location)
        level.incoming = (*level.incoming, Incoming(po.id, qty, when))
        stock.save(level)
    po.lines = tuple(po_lines)
    po.record(PurchaseOrderPlaced(purchase_order=po.id, supplier=supplier, location=location,
                                  expected=when))  # fmt: skip
    uow.repo(PURCHASE_ORDERS).add(po)
    return po


def receive_purchase_order(
    uow: UnitOfWork,
    ids: IdGenerator,
    now: dt.datetime,
    *,
    po_id: str,
    lines: dict[str, int] | None = None,
    actor: str = "system",
) -> PurchaseOrder:
    """Book goods of purchase order ``po_id`` into stock (all open units by default)."""
    repo = uow.repo(PURCHASE_ORDERS)
    po = repo.find(po_id)
    if po is None:
        raise UnknownPurchaseOrder(po_id)
    wanted = lines if lines is not None else {ln.sku: ln.open for ln in po.lines if ln.open}
    by_sku = {ln.sku: ln for ln in po.lines}
    received: list[tuple[str, int]] = []
    stock = uow.repo(STOCK)
    for sku, raw in wanted.items():
        line = by_sku.get(sku)
        if line is None:
            raise InvalidQuantity(f"lines.{sku}", raw, f"{po_id} does not order {sku!r}")
        qty = check_quantity(raw, f"lines.{sku}", maximum=max(line.open, 1))
        if qty > line.open:
            raise InvalidQuantity(f"lines.{sku}", qty, f"only {line.open} still open")
        level = receive_in(uow, ids, now, sku=sku, location=po.location, quantity=qty,
                           reference=po_id, actor=actor)  # fmt: skip
        left, incoming = qty, []
        for inc in level.incoming:
            if inc.po == po_id and left:
                take = min(left, inc.quantity)
                left -= take
                if inc.quantity > take:
                    incoming.append(attrs.evolve(inc, quantity=inc.quantity - take))
            else:
                incoming.append(inc)
        level.incoming = tuple(incoming)
        stock.save(level)
        by_sku[sku] = attrs.evolve(line, received=line.received + qty)
        received.append((sku, qty))
    po.lines = tuple(by_sku[ln.sku] for ln in po.lines)
    complete = all(not ln.open for ln in po.lines)
    po.status = "received" if complete else "partially_received"
    po.record(PurchaseOrderReceived(purchase_order=po_id, lines=tuple(received),
                                    complete=complete))  # fmt: skip
    repo.save(po)
    return po
