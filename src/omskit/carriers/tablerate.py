"""A carrier priced from a rate table: zones, weight bands, dimensional weight, surcharges.

The table is plain data (a mapping, e.g. from configuration section ``carriers``)::

    {"name": "tablerate", "title": "Table Rate Post", "currency": "EUR",
     "dim_divisor": 5000,                       # mm3 per billable gram (5000 cm3/kg)
     "zones": [{"name": "islands", "countries": ["DE"], "postal_prefixes": ["18565"],
                "remote": True},
               {"name": "domestic", "countries": ["DE"]},
               {"name": "world", "countries": ["*"]}],
     "services": [{"code": "standard", "name": "Standard",
                   "transit_days": {"domestic": 2, "islands": 4, "world": 7}}],
     "rates": {"standard": {"domestic": [[1000, "4.90"], [31500, "12.90"]], ...}},
     "surcharges": {"remote_area": "4.50", "fuel_percent": "8"},
     "free_shipping": {"threshold": "75.00", "services": ["standard"], "zones": ["domestic"]}}

A destination falls in the zone with the longest matching postal prefix for its country,
else the zone listing its country, else a ``"*"`` zone. Each parcel is billed on the
larger of its weight and its dimensional weight, in the first band that holds it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from omskit.carriers.base import BaseCarrier, keyed_serial, luhn_digit
from omskit.carriers.errors import UnserviceableAddress
from omskit.carriers.model import (
    Charge,
    RateQuote,
    RateRequest,
    TrackingUpdate,
    add_business_days,
    first_ship_date,
)
from omskit.carriers.ratetable import RateTable, Zone
from omskit.carriers.tables import DEMO_TABLE, TABLE_RATE_CODES
from omskit.errors import ValidationError
from omskit.money import ROUND_HALF_UP, Money, sum_money
from omskit.validation import check_mapping

__all__ = ["DEMO_TABLE", "TABLE_RATE_CODES", "RateTable", "TableRateCarrier", "Zone"]


@attrs.define
class TableRateCarrier(BaseCarrier):
    """A carrier whose prices come from a ``RateTable``.

    Its webhooks are signed under header ``Tablerate-Signature`` (see
    ``omskit.carriers.webhooks``).
    """

    WEBHOOK_HEADER = "Tablerate-Signature"

    table: RateTable = attrs.field(kw_only=True)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None = None) -> TableRateCarrier:
        """A carrier from table data (``DEMO_TABLE`` when ``None``).

        The data may also give ``webhook_secret`` and ``webhook_tolerance_seconds``.
        """
        source = DEMO_TABLE if data is None else data
        table = RateTable.from_mapping(source)
        name = source.get("name", "tablerate")
        if not isinstance(name, str) or not name:
            raise ValidationError("table.name", name, "give the carrier a non-empty name")
        carrier = cls(
            name,
            str(source.get("title", name)),
            table.services,
            dict(TABLE_RATE_CODES),
            table=table,
        )
        changes = carrier.account_settings(source, "table")  # a table may carry its secret
        return attrs.evolve(carrier, **changes) if changes else carrier

    def configured(self, section: Mapping[str, Any]) -> TableRateCarrier:
        """This carrier rebuilt from ``section['table']`` when configuration gives one.

        ``webhook_secret`` and ``webhook_tolerance_seconds`` set how its webhooks are
        verified (see ``BaseCarrier.account_settings``).
        """
        changes = self.account_settings(section, f"carriers.{self.name}")
        table = section.get("table")
        carrier = self
        if table is not None:
            data = {"name": self.name, **check_mapping(table, "table")}
            carrier = TableRateCarrier.from_mapping(data)
        return attrs.evolve(carrier, **changes) if changes else carrier

    def _zone(self, request: RateRequest) -> Zone:
        to = request.ship_to
        zone = self.table.zone_for(to.country, to.postal_code)
        if zone is None:
            raise UnserviceableAddress(
                self.name, "ship_to.country", to.country, "no delivery zone covers this destination"
            )
        return zone

    def rates(self, request: RateRequest, now: dt.datetime) -> list[RateQuote]:
        """A quote for every service level that serves the destination zone."""
        zone = self._zone(request)
        quotes = [
            self.quote(request, s.code, now)
            for s in self.service_levels
            if zone.name in self.table.bands.get(s.code, {})
        ]
        if not quotes:
            raise UnserviceableAddress(
                self.name,
                "ship_to.country",
                request.ship_to.country,
                f"no service level covers zone {zone.name!r}",
            )
        return quotes

    def quote(self, request: RateRequest, service: str, now: dt.datetime) -> RateQuote:
        """Price ``service`` for the request, explaining every charge."""
        level = self.service_level(service)
        zone = self._zone(request)
        t, cur = self.table, self.table.currency
        bands = t.bands.get(service, {}).get(zone.name)
        if not bands:
            raise UnserviceableAddress(
                self.name,
                "ship_to.country",
                request.ship_to.country,
                f"{service!r} does not serve zone {zone.name!r}",
            )
        parcel_prices: list[Money] = []
        billable_total = 0
        for i, parcel in enumerate(request.parcels):
            billable = t.billable_grams(parcel)
            billable_total += billable
            band = next((price for limit, price in bands if billable <= limit), None)
            if band is None:
                raise UnserviceableAddress(
                    self.name,
                    f"parcels[{i}].weight_grams",
                    billable,
                    f"{service!r} to zone {zone.name!r} takes at most {bands[-1][0]} g "
                    f"billable weight",
                )
            parcel_prices.append(Money(band + (t.remote_area if zone.remote else 0), cur))
        n = len(request.parcels)
        base = sum_money(
            (Money(p.amount - (t.remote_area if zone.remote else 0), cur) for p in parcel_prices),
            cur,
        )
        charges = [Charge(f"{n} parcel(s), {billable_total} g billable, zone {zone.name}", base)]
        if zone.remote and t.remote_area:
            charges.append(Charge(f"remote area x{n}", Money(t.remote_area * n, cur)))
        subtotal = sum_money((c.amount for c in charges), cur)
        if t.fuel_percent:
            fuel = Money(subtotal.amount * t.fuel_percent / 100, cur).quantize(ROUND_HALF_UP)
            charges.append(Charge(f"fuel {t.fuel_percent}%", fuel))
        total = sum_money((c.amount for c in charges), cur)
        value = request.order_value
        if (
            t.free_threshold is not None
            and value is not None
            and value.currency == cur
            and value.amount >= t.free_threshold
            and service in t.free_services
            and (not t.free_zones or zone.name in t.free_zones)
        ):
            charges.append(Charge(f"free shipping on orders from {t.free_threshold} {cur}", -total))
            total = Money.zero(cur)
        days = t.transit[service][zone.name]
        ship = first_ship_date(now, t.cutoff_hour)
        return RateQuote(
            carrier=self.name,
            service=service,
            service_name=level.name,
            price=total.quantize(),
            transit_days=days,
            ship_date=ship,
            promised_date=add_business_days(ship, days),
            zone=zone.name,
            billable_weight_grams=billable_total,
            breakdown=tuple(charges),
            parcel_prices=tuple(parcel_prices),
        )

    def tracking_number(self, request: RateRequest, reference: str, index: int) -> str:
        """``TR`` + 10 digits + a Luhn check digit, a keyed hash of the purchase."""
        digits = keyed_serial(self.numbering_key, self.name, reference, index, digits=10)
        return f"TR{digits}{luhn_digit(digits)}"

    def parse_webhook(self, payload: Mapping[str, Any]) -> tuple[TrackingUpdate, ...]:
        """Parse ``{"msg": {"tracking_number", "checkpoints": [...]}}`` (any checkpoint order).

        Each checkpoint has ``tag`` (see `TABLE_RATE_CODES`), ``checkpoint_time``,
        ``location`` and ``message``.
        """
        msg = check_mapping(check_mapping(payload, "payload").get("msg"), "payload.msg")
        number = msg.get("tracking_number")
        if not isinstance(number, str) or not number:
            raise ValidationError("payload.msg.tracking_number", number, "expected text")
        checkpoints = msg.get("checkpoints")
        if not isinstance(checkpoints, list):
            raise ValidationError("payload.msg.checkpoints", checkpoints, "expected a list")
        return self.updates_from(
            number,
            ((f"payload.msg.checkpoints[{i}]", cp) for i, cp in enumerate(checkpoints)),
            code_key="tag",
            time_key="checkpoint_time",
            location_key="location",
            text_key="message",
        )
