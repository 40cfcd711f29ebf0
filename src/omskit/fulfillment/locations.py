"""Location setup and pick lists: the use cases that read or change how a location works."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from omskit.catalog.model import PRODUCTS
from omskit.customers.address import Address
from omskit.errors import ValidationError
from omskit.fulfillment.events import LocationConfigured
from omskit.fulfillment.model import FULFILLMENT_ORDERS, LOCATION_SETUPS, LocationSetup
from omskit.fulfillment.packing import Box
from omskit.fulfillment.picking import BinLocation, Layout, PickDemand, PickList, build_pick_list
from omskit.fulfillment.shipping import setup_in
from omskit.inventory.locations import LOCATIONS
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_mapping, check_text

__all__ = ["SetupChange", "check_setup", "configure_in", "pick_list_in"]

_PICKABLE = ("accepted", "picked", "packed", "partially_shipped")


@attrs.frozen
class SetupChange:
    """A checked change to a location's setup (``None``: leave that part as it is)."""

    code: str
    address: Address | None
    bins: dict[str, BinLocation]
    boxes: tuple[Box, ...] | None
    layout: Layout | None


def check_setup(
    code: str,
    address: Address | Mapping[str, Any] | None,
    bins: Mapping[str, str | BinLocation] | None,
    boxes: Sequence[Box] | None,
    layout: Layout | None,
) -> SetupChange:
    """Validate the arguments of ``configure_location`` (before any transaction opens)."""
    code = check_text(code, "code", max_length=64)
    clean_address = None if address is None else Address.from_mapping(address, "address")
    raw_bins = {} if bins is None else check_mapping(bins, "bins")
    clean_bins = {sku: BinLocation.parse(c, f"bins.{sku}") for sku, c in raw_bins.items()}
    if boxes is not None:
        listed: object = boxes  # from plain data, anything may come
        if isinstance(listed, str) or not isinstance(listed, Sequence) or not listed:
            raise ValidationError("boxes", listed, "give a list of at least one Box")
        for i, box in enumerate(listed):
            if not isinstance(box, Box):
                raise ValidationError(f"boxes[{i}]", box, "expected a Box")
    if layout is not None and not isinstance(layout, Layout):
        raise ValidationError("layout", layout, "expected a Layout")
    return SetupChange(
        code, clean_address, clean_bins, None if boxes is None else tuple(boxes), layout
    )


def configure_in(uow: UnitOfWork, change: SetupChange) -> LocationSetup:
    """Apply ``change``; a `LocationConfigured` event names what actually changed.

    Raises:
        NotFound: an unknown location or SKU.
    """
    uow.repo(LOCATIONS).get(change.code)
    for sku in change.bins:
        uow.repo(PRODUCTS).get(sku)
    repo = uow.repo(LOCATION_SETUPS)
    setup = repo.find(change.code) or LocationSetup(id=change.code)
    before = (setup.address, dict(setup.bins), setup.boxes, setup.layout)
    if change.address is not None:
        setup.address = change.address
    setup.bins.update(change.bins)
    if change.boxes is not None:
        setup.boxes = change.boxes
    if change.layout is not None:
        setup.layout = change.layout
    after = (setup.address, setup.bins, setup.boxes, setup.layout)
    names = ("address", "bins", "boxes", "layout")
    changed = tuple(n for n, old, new in zip(names, before, after, strict=True) if old != new)
    if changed:
        setup.record(LocationConfigured(location=change.code, changed=changed))
    repo.save(setup)
    return setup


def pick_list_in(
    uow: UnitOfWork, location: str, fulfillment_orders: Sequence[str] | None
) -> PickList:
    """The pick list for the named orders at ``location``, or for all its accepted work.

    Raises:
        ValidationError: a named order is at another location.
        NotFound: no such fulfillment order.
    """
    repo = uow.repo(FULFILLMENT_ORDERS)
    if fulfillment_orders is None:
        chosen = [
            f for status in _PICKABLE for f in repo.list_by("location_status", (location, status))
        ]
    else:
        chosen = [repo.get(i) for i in fulfillment_orders]
        for fo in chosen:
            if fo.location != location:
                raise ValidationError(
                    f"fulfillment_orders.{fo.id}", fo.location, f"every order must be at {location}"
                )
    demands = [
        PickDemand(fo.id, x.line_ref, x.sku, x.to_pick)
        for fo in chosen
        for x in fo.lines
        if x.to_pick
    ]
    setup = setup_in(uow, location)
    return build_pick_list(location, demands, setup.bins, setup.layout)
