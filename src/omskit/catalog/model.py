"""Products: what can be sold, shipped, taxed and declared at customs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from omskit.errors import InvalidAmount, ValidationError
from omskit.money import Money
from omskit.storage.ports import Aggregate, Collection
from omskit.validation import (
    Problems,
    check_bool,
    check_country,
    check_mapping,
    check_quantity,
    check_sku,
    check_text,
)

__all__ = ["PRODUCTS", "TAX_CLASSES", "Dimensions", "KitComponent", "Product"]

#: The tax classes a product can carry; tax rules give each a rate per jurisdiction.
TAX_CLASSES = ("standard", "reduced", "super_reduced", "zero", "exempt")

_HS_CODE = re.compile(r"\d{6}(\d{2}){0,2}")
_MAX_GRAMS = 10_000_000  # 10 tonnes: beyond this it is not a parcel or a pallet line
_MAX_MM = 100_000  # 100 metres


@attrs.frozen
class Dimensions:
    """Outer size of one unit, in millimetres."""

    length_mm: int
    width_mm: int
    height_mm: int

    @property
    def volume_mm3(self) -> int:
        """Length x width x height."""
        return self.length_mm * self.width_mm * self.height_mm

    @classmethod
    def from_value(cls, value: Any, field: str = "dimensions") -> Dimensions:
        """Build from a ``Dimensions``, a mapping, or a 3-sequence of millimetres.

        A mapping names ``length_mm``, ``width_mm`` and ``height_mm``.
        """
        if isinstance(value, Dimensions):
            return value
        if isinstance(value, Mapping):
            parts = [value.get(k) for k in ("length_mm", "width_mm", "height_mm")]
        elif isinstance(value, list | tuple) and len(value) == 3:
            parts = list(value)
        else:
            raise ValidationError(
                field, value, "expected {'length_mm':..,'width_mm':..,'height_mm':..}"
            )
        names = ("length_mm", "width_mm", "height_mm")
        problems = Problems()
        clean = [
            problems.check(f"{field}.{n}", check_quantity, v, maximum=_MAX_MM)
            for n, v in zip(names, parts, strict=True)
        ]
        problems.raise_if_any()
        return cls(*clean)  # type: ignore[arg-type]


@attrs.frozen
class KitComponent:
    """One component of a kit (bundle): ``quantity`` units of ``sku`` per kit."""

    sku: str
    quantity: int


@attrs.define(eq=False)
class Product(Aggregate):
    """A sellable SKU. Its ``id`` is the SKU itself.

    ``price`` is the catalogue (list) price, the fallback every price list starts from.
    ``ship_alone`` marks items that must go in a parcel of their own; ``hazmat`` items can
    only ship from locations allowed to handle them.
    """

    name: str
    price: Money | None = None
    attributes: dict[str, str] = attrs.field(factory=dict)
    weight_grams: int = 0
    dimensions: Dimensions | None = None
    hs_code: str | None = None
    country_of_origin: str | None = None
    tax_class: str = "standard"
    returnable: bool = True
    hazmat: bool = False
    ship_alone: bool = False
    kit_components: tuple[KitComponent, ...] = ()
    active: bool = True

    #: Fields a caller may set through add / update.
    EDITABLE: ClassVar[tuple[str, ...]] = (
        "name", "price", "attributes", "weight_grams", "dimensions", "hs_code",
        "country_of_origin", "tax_class", "returnable", "hazmat", "ship_alone",
        "kit_components",
    )  # fmt: skip

    @property
    def sku(self) -> str:
        """The product's SKU (its id)."""
        return self.id

    @property
    def is_kit(self) -> bool:
        """True when the product is a bundle of other SKUs."""
        return bool(self.kit_components)

    def clone(self) -> Product:
        """A cheap copy (values are immutable except ``attributes``)."""
        copy = object.__new__(type(self))  # field by field: no __init__, no validation
        for field in attrs.fields(type(self)):
            object.__setattr__(copy, field.name, getattr(self, field.name))
        copy._events = []
        copy.attributes = dict(self.attributes)
        return copy


def clean_product_fields(
    data: Mapping[str, Any], *, partial: bool = False, prefix: str = ""
) -> dict[str, Any]:
    """Validate product fields from plain data, reporting every problem at once.

    Args:
        data: field values (see `Product.EDITABLE`).
        partial: only the given fields (an update) rather than a whole product.
        prefix: put before field names in problems (``"products[3]."``).
    """
    problems = Problems()
    unknown = sorted(set(data) - {*Product.EDITABLE, "currency"})
    for name in unknown:
        problems.add(prefix + name, f"unknown field; allowed: {', '.join(Product.EDITABLE)}")
    out: dict[str, Any] = {}
    if "name" in data or not partial:
        out["name"] = problems.check(prefix + "name", check_text, data.get("name"))
    if data.get("price") is not None:
        out["price"] = _price(problems, data["price"], data.get("currency"), prefix + "price")
    elif "price" in data:
        out["price"] = None
    if "attributes" in data:
        out["attributes"] = _attributes(problems, data["attributes"], prefix)
    if "weight_grams" in data:
        out["weight_grams"] = problems.check(
            prefix + "weight_grams", check_quantity, data["weight_grams"],
            minimum=0, maximum=_MAX_GRAMS,
        )  # fmt: skip
    if data.get("dimensions") is not None:
        out["dimensions"] = problems.check(
            prefix + "dimensions", Dimensions.from_value, data["dimensions"]
        )
    if data.get("hs_code") is not None:
        out["hs_code"] = _hs_code(problems, data["hs_code"], prefix + "hs_code")
    if data.get("country_of_origin") is not None:
        out["country_of_origin"] = problems.check(
            prefix + "country_of_origin", check_country, data["country_of_origin"]
        )
    if "tax_class" in data:
        tc = out["tax_class"] = data["tax_class"]
        if tc not in TAX_CLASSES:
            problems.add(prefix + "tax_class", f"expected one of {', '.join(TAX_CLASSES)}", tc)
    for flag in ("returnable", "hazmat", "ship_alone"):
        if flag in data:
            out[flag] = problems.check(prefix + flag, check_bool, data[flag])
    if data.get("kit_components") is not None:
        out["kit_components"] = _kit_components(problems, data["kit_components"], prefix)
    problems.raise_if_any()
    return out


# The field readers below note their problems and return what they read; a value read
# with a problem is never stored (``clean_product_fields`` raises them all at the end).


def _price(problems: Problems, price: Any, currency: Any, field: str) -> Money | None:
    """A product's price: Money of at least zero."""
    try:
        money = Money.of(price, currency, field=field)
    except ValidationError as exc:
        problems.add_error(exc)
        return None
    if money.amount < 0:
        problems.add_error(InvalidAmount(field, price, "must not be negative"))
    return money


def _attributes(problems: Problems, raw: Any, prefix: str) -> dict[str, str] | None:
    """A product's attributes: a mapping of text to text."""
    attrs_in = problems.check(prefix + "attributes", check_mapping, raw)
    if attrs_in is None:
        return None
    clean: dict[str, str] = {}
    for k, v in attrs_in.items():
        if not isinstance(k, str) or not isinstance(v, str):
            problems.add(f"{prefix}attributes.{k}", "keys and values must be text", v)
        else:
            clean[k] = v
    return clean


def _hs_code(problems: Problems, hs: Any, field: str) -> str | None:
    """An HS code as its digits (dots and spaces dropped)."""
    digits = hs.replace(".", "").replace(" ", "") if isinstance(hs, str) else None
    if digits is None or not _HS_CODE.fullmatch(digits):
        problems.add(field, "expected 6, 8 or 10 digits such as '6109.10'", hs)
        return None
    return digits


def _kit_components(problems: Problems, raw: Any, prefix: str) -> tuple[KitComponent, ...]:
    """A kit's components: `KitComponent` or ``{"sku", "quantity"}`` mappings."""
    if not isinstance(raw, list | tuple):
        problems.add(prefix + "kit_components", "expected a list of components", raw)
        return ()
    components = []
    for i, comp in enumerate(raw):
        where = f"{prefix}kit_components[{i}]"
        if isinstance(comp, KitComponent):
            components.append(comp)
            continue
        if not isinstance(comp, Mapping):
            problems.add(where, "expected {'sku': ..., 'quantity': ...}", comp)
            continue
        sku = problems.check(f"{where}.sku", check_sku, comp.get("sku"))
        qty = problems.check(f"{where}.quantity", check_quantity, comp.get("quantity", 1))
        if sku is not None and qty is not None:
            components.append(KitComponent(sku, qty))
    return tuple(components)


PRODUCTS: Collection[Product] = Collection(
    "products", Product, indexes={"active": lambda p: p.active}, label="product"
)
