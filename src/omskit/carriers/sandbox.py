"""The sandbox carrier: deterministic tracking numbers, printable labels, scripted tracking.

Use it in development, demos and tests. Prices are simple (a base price per parcel plus
a price per started kilogram), tracking numbers follow the UPU S10 pattern with a real
check digit (``SB12345678 5 DE`` without the spaces), and every label carries a scripted
tracking timeline chosen by its ``scenario`` option:

``delivered`` (default), ``delayed``, ``failed_attempt``, ``lost``, ``returned_to_sender``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from omskit.carriers.base import BaseCarrier, keyed_serial, s10_digit
from omskit.carriers.errors import UnserviceableAddress
from omskit.carriers.model import (
    Charge,
    Label,
    RateQuote,
    RateRequest,
    ServiceLevel,
    TrackingEvent,
    TrackingUpdate,
    add_business_days,
    first_ship_date,
)
from omskit.carriers.webhooks import WebhookDelivery
from omskit.errors import ValidationError
from omskit.money import Money, sum_money
from omskit.validation import Problems, check_country, check_mapping

__all__ = ["SANDBOX_CODES", "SCENARIOS", "SandboxCarrier"]

#: Event codes in sandbox webhooks, and the omskit status each stands for.
SANDBOX_CODES: Mapping[str, str] = {
    "CRE": "label_purchased",
    "ACC": "handed_over",
    "TRN": "in_transit",
    "DLY": "delayed",
    "OFD": "out_for_delivery",
    "ATT": "failed_attempt",
    "DLV": "delivered",
    "LST": "lost",
    "RTS": "returned_to_sender",
}

#: The scripted tracking timelines a sandbox label can follow.
SCENARIOS: tuple[str, ...] = (
    "delivered",
    "delayed",
    "failed_attempt",
    "lost",
    "returned_to_sender",
)

_MESSAGES = {
    "CRE": "Label created, parcel announced",
    "ACC": "Parcel handed over to the carrier",
    "TRN": "Parcel sorted at hub",
    "DLY": "Delayed: high volumes at hub",
    "OFD": "Out for delivery",
    "ATT": "Delivery attempt failed: recipient not at home",
    "DLV": "Delivered",
    "LST": "Parcel declared lost after investigation",
    "RTS": "Returned to sender",
}

# (code, days after the promised date (business days), hour) after the common start.
_SCRIPTS: Mapping[str, tuple[tuple[str, int, int], ...]] = {
    "delivered": (("OFD", 0, 8), ("DLV", 0, 11)),
    "delayed": (("DLY", 0, 7), ("OFD", 1, 8), ("DLV", 1, 12)),
    "failed_attempt": (("OFD", 0, 8), ("ATT", 0, 12), ("OFD", 1, 8), ("DLV", 1, 10)),
    "lost": (("DLY", 0, 7), ("LST", 5, 9)),
    "returned_to_sender": (
        ("OFD", 0, 8),
        ("ATT", 0, 12),
        ("OFD", 1, 8),
        ("ATT", 1, 12),
        ("RTS", 4, 9),
    ),
}

_SERVICES = (
    ServiceLevel("economy", "Sandbox Economy", 5),
    ServiceLevel("standard", "Sandbox Standard", 3),
    ServiceLevel("express", "Sandbox Express", 1),
)
_PRICES = {  # base per parcel, price per started kg
    "economy": (Decimal("3.90"), Decimal("0.40")),
    "standard": (Decimal("5.90"), Decimal("0.60")),
    "express": (Decimal("12.90"), Decimal("1.00")),
}
_MAX_GRAMS = 30_000


@attrs.define
class SandboxCarrier(BaseCarrier):
    """A carrier that needs no account: predictable prices, scripted tracking.

    Tracking numbers are keyed (see ``BaseCarrier``): stable
    for one purchase key, not computable from shipment ids. Webhooks are signed under
    header ``Sandbox-Signature``; ``webhook_deliveries`` gives them ready to pass to
    ``oms.carriers.handle_webhook``.
    """

    WEBHOOK_HEADER = "Sandbox-Signature"

    currency: str = attrs.field(default="EUR", kw_only=True)
    blocked: frozenset[str] = attrs.field(default=frozenset({"AQ", "KP"}), kw_only=True)
    cutoff_hour: int = attrs.field(default=16, kw_only=True)

    @classmethod
    def create(cls, name: str = "sandbox", **options: Any) -> SandboxCarrier:
        """A sandbox carrier called ``name`` (``currency``, ``blocked``, ``cutoff_hour``)."""
        return cls(name, "Sandbox Parcel", _SERVICES, dict(SANDBOX_CODES), **options)

    def configured(self, section: Mapping[str, Any]) -> SandboxCarrier:
        """Apply configuration: ``blocked_countries`` (a list of ISO codes).

        Also the webhook keys ``webhook_secret`` and ``webhook_tolerance_seconds`` (see
        ``BaseCarrier.account_settings``).
        """
        changes = self.account_settings(section, f"carriers.{self.name}")
        if "blocked_countries" in section:
            listed = section["blocked_countries"]
            problems = Problems()
            if isinstance(listed, str) or not isinstance(listed, list | tuple):
                problems.add("carriers.sandbox.blocked_countries", "expected a list", listed)
                listed = ()
            blocked = {
                problems.check("carriers.sandbox.blocked_countries", check_country, c)
                for c in listed
            }
            problems.raise_if_any()
            changes["blocked"] = frozenset(c for c in blocked if c)
        return attrs.evolve(self, **changes) if changes else self

    def quote(self, request: RateRequest, service: str, now: dt.datetime) -> RateQuote:
        """Base price per parcel plus a price per started kilogram."""
        level = self.service_level(service)
        to = request.ship_to
        if to.country in self.blocked:
            raise UnserviceableAddress(
                self.name,
                "ship_to.country",
                to.country,
                "the sandbox does not deliver to this country",
            )
        base, per_kg = _PRICES[service]
        prices: list[Money] = []
        for i, parcel in enumerate(request.parcels):
            if parcel.weight_grams > _MAX_GRAMS:
                raise UnserviceableAddress(
                    self.name,
                    f"parcels[{i}].weight_grams",
                    parcel.weight_grams,
                    f"at most {_MAX_GRAMS} g",
                )
            kg = math.ceil(parcel.weight_grams / 1000)
            prices.append(Money(base + per_kg * kg, self.currency))
        total = sum_money(prices, self.currency)
        ship = first_ship_date(now, self.cutoff_hour)
        return RateQuote(
            carrier=self.name,
            service=service,
            service_name=level.name,
            price=total,
            transit_days=level.transit_days,
            ship_date=ship,
            promised_date=add_business_days(ship, level.transit_days),
            zone=to.country,
            billable_weight_grams=request.total_weight_grams,
            breakdown=(Charge(f"{len(prices)} parcel(s) {level.name}", total),),
            parcel_prices=tuple(prices),
        )

    def buy_label(
        self,
        request: RateRequest,
        service: str,
        *,
        reference: str,
        now: dt.datetime,
        options: Sequence[tuple[str, str]] = (),
        idempotency_key: str = "",
    ) -> tuple[Label, ...]:
        """Labels as `BaseCarrier` does; the ``scenario`` option must be known."""
        scenario = dict(options).get("scenario", "delivered")
        if scenario not in SCENARIOS:
            raise ValidationError("options.scenario", scenario, f"one of {', '.join(SCENARIOS)}")
        return super().buy_label(
            request,
            service,
            reference=reference,
            now=now,
            options=options,
            idempotency_key=idempotency_key,
        )

    def tracking_number(self, request: RateRequest, reference: str, index: int) -> str:
        """UPU S10 style: ``SB`` + 8-digit serial + check digit + origin country.

        The serial is a keyed hash of the purchase (see ``keyed_serial``).
        """
        serial = keyed_serial(self.numbering_key, self.name, reference, index, digits=8)
        return f"SB{serial}{s10_digit(serial)}{request.ship_from.country}"

    def scripted_events(
        self, label: Label, scenario: str | None = None
    ) -> tuple[TrackingEvent, ...]:
        """The whole scripted timeline of ``label`` (its ``scenario`` option by default)."""
        chosen = scenario or label.option("scenario", "delivered")
        if chosen not in _SCRIPTS:
            raise ValidationError("scenario", chosen, f"one of {', '.join(SCENARIOS)}")
        t0 = label.created_at
        promised = label.promised_date or add_business_days(t0.date(), 3)
        hub = f"Sandbox hub {label.ship_from.country}"
        origin = label.ship_from.city or label.ship_from.name or label.ship_from.country
        steps = [
            ("CRE", t0, origin),
            ("ACC", t0 + dt.timedelta(hours=2), origin),
            ("TRN", t0 + dt.timedelta(hours=20), hub),
        ]
        for code, days, hour in _SCRIPTS[chosen]:
            day = add_business_days(promised, days)
            at = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
            steps.append((code, at, label.ship_to.city))
        return tuple(
            TrackingEvent(
                at=at,
                status=SANDBOX_CODES[code],
                code=code,
                location=where,
                description=_MESSAGES[code],
            )
            for code, at, where in steps
        )

    def track(self, label: Label, now: dt.datetime) -> tuple[TrackingEvent, ...]:
        """The scripted events that have happened by ``now``."""
        return tuple(e for e in self.scripted_events(label) if e.at <= now)

    def webhook_payloads(
        self, label: Label, scenario: str | None = None, until: dt.datetime | None = None
    ) -> list[dict[str, Any]]:
        """The webhook payloads (unsigned, parsed) the sandbox would send for ``label``.

        For ``parse_webhook`` and for building variants; to hand a webhook to the
        OMS, sign it (``sign_webhook``) or use ``webhook_deliveries``.
        """
        return [
            {
                "tracking_number": label.tracking_number,
                "delivery_id": f"{label.tracking_number}-{i}",
                "event": {
                    "code": e.code,
                    "time": e.at.isoformat(),
                    "location": e.location,
                    "message": e.description,
                },
            }
            for i, e in enumerate(self.scripted_events(label, scenario))
            if until is None or e.at <= until
        ]

    def webhook_deliveries(
        self,
        label: Label,
        scenario: str | None = None,
        until: dt.datetime | None = None,
        *,
        now: dt.datetime | None = None,
    ) -> list[WebhookDelivery]:
        """The signed webhooks the sandbox would send for ``label``, one per event.

        Each is a raw JSON body and its headers, signed as sent ``now`` (default: the
        system clock; pass ``oms.clock.now()`` when the OMS runs on another clock)::

            for hook in sandbox.webhook_deliveries(label):
                oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)
        """
        payloads = self.webhook_payloads(label, scenario, until)
        return [self.sign_webhook(p, now=now) for p in payloads]

    def parse_webhook(self, payload: Mapping[str, Any]) -> tuple[TrackingUpdate, ...]:
        """Parse ``{"tracking_number", "event": {..}}`` or ``{"tracking_number", "events": [..]}``.

        Each event has ``code`` (see `SANDBOX_CODES`), ``time``, ``location``, ``message``.
        """
        data = check_mapping(payload, "payload")
        number = data.get("tracking_number")
        if not isinstance(number, str) or not number:
            raise ValidationError("payload.tracking_number", number, "expected text")
        if "event" in data:
            raw: list[Any] = [data["event"]]
            where = ["payload.event"]
        elif isinstance(data.get("events"), list):
            raw = list(data["events"])
            where = [f"payload.events[{i}]" for i in range(len(raw))]
        else:
            raise ValidationError("payload.event", None, "give 'event' or a list of 'events'")
        return self.updates_from(
            number,
            zip(where, raw, strict=True),
            code_key="code",
            time_key="time",
            location_key="location",
            text_key="message",
        )
