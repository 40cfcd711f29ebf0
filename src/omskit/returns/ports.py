"""The ports returns work through: the services it drives and its own context.

Use-case functions take a [`ReturnsContext`][] (the service is one), so they never
import the service module they are called from.
"""

from __future__ import annotations

from typing import Protocol

from omskit.carriers.service import CarrierService
from omskit.catalog.service import CatalogService
from omskit.fulfillment.service import FulfillmentService
from omskit.inventory.service import InventoryService
from omskit.orders.service import OrderService
from omskit.payments.service import PaymentService
from omskit.plugins.manager import Registry
from omskit.returns.rules import ReturnRule
from omskit.returns.settings import ReturnSettings
from omskit.runtime import Runtime

__all__ = ["ReturnsContext", "ReturnsServices"]


class ReturnsServices(Protocol):
    """The services returns drive (the OMS facade is one)."""

    @property
    def orders(self) -> OrderService:
        """Orders."""
        ...

    @property
    def payments(self) -> PaymentService:
        """Payments."""
        ...

    @property
    def inventory(self) -> InventoryService:
        """Stock."""
        ...

    @property
    def carriers(self) -> CarrierService:
        """Carriers (return labels, tracking)."""
        ...

    @property
    def catalog(self) -> CatalogService:
        """Products."""
        ...

    @property
    def fulfillment(self) -> FulfillmentService:
        """Shipments (where the goods came from)."""
        ...


class ReturnsContext(Protocol):
    """What the use cases need: runtime, services, settings and the rule registry."""

    @property
    def runtime(self) -> Runtime:
        """Clock, ids, storage, plugins."""
        ...

    @property
    def services(self) -> ReturnsServices:
        """The capabilities returns drive."""
        ...

    @property
    def settings(self) -> ReturnSettings:
        """The returns policy settings."""
        ...

    @property
    def rules(self) -> Registry[ReturnRule]:
        """Eligibility rules by name."""
        ...
