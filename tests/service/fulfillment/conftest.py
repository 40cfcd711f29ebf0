"""Fixtures for fulfillment service tests: a small catalogue, four locations, stock."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from omskit import OMS
from omskit.orders.model import Order
from omskit.testing import FakeClock

from .fulfillment_helpers import BERLIN

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)

Capture = Callable[..., Order]


def build_world(oms: OMS) -> None:
    """Products, locations and stock every fulfillment test starts from."""
    add = oms.catalog.add_product
    add(
        "TEE-M",
        name="T-shirt M",
        price="19.90",
        currency="EUR",
        weight_grams=180,
        dimensions=[300, 200, 20],
        hs_code="6109.10",
        country_of_origin="PT",
    )
    add(
        "MUG-01",
        name="Enamel mug",
        price="12.50",
        currency="EUR",
        weight_grams=350,
        dimensions=[120, 90, 100],
        hs_code="7323.94",
        country_of_origin="DE",
    )
    add(
        "TV-55",
        name="TV 55 inch",
        price="499.00",
        currency="EUR",
        weight_grams=15_000,
        dimensions=[700, 450, 150],
        ship_alone=True,
    )
    add(
        "SOFA",
        name="Sofa",
        price="899.00",
        currency="EUR",
        weight_grams=45_000,
        dimensions=[2000, 900, 800],
    )
    add(
        "LAMP-DS",
        name="Designer lamp",
        price="149.00",
        currency="EUR",
        weight_grams=2_000,
        dimensions=[400, 300, 300],
    )
    inv = oms.inventory
    inv.add_location(
        "BER", name="Berlin DC", kind="warehouse", country="DE", lat=52.52, lon=13.40, priority=1
    )
    inv.add_location(
        "MUC", name="Munich DC", kind="warehouse", country="DE", lat=48.14, lon=11.58, priority=2
    )
    inv.add_location(
        "HH-STORE",
        name="Hamburg store",
        kind="store",
        country="DE",
        lat=53.55,
        lon=9.99,
        capabilities={"click_and_collect": True},
    )
    inv.add_location(
        "SUP", name="Lamp supplier", kind="supplier", country="IT", lat=45.46, lon=9.19
    )
    for sku, location, qty in (
        ("TEE-M", "BER", 10),
        ("MUG-01", "BER", 10),
        ("TV-55", "BER", 3),
        ("SOFA", "BER", 2),
        ("TEE-M", "MUC", 10),
        ("MUG-01", "MUC", 4),
        ("TEE-M", "HH-STORE", 5),
        ("MUG-01", "HH-STORE", 5),
        ("LAMP-DS", "SUP", 50),
    ):
        inv.receive(sku, location=location, quantity=qty)
    oms.fulfillment.configure_location(
        "BER",
        address={
            "country": "DE",
            "line1": "Lagerweg 1",
            "city": "Berlin",
            "postal_code": "12099",
            "name": "Shop GmbH",
        },
        bins={"TEE-M": "A-03-2-B", "MUG-01": "A-01-5-A", "TV-55": "B-01-1-A", "SOFA": "B-02-1-A"},
    )


def make_capture(oms: OMS) -> Capture:
    """A function capturing an order: ``capture({"TEE-M": 2}, ship_to=..., external_id=...)``."""
    counter = itertools.count(1)

    def capture(
        lines: Mapping[str, int] | Sequence[tuple[str, int]],
        *,
        ship_to: Mapping[str, Any] = BERLIN,
        external_id: str | None = None,
        **extra: Any,
    ) -> Order:
        pairs = lines.items() if isinstance(lines, Mapping) else lines
        order = oms.orders.capture(
            {
                "channel": "web",
                "external_id": external_id or f"W-{next(counter)}",
                "customer": {"email": "dana@example.com", "name": "Dana Levi"},
                "ship_to": dict(ship_to),
                "lines": [{"sku": s, "quantity": q} for s, q in pairs],
                **extra,
            }
        )
        if order.on_hold:  # the risk rules hold big orders; a person approves them here
            order = oms.orders.release(order.id, reason="checked by a person")
        return order

    return capture


@pytest.fixture
def world(oms: OMS) -> OMS:
    """The shared OMS with :func:`build_world` applied."""
    build_world(oms)
    return oms


@pytest.fixture
def capture(world: OMS) -> Capture:
    """Capture orders into :func:`world`."""
    return make_capture(world)


@pytest.fixture
def make_world() -> Callable[[], tuple[OMS, FakeClock, Capture]]:
    """A factory for fresh worlds (for property tests, which need one per example)."""

    def make() -> tuple[OMS, FakeClock, Capture]:
        clock = FakeClock(START)
        oms = OMS.in_memory(clock=clock, autoload=False)
        build_world(oms)
        return oms, clock, make_capture(oms)

    return make
