"""Managing the tax table and customs rules: rates, jurisdictions, duties, thresholds."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from omskit.catalog.model import TAX_CLASSES
from omskit.customers.subdivisions import check_subdivision, has_subdivisions
from omskit.errors import NotFound, ValidationError
from omskit.money import ExchangeRateProvider, check_currency, to_decimal
from omskit.pricing.duties import DutyRate, ImportRule
from omskit.pricing.events import DutyRateSet, ImportRuleSet, TaxRatesChanged
from omskit.pricing.request import Specific
from omskit.pricing.settings import PricingSettings
from omskit.pricing.tax.model import Jurisdiction, JurisdictionRule, TaxProvider, TaxRate
from omskit.pricing.tax.rates_data import builtin_rates
from omskit.pricing.tax.rules import TAX_TABLES, TaxRules, TaxTable, check_overlaps
from omskit.runtime import Runtime
from omskit.storage.ports import Aggregate, UnitOfWork
from omskit.validation import check_bool, check_country, check_text

__all__ = ["TaxAdmin", "day", "jurisdiction", "when"]

T = TypeVar("T")

_REGION = re.compile(r"[A-Z0-9]{1,6}")
_POSTAL = re.compile(r"[A-Z0-9]{1,10}")
_HS = re.compile(r"\d{0,10}")


def when(value: Any, field: str) -> dt.datetime | None:
    """``None``, a timezone-aware datetime, or a date (midnight UTC)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValidationError(field, value, "expected a timezone-aware datetime")
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    raise ValidationError(field, value, "expected a timezone-aware datetime or a date")


def day(value: Any, field: str) -> dt.date | None:
    """``None``, a date, or an ISO date string (``"2025-07-01"``)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise ValidationError(field, value, "expected a date, not a datetime")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(field, value, "expected a date such as '2025-07-01'")


def jurisdiction(value: Any, field: str = "jurisdiction") -> Jurisdiction:
    """A [`Jurisdiction`][], or its code ``"US"``, ``"US-NY"``, ``"US-NY:100"``.

    The region is normalised to its ISO 3166-2 code: ``"us-ny"`` and ``"US-New York"``
    are ``US-NY`` (see `omskit.customers.subdivisions.check_subdivision`).
    """
    if isinstance(value, Jurisdiction):
        return value
    if not isinstance(value, str):
        raise ValidationError(field, value, "expected a code such as 'DE', 'US-NY' or 'US-NY:100'")
    place, _, postal = value.strip().partition(":")
    country, _, region = place.partition("-")
    code = check_country(country, field)
    postal = postal.upper()
    if region:
        if not has_subdivisions(code):
            raise ValidationError(
                field, value, f"{code} has no ISO 3166-2 subdivisions; give the country alone"
            )
        try:
            region = check_subdivision(region, field, code)
        except ValidationError as exc:
            raise ValidationError(field, value, exc.allowed) from None
    if region and not _REGION.fullmatch(region):
        raise ValidationError(field, value, "a region is 1-6 letters or digits ('NY', 'QC')")
    postal = postal.replace(" ", "")
    if postal and not _POSTAL.fullmatch(postal):
        raise ValidationError(field, value, "a postal prefix is 1-10 letters or digits")
    return Jurisdiction(code, region, postal)


def _rate(value: Any, field: str) -> Decimal:
    rate = to_decimal(value, field)
    if not Decimal(0) <= rate <= Decimal(100):
        raise ValidationError(field, value, "a percentage from 0 to 100, e.g. '19' for 19%")
    return rate


def _tax_class(value: Any, field: str) -> str:
    if value not in TAX_CLASSES:
        raise ValidationError(field, value, f"expected one of {', '.join(TAX_CLASSES)}")
    result: str = value
    return result


def _clean_rate(row: Mapping[str, Any], field: str, problems: Specific) -> TaxRate | None:
    allowed = {"jurisdiction", "tax_class", "rate", "name", "compound", "valid_from", "valid_to",
               "source"}  # fmt: skip
    for key in sorted(set(row) - allowed):
        problems.add(f"{field}.{key}", f"unknown field; allowed: {', '.join(sorted(allowed))}")
    where = problems.check(f"{field}.jurisdiction", jurisdiction, row.get("jurisdiction"))
    cls = problems.check(f"{field}.tax_class", _tax_class, row.get("tax_class", "standard"))
    rate = problems.check(f"{field}.rate", _rate, row.get("rate"))
    name = problems.check(f"{field}.name", check_text, row.get("name", "VAT"), max_length=40)
    compound = problems.check(f"{field}.compound", check_bool, row.get("compound", False))
    start = problems.check(f"{field}.valid_from", day, row.get("valid_from"))
    end = problems.check(f"{field}.valid_to", day, row.get("valid_to"))
    source = problems.check(f"{field}.source", check_text, row.get("source", ""),
                            max_length=300, required=False)  # fmt: skip
    if start is not None and end is not None and end < start:
        problems.add(f"{field}.valid_to", "must not be before valid_from", end)
    if where is None or cls is None or rate is None or name is None:
        return None
    return TaxRate(where, cls, rate, name, bool(compound), start, end, source or "")


class TaxAdmin:
    """Tax rates, jurisdiction settings and customs rules (mixed into ``PricingService``)."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.settings = PricingSettings.from_section(runtime.config.section("pricing"))
        self._compiled: dict[str, tuple[int, Any]] = {}
        self._provider: TaxProvider | None = None
        self._fx: ExchangeRateProvider | None = None
        self._default_rules: TaxRules | None = None
        self._price_notes: dict[tuple[str, object], str] = {}

    # -- providers ------------------------------------------------------------------------
    @property
    def tax_provider(self) -> TaxProvider:
        """The provider chosen through ``omskit_tax_provider`` (a host's wins)."""
        if self._provider is None:
            self._provider = self._rt.plugins.hook.omskit_tax_provider(config=self._rt.config)
        if self._provider is None:  # pragma: no cover - the built-in always answers
            raise NotFound("tax provider", "omskit_tax_provider", "no plugin answered")
        return self._provider

    @property
    def exchange_rates(self) -> ExchangeRateProvider:
        """The provider chosen through ``omskit_exchange_rates``."""
        if self._fx is None:
            self._fx = self._rt.plugins.hook.omskit_exchange_rates(config=self._rt.config)
        if self._fx is None:  # pragma: no cover - the built-in always answers
            raise NotFound("exchange-rate provider", "omskit_exchange_rates")
        return self._fx

    def _cached(self, key: str, agg: Aggregate | None, build: Callable[[], T], default: T) -> T:
        """A compiled view of ``agg``, rebuilt only when its stored version changes."""
        if agg is None:
            return default
        if agg._events:  # changed in this unit of work and not committed: do not cache
            return build()
        hit = self._compiled.get(key)
        if hit is not None and hit[0] == agg.version:
            result: T = hit[1]
            return result
        value = build()
        self._compiled[key] = (agg.version, value)
        return value

    def _change_table(self, change: Any, actor: str) -> Any:
        def use_case(uow: UnitOfWork) -> Any:
            repo = uow.repo(TAX_TABLES)
            table = repo.find("default")
            if table is None:
                table = TaxTable(id="default")
                repo.add(table)
            result = change(table)
            repo.save(table)
            return result

        return self._rt.run(use_case, actor=actor)

    def add_tax_rates(
        self, rows: Sequence[Mapping[str, Any]], *, actor: str = "system"
    ) -> list[TaxRate]:
        """Add many rates at once; each row has the keyword arguments of [`add_tax_rate`][].

        Raises:
            ValidationError: every invalid field of every row.
            OverlappingRates: two rates of one tax, jurisdiction and class overlap in time
                (with each other or with a stored one); nothing is added.
        """
        problems = Specific()
        if not rows:
            problems.add("rows", "give at least one rate")
        rates = [_clean_rate(row, f"rows[{i}]", problems) for i, row in enumerate(rows)]
        problems.raise_if_any()
        clean = [r for r in rates if r is not None]

        def change(table: TaxTable) -> list[TaxRate]:
            merged = (*table.rates, *clean)
            check_overlaps(merged)
            table.rates = merged
            places = tuple(dict.fromkeys(r.jurisdiction.code for r in clean))
            table.record(TaxRatesChanged(jurisdictions=places, count=len(clean)))
            return clean

        result: list[TaxRate] = self._change_table(change, actor)
        return result

    def add_tax_rate(
        self,
        jurisdiction: str | Jurisdiction,
        tax_class: str,
        rate: str | Decimal | int,
        *,
        name: str = "VAT",
        compound: bool = False,
        valid_from: dt.date | str | None = None,
        valid_to: dt.date | str | None = None,
        source: str = "",
        actor: str = "system",
    ) -> TaxRate:
        """Add one rate (a percentage) for a jurisdiction and tax class.

        Once a country has any rate of the host's own, the built-in table is no longer
        used for it. ``valid_from`` / ``valid_to`` are inclusive dates.

        Raises:
            OverlappingRates: it overlaps a stored rate of the same tax, place and class.
        """
        row = {"jurisdiction": jurisdiction, "tax_class": tax_class, "rate": rate, "name": name,
               "compound": compound, "valid_from": valid_from, "valid_to": valid_to,
               "source": source}  # fmt: skip
        return self.add_tax_rates([row], actor=actor)[0]

    def load_standard_rates(
        self, countries: Iterable[str] | None = None, *, actor: str = "system"
    ) -> int:
        """Copy the built-in rates (all, or of ``countries``) into the host's table.

        Returns how many were added. Afterwards they can be extended with new dated
        rates (end the current one with a ``valid_to`` first: overlaps are refused).
        """
        wanted = None
        if countries is not None:
            problems = Specific()
            wanted = {problems.check(f"countries[{i}]", check_country, c)
                      for i, c in enumerate(countries)}  # fmt: skip
            problems.raise_if_any()
        chosen = [r for r in builtin_rates() if wanted is None or r.jurisdiction.country in wanted]

        def change(table: TaxTable) -> int:
            present = set(table.rates)
            new = [r for r in chosen if r not in present]
            merged = (*table.rates, *new)
            check_overlaps(merged)
            table.rates = merged
            places = tuple(dict.fromkeys(r.jurisdiction.code for r in new))
            table.record(TaxRatesChanged(jurisdictions=places, count=len(new)))
            return len(new)

        count: int = self._change_table(change, actor)
        return count

    def set_jurisdiction(
        self,
        where: str | Jurisdiction,
        *,
        shipping_taxable: bool = True,
        override: bool = False,
        actor: str = "system",
    ) -> JurisdictionRule:
        """Say whether shipping is taxed at ``where`` and whether its rates replace broader ones."""
        problems = Specific()
        place = problems.check("jurisdiction", jurisdiction, where)
        ship = problems.check("shipping_taxable", check_bool, shipping_taxable)
        over = problems.check("override", check_bool, override)
        problems.raise_if_any()
        assert place is not None
        rule = JurisdictionRule(place, bool(ship), bool(over))

        def change(table: TaxTable) -> JurisdictionRule:
            kept = tuple(r for r in table.jurisdictions if r.jurisdiction != place)
            table.jurisdictions = (*kept, rule)
            table.record(TaxRatesChanged(jurisdictions=(place.code,), count=0))
            return rule

        result: JurisdictionRule = self._change_table(change, actor)
        return result

    def tax_rates(self, country: str | None = None) -> list[TaxRate]:
        """The host's own rates (all, or of ``country``); the built-in table is not included."""
        code = check_country(country) if country is not None else None
        with self._rt.storage.unit_of_work() as uow:
            table = uow.repo(TAX_TABLES).find("default")
            rates = table.rates if table else ()
            return [r for r in rates if code is None or r.jurisdiction.country == code]

    def add_duty_rate(
        self, territory: str, hs_prefix: str, rate: str | Decimal | int, *, origin: str = "",
        note: str = "", actor: str = "system",
    ) -> DutyRate:  # fmt: skip
        """Set a duty percentage into ``territory`` (a country, or ``"EU"``).

        It applies to HS codes starting with ``hs_prefix`` (``""`` for every good),
        optionally only to goods from ``origin``; the longest prefix wins.
        """
        problems = Specific()
        place = "EU" if territory == "EU" else problems.check("territory", check_country, territory)
        prefix = hs_prefix.replace(".", "").replace(" ", "") if isinstance(hs_prefix, str) else None
        if prefix is None or not _HS.fullmatch(prefix):
            problems.add("hs_prefix", "expected up to 10 digits such as '6109'", hs_prefix)
        pct = problems.check("rate", _rate, rate)
        src = problems.check("origin", check_country, origin) if origin else ""
        problems.raise_if_any()
        duty = DutyRate(place or "", prefix or "", pct or Decimal(0), src or "", note)

        def change(table: TaxTable) -> DutyRate:
            kept = tuple(
                d
                for d in table.duty_rates
                if (d.territory, d.hs_prefix, d.origin)
                != (duty.territory, duty.hs_prefix, duty.origin)
            )
            table.duty_rates = (*kept, duty)  # fmt: skip
            table.record(DutyRateSet(territory=duty.territory, hs_prefix=duty.hs_prefix,
                                     origin=duty.origin, rate=duty.rate))  # fmt: skip
            return duty

        result: DutyRate = self._change_table(change, actor)
        return result

    def set_import_rule(
        self,
        territory: str,
        currency: str,
        *,
        duty_threshold: str | Decimal | int | None = None,
        tax_threshold: str | Decimal | int | None = None,
        tax_waiver: str | Decimal | int | None = None,
        checkout_up_to: str | Decimal | int | None = None,
        origins: Sequence[str] = (),
        valid_from: dt.date | str | None = None,
        valid_to: dt.date | str | None = None,
        source: str = "",
        actor: str = "system",
    ) -> ImportRule:
        """Override the import thresholds of ``territory`` (see [`ImportRule`][]).

        A host's rule for a territory and set of origins replaces the previous host rule
        for them and is consulted before the built-in ones.
        """
        problems = Specific()
        place = "EU" if territory == "EU" else problems.check("territory", check_country, territory)
        code = problems.check("currency", check_currency, currency)
        values: dict[str, Decimal | None] = {}
        for key, raw in (
            ("duty_threshold", duty_threshold),
            ("tax_threshold", tax_threshold),
            ("tax_waiver", tax_waiver),
            ("checkout_up_to", checkout_up_to),
        ):
            values[key] = None if raw is None else problems.check(key, to_decimal, raw)  # fmt: skip
        srcs = frozenset(problems.check(f"origins[{i}]", check_country, o) or ""
                         for i, o in enumerate(origins))  # fmt: skip
        start = problems.check("valid_from", day, valid_from)
        end = problems.check("valid_to", day, valid_to)
        problems.raise_if_any()
        rule = ImportRule(place or "", code or "", origins=srcs, valid_from=start, valid_to=end,
                          source=source or "host rule", **values)  # fmt: skip

        def change(table: TaxTable) -> ImportRule:
            kept = tuple(
                r
                for r in table.import_rules
                if (r.territory, r.origins) != (rule.territory, rule.origins)
            )
            table.import_rules = (rule, *kept)  # fmt: skip
            table.record(ImportRuleSet(territory=rule.territory, currency=rule.currency,
                                       origins=tuple(sorted(rule.origins))))  # fmt: skip
            return rule

        result: ImportRule = self._change_table(change, actor)
        return attrs.evolve(result)
