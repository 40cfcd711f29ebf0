"""Durable storage: capture on a SQLite file, restart, and find everything still there.

A shop opens ``sqlite:///<tmp>/shop.db``, stocks a product and captures an order while
its ERP subscriber is down, then closes (a restart, or a crash after the commit). A
second OMS opened on the same file finds the order, the reserved stock and the event
the ERP never got, delivers it, and replays the same capture without a second order.

    python examples/durable_storage.py
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from omskit import OMS
from omskit.__main__ import main as omskit_cli
from omskit.events import Event
from omskit.testing import FakeClock

ORDER = {
    "channel": "web",
    "external_id": "W-1001",
    "customer": {"email": "dana@example.com", "name": "Dana Levi"},
    "ship_to": {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
                "postal_code": "10115"},
    "lines": [{"sku": "MUG-01", "quantity": 2}],
}  # fmt: skip


class Erp:
    """A subscriber standing in for an ERP that is down for a while."""

    def __init__(self, up: bool) -> None:
        self.up = up
        self.received: list[str] = []

    def __call__(self, event: Event) -> None:
        """Take ``event``, or fail while the ERP is down."""
        if not self.up:
            raise ConnectionError("ERP unreachable")
        self.received.append(event.event_type)


def main() -> None:
    """Capture, close, reopen, deliver, replay."""
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='omskit-')) / 'shop.db'}"
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    print(f"== first run on {url}")
    with OMS.open(url, clock=clock, autoload=False) as shop:
        shop.catalog.add_product("MUG-01", name="Mug", price="12.50", currency="EUR")
        shop.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
        shop.inventory.receive("MUG-01", location="BER", quantity=5)
        shop.events.subscribe("erp", Erp(up=False))
        order = shop.orders.capture(ORDER)
        print(f"captured {order.id}: {order.status}, total {order.total.gross}")
        print(f"events waiting for the ERP (it is down): {shop.events.pending()}")
    print("closed: the process could end here")

    clock.advance(hours=1)  # past the retry back-off
    print("\n== second run, same file")
    erp = Erp(up=True)
    with OMS.open(url, clock=clock, autoload=False) as shop:
        again = shop.orders.get(order.id)
        (level,) = shop.inventory.levels("MUG-01")
        print(f"order {again.id} is there: {again.status}, version {again.version}")
        print(f"stock MUG-01 at BER: {level.on_hand} on hand, {level.reserved} reserved")
        shop.events.subscribe("erp", erp)
        delivered = shop.events.dispatch()
        print(f"delivered to the ERP now: {delivered} events {erp.received}")
        replay = shop.orders.capture(ORDER)
        print(f"the same capture again returns {replay.id} (no second order)")
        assert replay.id == order.id
        assert (level.on_hand, level.reserved) == (5, 2)
        assert "OrderCaptured" in erp.received

    print("\n== python -m omskit db status")
    omskit_cli(["db", "status", url])


if __name__ == "__main__":
    main()
