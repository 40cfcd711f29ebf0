"""Fixtures for returns service tests (the helpers are in ``returns_helpers``)."""

from __future__ import annotations

import pytest

from omskit import OMS

from .returns_helpers import Sell, build_world, make_seller


@pytest.fixture
def world(oms: OMS) -> OMS:
    """The shared OMS with `build_world` applied."""
    build_world(oms)
    return oms


@pytest.fixture
def sell(world: OMS) -> Sell:
    """Capture, pay, ship and deliver an order."""
    return make_seller(world)
