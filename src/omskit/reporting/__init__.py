"""Reporting: KPIs, time series, custom reports, exports and demand forecasting.

Charts, an HTML dashboard and anomalies worth telling staff about, too.
Computed from omskit's own stored records (orders, shipments, payments, the stock
ledger) as flat fact rows; reached as ``oms.reports`` ([`ReportService`][]). Nothing
in omskit imports this package.
"""

from omskit.reporting.anomalies import ANOMALY_KINDS, Anomaly
from omskit.reporting.charts import CHARTS, Chart, ChartSeries
from omskit.reporting.errors import MissingExtra
from omskit.reporting.events import AnomalyDetected, ExchangeRateRecorded, ReplenishmentApplied
from omskit.reporting.facts import (
    TABLES,
    FactSet,
    LedgerFact,
    LineFact,
    OrderFact,
    ReturnFact,
    ShipmentFact,
    build_facts,
)
from omskit.reporting.forecast import METHODS, Accuracy, Forecast
from omskit.reporting.measures import DIMENSIONS, MEASURES, Measure
from omskit.reporting.query import OPERATORS, PERIODS, Filter, Query, run_query
from omskit.reporting.rates import RATES, RateBook, RecordedRate
from omskit.reporting.replenish import ReplenishmentSuggestion
from omskit.reporting.report import KpiReport, Point, Series
from omskit.reporting.service import DemandForecast, ReportFacts, ReportService
from omskit.reporting.settings import ReportingSettings
from omskit.reporting.stock import StockFact, stock_facts
from omskit.reporting.values import Ratio, Spread

__all__ = [
    "ANOMALY_KINDS",
    "CHARTS",
    "DIMENSIONS",
    "MEASURES",
    "METHODS",
    "OPERATORS",
    "PERIODS",
    "RATES",
    "TABLES",
    "Accuracy",
    "Anomaly",
    "AnomalyDetected",
    "Chart",
    "ChartSeries",
    "DemandForecast",
    "ExchangeRateRecorded",
    "FactSet",
    "Filter",
    "Forecast",
    "KpiReport",
    "LedgerFact",
    "LineFact",
    "Measure",
    "MissingExtra",
    "OrderFact",
    "Point",
    "Query",
    "RateBook",
    "Ratio",
    "RecordedRate",
    "ReplenishmentApplied",
    "ReplenishmentSuggestion",
    "ReportFacts",
    "ReportService",
    "ReportingSettings",
    "ReturnFact",
    "Series",
    "ShipmentFact",
    "Spread",
    "StockFact",
    "build_facts",
    "run_query",
    "stock_facts",
]
