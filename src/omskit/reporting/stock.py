"""Stock facts for a date range, replayed from the ledger.

For every SKU and location the ledger has moved, [`stock_facts`][] replays the
movements day by day over the local calendar days ``start..end`` and keeps what the
inventory KPIs need: on hand at the start and end, units received and sold, the average
of the end-of-day on-hand units, and the days that ended with nothing available
(``on_hand - reserved - quarantined <= 0``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import ClassVar

import attrs

from omskit.money import Money
from omskit.reporting.facts import LedgerFact

__all__ = ["RECEIPTS", "StockFact", "stock_facts"]

#: Movement kinds that bring units in (what sell-through counts as received).
RECEIPTS = frozenset({"receive", "transfer_in", "restock_return"})


@attrs.frozen(slots=True)
class StockFact:
    """One SKU at one location over a date range.

    ``days`` counts the days in range on which the level existed (its first movement
    was on or before that day); ``unit_cost`` is ``None`` when no supplier terms are
    known for the SKU.
    """

    MONEY: ClassVar[tuple[str, ...]] = ("unit_cost",)
    ANCHOR: ClassVar[str] = "as_of"

    sku: str
    category: str
    location: str
    currency: str
    as_of: dt.datetime
    opening_on_hand: int
    closing_on_hand: int
    received: int
    sold: int
    days: int
    stockout_days: int
    on_hand_days: int
    unit_cost: Decimal | None

    @property
    def average_on_hand(self) -> Decimal:
        """Mean end-of-day on-hand units over ``days``."""
        return Decimal(self.on_hand_days) / self.days if self.days else Decimal(0)

    @property
    def dead(self) -> bool:
        """Units on hand at the end and none sold in the range."""
        return self.closing_on_hand > 0 and self.sold == 0


def stock_facts(  # noqa: PLR0917 - one argument per input of the replay
    ledger: Iterable[LedgerFact],
    start: dt.date,
    end: dt.date,
    tz: dt.tzinfo,
    unit_costs: Mapping[str, Money],
    currency: str,
    convert: Callable[[Money], Decimal],
    categories: Mapping[str, str],
) -> tuple[StockFact, ...]:
    """Replay ``ledger`` over the local days ``start..end`` (inclusive) into facts.

    ``convert`` turns a unit cost into ``currency``.
    """
    per_level: dict[tuple[str, str], list[LedgerFact]] = {}
    for m in ledger:
        per_level.setdefault((m.sku, m.location), []).append(m)
    n_days = (end - start).days + 1
    as_of = dt.datetime.combine(end, dt.time(23, 59, 59), tz)
    out: list[StockFact] = []
    for (sku, location), moves in sorted(per_level.items()):
        moves.sort(key=lambda m: m.at)
        on_hand = reserved = quarantined = 0
        opening = received = sold = days = stockout = on_hand_days = 0
        i = 0
        first_day = moves[0].at.astimezone(tz).date()
        while i < len(moves) and moves[i].at.astimezone(tz).date() < start:
            m = moves[i]
            on_hand, reserved, quarantined = (
                on_hand + m.on_hand,
                reserved + m.reserved,
                quarantined + m.quarantined,
            )
            i += 1
        opening = on_hand
        for k in range(n_days):
            day = start + dt.timedelta(days=k)
            while i < len(moves) and moves[i].at.astimezone(tz).date() <= day:
                m = moves[i]
                on_hand, reserved, quarantined = (
                    on_hand + m.on_hand,
                    reserved + m.reserved,
                    quarantined + m.quarantined,
                )
                if m.kind in RECEIPTS:
                    received += m.on_hand
                elif m.kind == "consume":
                    sold -= m.on_hand
                i += 1
            if day < first_day:
                continue
            days += 1
            on_hand_days += on_hand
            if on_hand - reserved - quarantined <= 0:
                stockout += 1
        cost = unit_costs.get(sku)
        out.append(StockFact(
            sku=sku, category=categories.get(sku, ""), location=location, currency=currency,
            as_of=as_of, opening_on_hand=opening, closing_on_hand=on_hand, received=received,
            sold=sold, days=days, stockout_days=stockout, on_hand_days=on_hand_days,
            unit_cost=None if cost is None else convert(cost),
        ))  # fmt: skip
    return tuple(out)
