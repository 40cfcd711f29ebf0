"""Fact rows: flat records derived from stored orders, shipments, payments and stock.

Every KPI, series, custom report and export reads them.

Five tables (see `TABLES`):

* ``orders`` - one [`OrderFact`][] per order;
* ``lines`` - one [`LineFact`][] per order line and fulfilling location (a line split
  across two locations is two rows, its money split by units with the largest-remainder
  rule, so the rows add up to the line exactly);
* ``shipments`` - one [`ShipmentFact`][] per shipment;
* ``returns`` - one [`ReturnFact`][] per line of each return (RMA), with its reason;
* ``ledger`` - one [`LedgerFact`][] per stock movement.

Money amounts are ``Decimal`` in the row's ``currency``; [`FactSet.converted`][]
turns every amount into one report currency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar, TypeAlias

import attrs

from omskit.catalog.model import PRODUCTS
from omskit.fulfillment.model import FULFILLMENT_ORDERS, SHIPMENTS, FulfillmentOrder, Shipment
from omskit.inventory.ledger import MOVEMENTS
from omskit.inventory.replenishment import REORDER_POLICIES, SUPPLIERS
from omskit.money import Money, allocate
from omskit.orders.model import Order, OrderLine
from omskit.orders.storage import ORDERS
from omskit.payments.model import PAYMENTS
from omskit.returns.model import RMAS, Rma
from omskit.storage.ports import UnitOfWork

__all__ = [
    "TABLES",
    "Fact",
    "FactSet",
    "LedgerFact",
    "LineFact",
    "OrderFact",
    "ReturnFact",
    "ShipmentFact",
    "build_facts",
]

_ZERO = Decimal(0)
#: fulfillment orders whose units no longer count at their location
_GONE = frozenset({"rejected", "cancelled", "expired"})
#: tracking statuses that fail the "damage-free" test of a perfect order
_DAMAGED = frozenset({"lost", "returned_to_sender"})


@attrs.frozen(slots=True)
class OrderFact:
    """One order as reports see it.

    Money (``Decimal`` in ``currency``): ``gross_sales`` = unit price x active units,
    before discounts, in the price basis of the channel; ``discount``; ``net_sales`` =
    line totals after discounts, without tax; ``tax`` = tax on lines and shipping;
    ``shipping`` = the shipping charge without tax; ``total`` = what the customer owes,
    with tax; ``refunded`` = money given back through payments. ``cost`` is the cost of
    the active units at the supply terms known (``None`` when any SKU has none).
    """

    MONEY: ClassVar[tuple[str, ...]] = (
        "gross_sales", "discount", "net_sales", "tax", "shipping", "total", "refunded", "cost",
    )  # fmt: skip
    ANCHOR: ClassVar[str] = "placed_at"

    order_id: str
    channel: str
    region: str
    currency: str
    placed_at: dt.datetime
    status: str
    lines: int
    units: int
    cancelled_units: int
    shipped_units: int
    delivered_units: int
    returned_units: int
    gross_sales: Decimal
    discount: Decimal
    net_sales: Decimal
    tax: Decimal
    shipping: Decimal
    total: Decimal
    refunded: Decimal
    cost: Decimal | None
    shipments: int
    locations: int
    backordered: bool
    cancel_reason: str
    complete_first_shipment: bool
    released_at: dt.datetime | None
    first_shipped_at: dt.datetime | None
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    on_time_ship: bool | None
    on_time_delivery: bool | None
    damaged: bool
    documented: bool

    @property
    def cancelled(self) -> bool:
        """The whole order was cancelled."""
        return self.status == "cancelled"

    @property
    def in_full(self) -> bool:
        """Every unit ordered was shipped (none cancelled, none missing)."""
        return self.units > 0 and self.shipped_units == self.units

    @property
    def finished(self) -> bool:
        """Nothing more will happen to it: delivered, completed or cancelled."""
        return self.status in ("delivered", "completed", "cancelled")

    @property
    def perfect(self) -> bool:
        """In full, on time, undamaged and documented - tested on this one order."""
        on_time = self.on_time_delivery if self.on_time_delivery is not None else self.on_time_ship
        return self.in_full and bool(on_time) and not self.damaged and self.documented


@attrs.frozen(slots=True)
class LineFact:
    """The units of one order line that one location fulfils (``""``: not at one yet).

    ``gross_sales``, ``discount``, ``net_sales`` and ``tax`` are this row's share of the
    line's (by units); ``cost`` is ``unit_cost`` x ``units`` when the cost is known.
    """

    MONEY: ClassVar[tuple[str, ...]] = ("gross_sales", "discount", "net_sales", "tax", "cost")
    ANCHOR: ClassVar[str] = "placed_at"

    order_id: str
    line_id: str
    sku: str
    category: str
    channel: str
    region: str
    location: str
    currency: str
    placed_at: dt.datetime
    units: int
    shipped_units: int
    cancelled_units: int
    backordered_units: int
    returned_units: int
    gross_sales: Decimal
    discount: Decimal
    net_sales: Decimal
    tax: Decimal
    cost: Decimal | None

    @property
    def shipped_complete(self) -> bool:
        """Every unit of this row was shipped."""
        return self.units > 0 and self.shipped_units >= self.units


@attrs.frozen(slots=True)
class ShipmentFact:
    """One shipment: where from, how, when it left and arrived, and how that went."""

    MONEY: ClassVar[tuple[str, ...]] = ("price",)
    ANCHOR: ClassVar[str] = "created_at"

    shipment_id: str
    order_id: str
    channel: str
    region: str
    location: str
    carrier: str
    service: str
    currency: str
    created_at: dt.datetime
    placed_at: dt.datetime
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    promised_date: dt.date | None
    status: str
    units: int
    parcels: int
    price: Decimal
    on_time_ship: bool | None
    on_time_delivery: bool | None
    damaged: bool


@attrs.frozen(slots=True)
class ReturnFact:
    """One order line on one return (RMA), or units of a line that came back without one.

    From the returns capability: ``rma_id``, ``kind`` (``return``, ``claim_damaged``,
    ``claim_lost``), ``status``, the ``reason`` code and stated ``condition``;
    ``requested`` units asked back, ``units`` received, ``refunded_units``; ``refund``
    is this line's share (by its refunded amount) of what the return's refunds paid -
    shipping, label cost and any cap at what the payment held included, so the rows
    add up to the refunds exactly; ``fee`` is the restocking fee kept. An order line
    whose ``returned`` count was set without a return record gives a row with
    ``rma_id`` ``""`` and its share of the order's refunds by net sales.
    """

    MONEY: ClassVar[tuple[str, ...]] = ("refund", "fee")
    ANCHOR: ClassVar[str] = "placed_at"

    order_id: str
    line_id: str
    sku: str
    category: str
    channel: str
    region: str
    reason: str
    currency: str
    placed_at: dt.datetime
    units: int
    shipped_units: int
    refund: Decimal
    rma_id: str = ""
    kind: str = "return"
    status: str = ""
    condition: str = ""
    requested: int = 0
    refunded_units: int = 0
    fee: Decimal = Decimal(0)
    requested_at: dt.datetime | None = None


@attrs.frozen(slots=True)
class LedgerFact:
    """One stock movement, as the ledger wrote it."""

    MONEY: ClassVar[tuple[str, ...]] = ()
    ANCHOR: ClassVar[str] = "at"

    movement_id: str
    kind: str
    sku: str
    category: str
    location: str
    on_hand: int
    reserved: int
    quarantined: int
    reference: str
    at: dt.datetime


Fact: TypeAlias = OrderFact | LineFact | ShipmentFact | ReturnFact | LedgerFact
"""Any fact row."""

#: The fact tables by name, and the row type of each.
TABLES: Mapping[str, type[Any]] = {
    "orders": OrderFact,
    "lines": LineFact,
    "shipments": ShipmentFact,
    "returns": ReturnFact,
    "ledger": LedgerFact,
}


@attrs.frozen
class FactSet:
    """Every fact table, built at ``as_of`` from one consistent read of the store.

    ``unit_costs`` maps a SKU to its known unit cost (Money), used by the inventory KPIs;
    ``levels`` maps ``(sku, location)`` to the current on-hand units.
    """

    orders: tuple[OrderFact, ...]
    lines: tuple[LineFact, ...]
    shipments: tuple[ShipmentFact, ...]
    returns: tuple[ReturnFact, ...]
    ledger: tuple[LedgerFact, ...]
    as_of: dt.datetime
    unit_costs: Mapping[str, Money] = attrs.field(factory=dict)
    categories: Mapping[str, str] = attrs.field(factory=dict)

    def table(self, name: str) -> tuple[Any, ...]:
        """The rows of table ``name`` (one of `TABLES`)."""
        rows: tuple[Any, ...] = getattr(self, name)
        return rows

    def where(self, keep: Callable[[Any], bool]) -> FactSet:
        """The same facts, each table filtered by ``keep`` (the ledger is kept whole)."""
        return attrs.evolve(
            self,
            orders=tuple(filter(keep, self.orders)),
            lines=tuple(filter(keep, self.lines)),
            shipments=tuple(filter(keep, self.shipments)),
            returns=tuple(filter(keep, self.returns)),
        )

    def converted(self, to: str, rate: Callable[[str, dt.datetime], Decimal],
                  quantize: Callable[[Decimal, str], Decimal]) -> FactSet:  # fmt: skip
        """Every money amount in ``to``: ``quantize(amount x rate(currency, anchor), to)``.

        Each row is converted on its own, at the rate for its own day, and rounded to
        ``to``'s minor unit; every total is then a sum of converted rows, so breakdowns
        add up to totals exactly.
        """

        def one(row: Any) -> Any:
            if row.currency == to:
                return row
            r = rate(row.currency, getattr(row, row.ANCHOR))
            changes = {
                name: None if (v := getattr(row, name)) is None else quantize(v * r, to)
                for name in row.MONEY
            }
            return attrs.evolve(row, currency=to, **changes)

        return attrs.evolve(
            self,
            orders=tuple(map(one, self.orders)),
            lines=tuple(map(one, self.lines)),
            shipments=tuple(map(one, self.shipments)),
            returns=tuple(map(one, self.returns)),
        )


# -- building -------------------------------------------------------------------------------


def _unit_costs(uow: UnitOfWork) -> dict[str, Money]:
    """The cost of each SKU: its reorder policy's supplier terms, else any supplier's."""
    suppliers = {s.id: s for s in uow.repo(SUPPLIERS).scan_view()}
    costs: dict[str, Money] = {}
    for policy in sorted(uow.repo(REORDER_POLICIES).scan_view(), key=lambda p: p.id):
        supplier = suppliers.get(policy.supplier)
        terms = supplier.terms.get(policy.sku) if supplier is not None else None
        if terms is not None:
            costs.setdefault(policy.sku, terms.unit_cost)
    for code in sorted(suppliers):
        for sku, terms in suppliers[code].terms.items():
            costs.setdefault(sku, terms.unit_cost)
    return costs


def _cost_in(
    cost: Money | None,
    currency: str,
    at: dt.datetime,
    convert: Callable[[Decimal, str, str, dt.datetime], Decimal] | None,
) -> Money | None:
    if cost is None or cost.currency == currency:
        return cost
    if convert is None:
        return None
    return Money(convert(cost.amount, cost.currency, currency, at), currency)


def _first(history: Iterable[Any], test: Callable[[Any], bool]) -> dt.datetime | None:
    for entry in history:
        if test(entry):
            at: dt.datetime = entry.at
            return at
    return None


def _shipment_times(s: Shipment) -> tuple[dt.datetime | None, dt.datetime | None, bool]:
    shipped = delivered = None
    damaged = s.status in _DAMAGED
    for step in s.history:
        at, status = step.at, step.action
        if shipped is None and status != "label_purchased":
            shipped = at
        if delivered is None and status == "delivered":
            delivered = at
        damaged = damaged or status in _DAMAGED
    if s.dispatched and shipped is None:
        shipped = s.created_at
    return shipped, delivered, damaged


def _region(order: Order) -> str:
    a = order.ship_to
    return f"{a.country}-{a.region}" if a.region else a.country


@attrs.frozen
class _Context:
    tz: dt.tzinfo
    ship_within: dt.timedelta
    categories: Mapping[str, str]
    costs: Mapping[str, Money]
    convert: Callable[[Decimal, str, str, dt.datetime], Decimal] | None


def _locations(o_fos: Iterable[FulfillmentOrder]) -> dict[str, dict[str, int]]:
    """Units of each order line per location that holds them (live fulfillment orders)."""
    by_location: dict[str, dict[str, int]] = {}
    for fo in o_fos:
        if fo.status in _GONE:
            continue
        for fl in fo.lines:
            units = fl.quantity - fl.short
            if units > 0:
                at = by_location.setdefault(fl.line_ref, {})
                at[fo.location] = at.get(fo.location, 0) + units
    return by_location


def _shipped_at(o_ships: Iterable[Shipment]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for s in o_ships:
        if s.dispatched:
            for ref, qty in s.lines.items():
                found[(ref, s.location)] = found.get((ref, s.location), 0) + qty
    return found


def _split(active: int, places: Mapping[str, int]) -> list[tuple[str, int]]:
    """``active`` units over the locations holding them; the rest at ``""``."""
    parts: list[tuple[str, int]] = []
    left = active
    for loc, q in sorted(places.items()):
        take = min(q, left)
        if take > 0:
            parts.append((loc, take))
            left -= take
    if left > 0 or not parts:
        parts.append(("", left))
    return parts


def _line_rows(ctx: _Context, order: Order, line: OrderLine, *, unit_cost: Money | None,
               places: Mapping[str, int],
               shipped: Mapping[tuple[str, str], int]) -> list[LineFact]:  # fmt: skip
    cur = order.currency
    active = line.active
    parts = _split(active, places)
    weights = [q for _loc, q in parts]
    if sum(weights) == 0:
        weights = [1] + [0] * (len(parts) - 1)
    gross = line.unit_price.amount * active
    line_tax = line.total.gross.amount - line.total.net.amount
    if len(parts) == 1:  # the common case: one location or none, nothing to split
        g_parts, d_parts = [gross], [line.discount.amount]
        n_parts, t_parts = [line.total.net.amount], [line_tax]
    else:
        g_parts = [m.amount for m in allocate(Money(gross, cur), weights)]
        d_parts = [m.amount for m in allocate(line.discount, weights)]
        n_parts = [m.amount for m in allocate(line.total.net, weights)]
        t_parts = [m.amount for m in allocate(Money(line_tax, cur), weights)]
    region = _region(order)
    category = ctx.categories.get(line.sku, "")
    rows = []
    for i, (loc, q) in enumerate(parts):
        first = i == 0
        rows.append(LineFact(
            order_id=order.id, line_id=line.id, sku=line.sku, category=category,
            channel=order.channel, region=region, location=loc, currency=cur,
            placed_at=order.created_at, units=q,
            shipped_units=shipped.get((line.id, loc), 0) if loc else 0,
            cancelled_units=line.cancelled if first else 0,
            backordered_units=line.backordered if first else 0,
            returned_units=line.returned if first else 0,
            gross_sales=g_parts[i], discount=d_parts[i], net_sales=n_parts[i],
            tax=t_parts[i],
            cost=None if unit_cost is None else unit_cost.amount * q,
        ))  # fmt: skip
    return rows


def _rma_rows(ctx: _Context, order: Order, rmas: Sequence[Rma]) -> list[ReturnFact]:
    """One row per line of each return of ``order``, with its refunds and fees."""
    shipped = {x.id: x.shipped for x in order.lines}
    rows = []
    for rma in rmas:
        paid: dict[str, Decimal] = {}
        fees: dict[str, Decimal] = {}
        for record in rma.refunds:
            parts = record.breakdown.lines
            if not parts:
                continue
            weights = [p.amount.amount for p in parts]
            if not any(weights):
                weights = [Decimal(p.quantity) for p in parts]
            # what was paid (after shipping, label and any cap), by the lines' amounts
            shares = allocate(record.breakdown.total, weights)
            for part, share in zip(parts, shares, strict=True):
                paid[part.line_id] = paid.get(part.line_id, _ZERO) + share.amount
                fees[part.line_id] = fees.get(part.line_id, _ZERO) + part.fee.amount
        for line in rma.lines:
            rows.append(ReturnFact(
                order_id=order.id, line_id=line.line_id, sku=line.sku,
                category=ctx.categories.get(line.sku, ""), channel=order.channel,
                region=_region(order), reason=line.reason, currency=rma.currency,
                placed_at=order.created_at, units=line.received,
                shipped_units=shipped.get(line.line_id, 0),
                refund=paid.get(line.line_id, _ZERO), rma_id=rma.id, kind=rma.kind,
                status=rma.status, condition=line.condition, requested=line.quantity,
                refunded_units=line.refunded, fee=fees.get(line.line_id, _ZERO),
                requested_at=rma.created_at,
            ))  # fmt: skip
    return rows


def _return_rows(ctx: _Context, order: Order, refunded: Decimal) -> list[ReturnFact]:
    """Lines with returned units but no return record, sharing the order's refunds.

    The shares follow the lines' net sales.
    """
    returning = [x for x in order.lines if x.returned]
    if not returning:
        return []
    weights = [x.total.net.amount for x in returning]
    if not any(weights):
        weights = [Decimal(x.returned) for x in returning]
    shares = allocate(Money(refunded, order.currency), weights)
    return [
        ReturnFact(
            order_id=order.id, line_id=x.id, sku=x.sku,
            category=ctx.categories.get(x.sku, ""), channel=order.channel,
            region=_region(order), reason="", currency=order.currency,
            placed_at=order.created_at, units=x.returned, shipped_units=x.shipped,
            refund=share.amount, requested=x.returned, refunded_units=x.returned,
        )
        for x, share in zip(returning, shares, strict=True)
    ]  # fmt: skip


def _shipment_row(ctx: _Context, order: Order, s: Shipment) -> ShipmentFact:
    shipped, delivered, damaged = _shipment_times(s)
    ots = None if shipped is None else shipped - order.created_at <= ctx.ship_within
    otd = None
    if delivered is not None and s.promised_date is not None:
        otd = delivered.astimezone(ctx.tz).date() <= s.promised_date
    return ShipmentFact(
        shipment_id=s.id, order_id=order.id, channel=order.channel, region=_region(order),
        location=s.location, carrier=s.carrier, service=s.service,
        currency=s.price.currency if s.price is not None else order.currency,
        created_at=s.created_at, placed_at=order.created_at, shipped_at=shipped,
        delivered_at=delivered, promised_date=s.promised_date, status=s.status,
        units=sum(s.lines.values()), parcels=len(s.parcels),
        price=s.price.amount if s.price is not None else _ZERO,
        on_time_ship=ots, on_time_delivery=otd, damaged=damaged,
    )  # fmt: skip


def _all(values: Iterable[bool | None]) -> bool | None:
    known = [v for v in values if v is not None]
    return all(known) if known else None


def _order_row(ctx: _Context, order: Order, o_fos: Sequence[FulfillmentOrder], *,
               o_ships: Sequence[Shipment], ship_rows: Sequence[ShipmentFact],
               refunded: Decimal, cost: Decimal | None) -> OrderFact:  # fmt: skip
    lines = order.lines
    units = sum(x.quantity for x in lines)
    cancelled = sum(x.cancelled for x in lines)
    history = order.history
    dispatched = [s for s in o_ships if s.dispatched]
    first = o_ships[0] if o_ships else None
    complete_first = (
        first is not None and first.dispatched and cancelled == 0 and units > 0
        and sum(first.lines.values()) == units
    )  # fmt: skip
    waited = any(x.backordered for x in lines) or any(
        e.action == "backordered" or e.status in ("backordered", "partially_allocated")
        for e in history
    )
    return OrderFact(
        order_id=order.id, channel=order.channel, region=_region(order),
        currency=order.currency, placed_at=order.created_at, status=order.status,
        lines=len(lines), units=units, cancelled_units=cancelled,
        shipped_units=sum(x.shipped for x in lines),
        delivered_units=sum(x.delivered for x in lines),
        returned_units=sum(x.returned for x in lines),
        gross_sales=sum((x.unit_price.amount * x.active for x in lines), _ZERO),
        discount=sum((x.discount.amount for x in lines), _ZERO),
        net_sales=sum((x.total.net.amount for x in lines), _ZERO),
        tax=sum((x.total.gross.amount - x.total.net.amount for x in lines), _ZERO)
        + order.shipping.gross.amount - order.shipping.net.amount,
        shipping=order.shipping.net.amount, total=order.total.gross.amount,
        refunded=refunded, cost=cost, shipments=len(dispatched),
        locations=len({s.location for s in dispatched}), backordered=waited,
        cancel_reason=next((e.reason for e in reversed(history) if e.action == "cancelled"),
                           ""),
        complete_first_shipment=complete_first,
        released_at=o_fos[0].created_at if o_fos else None,
        first_shipped_at=_first(history, lambda e: e.action == "shipped"),
        shipped_at=_first(history, lambda e: e.action == "shipped"
                          and e.status in ("shipped", "delivered", "completed")),
        delivered_at=_first(history, lambda e: e.action in ("delivered", "completed")
                            and e.status in ("delivered", "completed")),
        on_time_ship=_all(r.on_time_ship for r in ship_rows),
        on_time_delivery=_all(r.on_time_delivery for r in ship_rows),
        damaged=any(r.damaged for r in ship_rows),
        documented=bool(o_ships) and all(p.tracking_number for s in o_ships
                                         for p in s.parcels),
    )  # fmt: skip


def build_facts(
    uow: UnitOfWork,
    *,
    now: dt.datetime,
    tz: dt.tzinfo,
    ship_within: dt.timedelta,
    convert: Callable[[Decimal, str, str, dt.datetime], Decimal] | None = None,
) -> FactSet:
    """Read the store once through ``uow`` (views only: nothing is changed) into facts.

    Args:
        uow: a unit of work to read through; it is never committed.
        now: the time the facts are as of.
        tz: the store's time zone (promised dates are local calendar days).
        ship_within: how long after placing a shipment may leave and still be on time.
        convert: ``convert(amount, from, to, at)`` turns a unit cost in the supplier's
            currency into the order's; without it such costs count as unknown.
    """
    categories = {p.id: p.attributes.get("category", "") for p in uow.repo(PRODUCTS).scan_view()}
    ctx = _Context(tz, ship_within, categories, _unit_costs(uow), convert)
    fos: dict[str, list[FulfillmentOrder]] = {}
    for fo in uow.repo(FULFILLMENT_ORDERS).scan_view():
        fos.setdefault(fo.order_id, []).append(fo)
    ships: dict[str, list[Shipment]] = {}
    for s in uow.repo(SHIPMENTS).scan_view():
        ships.setdefault(s.order_id, []).append(s)
    rmas: dict[str, list[Rma]] = {}
    for rma in uow.repo(RMAS).scan_view():
        rmas.setdefault(rma.order_id, []).append(rma)
    refunds = {p.reference: p.refunded.amount for p in uow.repo(PAYMENTS).scan_view()
               if p.refunded is not None}  # fmt: skip
    orders: list[OrderFact] = []
    lines: list[LineFact] = []
    shipments: list[ShipmentFact] = []
    returns: list[ReturnFact] = []
    for order in uow.repo(ORDERS).scan_view():
        o_fos = sorted(fos.get(order.id, ()), key=lambda f: f.created_at)
        o_ships = sorted(ships.get(order.id, ()), key=lambda s: s.created_at)
        places = _locations(o_fos)
        shipped = _shipped_at(o_ships)
        cost: Decimal | None = _ZERO
        for line in order.lines:
            unit_cost = _cost_in(ctx.costs.get(line.sku), order.currency, order.created_at,
                                 convert)  # fmt: skip
            if cost is not None:
                cost = None if unit_cost is None else cost + unit_cost.amount * line.active
            lines.extend(_line_rows(ctx, order, line, unit_cost=unit_cost,
                                    places=places.get(line.id, {}), shipped=shipped))  # fmt: skip
        refunded = refunds.get(order.id, _ZERO)
        o_rmas = rmas.get(order.id)
        returns.extend(_rma_rows(ctx, order, o_rmas) if o_rmas
                       else _return_rows(ctx, order, refunded))  # fmt: skip
        ship_rows = [_shipment_row(ctx, order, s) for s in o_ships]
        shipments.extend(ship_rows)
        orders.append(_order_row(ctx, order, o_fos, o_ships=o_ships, ship_rows=ship_rows,
                                 refunded=refunded, cost=cost))  # fmt: skip
    ledger = tuple(
        LedgerFact(
            movement_id=m.id, kind=m.kind, sku=m.sku, category=categories.get(m.sku, ""),
            location=m.location, on_hand=m.on_hand, reserved=m.reserved,
            quarantined=m.quarantined, reference=m.reference, at=m.at,
        )
        for m in uow.repo(MOVEMENTS).scan_view()
    )  # fmt: skip
    return FactSet(
        orders=tuple(orders), lines=tuple(lines), shipments=tuple(shipments),
        returns=tuple(returns), ledger=ledger, as_of=now, unit_costs=ctx.costs,
        categories=categories,
    )  # fmt: skip
