"""Value objects shared by every carrier: parcels, rate requests, quotes, labels, tracking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from omskit.catalog.model import Dimensions
from omskit.customers.address import Address
from omskit.errors import ValidationError
from omskit.money import Money, MoneyLike, as_money
from omskit.validation import Problems, check_quantity

__all__ = [
    "Charge",
    "Label",
    "ParcelSpec",
    "RateQuote",
    "RateRequest",
    "ServiceLevel",
    "TrackingEvent",
    "TrackingUpdate",
    "add_business_days",
    "first_ship_date",
]

_MAX_PARCEL_GRAMS = 1_000_000


@attrs.frozen
class ServiceLevel:
    """A service a carrier sells: ``code`` ("express"), a readable name, typical transit days."""

    code: str
    name: str
    transit_days: int


@attrs.frozen
class ParcelSpec:
    """One parcel to be rated or labelled: gross weight and outer dimensions."""

    weight_grams: int
    dimensions: Dimensions | None = None

    @classmethod
    def from_value(cls, value: Any, field: str = "parcel") -> ParcelSpec:
        """Build from a ``ParcelSpec`` or ``{"weight_grams": 900, "dimensions": [..]}``."""
        if isinstance(value, ParcelSpec):
            return value
        if not isinstance(value, Mapping):
            raise ValidationError(field, value, "expected {'weight_grams': .., 'dimensions': ..}")
        problems = Problems()
        grams = problems.check(
            f"{field}.weight_grams",
            check_quantity,
            value.get("weight_grams"),
            maximum=_MAX_PARCEL_GRAMS,
        )
        dims = None
        if value.get("dimensions") is not None:
            dims = problems.check(f"{field}.dimensions", Dimensions.from_value, value["dimensions"])
        for key in sorted(set(value) - {"weight_grams", "dimensions"}):
            problems.add(f"{field}.{key}", "unknown field; allowed: weight_grams, dimensions")
        problems.raise_if_any()
        assert grams is not None
        return cls(grams, dims)


@attrs.frozen
class RateRequest:
    """What to ship, from where to where; ``order_value`` drives free-shipping thresholds."""

    ship_from: Address
    ship_to: Address
    parcels: tuple[ParcelSpec, ...]
    order_value: Money | None = None

    @classmethod
    def build(
        cls,
        *,
        ship_from: Address | Mapping[str, Any],
        ship_to: Address | Mapping[str, Any],
        parcels: Sequence[ParcelSpec | Mapping[str, Any]] | Any,
        order_value: MoneyLike | Any = None,
    ) -> RateRequest:
        """Validate plain data into a request, reporting every problem at once."""
        problems = Problems()
        origin = problems.check("ship_from", Address.from_mapping, ship_from)
        dest = problems.check("ship_to", Address.from_mapping, ship_to)
        if not isinstance(parcels, Sequence) or isinstance(parcels, str) or not parcels:
            problems.add("parcels", "give at least one parcel", parcels)
            parcels = ()
        specs = [
            problems.check(f"parcels[{i}]", ParcelSpec.from_value, p) for i, p in enumerate(parcels)
        ]
        value = None if order_value is None else as_money(order_value, "order_value")
        if order_value is not None and value is None:
            problems.add("order_value", "expected Money (omskit's or py-moneyed's)", order_value)
        problems.raise_if_any()
        assert origin is not None
        assert dest is not None
        return cls(origin, dest, tuple(s for s in specs if s is not None), value)

    @property
    def total_weight_grams(self) -> int:
        """The weight of all parcels together."""
        return sum(p.weight_grams for p in self.parcels)


@attrs.frozen
class Charge:
    """One line of a rate's breakdown ("base 2 parcels", "fuel 8%")."""

    label: str
    amount: Money


@attrs.frozen
class RateQuote:
    """A price for one service level of one carrier, and when it would arrive."""

    carrier: str
    service: str
    service_name: str
    price: Money
    transit_days: int
    ship_date: dt.date
    promised_date: dt.date
    zone: str = ""
    billable_weight_grams: int = 0
    breakdown: tuple[Charge, ...] = ()
    parcel_prices: tuple[Money, ...] = ()

    @property
    def key(self) -> str:
        """``carrier/service``, how explanations name a quote."""
        return f"{self.carrier}/{self.service}"


@attrs.frozen
class Label:
    """A label bought for one parcel: its tracking number and printable document.

    ``idempotency_key`` is the key the purchase was made under (empty when none was
    given): buying again under it returns this label, not a new one.
    """

    carrier: str
    service: str
    tracking_number: str
    document: str
    price: Money
    created_at: dt.datetime
    ship_from: Address
    ship_to: Address
    weight_grams: int
    reference: str = ""
    parcel_index: int = 0
    parcel_count: int = 1
    is_return: bool = False
    promised_date: dt.date | None = None
    options: tuple[tuple[str, str], ...] = ()
    idempotency_key: str = ""

    def option(self, name: str, default: str = "") -> str:
        """The value of label option ``name`` (e.g. the sandbox ``scenario``)."""
        return dict(self.options).get(name, default)


@attrs.frozen(order=True)
class TrackingEvent:
    """A carrier scan, normalised: raw ``code``, omskit ``status``, when, where, what."""

    at: dt.datetime
    status: str
    code: str
    location: str = ""
    description: str = ""


@attrs.frozen
class TrackingUpdate:
    """One tracking event for the parcel with ``tracking_number`` (parsed from a webhook)."""

    tracking_number: str
    event: TrackingEvent


def first_ship_date(
    now: dt.datetime, cutoff_hour: int = 16, holidays: frozenset[dt.date] = frozenset()
) -> dt.date:
    """The first day a parcel can leave: today before the cut-off on a business day, else next."""
    day = now.date()
    if now.hour >= cutoff_hour or not _business_day(day, holidays):
        day = _next_business_day(day, holidays)
    return day


def add_business_days(
    start: dt.date, days: int, holidays: frozenset[dt.date] = frozenset()
) -> dt.date:
    """``start`` plus ``days`` business days (Monday-Friday, skipping ``holidays``)."""
    day = start
    for _ in range(days):
        day = _next_business_day(day, holidays)
    return day


def _business_day(day: dt.date, holidays: frozenset[dt.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def _next_business_day(day: dt.date, holidays: frozenset[dt.date]) -> dt.date:
    day += dt.timedelta(days=1)
    while not _business_day(day, holidays):
        day += dt.timedelta(days=1)
    return day
