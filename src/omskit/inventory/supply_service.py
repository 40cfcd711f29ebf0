"""Supplier, replenishment, backorder and promise methods of the inventory service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from omskit.catalog.model import PRODUCTS
from omskit.errors import AlreadyExists, UnknownSku, ValidationError
from omskit.inventory.arguments import (
    check_actor,
    check_day,
    check_optional_code,
    check_quantities,
)
from omskit.inventory.backorders import SKU_POLICIES, Promise, SkuPolicy, promise, sku_levels
from omskit.inventory.errors import UnknownPurchaseOrder, UnknownSupplier
from omskit.inventory.locations import check_location_code
from omskit.inventory.operations import load_location
from omskit.inventory.replenishment import (
    PURCHASE_ORDERS,
    REORDER_POLICIES,
    SUPPLIERS,
    PurchaseOrder,
    ReorderPolicy,
    SuggestedPurchaseOrder,
    Supplier,
    SupplyTerms,
    place_purchase_order,
    receive_purchase_order,
    suggest_purchase_orders,
)
from omskit.inventory.stock import level_id
from omskit.money import Money, MoneyLike
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_quantity, check_sku, check_text

if TYPE_CHECKING:
    from omskit.inventory.settings import InventorySettings
    from omskit.runtime import Runtime

__all__ = ["SupplyMixin", "require_sku"]


class SupplyMixin:
    """Suppliers, reorder policies and purchase orders."""

    _rt: Runtime
    settings: InventorySettings

    def add_supplier(
        self, code: str, *, name: str, lead_time_days: int = 7, actor: str = "system"
    ) -> Supplier:
        """Add a supplier with its default lead time in days."""
        code = check_text(code, "code", max_length=32)
        name = check_text(name, "name")
        lead = check_quantity(lead_time_days, "lead_time_days", minimum=0, maximum=3650)

        def use_case(uow: UnitOfWork) -> Supplier:
            repo = uow.repo(SUPPLIERS)
            if repo.find(code) is not None:
                raise AlreadyExists("supplier", code)
            supplier = Supplier(id=code, name=name, lead_time_days=lead)
            repo.add(supplier)
            return supplier

        return self._rt.run(use_case, actor=actor)

    def set_supply_terms(
        self, supplier: str, sku: str, *, unit_cost: MoneyLike | str, currency: str | None = None,
        moq: int = 1, pack_size: int = 1, lead_time_days: int | None = None, actor: str = "system",
    ) -> Supplier:  # fmt: skip
        """What ``supplier`` charges for ``sku``, its minimum order and pack size."""
        supplier = check_text(supplier, "supplier", max_length=32)
        sku = check_sku(sku)
        default = currency or self._rt.config.default_currency
        cost = Money.of(
            unit_cost, None if isinstance(unit_cost, MoneyLike) else default, field="unit_cost"
        )
        if cost.amount < 0:
            raise ValidationError("unit_cost", unit_cost, "must not be negative")
        terms = SupplyTerms(
            cost, check_quantity(moq, "moq"), check_quantity(pack_size, "pack_size"),
            None if lead_time_days is None else check_quantity(
                lead_time_days, "lead_time_days", minimum=0, maximum=3650),
        )  # fmt: skip

        def use_case(uow: UnitOfWork) -> Supplier:
            found = uow.repo(SUPPLIERS).find(supplier)
            if found is None:
                raise UnknownSupplier(supplier)
            found.terms[sku] = terms
            uow.repo(SUPPLIERS).save(found)
            return found

        return self._rt.run(use_case, actor=actor)

    def set_reorder_policy(self, sku: str, *, location: str, supplier: str,
                           actor: str = "system", **fields: Any) -> ReorderPolicy:  # fmt: skip
        """Reorder ``sku`` at ``location`` from ``supplier``.

        Fields: ``method`` (``"reorder_point"`` or ``"min_max"``), ``reorder_point``,
        ``order_quantity``, ``minimum``, ``maximum``, ``demand_days``, ``cover_days``;
        points left out are derived from recent demand.
        """
        sku, location = check_sku(sku), check_location_code(location)
        supplier = check_text(supplier, "supplier", max_length=32)
        clean = _clean_policy(fields, self.settings.demand_days)

        def use_case(uow: UnitOfWork) -> ReorderPolicy:
            load_location(uow, location)
            if uow.repo(SUPPLIERS).find(supplier) is None:
                raise UnknownSupplier(supplier)
            repo = uow.repo(REORDER_POLICIES)
            pid = level_id(check_sku(sku), location)
            policy = repo.find(pid)
            if policy is None:
                policy = ReorderPolicy(id=pid, sku=sku, location=location, supplier=supplier,
                                       **clean)  # fmt: skip
                repo.add(policy)
            else:
                for key, value in {"supplier": supplier, **clean}.items():
                    setattr(policy, key, value)
                repo.save(policy)
            return policy

        return self._rt.run(use_case, actor=actor)

    def suggest_purchase_orders(self, location: str | None = None) -> list[SuggestedPurchaseOrder]:
        """Purchase orders the reorder policies call for now."""
        location = check_optional_code(location)
        now = self._rt.clock.now()
        with self._rt.storage.unit_of_work() as uow:
            return suggest_purchase_orders(uow, now, location)

    def place_purchase_order(
        self, *, supplier: str, location: str, lines: Mapping[str, int],
        expected: dt.date | None = None, actor: str = "system",
    ) -> PurchaseOrder:  # fmt: skip
        """Order ``lines`` ({sku: quantity}) from ``supplier`` for ``location``."""
        supplier = check_text(supplier, "supplier", max_length=32)
        location = check_location_code(location)
        lines = check_quantities(lines, "lines")
        expected = check_day(expected, "expected")
        now = self._rt.clock.now()
        return self._rt.run(lambda uow: place_purchase_order(uow, self._rt.ids, now,
                            supplier=supplier, location=location, lines=dict(lines),
                            expected=expected), actor=actor)  # fmt: skip

    def receive_purchase_order(
        self, po_id: str, lines: Mapping[str, int] | None = None, *, actor: str = "system"
    ) -> PurchaseOrder:
        """Book what arrived of ``po_id`` into stock (everything still open by default)."""
        po_id = check_text(po_id, "po_id", max_length=64)
        if lines is not None:
            lines = check_quantities(lines, "lines", required=False)
        actor = check_actor(actor)
        now = self._rt.clock.now()
        return self._rt.run(lambda uow: receive_purchase_order(uow, self._rt.ids, now,
                            po_id=po_id, lines=None if lines is None else dict(lines),
                            actor=actor), actor=actor)  # fmt: skip

    # -- backorders and promises ------------------------------------------------------
    def set_backorder_policy(
        self, sku: str, mode: str, *, cap: int | None = None,
        release_date: dt.date | None = None, actor: str = "system",
    ) -> SkuPolicy:  # fmt: skip
        """Let ``sku`` be sold beyond stock: ``"deny"``, ``"backorder"`` or ``"preorder"``."""
        sku = check_sku(sku)
        if not isinstance(mode, str) or mode not in ("deny", "backorder", "preorder"):
            raise ValidationError("mode", mode, "expected 'deny', 'backorder' or 'preorder'")
        if cap is not None:
            cap = check_quantity(cap, "cap", minimum=0)
        release_date = check_day(release_date, "release_date")
        if mode == "preorder" and release_date is None:
            raise ValidationError("release_date", None, "a preorder needs a release date")

        def use_case(uow: UnitOfWork) -> SkuPolicy:
            require_sku(uow, sku)
            repo = uow.repo(SKU_POLICIES)
            policy = repo.find(sku)
            if policy is None:
                policy = SkuPolicy(id=sku)
                repo.add(policy)
            policy.mode = mode  # type: ignore[assignment]
            policy.cap = cap
            policy.release_date = release_date
            repo.save(policy)
            return policy

        return self._rt.run(use_case, actor=actor)

    def backorder_policy(self, sku: str) -> SkuPolicy:
        """The backorder policy of ``sku`` (``deny`` unless set)."""
        sku = check_sku(sku)
        with self._rt.storage.unit_of_work() as uow:
            return uow.repo(SKU_POLICIES).find(sku) or SkuPolicy(id=sku)

    def promise(self, sku: str, quantity: int, *, location: str | None = None) -> Promise:
        """When ``quantity`` x ``sku`` can be promised (available-to-promise by date)."""
        sku, location = check_sku(sku), check_optional_code(location)
        quantity = check_quantity(quantity)
        today = self._rt.clock.now().date()

        def query(uow: UnitOfWork) -> Promise:
            require_sku(uow, sku)
            levels = sku_levels(uow, sku)
            if location is not None:
                load_location(uow, location)
                levels = [lv for lv in levels if lv.location == location]
            return promise(sku, quantity, levels, uow.repo(SKU_POLICIES).find(sku), today)

        with self._rt.storage.unit_of_work() as uow:
            return query(uow)

    def purchase_order(self, po_id: str) -> PurchaseOrder:
        """The purchase order ``po_id``."""
        po_id = check_text(po_id, "po_id", max_length=64)
        with self._rt.storage.unit_of_work() as uow:
            po = uow.repo(PURCHASE_ORDERS).find(po_id)
            if po is None:
                raise UnknownPurchaseOrder(po_id)
            return po


def require_sku(uow: UnitOfWork, sku: str) -> None:
    """Raise [`UnknownSku`][] unless ``sku`` is in the catalog."""
    if uow.repo(PRODUCTS).find(check_sku(sku)) is None:
        raise UnknownSku(sku)


def _clean_policy(fields: Mapping[str, Any], demand_days: int) -> dict[str, Any]:
    known = {f.name for f in attrs.fields(ReorderPolicy)} - {
        "id", "version", "_events", "sku", "location", "supplier"}  # fmt: skip
    for key in fields:
        if key not in known:
            raise ValidationError(key, fields[key], f"unknown field; allowed: {sorted(known)}")
    out: dict[str, Any] = {"demand_days": demand_days}
    for key, value in fields.items():
        if key == "method":
            if value not in ("reorder_point", "min_max"):
                raise ValidationError("method", value, "expected 'reorder_point' or 'min_max'")
            out[key] = value
        elif value is not None:
            minimum = 1 if key in ("demand_days", "cover_days", "order_quantity") else 0
            out[key] = check_quantity(value, key, minimum=minimum)
        else:
            out[key] = None
    if out.get("minimum") is not None and out.get("maximum") is not None \
            and out["maximum"] < out["minimum"]:  # fmt: skip
        raise ValidationError("maximum", out["maximum"], f"must be at least {out['minimum']}")
    return out
