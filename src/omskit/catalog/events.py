"""Events recorded by the catalog."""

from __future__ import annotations

import attrs

from omskit.events import Event

__all__ = ["ProductAdded", "ProductDeactivated", "ProductReactivated", "ProductUpdated"]


@attrs.frozen(kw_only=True)
class ProductAdded(Event):
    """A new SKU entered the catalogue."""

    sku: str
    name: str


@attrs.frozen(kw_only=True)
class ProductUpdated(Event):
    """Fields of a product changed; ``changed`` names them."""

    sku: str
    changed: tuple[str, ...]


@attrs.frozen(kw_only=True)
class ProductDeactivated(Event):
    """A SKU can no longer be sold."""

    sku: str
    reason: str


@attrs.frozen(kw_only=True)
class ProductReactivated(Event):
    """A deactivated SKU can be sold again."""

    sku: str
