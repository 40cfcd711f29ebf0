"""Whether a location's stock can be sold: the one rule availability and routing share.

Stock counts as *available* (``oms.inventory.available``) exactly where routing may
source it for an online order, because both ask these functions:

* the location is active (a deactivated one only ships out what it already holds for
  orders);
* its stock may serve online orders (store stock is kept for walk-in customers unless
  ``online_orders`` is set);
* it ships to the destination country, when there is one (``ships_to``, or abroad only
  when ``international``);
* it may ship the product: hazardous goods only where ``hazmat`` is allowed, no unit
  heavier than its ``max_parcel_grams``.
"""

from __future__ import annotations

from omskit.catalog.model import PRODUCTS, Product
from omskit.inventory.locations import LOCATIONS, Location
from omskit.inventory.stock import STOCK
from omskit.storage.ports import UnitOfWork

__all__ = ["can_sell", "product_block", "salable", "salable_at", "sell_block"]


def sell_block(location: Location, country: str | None = None) -> str | None:
    """Why ``location``'s stock cannot be sold online (to ``country``), or ``None``."""
    if not location.active:
        return "deactivated"
    if not location.online_orders:
        return "its stock is kept for walk-in customers"
    if country is not None and not location.serves(country):
        if location.ships_to:
            return f"only ships to {', '.join(location.ships_to)}"
        return f"does not ship abroad (it is in {location.country}, the order goes to {country})"
    return None


def product_block(location: Location, product: Product) -> str | None:
    """Why ``location`` may not ship ``product``, or ``None`` if it may."""
    caps = location.capabilities
    if product.hazmat and not caps.hazmat:
        return "cannot ship hazardous goods"
    limit = caps.max_parcel_grams
    if limit is not None and product.weight_grams > limit:
        return (f"{product.sku} weighs {product.weight_grams / 1000:g} kg, over its "
                f"{limit / 1000:g} kg parcel limit")  # fmt: skip
    return None


def can_sell(location: Location, product: Product, country: str | None = None) -> bool:
    """Whether capture could reserve ``product`` at ``location`` (for ``country``)."""
    return sell_block(location, country) is None and product_block(location, product) is None


def salable_at(uow: UnitOfWork, sku: str, country: str | None = None) -> dict[str, int]:
    """Free units of ``sku`` per location that `can_sell` it (read-only; none: empty)."""
    product = uow.repo(PRODUCTS).view(sku)
    if product is None:
        return {}  # nothing was ever stocked: there are no levels either
    locations = uow.repo(LOCATIONS)
    found: dict[str, int] = {}
    for level in uow.repo(STOCK).list_view("sku", sku):
        free = level.available
        if free > 0:
            where = locations.view(level.location)
            if where is not None and can_sell(where, product, country):
                found[level.location] = free
    return found


def salable(uow: UnitOfWork, sku: str, country: str | None = None) -> int:
    """Free units of ``sku`` over every location that `can_sell` it (read-only)."""
    return sum(salable_at(uow, sku, country).values())
