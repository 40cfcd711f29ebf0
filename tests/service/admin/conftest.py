"""A shop with access control on: products, a warehouse and a store, staff with roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from omskit import OMS
from omskit.testing import FakeClock

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)

SHIP_TO = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
           "postal_code": "10115"}  # fmt: skip

#: Staff every test may act as: name -> grants.
STAFF: dict[str, list[Any]] = {
    "mia": ["manager"],
    "max": ["manager"],
    "cara": ["customer_service"],
    "web-cs": [{"role": "customer_service", "channels": ["web"]}],
    "wes": [{"role": "warehouse", "locations": ["BER"]}],
    "tal": [{"role": "warehouse", "locations": ["TLV"]}],
    "fin": ["finance"],
    "fay": ["finance"],
    "rita": ["read_only"],
}


def build(oms: OMS) -> OMS:
    """Products, locations, stock, a marketplace channel and the staff (access still off)."""
    for sku, price in (("TEE-M", "19.90"), ("MUG-01", "12.50"), ("LAMP-1", "250.00")):
        oms.catalog.add_product(sku, name=sku, price=price, currency="EUR", weight_grams=200)
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
    oms.inventory.add_location("TLV", name="Tel Aviv store", kind="store", country="IL",
                               lat=32.08, lon=34.78)  # fmt: skip
    for sku in ("TEE-M", "MUG-01", "LAMP-1"):
        oms.inventory.receive(sku, location="BER", quantity=40)
        oms.inventory.receive(sku, location="TLV", quantity=10)
    oms.catalog.add_product("VASE-1", name="Vase", price="30.00", currency="EUR",
                            weight_grams=900)  # fmt: skip
    oms.inventory.add_location("MUC", name="Munich DC", country="DE", lat=48.14, lon=11.58)
    oms.inventory.receive("VASE-1", location="MUC", quantity=5)
    oms.channels.add("amazon-de", name="Amazon DE", kind="marketplace", currencies=["EUR"],
                     channel_prices="accept")  # fmt: skip
    for name, grants in STAFF.items():
        oms.admin.add_user(name, roles=grants)
    oms.admin.add_client("shop-connector", roles=["integration"])
    return oms


def order_payload(external_id: str = "W-1", channel: str = "web", **extra: Any) -> dict[str, Any]:
    """A valid web order of two lines, paid with the sandbox's good card."""
    data: dict[str, Any] = {
        "channel": channel,
        "external_id": external_id,
        "customer": {"email": "dana@example.com", "name": "Dana Levi"},
        "ship_to": SHIP_TO,
        "lines": [{"sku": "TEE-M", "quantity": 2}, {"sku": "MUG-01", "quantity": 1}],
        "payment": {"method": "tok_visa"},
    }
    data.update(extra)
    return data


def make_shop(clock: FakeClock, admin: dict[str, Any] | None = None) -> OMS:
    """The shop, built with access off, then access control switched on by the owner."""
    config = {"admin": {"owner": "root", **(admin or {})}}
    oms = build(OMS.in_memory(config, clock=clock, autoload=False))
    oms.admin.enable(actor="root")
    return oms


@pytest.fixture
def shop(clock: FakeClock) -> OMS:
    """The shop with access control on and no approval rules."""
    return make_shop(clock)


@pytest.fixture
def make(clock: FakeClock) -> Any:
    """``make(admin_settings)``: the shop with more ``admin`` settings."""
    return lambda admin=None: make_shop(clock, admin)
