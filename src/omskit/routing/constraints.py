"""Constraints: which locations may ship which line to which destination.

Honoured by every strategy, because they are applied before a strategy sees the problem:

* the location is active and not excluded (e.g. it rejected the work);
* its stock may serve online orders (store stock can be protected for walk-in customers);
* it ships to the destination country (``ships_to``, or abroad only if international);
* per line: hazardous goods only from locations allowed to handle them, and no unit
  heavier than the location's maximum parcel weight.

Apart from the exclusions, these are `omskit.inventory.selling`'s rules: what
routing may source is exactly what ``oms.inventory.available`` counts.
"""

from __future__ import annotations

from omskit.catalog.model import Product
from omskit.inventory.locations import Location
from omskit.inventory.selling import product_block, sell_block

__all__ = ["line_block", "location_block"]


def location_block(location: Location, country: str, exclude: frozenset[str]) -> str | None:
    """Why ``location`` may not ship this order at all, or ``None`` if it may."""
    if location.id in exclude:
        return "excluded after it rejected or could not pick the work"
    return sell_block(location, country)


def line_block(location: Location, product: Product) -> str | None:
    """Why ``location`` may not ship ``product``, or ``None`` if it may."""
    return product_block(location, product)
