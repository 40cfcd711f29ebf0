"""What orders need from the capabilities it drives: pricing, inventory, routing, payments.

Orders come before inventory, routing and fulfillment in the import order, so it talks
to them through these protocols; the OMS facade hands over the real services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from omskit.payments.service import PaymentService
from omskit.storage.ports import UnitOfWork

__all__ = [
    "FulfillmentPort",
    "HeldWork",
    "InventoryPort",
    "PricingPort",
    "RoutingPort",
    "Services",
]


class PricingPort(Protocol):
    """Prices a quote request inside the caller's transaction."""

    def quote_in(self, uow: UnitOfWork, request: Any) -> Any:
        """A [`Quote`][] for ``request``."""
        ...

    def redeem_coupons_in(
        self, uow: UnitOfWork, quote: Any, *, order_id: str, customer_key: str
    ) -> Any:
        """Consume the coupon uses of ``quote`` (raises when a limit is reached)."""
        ...

    def release_coupons_in(self, uow: UnitOfWork, codes: Sequence[str], *, order_id: str) -> int:
        """Give back the uses ``order_id`` made of ``codes``; return how many were given back."""
        ...


class InventoryPort(Protocol):
    """Holds and gives back stock inside the caller's transaction."""

    settings: Any

    def reserve_in(
        self,
        uow: UnitOfWork,
        *,
        reference: str,
        allocations: Sequence[Any],
        expires_at: Any = None,
        actor: str = "system",
        oversell: bool = True,
    ) -> list[Any]:
        """Reserve every allocation, or nothing (raises ``InsufficientStock``).

        ``oversell=False``: only stock that is there (no backorder holds).
        """
        ...

    def backorder_in(
        self,
        uow: UnitOfWork,
        *,
        reference: str,
        lines: Sequence[Any],
        allow: bool = True,
        waiting: Any = None,
    ) -> list[Any]:
        """Accept short lines as backorders as each SKU's policy says, or refuse them all."""
        ...

    def release_in(
        self,
        uow: UnitOfWork,
        *,
        reference: str,
        line_ref: str | None = None,
        quantity: int | None = None,
        reason: str = "",
        location: str | None = None,
    ) -> Any:
        """Release a reference's reservations: all, one line's, or part of one line's.

        With ``location``, only the holds there.
        """
        ...

    def reservations_in(self, uow: UnitOfWork, reference: str) -> list[Any]:
        """The reference's reservations, as this transaction sees them."""
        ...


class RoutingPort(Protocol):
    """Decides which locations ship what."""

    def plan_in(self, uow: UnitOfWork, request: Any, strategy: str | None = None) -> Any:
        """A routing plan: allocations and shortfalls."""
        ...


class HeldWork(Protocol):
    """A fulfillment order as orders sees it: where it is and what it still holds."""

    @property
    def id(self) -> str:
        """The fulfillment order id."""
        ...

    @property
    def location(self) -> str:
        """The location doing the work."""
        ...

    @property
    def open_units(self) -> Mapping[str, int]:
        """Units per order line released to the location and not yet shipped."""
        ...


class FulfillmentPort(Protocol):
    """Tells orders which units a location is working on (optional: orders without it)."""

    def holding_in(self, uow: UnitOfWork, order_id: str) -> Sequence[HeldWork]:
        """The order's fulfillment orders that still hold units, oldest first."""
        ...


class Services(Protocol):
    """The services orders drive (the OMS facade is one)."""

    @property
    def pricing(self) -> PricingPort:
        """Quotes."""
        ...

    @property
    def inventory(self) -> InventoryPort:
        """Stock."""
        ...

    @property
    def routing(self) -> RoutingPort:
        """Sourcing plans."""
        ...

    @property
    def payments(self) -> PaymentService:
        """Payments."""
        ...
