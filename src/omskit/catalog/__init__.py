"""The catalog: products and SKUs with what shipping, tax and customs need to know."""

from omskit.catalog.events import (
    ProductAdded,
    ProductDeactivated,
    ProductReactivated,
    ProductUpdated,
)
from omskit.catalog.model import PRODUCTS, TAX_CLASSES, Dimensions, KitComponent, Product
from omskit.catalog.service import CatalogService

__all__ = [
    "PRODUCTS",
    "TAX_CLASSES",
    "CatalogService",
    "Dimensions",
    "KitComponent",
    "Product",
    "ProductAdded",
    "ProductDeactivated",
    "ProductReactivated",
    "ProductUpdated",
]
