"""Bare-Python baselines: the arithmetic of an order with none of omskit's machinery.

Each baseline does the same business arithmetic as the omskit call it is compared with,
in the plainest Python there is (dicts, ``Decimal``, one lock), so a benchmark can print
omskit's cost as a ratio measured in the same run on the same machine: machines are
noisy, ratios are not (much).

- `BareShop.capture`: look up the lines' prices, spread a 10 % order promotion over the
  lines by largest remainder, compute 19 % VAT per line to the cent, pick the nearest of
  three locations holding every line, check and decrement its stock under a lock, keep
  the order in a dict by id and by ``(channel, external_id)``, and record an
  authorization for the total. What it leaves out is what omskit adds: validation,
  events, timeline, risk, idempotency fingerprints, isolation, explanations.
- `BareShop.reserve`: check-and-decrement for one or more lines under a lock.
- `bare_report`: one pass over orders as plain dicts summing net sales, tax, units and
  shipped units by channel (what `reporting.py` compares the KPI set with).
- `bare_quote`: 10 lines, 3 promotions (10 % off the order, 2 EUR off one SKU, 5 % off
  a category), 19 % VAT per line.

Run it alone to see its rates; `capture.py` and `pricing.py` import it.

    python benchmarks/baseline.py
"""

from __future__ import annotations

import math
import threading
import time
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

CENT = Decimal("0.01")
VAT = Decimal("0.19")
TEN_PERCENT = Decimal("0.10")


def spread(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` (cents) over ``weights`` by largest remainder; the parts sum to it."""
    whole = sum(weights)
    cents = int(total / CENT)
    raw = [cents * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: cents - sum(parts)]:
        parts[i] += 1
    return [Decimal(p) * CENT for p in parts]


class BareShop:
    """Prices, stock at three located warehouses, and orders, in dicts."""

    def __init__(self, skus: int, locations: list[tuple[str, float, float]]) -> None:
        self.prices = {f"SKU-{i:04d}": Decimal(f"{5 + i % 40}.90") for i in range(skus)}
        self.locations = locations
        self.stock = {code: dict.fromkeys(self.prices, 1_000_000) for code, _, _ in locations}
        self.lock = threading.Lock()
        self.orders: dict[str, dict[str, Any]] = {}
        self.by_key: dict[tuple[str, str], str] = {}
        self.authorized: dict[str, Decimal] = {}

    def capture(self, payload: dict[str, Any], lat: float, lon: float) -> dict[str, Any]:
        """The realistic capture's arithmetic: price, promotion, VAT, nearest stock, store."""
        key = (payload["channel"], payload["external_id"])
        if key in self.by_key:
            return self.orders[self.by_key[key]]
        lines = payload["lines"]
        gross = [self.prices[line["sku"]] * line["quantity"] for line in lines]
        discount = (sum(gross) * TEN_PERCENT).quantize(CENT, ROUND_HALF_EVEN)
        shares = spread(discount, gross)
        priced = []
        for line, amount, share in zip(lines, gross, shares, strict=True):
            net_gross = amount - share
            tax = (net_gross * VAT / (1 + VAT)).quantize(CENT, ROUND_HALF_EVEN)
            priced.append(
                {"sku": line["sku"], "quantity": line["quantity"], "gross": net_gross, "tax": tax}
            )
        ranked = sorted(self.locations, key=lambda loc: math.dist((lat, lon), loc[1:]))
        with self.lock:
            for code, _, _ in ranked:
                level = self.stock[code]
                if all(level[line["sku"]] >= line["quantity"] for line in lines):
                    for line in lines:
                        level[line["sku"]] -= line["quantity"]
                    break
            else:
                raise RuntimeError("out of stock")
        order_id = f"O-{len(self.orders) + 1}"
        total = sum(p["gross"] for p in priced)
        email = payload["customer"]["email"]
        order = {
            "id": order_id,
            "lines": priced,
            "location": code,
            "total": total,
            "customer": email,
        }
        self.orders[order_id] = order
        self.by_key[key] = order_id
        self.authorized[order_id] = total
        return order

    def reserve(self, location: str, lines: list[tuple[str, int]]) -> None:
        """All-or-nothing check-and-decrement of ``lines`` at ``location``."""
        with self.lock:
            level = self.stock[location]
            if any(level[sku] < qty for sku, qty in lines):
                raise RuntimeError("out of stock")
            for sku, qty in lines:
                level[sku] -= qty


def bare_quote(prices: dict[str, Decimal], lines: list[tuple[str, int, str]]) -> Decimal:
    """10 lines with 3 promotions and VAT per line; returns the gross total."""
    gross = [prices[sku] * qty for sku, qty, _ in lines]
    # 2.00 off each unit of the first SKU, 5 % off the "shirts" category
    for i, (sku, qty, category) in enumerate(lines):
        if sku == lines[0][0]:
            gross[i] -= Decimal("2.00") * qty
        if category == "shirts":
            gross[i] -= (gross[i] * Decimal("0.05")).quantize(CENT, ROUND_HALF_EVEN)
    discount = (sum(gross) * TEN_PERCENT).quantize(CENT, ROUND_HALF_EVEN)
    shares = spread(discount, gross)
    total = Decimal(0)
    for amount, share in zip(gross, shares, strict=True):
        net_gross = amount - share
        tax = (net_gross * VAT / (1 + VAT)).quantize(CENT, ROUND_HALF_EVEN)
        total += net_gross + tax - tax  # the tax is computed and carried, as omskit does
    return total


def bare_report(orders: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Net sales, tax, units and shipped units by channel, and in total, in Decimal.

    The least a sales report does: one pass over plain dicts, no facts, no conversion.
    """
    groups: dict[str, dict[str, Any]] = {}
    total = {"net": Decimal(0), "tax": Decimal(0), "units": 0, "shipped": 0, "orders": 0}
    for o in orders:
        g = groups.get(o["channel"])
        if g is None:
            g = groups[o["channel"]] = dict(total)
        for row in (g, total):
            row["net"] += o["net"]
            row["tax"] += o["tax"]
            row["units"] += o["units"]
            row["shipped"] += o["shipped"]
            row["orders"] += 1
    return {"total": total, **groups}


def rate(fn: Any, count: int) -> float:
    """Calls per second of ``fn(i)`` over ``count`` calls."""
    t0 = time.perf_counter()
    for i in range(count):
        fn(i)
    return count / (time.perf_counter() - t0)


LOCATIONS = [("BER", 52.52, 13.40), ("HAM", 53.55, 9.99), ("MUC", 48.14, 11.58)]


def main() -> None:
    shop = BareShop(300, LOCATIONS)

    def one(i: int) -> None:
        lines = [{"sku": f"SKU-{(i * 3 + k) % 300:04d}", "quantity": 1 + k} for k in range(3)]
        email = f"c{i % 50_000}@example.com"
        payload = {"channel": "web", "external_id": f"B-{i}", "customer": {"email": email}}
        shop.capture({**payload, "lines": lines}, 52.5, 13.4)

    def reserve(i: int) -> None:
        shop.reserve("BER", [("SKU-0001", 1)])

    quote_lines = [(f"SKU-{k:04d}", 1 + k % 3, "shirts" if k % 2 else "other") for k in range(10)]

    def quote(i: int) -> None:
        bare_quote(shop.prices, quote_lines)

    print(f"bare capture:          {rate(one, 20_000):10.0f} orders/s")
    print(f"bare reserve (1 line): {rate(reserve, 50_000):10.0f} calls/s")
    print(f"bare 10-line quote:    {rate(quote, 20_000):10.0f} quotes/s")


if __name__ == "__main__":
    main()
