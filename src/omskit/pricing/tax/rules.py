"""The stored tax table, its validation, and the compiled index quotes look rates up in."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs

from omskit.customers.regions import EU_MEMBER_STATES, customs_territory
from omskit.pricing.duties import DutyRate, ImportRule
from omskit.pricing.errors import OverlappingRates
from omskit.pricing.tax.model import (
    Jurisdiction,
    JurisdictionRule,
    TaxComponent,
    TaxDecision,
    TaxRate,
)
from omskit.pricing.tax.rates_data import builtin_jurisdictions, builtin_rates
from omskit.storage.ports import Aggregate, Collection

__all__ = [
    "EU_COUNTRIES",
    "TAX_TABLES",
    "TaxRules",
    "TaxTable",
    "check_overlaps",
    "customs_territory",
]

#: EU member states: the VAT area in which reverse charge applies.
EU_COUNTRIES = EU_MEMBER_STATES

#: Tax classes in the order a missing rate falls back through.
_FALLBACK = {
    "standard": ("standard",),
    "reduced": ("reduced", "standard"),
    "super_reduced": ("super_reduced", "reduced", "standard"),
}


@attrs.define(eq=False)
class TaxTable(Aggregate):
    """The host's tax rates, jurisdiction settings and customs rules (id ``"default"``)."""

    rates: tuple[TaxRate, ...] = ()
    jurisdictions: tuple[JurisdictionRule, ...] = ()
    duty_rates: tuple[DutyRate, ...] = ()
    import_rules: tuple[ImportRule, ...] = ()

    def clone(self) -> TaxTable:
        """A cheap copy: every field is an immutable tuple."""
        copy = attrs.evolve(self)
        copy.version = self.version
        return copy


TAX_TABLES: Collection[TaxTable] = Collection("tax_tables", TaxTable, label="tax table")


def check_overlaps(rates: Sequence[TaxRate]) -> None:
    """Raise [`OverlappingRates`][] if two rates of one tax, place and class overlap."""
    groups: dict[tuple[Jurisdiction, str, str], list[TaxRate]] = {}
    for rate in rates:
        groups.setdefault((rate.jurisdiction, rate.tax_class, rate.name), []).append(rate)
    for (jurisdiction, tax_class, name), group in groups.items():
        ordered = sorted(group, key=lambda r: r.valid_from or dt.date.min)
        for before, after in itertools.pairwise(ordered):
            if before.overlaps(after):
                raise OverlappingRates(
                    jurisdiction.code,
                    tax_class,
                    name,
                    (before.valid_from, before.valid_to),
                    (after.valid_from, after.valid_to),
                )


def _by_country(rates: Iterable[TaxRate]) -> dict[str, list[TaxRate]]:
    found: dict[str, list[TaxRate]] = {}
    for rate in rates:
        found.setdefault(rate.jurisdiction.country, []).append(rate)
    return found


_ZERO = Decimal(0)
_LookupKey = tuple[str, str, str, str, dt.date]
_Lookup = tuple[tuple[TaxComponent, ...], str]


class TaxRules:
    """A compiled, read-only view of the rate table with a lookup cache.

    A country with any rate in the host's table uses the host's rates only; other
    countries fall back to the built-in table (unless ``builtin`` is off).
    """

    def __init__(
        self,
        rates: Sequence[TaxRate] = (),
        jurisdictions: Sequence[JurisdictionRule] = (),
        *,
        builtin: bool = True,
    ) -> None:
        self._own = _by_country(rates)
        self._builtin = _by_country(builtin_rates()) if builtin else {}
        rules = {r.jurisdiction: r for r in builtin_jurisdictions()} if builtin else {}
        rules.update({r.jurisdiction: r for r in jurisdictions})
        self._rules = rules
        self._cache: dict[_LookupKey, _Lookup] = {}
        self._shipping: dict[tuple[str, str, str], bool] = {}
        #: decisions of providers that decide from facts, remembered by the engine
        self.decisions: dict[object, TaxDecision] = {}

    def has_rates(self, country: str) -> bool:
        """Whether any rate (own or built-in) is known for ``country``."""
        return country in self._own or country in self._builtin

    def source(self, country: str) -> str:
        """``"host table"``, ``"built-in table"`` or ``"none"`` for ``country``."""
        if country in self._own:
            return "host table"
        return "built-in table" if country in self._builtin else "none"

    def shipping_taxable(self, country: str, region: str = "", postal_code: str = "") -> bool:
        """Whether shipping is taxed at this address (the most specific setting wins)."""
        key = (country, region, postal_code)
        found = self._shipping.get(key)
        if found is None:
            if len(self._shipping) > 8192:
                self._shipping.clear()
            found = self._shipping[key] = self._shipping_taxable(country, region, postal_code)
        return found

    def _shipping_taxable(self, country: str, region: str, postal_code: str) -> bool:
        best: JurisdictionRule | None = None
        for rule in self._rules.values():
            j = rule.jurisdiction
            if j.matches(country, region, postal_code) and (
                best is None or j.level > best.jurisdiction.level
            ):
                best = rule
        return True if best is None else best.shipping_taxable

    def components(
        self, country: str, region: str, postal_code: str, tax_class: str, day: dt.date
    ) -> _Lookup:
        """The taxes on ``tax_class`` goods delivered to the address on ``day``.

        Returns the components and a note when a class fell back to another one.
        """
        key = (country, region, postal_code, tax_class, day)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > 8192:
                self._cache.clear()
            found = self._cache[key] = self._lookup(country, region, postal_code, tax_class, day)
        return found

    def _lookup(
        self, country: str, region: str, postal_code: str, tax_class: str, day: dt.date
    ) -> _Lookup:
        if tax_class == "exempt":
            return (), "exempt goods"
        rates = self._own.get(country) or self._builtin.get(country) or []
        levels: dict[Jurisdiction, list[TaxRate]] = {}
        for rate in rates:
            if rate.jurisdiction.matches(country, region, postal_code):
                levels.setdefault(rate.jurisdiction, []).append(rate)
        ordered = sorted(levels, key=lambda j: j.level)
        overriding = [j for j in ordered if (jr := self._rules.get(j)) is not None and jr.override]
        if overriding:
            start = ordered.index(overriding[-1])
            ordered = ordered[start:]
        components: list[TaxComponent] = []
        notes: list[str] = []
        chain = _FALLBACK.get(tax_class, ("standard",))
        for jurisdiction in ordered:
            level_rates = [r for r in levels[jurisdiction] if r.valid_on(day)]
            for wanted in chain:
                chosen = [r for r in level_rates if r.tax_class == wanted]
                if chosen:
                    if wanted != chain[0]:
                        notes.append(
                            f"no {tax_class} rate in {jurisdiction.code}; {wanted} rate used"
                        )
                    zero = tax_class == "zero"
                    for tr in sorted(chosen, key=lambda x: (x.compound, x.name)):
                        pct = _ZERO if zero else tr.rate
                        components.append(
                            TaxComponent(tr.name, pct, jurisdiction.code, tr.compound)
                        )
                    break
        return tuple(components), "; ".join(notes)
