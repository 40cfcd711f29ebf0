"""A small shop for order tests: three products, stock in Berlin, web and marketplace."""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS
from omskit.payments import SandboxGateway
from omskit.testing import FakeClock

SKUS = {"TEE-M": "19.90", "MUG-01": "12.50", "CAP-RED": "15.00"}


def stock_shop(oms: OMS, quantity: int = 50) -> OMS:
    """Add the products, one location with ``quantity`` of each, and the marketplace."""
    for sku, price in SKUS.items():
        oms.catalog.add_product(sku, name=sku, price=price, currency="EUR", weight_grams=200)
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
    for sku in SKUS:
        oms.inventory.receive(sku, location="BER", quantity=quantity)
    oms.channels.add("amazon-de", name="Amazon DE", kind="marketplace", currencies=["EUR"],
                     channel_prices="accept")  # fmt: skip
    return oms


def payload(external_id: str = "W-1", **overrides: Any) -> dict[str, Any]:
    """A valid two-line web order paid with the sandbox's good card."""
    data: dict[str, Any] = {
        "channel": "web",
        "external_id": external_id,
        "customer": {"email": "dana@example.com", "name": "Dana Levi"},
        "ship_to": {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
                    "postal_code": "10115"},
        "lines": [{"sku": "TEE-M", "quantity": 2}, {"sku": "MUG-01", "quantity": 1}],
        "payment": {"method": "tok_visa"},
    }  # fmt: skip
    data.update(overrides)
    return data


def sandbox(oms: OMS) -> SandboxGateway:
    gw = oms.payments.gateway("sandbox")
    assert isinstance(gw, SandboxGateway)
    return gw


def make_shop(clock: FakeClock, config: dict[str, Any] | None = None, plugins: Any = ()) -> OMS:
    return stock_shop(OMS.in_memory(config, plugins, clock=clock, autoload=False))


@pytest.fixture
def shop(clock: FakeClock) -> OMS:
    """The stocked shop with default settings."""
    return make_shop(clock)


@pytest.fixture
def make(clock: FakeClock) -> Any:
    """Build a stocked shop with a configuration and plugins: ``make(config, plugins)``."""
    return lambda config=None, plugins=(): make_shop(clock, config, plugins)


@pytest.fixture
def order_payload() -> Any:
    """``order_payload(external_id, **overrides)``: a valid web order payload."""
    return payload


@pytest.fixture
def gateway() -> Any:
    """``gateway(oms)``: the OMS's sandbox gateway."""
    return sandbox
