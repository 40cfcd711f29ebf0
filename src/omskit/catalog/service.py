"""The catalog service: add, update, deactivate and look up products."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from omskit.catalog.events import (
    ProductAdded,
    ProductDeactivated,
    ProductReactivated,
    ProductUpdated,
)
from omskit.catalog.model import PRODUCTS, Product, clean_product_fields
from omskit.errors import AlreadyExists, Problem, UnknownSku, ValidationError
from omskit.runtime import Runtime
from omskit.storage.ports import Repository, UnitOfWork
from omskit.validation import check_sku, check_text

__all__ = ["CatalogService"]


class CatalogService:
    """Products and SKUs. Reached as ``oms.catalog``."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime

    def add_product(self, sku: str, *, actor: str = "system", **fields: Any) -> Product:
        """Add a product; every field is validated and all problems are reported together.

        Args:
            sku: the SKU, 1-64 letters, digits or ``._-/``.
            **fields: ``name`` (required), ``price`` with ``currency``, ``attributes``,
                ``weight_grams``, ``dimensions``, ``hs_code``, ``country_of_origin``,
                ``tax_class``, ``returnable``, ``hazmat``, ``ship_alone``,
                ``kit_components``.
            actor: who makes the change (recorded on its events; default ``"system"``).

        Raises:
            ValidationError: listing every invalid field.
            AlreadyExists: the SKU is taken.
            UnknownSku: a kit component is not in the catalog.
        """
        sku = check_sku(sku)
        clean = clean_product_fields(fields)

        def use_case(uow: UnitOfWork) -> Product:
            products = uow.repo(PRODUCTS)
            if products.find(sku) is not None:
                raise AlreadyExists("product", sku)
            _check_components(products, sku, clean.get("kit_components", ()))
            product = Product(id=sku, **clean)
            product.record(ProductAdded(sku=sku, name=product.name))
            products.add(product)
            return product

        return self._rt.run(use_case, actor=actor)

    def update_product(self, sku: str, *, actor: str = "system", **changes: Any) -> Product:
        """Change some fields of a product; the rest stay as they are.

        A new ``price`` without a ``currency`` keeps the product's current currency.

        Raises:
            UnknownSku: no such product.
            ValidationError: listing every invalid field.
        """
        if not changes:
            raise ValidationError("changes", {}, "give at least one field to change")

        def use_case(uow: UnitOfWork) -> Product:
            products = uow.repo(PRODUCTS)
            product = _load(products, sku)
            data = changes
            if "currency" not in data and product.price is not None:
                data = {**data, "currency": product.price.currency}
            clean = clean_product_fields(data, partial=True)
            if not clean:
                raise ValidationError("changes", dict(changes), "give at least one field to change")
            _check_components(products, sku, clean.get("kit_components", ()))
            changed = tuple(k for k, v in clean.items() if getattr(product, k) != v)
            for key, value in clean.items():
                setattr(product, key, value)
            if changed:
                product.record(ProductUpdated(sku=sku, changed=changed))
                products.save(product)
            return product

        return self._rt.run(use_case, actor=actor)

    def deactivate(self, sku: str, reason: str = "", *, actor: str = "system") -> Product:
        """Stop selling ``sku``; it stays in the catalog for existing orders and reports."""

        def use_case(uow: UnitOfWork) -> Product:
            products = uow.repo(PRODUCTS)
            product = _load(products, sku)
            if product.active:
                product.active = False
                product.record(ProductDeactivated(sku=sku, reason=reason))
                products.save(product)
            return product

        return self._rt.run(use_case, actor=actor)

    def reactivate(self, sku: str, *, actor: str = "system") -> Product:
        """Sell a deactivated ``sku`` again."""

        def use_case(uow: UnitOfWork) -> Product:
            products = uow.repo(PRODUCTS)
            product = _load(products, sku)
            if not product.active:
                product.active = True
                product.record(ProductReactivated(sku=sku))
                products.save(product)
            return product

        return self._rt.run(use_case, actor=actor)

    def get(self, sku: str) -> Product:
        """The product with ``sku``; raises [`UnknownSku`][]."""
        with self._rt.storage.unit_of_work() as uow:
            return _load(uow.repo(PRODUCTS), sku)

    def find(self, sku: str) -> Product | None:
        """The product with ``sku``, or ``None``."""
        with self._rt.storage.unit_of_work() as uow:
            return uow.repo(PRODUCTS).find(sku)

    def list(
        self, *, active: bool | None = True, attribute: tuple[str, str] | None = None
    ) -> list[Product]:
        """Products, oldest first.

        Only active ones by default (``active=None`` for all); with ``attribute=(key,
        value)``, only those whose attribute ``key`` equals ``value``.
        """
        with self._rt.storage.unit_of_work() as uow:
            repo = uow.repo(PRODUCTS)
            found: Iterable[Product] = (
                repo.scan() if active is None else repo.list_by("active", active)
            )
            if attribute is not None:
                key, value = attribute
                found = (p for p in found if p.attributes.get(key) == value)
            return list(found)


def _load(products: Repository[Product], sku: str) -> Product:
    check_text(sku, "sku", max_length=64)
    product = products.find(sku)
    if product is None:
        raise UnknownSku(sku)
    return product


def _check_components(products: Repository[Product], sku: str, components: Any) -> None:
    problems = []
    for i, comp in enumerate(components):
        if comp.sku == sku:
            problems.append(
                Problem(f"kit_components[{i}].sku", "a kit cannot contain itself", comp.sku)
            )
        elif products.find(comp.sku) is None:
            raise UnknownSku(comp.sku)
    if problems:
        raise ValidationError.from_problems(problems)
