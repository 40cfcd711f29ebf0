"""Every KPI omskit computes: its table, its exact formula and how it is computed.

A [`Measure`][] reduces a list of fact rows (all in one currency) to a value: an
``int``, [`Money`][], a [`Ratio`][] (numerator and denominator kept, so breakdowns add
up) or a [`Spread`][] of durations (median and p90). `MEASURES` lists them by name;
`DIMENSIONS` says which dimensions each table can be broken down by.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeAlias

import attrs

from omskit.money import Money, quantize
from omskit.reporting.values import Ratio, Spread

__all__ = ["DIMENSIONS", "MEASURES", "Measure", "Value"]

Value: TypeAlias = int | Decimal | Money | Ratio | Spread | None
"""What a measure gives."""

Rows: TypeAlias = Sequence[Any]


@attrs.frozen
class Measure:
    """One KPI: ``name``, the fact ``table`` it reads, its ``formula`` in words."""

    name: str
    table: str
    formula: str
    compute: Callable[[Rows, str], Value] = attrs.field(repr=False)
    additive: bool = True


def _money(field: str) -> Callable[[Rows, str], Value]:
    def run(rows: Rows, currency: str) -> Value:
        return Money(quantize(sum((getattr(r, field) for r in rows), Decimal(0)), currency),
                     currency)  # fmt: skip

    return run


def _known_money(field: str) -> Callable[[Rows, str], Value]:
    def run(rows: Rows, currency: str) -> Value:
        total = sum((v for r in rows if (v := getattr(r, field)) is not None), Decimal(0))
        return Money(quantize(total, currency), currency)

    return run


def _sum(field: str) -> Callable[[Rows, str], Value]:
    def run(rows: Rows, currency: str) -> Value:
        total: int = sum(getattr(r, field) for r in rows)
        return total

    return run


def _count(test: Callable[[Any], bool] | None = None) -> Callable[[Rows, str], Value]:
    def run(rows: Rows, currency: str) -> Value:
        return len(rows) if test is None else sum(1 for r in rows if test(r))

    return run


def _ratio(num: Callable[[Any], Any], den: Callable[[Any], Any],
           keep: Callable[[Any], bool] | None = None) -> Callable[[Rows, str], Value]:  # fmt: skip
    def run(rows: Rows, currency: str) -> Value:
        kept = rows if keep is None else [r for r in rows if keep(r)]
        return Ratio(sum(num(r) for r in kept), sum(den(r) for r in kept))

    return run


def _spread(start: str, end: str) -> Callable[[Rows, str], Value]:
    def run(rows: Rows, currency: str) -> Value:
        found: list[dt.timedelta] = []
        for r in rows:
            a, b = getattr(r, start), getattr(r, end)
            if a is not None and b is not None:
                found.append(b - a)
        return Spread.of(found)

    return run


def _aov(rows: Rows, currency: str) -> Value:
    orders = [r for r in rows if not r.cancelled]
    if not orders:
        return None
    net = sum((r.net_sales for r in orders), Decimal(0))
    return Money(quantize(net / len(orders), currency, ROUND_HALF_UP), currency)


def _units_per_order(rows: Rows, currency: str) -> Value:
    orders = [r for r in rows if not r.cancelled]
    if not orders:
        return None
    units = sum(r.units - r.cancelled_units for r in orders)
    return (Decimal(units) / len(orders)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _margin(refunds: bool) -> Callable[[Rows, str], Value]:
    def run(rows: Rows, currency: str) -> Value:
        known = [r for r in rows if r.cost is not None]
        net = sum((r.net_sales for r in known), Decimal(0))
        cost = sum((r.cost for r in known), Decimal(0))
        back = sum((r.refunded for r in known), Decimal(0)) if refunds else Decimal(0)
        return Ratio(net - cost - back, net)

    return run


def _days_of_supply(rows: Rows, currency: str) -> Value:
    on_hand = sum(r.closing_on_hand for r in rows)
    sold = sum(r.sold for r in rows)
    days = max((r.days for r in rows), default=0)
    if not sold or not days:
        return None
    result: Decimal = (Decimal(on_hand) * days / sold).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return result


def _turnover(rows: Rows, currency: str) -> Value:
    known = [r for r in rows if r.unit_cost is not None]
    cogs: Decimal = sum((r.unit_cost * r.sold for r in known), Decimal(0))
    value: Decimal = sum(
        (r.unit_cost * r.on_hand_days / r.days for r in known if r.days), Decimal(0)
    )
    return Ratio(cogs, value)


def _sum_if(field: str, test: Callable[[Any], bool]) -> Callable[[Rows, str], Value]:
    def run(rows: Rows, currency: str) -> Value:
        total: int = sum(getattr(r, field) for r in rows if test(r))
        return total

    return run


def _m(name: str, table: str, formula: str, fn: Callable[[Rows, str], Value],
       additive: bool = True) -> Measure:  # fmt: skip
    return Measure(name, table, formula, fn, additive)


_LIST: tuple[Measure, ...] = (
    # -- orders
    _m("orders", "orders", "number of orders placed", _count()),
    _m("cancelled_orders", "orders", "orders whose status is cancelled",
       _count(lambda r: r.cancelled)),
    _m("cancellation_rate", "orders", "cancelled orders / orders",
       _ratio(lambda r: int(r.cancelled), lambda r: 1)),
    _m("average_order_value", "orders",
       "net sales of orders not cancelled / orders not cancelled (half-up to the minor unit)",
       _aov, additive=False),
    _m("units_per_order", "orders",
       "active units (ordered - cancelled) / orders not cancelled (2 places)",
       _units_per_order, additive=False),
    _m("shipping_revenue", "orders", "sum of the shipping charge without tax",
       _money("shipping")),
    _m("order_total", "orders", "sum of what customers owe, with tax and shipping",
       _money("total")),
    _m("refunds", "orders", "sum of money refunded through payments", _money("refunded")),
    _m("backorder_rate", "orders",
       "orders that waited for stock at any point / orders",
       _ratio(lambda r: int(r.backordered), lambda r: 1)),
    _m("order_fill_rate", "orders",
       "orders shipped complete in their first shipment / orders not cancelled",
       _ratio(lambda r: int(r.complete_first_shipment), lambda r: 1,
              lambda r: not r.cancelled)),
    _m("split_shipment_rate", "orders",
       "orders shipped in more than one shipment / orders with at least one shipment",
       _ratio(lambda r: int(r.shipments > 1), lambda r: 1, lambda r: r.shipments > 0)),
    _m("perfect_order_rate", "orders",
       "finished orders (delivered, completed or cancelled) that were in full, on time "
       "(delivered by the promised date, else shipped within the ship window), with no "
       "lost or returned-to-sender parcel and every parcel tracked / finished orders; "
       "tested order by order, never a product of component rates",
       _ratio(lambda r: int(r.perfect), lambda r: 1, lambda r: r.finished)),
    _m("gross_margin", "orders",
       "(net sales - cost - refunds) / net sales, over orders whose every SKU has a cost",
       _margin(refunds=True)),
    _m("placed_to_released", "orders",
       "time from placing to the first fulfillment order (p50, p90)",
       _spread("placed_at", "released_at"), additive=False),
    _m("released_to_shipped", "orders",
       "time from the first fulfillment order to the order's last unit shipping (p50, p90)",
       _spread("released_at", "shipped_at"), additive=False),
    _m("shipped_to_delivered", "orders",
       "time from the order's last unit shipping to it being delivered (p50, p90)",
       _spread("shipped_at", "delivered_at"), additive=False),
    _m("placed_to_delivered", "orders", "time from placing to delivery (p50, p90)",
       _spread("placed_at", "delivered_at"), additive=False),
    # -- lines
    _m("units", "lines", "sum of units ordered and not cancelled", _sum("units")),
    _m("gross_sales", "lines",
       "sum of unit price x active units, before discounts, in the channel's price basis",
       _money("gross_sales")),
    _m("discounts", "lines", "sum of every discount given on lines", _money("discount")),
    _m("net_sales", "lines", "sum of line totals after discounts, without tax",
       _money("net_sales")),
    _m("tax", "lines", "sum of tax on lines (line total with tax - without)",
       _money("tax")),
    _m("cost", "lines", "sum of unit cost x units, where a cost is known",
       _known_money("cost")),
    _m("line_margin", "lines",
       "(net sales - cost) / net sales, over rows whose SKU has a cost",
       _margin(refunds=False)),
    _m("unit_fill_rate", "lines", "units shipped / units ordered and not cancelled",
       _ratio(lambda r: r.shipped_units, lambda r: r.units)),
    _m("line_fill_rate", "lines", "line rows shipped complete / line rows with units",
       _ratio(lambda r: int(r.shipped_complete), lambda r: 1, lambda r: r.units > 0)),
    _m("backordered_units", "lines", "sum of units waiting for stock now",
       _sum("backordered_units")),
    _m("unit_backorder_rate", "lines", "units waiting for stock now / units ordered",
       _ratio(lambda r: r.backordered_units, lambda r: r.units)),
    _m("cancelled_units", "lines", "sum of units cancelled", _sum("cancelled_units")),
    _m("returned_units", "lines", "sum of units returned", _sum("returned_units")),
    _m("return_rate", "lines",
       "units returned / units shipped (sale cohort: by the order's date)",
       _ratio(lambda r: r.returned_units, lambda r: r.shipped_units)),
    # -- shipments
    _m("shipments", "shipments", "number of shipments", _count()),
    _m("on_time_ship_rate", "shipments",
       "shipments that left within the ship window of the order being placed / shipments "
       "that left",
       _ratio(lambda r: int(bool(r.on_time_ship)), lambda r: 1,
              lambda r: r.on_time_ship is not None)),
    _m("on_time_delivery_rate", "shipments",
       "shipments delivered on or before their promised local day / delivered shipments "
       "with a promised day",
       _ratio(lambda r: int(bool(r.on_time_delivery)), lambda r: 1,
              lambda r: r.on_time_delivery is not None)),
    _m("shipping_cost", "shipments", "sum of what labels cost", _money("price")),
    _m("units_shipped", "shipments", "sum of units in shipments", _sum("units")),
    # -- returns
    _m("return_lines", "returns", "lines on returns (one row per line of each return)",
       _count()),
    _m("return_requests", "returns", "distinct returns (RMAs), claims included",
       lambda rows, cur: len({r.rma_id or r.order_id for r in rows}), additive=False),
    _m("return_units_requested", "returns", "units customers asked to send back",
       _sum("requested")),
    _m("return_units_received", "returns", "units that arrived back", _sum("units")),
    _m("return_units_refunded", "returns", "units refunded or credited to an exchange",
       _sum("refunded_units")),
    _m("refund_on_returns", "returns",
       "what returns' refunds paid (shipping, label and caps included), shared over "
       "their lines; for units returned without a return record, the order's refunds "
       "shared by net sales",
       _money("refund")),
    _m("restocking_fees", "returns", "restocking fees kept on refunds", _money("fee")),
    # -- stock
    _m("units_sold", "stock", "units consumed (shipped) by the ledger in the range",
       _sum("sold")),
    _m("units_received", "stock", "units received, transferred in or restocked",
       _sum("received")),
    _m("sell_through", "stock", "units sold / (units on hand at the start + received)",
       _ratio(lambda r: r.sold, lambda r: r.opening_on_hand + r.received)),
    _m("stockout_rate", "stock",
       "SKU-location-days ending with nothing available / SKU-location-days",
       _ratio(lambda r: r.stockout_days, lambda r: r.days)),
    _m("inventory_turnover", "stock",
       "cost of units sold / average inventory value (mean end-of-day on hand x unit "
       "cost), over SKUs with a cost", _turnover),
    _m("days_of_supply", "stock",
       "units on hand at the end / average daily units sold over the range",
       _days_of_supply, additive=False),
    _m("dead_stock", "stock", "SKU-locations with units on hand and none sold in the range",
       _count(lambda r: r.dead)),
    _m("dead_stock_units", "stock", "units on hand at SKU-locations that sold none",
       _sum_if("closing_on_hand", lambda r: r.dead)),
)  # fmt: skip


#: Every measure by name.
MEASURES: Mapping[str, Measure] = {m.name: m for m in _LIST}
if len(MEASURES) != len(_LIST):  # pragma: no cover - a mistake in the table above
    raise RuntimeError("two measures share a name")

#: The dimensions each table can be grouped and filtered by (plus ``day``, ``week``,
#: ``month`` of its date, in the store's time zone, for every table but ``stock``).
DIMENSIONS: Mapping[str, tuple[str, ...]] = {
    "orders": ("channel", "region", "status", "cancel_reason", "currency"),
    "lines": ("channel", "region", "location", "sku", "category", "currency"),
    "shipments": ("channel", "region", "location", "carrier", "service", "status"),
    "returns": ("channel", "region", "sku", "category", "reason", "kind", "status", "condition"),
    "stock": ("sku", "location", "category"),
    "ledger": ("sku", "location", "category", "kind"),
}
