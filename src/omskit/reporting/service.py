"""The reporting service, reached as ``oms.reports``.

KPIs, series, custom reports, exports, forecasts and replenishment suggestions over the
store's own records.

It only reads (views, never committed) and subscribes; what it writes is its own
recorded exchange rates and anomalies and, when asked, reorder policies for inventory.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import attrs

from omskit.errors import NotFound, ValidationError
from omskit.events import Event
from omskit.inventory.errors import UnknownSupplier
from omskit.inventory.ledger import MOVEMENTS
from omskit.inventory.replenishment import REORDER_POLICIES, SUPPLIERS, ReorderPolicy
from omskit.inventory.stock import level_id
from omskit.money import ExchangeRateProvider, Money, check_currency, quantize, to_decimal
from omskit.orders.events import OrderCaptured
from omskit.reporting.anomalies import (
    ANOMALIES,
    Anomaly,
    AnomalyRecord,
    check_above,
    check_below,
    check_rate_drop,
    z_of,
)
from omskit.reporting.charts import CHARTS, Chart
from omskit.reporting.dashboard import build_chart, write_dashboard
from omskit.reporting.events import AnomalyDetected, ExchangeRateRecorded, ReplenishmentApplied
from omskit.reporting.export import (
    EXPORT_TABLES,
    ExportManifest,
    duckdb_connection,
    export_tables,
)
from omskit.reporting.facts import FactSet, build_facts
from omskit.reporting.forecast import METHODS, Accuracy, Forecast, backtest, choose, classify
from omskit.reporting.measures import DIMENSIONS, MEASURES, Value
from omskit.reporting.query import PERIODS, Query, period_of, run_query
from omskit.reporting.rates import RATES, RateBook, RecordedRate
from omskit.reporting.replenish import ReplenishmentSuggestion, service_z, suggest
from omskit.reporting.report import KpiReport, Point, Series, change
from omskit.reporting.settings import ReportingSettings
from omskit.reporting.stock import StockFact, stock_facts
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_quantity, check_sku, check_text

__all__ = ["DemandForecast", "ReportFacts", "ReportService", "check_day"]


def check_day(value: Any, field: str) -> dt.date:
    """A calendar day: a ``date`` (not a datetime) or an ISO ``"YYYY-MM-DD"`` string."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(field, value, "expected a date or an ISO day like '2026-11-24'")


@attrs.frozen
class DemandForecast:
    """A forecast of one SKU's daily demand at one location, with how it was chosen.

    ``history`` is the daily demand it was fitted on, oldest first; ``ranking`` every
    method's backtest accuracy, best first; ``demand_class`` the Syntetos-Boylan class
    of the history.
    """

    sku: str
    location: str
    history: tuple[int, ...]
    forecast: Forecast
    ranking: tuple[Accuracy, ...]
    demand_class: str

    def describe(self) -> str:
        """What was forecast and why this method."""
        head = (f"{self.sku} at {self.location}: {self.demand_class} demand, "
                f"{self.forecast.method} forecasts {self.forecast.mean:.2f}/day")  # fmt: skip
        rows = [
            f"  {a.method:<15} MAE {a.mae:6.2f}  MASE "
            + ("n/a" if a.mase is None else f"{a.mase:5.2f}")
            for a in self.ranking
        ]
        return "\n".join([head, *rows])


class ReportFacts:
    """The fact tables for one range and currency, with the stock table built for it."""

    def __init__(self, facts: FactSet, stock: tuple[StockFact, ...], currency: str,
                 start: dt.date, end: dt.date) -> None:  # fmt: skip
        self.facts = facts
        self.stock = stock
        self.currency = currency
        self.start = start
        self.end = end

    def table(self, name: str) -> Sequence[Any]:
        """The rows of table ``name``.

        One of ``orders``, ``lines``, ``shipments``, ``returns``, ``ledger``, ``stock``.
        """
        return self.stock if name == "stock" else self.facts.table(name)


class ReportService:
    """KPIs, time series, custom reports, exports and forecasts. Reached as ``oms.reports``.

    Configured by the ``reporting`` section ([`ReportingSettings`][]).
    """

    def __init__(self, runtime: Runtime, services: Any = None) -> None:
        self._rt = runtime
        self._services = services
        self.settings = ReportingSettings.from_mapping(runtime.config.section("reporting"))

    # -- configuration ---------------------------------------------------------------------
    @property
    def currency(self) -> str:
        """The currency reports are in by default."""
        return self.settings.currency or self._rt.config.default_currency

    def _provider(self) -> ExchangeRateProvider | None:
        provider: ExchangeRateProvider | None = self._rt.plugins.hook.omskit_exchange_rates(
            config=self._rt.config
        )
        return provider

    def rate_book(self) -> RateBook:
        """The recorded rates, with the configured exchange-rate provider as fallback."""
        with self._rt.storage.unit_of_work() as uow:
            recorded = list(uow.repo(RATES).scan_view())
        return RateBook(recorded, self._provider())

    # -- recorded rates --------------------------------------------------------------------
    def record_rate(self, base: str, quote: str, rate: Any, *, on: Any = None,
                    source: str = "recorded", actor: str = "system") -> RecordedRate:  # fmt: skip
        """Record that 1 ``base`` bought ``rate`` ``quote`` on day ``on`` (default: today).

        Reports convert every row at the latest rate recorded on or before its day.
        """
        b, q = check_currency(base, "base"), check_currency(quote, "quote")
        if b == q:
            raise ValidationError("quote", quote, f"must differ from base {b!r}")
        value = to_decimal(rate, "rate")
        if value <= 0:
            raise ValidationError("rate", rate, "a rate must be positive")
        day = self._local_today() if on is None else check_day(on, "on")
        src = check_text(source, "source", max_length=64)
        who = check_text(actor, "actor", max_length=64)

        def use_case(uow: UnitOfWork) -> RecordedRate:
            return self._record_in(uow, b, q, value, day=day, source=src, actor=who)

        return self._rt.run(use_case)

    def _record_in(self, uow: UnitOfWork, base: str, quote: str, rate: Decimal, *,
                   day: dt.date, source: str, actor: str) -> RecordedRate:  # fmt: skip
        row = RecordedRate(
            id=self._rt.ids.new_id("fx"), base=base, quote=quote, rate=rate, on=day,
            source=source, actor=actor, recorded_at=self._rt.clock.now(),
        )  # fmt: skip
        row.record(ExchangeRateRecorded(base=base, quote=quote, rate=rate, on=day,
                                        source=source, actor=actor))  # fmt: skip
        uow.repo(RATES).add(row)
        return row

    def recorded_rates(self) -> list[RecordedRate]:
        """Every recorded rate, oldest day first."""
        with self._rt.storage.unit_of_work() as uow:
            return sorted(uow.repo(RATES).scan_view(), key=lambda r: (r.on, r.base, r.quote))

    def track_rates(self, quote: str | None = None, *, actor: str = "reporting") -> None:
        """Record the provider's rate into ``quote`` for each new order's currency and day.

        Subscribes to [`OrderCaptured`][]: the first order of a day in another currency
        records that day's rate (from the ``omskit_exchange_rates`` provider), so later
        reports convert that day's sales at the rate of the day they were made.
        """
        target = check_currency(quote or self.currency, "quote")
        who = check_text(actor, "actor", max_length=64)

        def on_event(event: Event) -> None:
            if not isinstance(event, OrderCaptured) or event.total.currency == target:
                return
            base = event.total.currency
            day = event.occurred_at.astimezone(self.settings.timezone).date()
            provider = self._provider()
            if provider is None:
                return

            def use_case(uow: UnitOfWork) -> None:
                if any(r.on == day for r in uow.repo(RATES).list_view("pair", (base, target))):
                    return
                rate = provider.rate(base, target, day)
                self._record_in(
                    uow, base, target, rate.rate, day=day, source=rate.source, actor=who
                )

            self._rt.run(use_case)

        self._rt.subscribe(f"reporting.rates.{target}", on_event)

    # -- facts -----------------------------------------------------------------------------
    def _local_today(self) -> dt.date:
        return self._rt.clock.now().astimezone(self.settings.timezone).date()

    def _range(self, start: Any, end: Any) -> tuple[dt.date, dt.date]:
        today = self._local_today()
        s = check_day(start, "start") if start is not None else today - dt.timedelta(days=29)
        e = check_day(end, "end") if end is not None else today
        if e < s:
            raise ValidationError("end", e, f"must be on or after start {s}")
        return s, e

    def _raw(self, book: RateBook) -> FactSet:
        tz = self.settings.timezone

        def convert(amount: Decimal, base: str, quote: str, at: dt.datetime) -> Decimal:
            r = book.rate(base, quote, at.astimezone(tz).date()).rate
            return quantize(amount * r, quote, ROUND_HALF_UP)

        with self._rt.storage.unit_of_work() as uow:
            return build_facts(uow, now=self._rt.clock.now(), tz=tz,
                               ship_within=self.settings.ship_within, convert=convert)  # fmt: skip

    def facts(self, start: Any = None, end: Any = None, *,
              currency: str | None = None) -> ReportFacts:  # fmt: skip
        """The fact tables for local days ``start..end``, in ``currency``.

        The range is inclusive (default: the last 30 days); every amount is converted
        at its own day's recorded rate.
        """
        s, e = self._range(start, end)
        cur = check_currency(currency or self.currency, "currency")
        book = self.rate_book()
        return self._facts_for(self._raw(book), book, s, e, cur)

    def _facts_for(self, raw: FactSet, book: RateBook, s: dt.date, e: dt.date,
                   cur: str) -> ReportFacts:  # fmt: skip
        tz = self.settings.timezone

        def in_range(row: Any) -> bool:
            day = getattr(row, row.ANCHOR).astimezone(tz).date()
            return bool(s <= day <= e)

        def rate(base: str, at: dt.datetime) -> Decimal:
            return book.rate(base, cur, at.astimezone(tz).date()).rate

        facts = raw.where(in_range).converted(cur, rate, quantize)

        def cost(m: Money) -> Decimal:
            return quantize(m.amount * book.rate(m.currency, cur, e).rate, cur)

        stock = stock_facts(raw.ledger, s, e, tz, raw.unit_costs, cur, cost, raw.categories)
        return ReportFacts(facts, stock, cur, s, e)

    # -- KPIs ------------------------------------------------------------------------------
    def kpis(self, start: Any = None, end: Any = None, *, by: str | None = None,
             currency: str | None = None,
             where: Mapping[str, Any] | None = None) -> KpiReport:  # fmt: skip
        """Every KPI (`MEASURES`) over local days ``start..end``, in ``currency``.

        With ``by`` (a dimension), each KPI whose table has it is broken down too.

        ``where`` keeps rows whose dimension equals a value (or is in a list of values),
        e.g. ``{"channel": "web"}``, in every table that has that dimension.
        """
        dims = sorted({d for t, ds in DIMENSIONS.items() if t != "ledger" for d in ds})
        if by is not None and by not in dims:
            raise ValidationError("by", by, f"expected one of {', '.join(dims)}")
        filters = _where(where, dims)
        rf = self.facts(start, end, currency=currency)
        totals: dict[str, Value] = {}
        groups: dict[str, dict[str, Value]] = {}
        for m in MEASURES.values():
            rows = _filtered(rf.table(m.table), m.table, filters)
            totals[m.name] = m.compute(rows, rf.currency)
            if by is not None and by in DIMENSIONS[m.table]:
                grouped: dict[str, list[Any]] = {}
                for r in rows:
                    grouped.setdefault(str(getattr(r, by)), []).append(r)
                for key, members in grouped.items():
                    groups.setdefault(key, {})[m.name] = m.compute(members, rf.currency)
        return KpiReport(rf.start, rf.end, rf.currency, by, totals,
                         dict(sorted(groups.items())))  # fmt: skip

    # -- time series -----------------------------------------------------------------------
    def series(self, measure: str, start: Any = None, end: Any = None, *,
               every: str = "day", currency: str | None = None,
               where: Mapping[str, Any] | None = None) -> Series:  # fmt: skip
        """``measure`` per day, week (from Monday) or month of the store's time zone.

        The range is widened to whole periods; each point is compared with the period
        before it, and the total with as many periods just before the range.
        """
        m = MEASURES.get(measure)
        if m is None or m.table == "ledger":
            raise ValidationError("measure", measure,
                                  f"expected one of {', '.join(sorted(MEASURES))}")  # fmt: skip
        if every not in PERIODS:
            raise ValidationError("every", every, f"expected one of {', '.join(PERIODS)}")
        s, e = self._range(start, end)
        cur = check_currency(currency or self.currency, "currency")
        filters = _where(where, DIMENSIONS[m.table])
        periods = _periods(every, s, e)
        count = len(periods)
        before = _shift(every, periods[0], -count)
        all_periods = _periods(every, before, e)
        last = _shift(every, periods[-1], 1) - dt.timedelta(days=1)
        book = self.rate_book()
        raw = self._raw(book)
        values: dict[dt.date, Value] = {}
        tz = self.settings.timezone
        if m.table == "stock":
            for p in all_periods:
                end_p = _shift(every, p, 1) - dt.timedelta(days=1)
                rf = self._facts_for(raw, book, p, end_p, cur)
                values[p] = m.compute(_filtered(rf.stock, "stock", filters), cur)
            whole = self._facts_for(raw, book, periods[0], last, cur).stock
            prior = self._facts_for(raw, book, before, periods[0] - dt.timedelta(days=1),
                                    cur).stock  # fmt: skip
            total, previous_total = m.compute(whole, cur), m.compute(prior, cur)
        else:
            rf = self._facts_for(raw, book, before, last, cur)
            rows = _filtered(rf.table(m.table), m.table, filters)
            by_period: dict[dt.date, list[Any]] = {p: [] for p in all_periods}
            for r in rows:
                day = getattr(r, r.ANCHOR).astimezone(tz).date()
                by_period[period_of(every, day)].append(r)
            for p, members in by_period.items():
                values[p] = m.compute(members, cur)
            inside = [r for p in periods for r in by_period[p]]
            outside = [r for p in all_periods if p < periods[0] for r in by_period[p]]
            total, previous_total = m.compute(inside, cur), m.compute(outside, cur)
        points = []
        for p in periods:
            prev = values.get(_shift(every, p, -1))
            points.append(Point(p, values[p], prev, change(values[p], prev)))
        return Series(measure, every, cur, tuple(points), total, previous_total,
                      change(total, previous_total))  # fmt: skip

    # -- custom reports --------------------------------------------------------------------
    def query(self, spec: Mapping[str, Any] | Query, start: Any = None, end: Any = None, *,
              currency: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
        """Run a custom report (see [`Query`][]) over local days ``start..end``; rows out."""
        q = spec if isinstance(spec, Query) else Query.from_mapping(spec)
        rf = self.facts(start, end, currency=currency)
        return run_query(rf.table(q.table), q, rf.currency, self.settings.timezone)

    # -- exports ---------------------------------------------------------------------------
    def export(self, directory: str | os.PathLike[str], start: Any = None, end: Any = None,
               *, fmt: str = "csv", tables: Sequence[str] | None = None,
               currency: str | None = None) -> ExportManifest:  # fmt: skip
        """Write the fact tables (default: all, ``stock`` included) to ``directory``.

        ``fmt`` is ``"csv"`` (standard library) or ``"parquet"`` (the ``reports`` extra);
        see [`export_tables`][] for the files and the manifest.
        """
        rf = self.facts(start, end, currency=currency)
        names = list(tables) if tables is not None else [*EXPORT_TABLES]
        unknown = [n for n in names if n not in EXPORT_TABLES]
        if unknown:
            raise ValidationError("tables", unknown,
                                  f"expected some of {', '.join(EXPORT_TABLES)}")  # fmt: skip
        return export_tables({n: rf.table(n) for n in names}, directory, fmt=fmt,
                             currency=rf.currency, start=rf.start, end=rf.end,
                             as_of=rf.facts.as_of)  # fmt: skip

    def sql(self, query: str, start: Any = None, end: Any = None, *,
            currency: str | None = None) -> list[tuple[Any, ...]]:  # fmt: skip
        """Run ad-hoc SQL over the fact tables with DuckDB (the ``reports`` extra).

        Every table is registered under its name (``orders``, ``lines``, ``shipments``,
        ``returns``, ``ledger``, ``stock``); money columns are exact decimals.
        """
        text = check_text(query, "query", max_length=100_000)
        rf = self.facts(start, end, currency=currency)
        con = duckdb_connection({n: rf.table(n) for n in EXPORT_TABLES})
        try:
            rows: list[tuple[Any, ...]] = con.execute(text).fetchall()
        finally:
            con.close()
        return rows

    # -- demand, forecasts, replenishment -------------------------------------------------
    def demand(self, sku: str, location: str, start: Any = None, end: Any = None, *,
               every: str = "day") -> list[tuple[dt.date, int]]:  # fmt: skip
        """Units of ``sku`` shipped from ``location`` per period, from the ledger.

        Demand is what left the shelf (``consume`` movements), per local day, week or
        month of ``start..end``; periods without any are 0.
        """
        code, where = check_sku(sku), check_text(location, "location", max_length=32)
        if every not in PERIODS:
            raise ValidationError("every", every, f"expected one of {', '.join(PERIODS)}")
        s, e = self._range(start, end)
        tz = self.settings.timezone
        periods = _periods(every, s, e)
        totals = dict.fromkeys(periods, 0)
        level = level_id(code, where)
        with self._rt.storage.unit_of_work() as uow:
            for m in uow.repo(MOVEMENTS).list_view("level", level):
                if m.kind != "consume":
                    continue
                day = m.at.astimezone(tz).date()
                if s <= day <= e:
                    totals[period_of(every, day)] -= m.on_hand
        return list(totals.items())

    def forecast(self, sku: str, location: str, *, horizon: int = 14,
                 history_days: int = 56, method: str = "auto",
                 holdout: int | None = None) -> DemandForecast:  # fmt: skip
        """Forecast daily demand of ``sku`` at ``location`` for ``horizon`` days.

        Reads ``history_days`` of ledger demand up to today. ``method="auto"`` backtests
        every method (`METHODS`) over a rolling holdout (default a quarter of the
        history, at most 14 days) and keeps the one with the lowest MASE; a method name
        uses that one.
        """
        days = check_quantity(history_days, "history_days", minimum=7, maximum=3660)
        h = check_quantity(horizon, "horizon", minimum=1, maximum=3660)
        today = self._local_today()
        history = [
            q for _day, q in self.demand(sku, location, today - dt.timedelta(days=days - 1), today)
        ]
        test = holdout if holdout is not None else min(14, max(2, days // 4))
        test = check_quantity(test, "holdout", minimum=1, maximum=days - 2)
        if method == "auto":
            chosen, ranking = choose(history, h, holdout=test)
        else:
            if method not in METHODS:
                raise ValidationError(
                    "method", method, f"expected 'auto' or one of {', '.join(METHODS)}"
                )
            chosen, ranking = METHODS[method](history, h), [backtest(history, method, test)]
        return DemandForecast(sku, location, tuple(history), chosen, tuple(ranking),
                              classify(history))  # fmt: skip

    def suggest_replenishment(
        self,
        *,
        location: str | None = None,
        service_level: float = 0.95,
        history_days: int = 56,
        method: str = "auto",
        order_cost: Any = None,
        holding_rate: Any = None,
    ) -> list[ReplenishmentSuggestion]:
        """Reorder figures from forecasts for every reorder policy (or one location's).

        Each policy's supplier gives the lead time; the forecast (see [`forecast`][])
        gives the daily demand and its error. With ``order_cost`` (per purchase order)
        and ``holding_rate`` (a yearly share of the unit cost), the order quantity is
        the EOQ. Nothing is changed: pass the result to [`apply_replenishment`][].
        """
        service_z(service_level)
        cost = None if order_cost is None else float(to_decimal(order_cost, "order_cost"))
        rate = None if holding_rate is None else float(to_decimal(holding_rate, "holding_rate"))
        with self._rt.storage.unit_of_work() as uow:
            policies = sorted(uow.repo(REORDER_POLICIES).scan_view(), key=lambda p: p.id)
            suppliers = {s.id: s for s in uow.repo(SUPPLIERS).scan_view()}
        out: list[ReplenishmentSuggestion] = []
        for policy in policies:
            if location is not None and policy.location != location:
                continue
            supplier = suppliers.get(policy.supplier)
            if supplier is None:
                raise UnknownSupplier(policy.supplier)
            lead = supplier.lead_time(policy.sku)
            f = self.forecast(
                policy.sku,
                policy.location,
                horizon=max(1, lead),
                history_days=history_days,
                method=method,
            ).forecast
            terms = supplier.terms.get(policy.sku)
            holding = (float(terms.unit_cost.amount) * rate
                       if terms is not None and rate is not None else None)  # fmt: skip
            out.append(suggest(
                sku=policy.sku, location=policy.location, supplier=supplier.id, forecast=f,
                lead_time_days=lead, service_level=service_level, method=policy.method,
                cover_days=policy.cover_days, order_cost=cost,
                holding_cost=holding if holding else None,
            ))  # fmt: skip
        return out

    def apply_replenishment(self, suggestions: Sequence[ReplenishmentSuggestion], *,
                            actor: str = "system") -> list[ReorderPolicy]:  # fmt: skip
        """Write suggested figures into inventory's reorder policies, all or none.

        ``reorder_point`` policies get the reorder point (and the EOQ as the order
        quantity when there is one); ``min_max`` policies get the minimum and maximum.
        Each change records a [`ReplenishmentApplied`][] event naming ``actor``.
        """
        who = check_text(actor, "actor", max_length=64)
        items = list(suggestions)
        for i, item in enumerate(items):
            if not isinstance(item, ReplenishmentSuggestion):
                raise ValidationError(f"suggestions[{i}]", item,
                                      "expected a ReplenishmentSuggestion")  # fmt: skip

        def use_case(uow: UnitOfWork) -> list[ReorderPolicy]:
            repo = uow.repo(REORDER_POLICIES)
            changed = []
            for item in items:
                policy = repo.find(item.policy_id)
                if policy is None:
                    raise NotFound(
                        "reorder policy",
                        item.policy_id,
                        "set one with oms.inventory.set_reorder_policy()",
                    )
                if policy.method == "min_max":
                    policy.minimum, policy.maximum = item.minimum, item.maximum
                else:
                    policy.reorder_point = item.reorder_point
                    if item.order_quantity:
                        policy.order_quantity = item.order_quantity
                policy.record(ReplenishmentApplied(
                    policy=policy.id, method=policy.method,
                    reorder_point=policy.reorder_point, order_quantity=policy.order_quantity,
                    minimum=policy.minimum, maximum=policy.maximum,
                    explanation=item.explanation, actor=who,
                ))  # fmt: skip
                repo.save(policy)
                changed.append(policy)
            return changed

        return self._rt.run(use_case)

    # -- charts and the dashboard ----------------------------------------------------------
    def chart(self, name: str, start: Any = None, end: Any = None, *, every: str = "day",
              currency: str | None = None, sku: str | None = None,
              location: str | None = None, limit: int = 15) -> Chart:  # fmt: skip
        """The figures of chart ``name`` (a key of `CHARTS`) over local days ``start..end``.

        Draw it with [`Chart.svg`][omskit.reporting.charts.Chart.svg] or
        [`Chart.png`][omskit.reporting.charts.Chart.png] (matplotlib, the ``reports``
        extra); building it needs nothing. ``every`` is the period of the ``sales`` and
        ``fulfillment`` charts; ``stock_cover`` shows the ``limit`` SKUs with the least
        cover; ``forecast`` forecasts ``sku`` at ``location`` (default: the pair that
        sold the most units in the range) for 14 days from 56 days of history to ``end``.
        """
        if name not in CHARTS:
            raise ValidationError("name", name, f"expected one of {', '.join(CHARTS)}")
        lim = check_quantity(limit, "limit", minimum=1, maximum=1000)
        code = None if sku is None else check_sku(sku)
        where = None if location is None else check_text(location, "location", max_length=32)
        return build_chart(self, name, start, end, every=every, currency=currency,
                           sku=code, location=where, limit=lim)  # fmt: skip

    def dashboard(self, path: str | os.PathLike[str], start: Any = None, end: Any = None,
                  *, currency: str | None = None, every: str = "day",
                  title: str = "Sales and fulfillment") -> Path:  # fmt: skip
        """Write a self-contained HTML dashboard for local days ``start..end`` to ``path``.

        One file with inline CSS and SVG: KPI tiles, the charts of `CHARTS`, KPIs by
        channel, every KPI with its formula and the anomalies of the range's last day.
        It loads nothing from the network and needs no JavaScript. Without matplotlib
        the charts are shown as tables, with a note saying how to get the pictures.
        """
        heading = check_text(title, "title", max_length=200)
        if every not in PERIODS:
            raise ValidationError("every", every, f"expected one of {', '.join(PERIODS)}")
        s, e = self._range(start, end)
        cur = check_currency(currency or self.currency, "currency")
        target = Path(path)
        if not target.parent.is_dir():
            raise ValidationError("path", str(path), "its folder must exist")
        made = self._rt.clock.now().astimezone(self.settings.timezone)
        return write_dashboard(self, target, s, e, currency=cur, every=every,
                               title=heading, made=made)  # fmt: skip

    # -- anomalies -------------------------------------------------------------------------
    def anomalies(self, day: Any = None, *, history_days: int = 56, level: float = 0.99,
                  window: int = 7, baseline_days: int = 28,
                  min_active_days: int = 7) -> list[Anomaly]:  # fmt: skip
        """The anomalies of local ``day`` (default: yesterday, the last complete day).

        Channels whose orders fell below, and SKUs whose units rose above, the central
        ``level`` prediction interval of a forecast fitted on the ``history_days`` before
        ``day``; locations whose on-time ship rate over the ``window`` days to ``day``
        fell below its rate over the ``baseline_days`` before (see
        `omskit.reporting.anomalies`). Nothing is recorded: [`tick`][] does that.
        """
        d = self._local_today() - dt.timedelta(days=1) if day is None else check_day(day, "day")
        days = check_quantity(history_days, "history_days", minimum=14, maximum=3660)
        win = check_quantity(window, "window", minimum=1, maximum=366)
        base = check_quantity(baseline_days, "baseline_days", minimum=1, maximum=3660)
        active = check_quantity(min_active_days, "min_active_days", minimum=1, maximum=days)
        if isinstance(level, bool) or not isinstance(level, int | float) or not 0.5 <= level < 1:
            raise ValidationError("level", level, "expected a number from 0.5 to below 1")
        z = z_of(float(level))
        first = min(d - dt.timedelta(days=days), d - dt.timedelta(days=win + base - 1))
        rf = self.facts(first, d)
        tz = self.settings.timezone
        hist_days = [d - dt.timedelta(days=days - i) for i in range(days)]

        def local(at: dt.datetime) -> dt.date:
            return at.astimezone(tz).date()

        found: list[Anomaly] = []
        by_channel: dict[str, dict[dt.date, float]] = {}
        for o in rf.facts.orders:
            row = by_channel.setdefault(o.channel, {})
            row[local(o.placed_at)] = row.get(local(o.placed_at), 0.0) + 1
        for channel, counts in sorted(by_channel.items()):
            hit = check_below([counts.get(x, 0.0) for x in hist_days], counts.get(d, 0.0),
                              z=z, dimension="channel", key=channel, day=d, what="orders",
                              min_active_days=active)  # fmt: skip
            if hit is not None:
                found.append(hit)
        by_sku: dict[str, dict[dt.date, float]] = {}
        for line in rf.facts.lines:
            row = by_sku.setdefault(line.sku, {})
            row[local(line.placed_at)] = row.get(local(line.placed_at), 0.0) + line.units
        for code, units in sorted(by_sku.items()):
            if not units.get(d):
                continue
            hit = check_above([units.get(x, 0.0) for x in hist_days], units[d], z=z,
                              dimension="SKU", key=code, day=d, what="units",
                              min_active_days=active)  # fmt: skip
            if hit is not None:
                found.append(hit)
        split = d - dt.timedelta(days=win - 1)
        shipped: dict[str, list[int]] = {}
        for sh in rf.facts.shipments:
            if sh.on_time_ship is None:
                continue
            when = local(sh.created_at)
            if when > d or when < split - dt.timedelta(days=base):
                continue
            c = shipped.setdefault(sh.location, [0, 0, 0, 0])
            i = 0 if when >= split else 2
            c[i] += int(sh.on_time_ship)
            c[i + 1] += 1
        for where, (hit_n, n, base_hit, base_n) in sorted(shipped.items()):
            drop = check_rate_drop((hit_n, n), (base_hit, base_n), alpha=(1 - level) / 2,
                                   dimension="location", key=where, day=d, window=win,
                                   baseline_days=base)  # fmt: skip
            if drop is not None:
                found.append(drop)
        return found

    def tick(self, day: Any = None, *, actor: str = "reporting") -> list[Anomaly]:
        """Record each new anomaly of ``day`` (see [`anomalies`][]) as [`AnomalyDetected`][].

        Call it once a day (or more often: an anomaly is recorded once, by its kind, key
        and day). The ``anomaly_detected`` notification trigger sends it to staff.
        Returns the anomalies recorded by this call.
        """
        who = check_text(actor, "actor", max_length=64)
        found = self.anomalies(day)

        def use_case(uow: UnitOfWork) -> list[Anomaly]:
            repo = uow.repo(ANOMALIES)
            new = []
            for a in found:
                if repo.find(a.id) is not None:
                    continue
                row = AnomalyRecord(id=a.id, kind=a.kind, key=a.key, day=a.day,
                                    explanation=a.explanation, actor=who,
                                    recorded_at=self._rt.clock.now())  # fmt: skip
                row.record(AnomalyDetected(
                    anomaly_id=a.id, kind=a.kind, dimension=a.dimension, key=a.key,
                    day=a.day, measured=a.measured, expected=a.expected, low=a.low,
                    high=a.high, reason=a.headline, description=a.explanation, actor=who,
                ))  # fmt: skip
                repo.add(row)
                new.append(a)
            return new

        return self._rt.run(use_case)


def _where(where: Mapping[str, Any] | None, allowed: Sequence[str]) -> dict[str, frozenset[Any]]:
    if where is None:
        return {}
    if not isinstance(where, Mapping):
        raise ValidationError("where", where, "expected a mapping of dimension to value(s)")
    out: dict[str, frozenset[Any]] = {}
    for key, value in where.items():
        if key not in allowed:
            raise ValidationError(f"where.{key}", value,
                                  f"not a dimension; allowed: {', '.join(allowed)}")  # fmt: skip
        values = value if isinstance(value, list | tuple | set | frozenset) else (value,)
        out[key] = frozenset(values)
    return out


def _filtered(rows: Sequence[Any], table: str, filters: Mapping[str, frozenset[Any]]
              ) -> Sequence[Any]:  # fmt: skip
    applicable = {k: v for k, v in filters.items() if k in DIMENSIONS[table]}
    if not applicable:
        return rows
    return [r for r in rows if all(getattr(r, k) in v for k, v in applicable.items())]


def _shift(every: str, period: dt.date, n: int) -> dt.date:
    if every == "day":
        return period + dt.timedelta(days=n)
    if every == "week":
        return period + dt.timedelta(weeks=n)
    months = period.year * 12 + period.month - 1 + n
    return dt.date(months // 12, months % 12 + 1, 1)


def _periods(every: str, start: dt.date, end: dt.date) -> list[dt.date]:
    p = period_of(every, start)
    out = []
    while p <= end:
        out.append(p)
        p = _shift(every, p, 1)
    return out
