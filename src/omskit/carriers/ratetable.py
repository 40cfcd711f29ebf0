"""Rate tables: zones by country and postal prefix, weight bands, surcharges, thresholds.

See [`omskit.carriers.tablerate`][] for the data format.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from omskit.carriers.model import ParcelSpec, ServiceLevel
from omskit.money import check_currency
from omskit.validation import Problems, check_country, check_decimal, check_mapping, check_quantity

__all__ = ["RateTable", "Zone"]


@attrs.frozen
class Zone:
    """A delivery zone: countries (``"*"`` for all others), optional postal prefixes."""

    name: str
    countries: frozenset[str]
    postal_prefixes: tuple[str, ...] = ()
    exclude: frozenset[str] = frozenset()
    remote: bool = False

    def match(self, country: str, postal_code: str) -> int | None:
        """How specific a match this zone is for the address (higher wins), or ``None``."""
        if country in self.exclude:
            return None
        if country not in self.countries and "*" not in self.countries:
            return None
        if self.postal_prefixes:
            code = postal_code.replace(" ", "").upper()
            lengths = [len(p) for p in self.postal_prefixes if code.startswith(p)]
            return 100 + max(lengths) if lengths else None
        return 1 if country in self.countries else 0


@attrs.frozen
class RateTable:
    """A validated rate table; build it with [`from_mapping`][]."""

    currency: str
    zones: tuple[Zone, ...]
    services: tuple[ServiceLevel, ...]
    transit: Mapping[str, Mapping[str, int]]
    bands: Mapping[str, Mapping[str, tuple[tuple[int, Decimal], ...]]]
    dim_divisor: int = 5000
    remote_area: Decimal = Decimal(0)
    fuel_percent: Decimal = Decimal(0)
    free_threshold: Decimal | None = None
    free_services: frozenset[str] = frozenset()
    free_zones: frozenset[str] = frozenset()
    cutoff_hour: int = 16

    @classmethod
    def from_mapping(cls, data: Any, field: str = "table") -> RateTable:
        """Validate a table, reporting every problem with its path."""
        table = check_mapping(data, field)
        p = Problems()
        currency = p.check(f"{field}.currency", check_currency, table.get("currency", "EUR"))
        zones = _zones(table.get("zones") or (), f"{field}.zones", p)
        services, transit = _services(
            table.get("services") or (), f"{field}.services", {z.name for z in zones}, p
        )
        bands = _bands(table.get("rates") or {}, f"{field}.rates", transit, p)
        sur = table.get("surcharges") or {}
        zero, hundred = Decimal(0), Decimal(100)
        remote = p.check(
            f"{field}.surcharges.remote_area",
            check_decimal,
            sur.get("remote_area", "0"),
            minimum=zero,
        )
        fuel = p.check(
            f"{field}.surcharges.fuel_percent",
            check_decimal,
            sur.get("fuel_percent", "0"),
            minimum=zero,
            maximum=hundred,
        )
        free = table.get("free_shipping") or {}
        threshold = None
        if free.get("threshold") is not None:
            threshold = p.check(
                f"{field}.free_shipping.threshold", check_decimal, free["threshold"], minimum=zero
            )
        divisor = p.check(f"{field}.dim_divisor", check_quantity, table.get("dim_divisor", 5000))
        cutoff = p.check(
            f"{field}.cutoff_hour",
            check_quantity,
            table.get("cutoff_hour", 16),
            minimum=0,
            maximum=24,
        )
        p.raise_if_any()
        return cls(
            currency=currency or "EUR",
            zones=tuple(zones),
            services=tuple(services),
            transit=transit,
            bands=bands,
            dim_divisor=divisor or 5000,
            remote_area=remote or zero,
            fuel_percent=fuel or zero,
            free_threshold=threshold,
            free_services=frozenset(free.get("services", ())),
            free_zones=frozenset(free.get("zones", ())),
            cutoff_hour=16 if cutoff is None else cutoff,
        )

    def zone_for(self, country: str, postal_code: str) -> Zone | None:
        """The most specific zone serving the address, or ``None``."""
        scored = [
            (s, i, z)
            for i, z in enumerate(self.zones)
            if (s := z.match(country, postal_code)) is not None
        ]
        if not scored:
            return None
        return max(scored, key=lambda t: (t[0], -t[1]))[2]

    def billable_grams(self, parcel: ParcelSpec) -> int:
        """The larger of the parcel's weight and its dimensional weight."""
        if parcel.dimensions is None:
            return parcel.weight_grams
        dim = math.ceil(parcel.dimensions.volume_mm3 / self.dim_divisor)
        return max(parcel.weight_grams, dim)


def _zones(raw: Any, field: str, p: Problems) -> list[Zone]:
    zones: list[Zone] = []
    for i, z in enumerate(raw):
        where = f"{field}[{i}]"
        if not isinstance(z, Mapping) or not isinstance(z.get("name"), str):
            p.add(where, "expected {'name': .., 'countries': [..]}", z)
            continue
        countries = {
            c if c == "*" else p.check(f"{where}.countries", check_country, c)
            for c in z.get("countries") or ()
        }
        excluded = {p.check(f"{where}.exclude", check_country, c) for c in z.get("exclude", ())}
        prefixes = tuple(str(x).replace(" ", "").upper() for x in z.get("postal_prefixes", ()))
        zones.append(
            Zone(
                z["name"],
                frozenset(c for c in countries if c),
                prefixes,
                frozenset(c for c in excluded if c),
                bool(z.get("remote")),
            )
        )
    if not zones:
        p.add(field, "give at least one zone")
    return zones


def _services(
    raw: Any, field: str, zone_names: set[str], p: Problems
) -> tuple[list[ServiceLevel], dict[str, dict[str, int]]]:
    services: list[ServiceLevel] = []
    transit: dict[str, dict[str, int]] = {}
    for i, s in enumerate(raw):
        where = f"{field}[{i}]"
        if not isinstance(s, Mapping) or not isinstance(s.get("code"), str):
            p.add(where, "expected {'code': .., 'name': .., 'transit_days': {zone: days}}", s)
            continue
        days = transit[s["code"]] = {}
        for zone, n in (s.get("transit_days") or {}).items():
            if zone not in zone_names:
                p.add(f"{where}.transit_days.{zone}", f"unknown zone; zones: {sorted(zone_names)}")
            value = p.check(f"{where}.transit_days.{zone}", check_quantity, n, minimum=0)
            if value is not None:
                days[zone] = value
        services.append(
            ServiceLevel(s["code"], str(s.get("name", s["code"])), min(days.values(), default=0))
        )
    if not services:
        p.add(field, "give at least one service")
    return services, transit


def _bands(
    raw: Mapping[str, Any], field: str, transit: Mapping[str, Mapping[str, int]], p: Problems
) -> dict[str, dict[str, tuple[tuple[int, Decimal], ...]]]:
    bands: dict[str, dict[str, tuple[tuple[int, Decimal], ...]]] = {}
    for code, per_zone in raw.items():
        if code not in transit:
            p.add(f"{field}.{code}", f"unknown service; services: {sorted(transit)}")
            continue
        bands[code] = {}
        for zone, rows in (per_zone or {}).items():
            where = f"{field}.{code}.{zone}"
            if zone not in transit[code]:
                p.add(where, "the service has no transit_days for this zone")
            parsed = []
            for j, row in enumerate(rows or ()):
                if not isinstance(row, list | tuple) or len(row) != 2:
                    p.add(f"{where}[{j}]", "expected [max_grams, price]", row)
                    continue
                grams = p.check(f"{where}[{j}][0]", check_quantity, row[0], maximum=10**7)
                price = p.check(f"{where}[{j}][1]", check_decimal, row[1], minimum=Decimal(0))
                if grams is not None and price is not None:
                    parsed.append((grams, price))
            if [g for g, _ in parsed] != sorted({g for g, _ in parsed}):
                p.add(where, "bands must rise strictly by max_grams", rows)
            bands[code][zone] = tuple(parsed)
    return bands
