"""Stock locations: warehouses, stores and drop-ship suppliers, with what each can ship."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from omskit.customers.geo import GeoPoint
from omskit.errors import ValidationError
from omskit.money import Money, MoneyLike
from omskit.storage.ports import Aggregate, Collection
from omskit.validation import (
    Problems,
    check_bool,
    check_country,
    check_mapping,
    check_quantity,
    check_text,
)

__all__ = [
    "LOCATIONS",
    "LOCATION_KINDS",
    "Capabilities",
    "Location",
    "check_location_code",
    "clean_location_fields",
]

#: The kinds of location omskit knows.
LOCATION_KINDS = ("warehouse", "store", "supplier")

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


def check_location_code(value: Any, field: str = "location") -> str:
    """A location code: 1-32 letters, digits, ``_`` or ``-``, starting alphanumeric."""
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise ValidationError(
            field, value, "expected a location code of 1-32 letters, digits, '_' or '-'"
        )
    return value


@attrs.frozen
class Capabilities:
    """What a location can ship.

    Attributes:
        international: ships to countries other than its own.
        hazmat: may handle dangerous goods.
        max_parcel_grams: the heaviest single unit it can send (``None``: no limit).
        click_and_collect: customers may collect orders here.
    """

    international: bool = True
    hazmat: bool = False
    max_parcel_grams: int | None = None
    click_and_collect: bool = False

    @classmethod
    def from_value(cls, value: Any, field: str = "capabilities") -> Capabilities:
        """Build from a ``Capabilities`` or a mapping of its fields."""
        if isinstance(value, Capabilities):
            return value
        data = check_mapping(value, field)
        problems = Problems()
        allowed = [f.name for f in attrs.fields(cls)]
        for key in sorted(set(data) - set(allowed)):
            problems.add(f"{field}.{key}", f"unknown capability; allowed: {', '.join(allowed)}")
        out: dict[str, Any] = {}
        for key in ("international", "hazmat", "click_and_collect"):
            if key in data:
                out[key] = problems.check(f"{field}.{key}", check_bool, data[key])
        if data.get("max_parcel_grams") is not None:
            out["max_parcel_grams"] = problems.check(
                f"{field}.max_parcel_grams", check_quantity, data["max_parcel_grams"],
                maximum=10_000_000,
            )  # fmt: skip
        problems.raise_if_any()
        return cls(**out)


@attrs.define(eq=False)
class Location(Aggregate):
    """A place that holds stock. Its ``id`` is its code (``"BER"``).

    Attributes:
        name: a readable name.
        kind: ``"warehouse"``, ``"store"`` or ``"supplier"`` (drop-ship).
        country: ISO 3166 code of where it is.
        point: its coordinates, for distances to customers.
        priority: lower ships first under the priority strategy.
        capabilities: what it can ship (see [`Capabilities`][]).
        handling_per_shipment: cost of sending one shipment from here.
        handling_per_line: extra cost per order line picked here.
        online_orders: whether its stock may serve online orders; stores default to
            ``False`` (their stock is kept for walk-in customers).
        ships_to: when not empty, the only destination countries it serves.
        active: a deactivated location takes in no stock and is not routed to; what it
            still holds can be reserved and shipped out.
    """

    name: str
    kind: str
    country: str
    point: GeoPoint
    priority: int = 100
    capabilities: Capabilities = attrs.field(factory=Capabilities)
    handling_per_shipment: Money = attrs.field(factory=lambda: Money(0, "EUR"))
    handling_per_line: Money = attrs.field(factory=lambda: Money(0, "EUR"))
    online_orders: bool = True
    ships_to: tuple[str, ...] = ()
    active: bool = True

    EDITABLE: ClassVar[tuple[str, ...]] = (
        "name", "kind", "country", "lat", "lon", "priority", "capabilities",
        "handling_per_shipment", "handling_per_line", "online_orders", "ships_to",
    )  # fmt: skip

    @property
    def code(self) -> str:
        """The location's code (its id)."""
        return self.id

    def serves(self, country: str) -> bool:
        """Whether this location may ship to ``country``."""
        if self.ships_to:
            return country in self.ships_to
        return country == self.country or self.capabilities.international

    def clone(self) -> Location:
        """A cheap copy: every field is an immutable value."""
        copy = attrs.evolve(self)
        copy.version = self.version
        return copy


def clean_location_fields(  # noqa: PLR0912 - one branch per field
    data: Mapping[str, Any], *, currency: str, partial: bool = False
) -> dict[str, Any]:
    """Validate location fields from plain data, reporting every problem at once.

    ``lat``/``lon`` become ``point``; bare handling amounts are in ``currency``.
    """
    problems = Problems()
    for key in sorted(set(data) - set(Location.EDITABLE)):
        problems.add(key, f"unknown field; allowed: {', '.join(Location.EDITABLE)}")
    out: dict[str, Any] = {}
    if "name" in data or not partial:
        out["name"] = problems.check("name", check_text, data.get("name"))
    if "kind" in data or not partial:
        kind = data.get("kind", "warehouse")
        if kind not in LOCATION_KINDS:
            problems.add("kind", f"expected one of {', '.join(LOCATION_KINDS)}", kind)
        out["kind"] = kind
    if "country" in data or not partial:
        out["country"] = problems.check("country", check_country, data.get("country"))
    if "lat" in data or "lon" in data or not partial:
        try:
            out["point"] = GeoPoint.of(data.get("lat"), data.get("lon"))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if "priority" in data:
        out["priority"] = problems.check(
            "priority", check_quantity, data["priority"], minimum=0, maximum=1_000_000
        )
    if data.get("capabilities") is not None:
        out["capabilities"] = problems.check(
            "capabilities", Capabilities.from_value, data["capabilities"]
        )
    for key in ("handling_per_shipment", "handling_per_line"):
        if data.get(key) is not None:
            try:
                money = Money.of(data[key], None if isinstance(data[key], MoneyLike) else currency,
                                 field=key)  # fmt: skip
            except ValidationError as exc:
                problems.extend(exc.problems)
            else:
                if money.amount < 0:
                    problems.add(key, "must not be negative", data[key])
                out[key] = money
    if "online_orders" in data and data["online_orders"] is not None:
        out["online_orders"] = problems.check("online_orders", check_bool, data["online_orders"])
    elif not partial:
        out["online_orders"] = out.get("kind") != "store"
    if "ships_to" in data:
        raw = data["ships_to"] or ()
        if isinstance(raw, str):
            problems.add("ships_to", "expected a list of country codes", raw)
        else:
            codes = [problems.check(f"ships_to[{i}]", check_country, c) for i, c in enumerate(raw)]
            out["ships_to"] = tuple(c for c in codes if c)
    problems.raise_if_any()
    if not partial:
        zero = Money(0, currency)
        out.setdefault("handling_per_shipment", zero)
        out.setdefault("handling_per_line", zero)
    return out


LOCATIONS: Collection[Location] = Collection(
    "stock_locations", Location, indexes={"active": lambda loc: loc.active}, label="location"
)
