"""Constraints: which locations may ship which line to which destination.

Honoured by every strategy, because they are applied before a strategy sees the problem:

* the location is active and not excluded (e.g. it rejected the work);
* its stock may serve online orders (store stock can be protected for walk-in customers);
* it ships to the destination country (``ships_to``, or abroad only if international);
* per line: hazardous goods only from locations allowed to handle them, and no unit
  heavier than the location's maximum parcel weight.
"""

from __future__ import annotations

from omskit.catalog.model import Product
from omskit.inventory.locations import Location

__all__ = ["line_block", "location_block"]


def location_block(location: Location, country: str, exclude: frozenset[str]) -> str | None:
    """Why ``location`` may not ship this order at all, or ``None`` if it may."""
    if location.id in exclude:
        return "excluded after it rejected or could not pick the work"
    if not location.active:
        return "deactivated"
    if not location.online_orders:
        return "its stock is kept for walk-in customers"
    if not location.serves(country):
        if location.ships_to:
            return f"only ships to {', '.join(location.ships_to)}"
        return f"does not ship abroad (it is in {location.country}, the order goes to {country})"
    return None


def line_block(location: Location, product: Product) -> str | None:
    """Why ``location`` may not ship ``product``, or ``None`` if it may."""
    caps = location.capabilities
    if product.hazmat and not caps.hazmat:
        return "cannot ship hazardous goods"
    limit = caps.max_parcel_grams
    if limit is not None and product.weight_grams > limit:
        return (f"{product.sku} weighs {product.weight_grams / 1000:g} kg, over its "
                f"{limit / 1000:g} kg parcel limit")  # fmt: skip
    return None
