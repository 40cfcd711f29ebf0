"""Where returned goods go: a rule like routing's, with the reason in words.

Not one fixed location (MSI #3109): in order, the returns centre configured for the
destination country, the policy's returns centre, the location that shipped most of the
returned units, and the nearest active warehouse to the customer.
"""

from __future__ import annotations

from collections.abc import Mapping

from omskit.fulfillment.model import SHIPMENTS
from omskit.inventory.locations import LOCATIONS, Location
from omskit.orders.model import Order
from omskit.returns.settings import ReturnPolicy
from omskit.storage.ports import UnitOfWork

__all__ = ["choose_location"]


def _active(uow: UnitOfWork, code: str) -> Location | None:
    found = uow.repo(LOCATIONS).find(code) if code else None
    return found if found is not None and found.active else None


def choose_location(
    uow: UnitOfWork, order: Order, policy: ReturnPolicy, units: Mapping[str, int]
) -> tuple[str, str]:
    """The location ``units`` (``{line_id: qty}``) of ``order`` go back to, and why.

    Returns ``("", why)`` when no active location can take them.
    """
    country = order.ship_to.country
    by_country = policy.locations_by_country.get(country, "")
    if _active(uow, by_country):
        return by_country, f"{by_country}: the returns centre for {country}"
    if _active(uow, policy.location):
        return policy.location, f"{policy.location}: the configured returns centre"
    shipped: dict[str, int] = {}
    for shipment in uow.repo(SHIPMENTS).list_by("order", order.id):
        for line_id, qty in shipment.lines.items():
            if line_id in units:
                shipped[shipment.location] = shipped.get(shipment.location, 0) + qty
    for code, qty in sorted(shipped.items(), key=lambda kv: (-kv[1], kv[0])):
        if _active(uow, code) and uow.repo(LOCATIONS).get(code).kind != "supplier":
            return code, f"{code}: the returned line(s) shipped from there ({qty} unit(s))"
    warehouses = [x for x in uow.repo(LOCATIONS).scan() if x.active and x.kind == "warehouse"]
    point = order.ship_to.point
    if point is not None and warehouses:
        near = min(warehouses, key=lambda x: (x.point.distance_km(point), x.id))
        km = near.point.distance_km(point)
        return near.id, f"{near.id}: the nearest active warehouse ({km:.0f} km)"
    if warehouses:
        first = min(warehouses, key=lambda x: (x.priority, x.id))
        return first.id, f"{first.id}: the first active warehouse by priority"
    return "", "no active warehouse can take returns"
