"""Return KPIs from the returns capability's records (RMAs), by reason."""

from __future__ import annotations

from decimal import Decimal

from omskit.money import Money
from omskit.reporting import Ratio

from .reporting_helpers import BERLIN, ship, world

NOV = ("2026-11-01", "2026-11-30")


def test_return_kpis_come_from_the_returns_with_their_reasons() -> None:
    """P-1: TEE x2 (40.00) + MUG x1 (10.00), paid and shipped (3 units). One return:
    1 TEE "too_small" and the MUG "defective", received, inspected, refunded 30.00
    (20.00 + 10.00, no fees, no shipping back). A second return of the other TEE is
    requested and still open. Return rate = 2 accepted units / 3 shipped.
    """
    oms, clock = world()
    order = oms.orders.capture({
        "channel": "web", "external_id": "P-1", "customer": {"email": "d@example.com"},
        "ship_to": BERLIN, "payment": {"method": "tok_visa"},
        "lines": [{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}],
    })  # fmt: skip
    ship(oms, order.id)
    clock.advance(days=2)
    rma = oms.returns.request(
        order.id,
        [{"line": "L1", "quantity": 1, "reason": "too_small"},
         {"line": "L2", "quantity": 1, "reason": "defective"}],
        authorize=True,
    )  # fmt: skip
    oms.returns.receive(rma.id)
    oms.returns.inspect(rma.id)
    oms.returns.refund(rma.id)
    oms.returns.request(order.id, [{"line": "L1", "quantity": 1, "reason": "fit"}])
    r = oms.reports.kpis(*NOV, by="reason")
    assert r["return_requests"] == 2
    assert r["return_lines"] == 3
    assert r["return_units_requested"] == 3
    assert r["return_units_received"] == 2
    assert r["return_units_refunded"] == 2
    assert r["refund_on_returns"] == Money(Decimal("30.00"), "EUR")
    assert r["refund_on_returns"] == r["refunds"]  # every refund here came from a return
    assert r["return_rate"] == Ratio(2, 3)
    assert r.groups["too_small"]["refund_on_returns"] == Money(Decimal("20.00"), "EUR")
    assert r.groups["defective"]["return_units_received"] == 1
    assert r.groups["fit"]["return_units_received"] == 0
    rows = oms.reports.query({"table": "returns", "dimensions": ["status"],
                              "measures": ["return_lines"]}, *NOV)  # fmt: skip
    assert {row["status"]: row["return_lines"] for row in rows} == {"closed": 2, "requested": 1}
