"""Addresses and flows shared by the fulfillment service tests (and their conftest)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from omskit import OMS
from omskit.fulfillment import Shipment

BERLIN = {
    "country": "DE",
    "line1": "Invalidenstr. 117",
    "city": "Berlin",
    "postal_code": "10115",
    "name": "Dana Levi",
    "lat": 52.53,
    "lon": 13.38,
}
ZURICH = {
    "country": "CH",
    "line1": "Bahnhofstr. 1",
    "city": "Zürich",
    "postal_code": "8001",
    "name": "Urs <Müller>",
    "lat": 47.37,
    "lon": 8.54,
}


def shipped(
    oms: OMS,
    capture: Callable[..., Any],
    lines: dict[str, int],
    *,
    ship_to: Mapping[str, Any] = BERLIN,
    service: str = "express",
    **ship_kw: Any,
) -> Shipment:
    """Capture ``lines`` (released to one location), pick, pack and ship them by sandbox."""
    order = capture(lines, ship_to=ship_to)
    (fo,) = oms.fulfillment.release(order.id)
    oms.fulfillment.accept(fo.id)
    oms.fulfillment.confirm_pick(fo.id)
    oms.fulfillment.pack(fo.id)
    return oms.fulfillment.ship(fo.id, carrier="sandbox", service=service, **ship_kw)
