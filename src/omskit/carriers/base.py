"""Shared machinery of the built-in carriers: service lookup, labels, tracking numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from omskit.carriers.errors import UnknownServiceLevel
from omskit.carriers.model import (
    Label,
    ParcelSpec,
    RateQuote,
    RateRequest,
    ServiceLevel,
    TrackingEvent,
    TrackingUpdate,
)
from omskit.carriers.tracking import parse_time
from omskit.customers.address import Address
from omskit.errors import ValidationError
from omskit.money import allocate
from omskit.validation import Problems, check_mapping, check_text

__all__ = ["BaseCarrier", "address_lines", "luhn_digit", "render_label", "s10_digit", "serial_for"]


def s10_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial (weights 8 6 4 2 3 5 9 7)."""
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def luhn_digit(number: str) -> int:
    """The Luhn (mod 10) check digit to append to ``number``."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def serial_for(*parts: object, digits: int) -> str:
    """A deterministic ``digits``-long decimal serial derived from ``parts``."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return f"{int(digest, 16) % 10**digits:0{digits}d}"


def _barcode(text: str) -> str:
    patterns = ("| ||", "|| |", "| | ", "||  ", " |||", "|  |", " | |", "|||", " ||", "| |")
    return "".join(patterns[ord(ch) % len(patterns)] for ch in text)


def address_lines(address: Address) -> list[str]:
    """The non-empty lines of ``address`` as printed on labels and shipping documents."""
    lines = [
        address.name,
        address.company,
        address.line1,
        address.line2,
        f"{address.postal_code} {address.city}".strip(),
        address.region,
        address.country,
    ]
    return [line for line in lines if line]


def render_label(label: Label, carrier_title: str) -> str:
    """A printable plain-text label (what a thermal printer would print)."""
    width = 46
    rows = [
        f"{carrier_title.upper()}  {label.service.upper()}"
        f"{'  RETURN' if label.is_return else ''}".ljust(width - 10)
        + f"{label.parcel_index + 1} of {label.parcel_count}".rjust(10),
        "FROM: " + ", ".join(address_lines(label.ship_from))[: width - 6],
        "TO:",
        *(f"  {line}" for line in address_lines(label.ship_to)),
        f"WEIGHT {label.weight_grams / 1000:.2f} kg   SHIP {label.created_at.date().isoformat()}",
        f"REF {label.reference}",
        f"TRACKING {label.tracking_number}",
        _barcode(label.tracking_number)[:width],
    ]
    border = "+" + "-" * (width + 2) + "+"
    body = [f"| {row[:width].ljust(width)} |" for row in rows]
    return "\n".join([border, *body, border])


@attrs.define
class BaseCarrier:
    """Common behaviour; subclasses price (`quote`) and number labels."""

    name: str
    title: str
    service_levels: tuple[ServiceLevel, ...]
    tracking_codes: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def services(self) -> tuple[ServiceLevel, ...]:
        """The service levels sold."""
        return self.service_levels

    def service_level(self, code: str) -> ServiceLevel:
        """The service level ``code``; raises [`UnknownServiceLevel`][]."""
        for level in self.service_levels:
            if level.code == code:
                return level
        raise UnknownServiceLevel(self.name, code, [s.code for s in self.service_levels])

    def quote(self, request: RateRequest, service: str, now: dt.datetime) -> RateQuote:
        """Price one service level (subclasses implement)."""
        raise NotImplementedError

    def rates(self, request: RateRequest, now: dt.datetime) -> list[RateQuote]:
        """A quote per service level."""
        return [self.quote(request, s.code, now) for s in self.service_levels]

    def tracking_number(self, request: RateRequest, reference: str, index: int) -> str:
        """The tracking number of parcel ``index`` (subclasses implement)."""
        raise NotImplementedError

    def buy_label(
        self,
        request: RateRequest,
        service: str,
        *,
        reference: str,
        now: dt.datetime,
        options: Sequence[tuple[str, str]] = (),
    ) -> tuple[Label, ...]:
        """One label per parcel; the quote's price is split over them exactly."""
        quote = self.quote(request, service, now)
        reference = check_text(reference, "reference", max_length=120)
        weights: list[object] = [p.amount for p in quote.parcel_prices]
        if not any(weights) or len(weights) != len(request.parcels):
            weights = [1] * len(request.parcels)
        prices = allocate(quote.price, weights)
        labels = []
        for index, parcel in enumerate(request.parcels):
            label = Label(
                carrier=self.name,
                service=service,
                tracking_number=self.tracking_number(request, reference, index),
                document="",
                price=prices[index],
                created_at=now,
                ship_from=request.ship_from,
                ship_to=request.ship_to,
                weight_grams=parcel.weight_grams,
                reference=reference,
                parcel_index=index,
                parcel_count=len(request.parcels),
                promised_date=quote.promised_date,
                options=tuple(options),
            )
            labels.append(attrs.evolve(label, document=render_label(label, self.title)))
        return tuple(labels)

    def void_label(self, label: Label, now: dt.datetime) -> None:
        """Built-in carriers accept every void of a label they issued."""

    def return_label(self, original: Label, *, reference: str, now: dt.datetime) -> Label:
        """A label from the recipient back to the sender, on the same service."""
        request = RateRequest(
            original.ship_to, original.ship_from, (ParcelSpec(original.weight_grams),)
        )
        (label,) = self.buy_label(request, original.service, reference=reference, now=now)
        label = attrs.evolve(label, is_return=True)
        return attrs.evolve(label, document=render_label(label, self.title))

    def track(self, label: Label, now: dt.datetime) -> tuple[TrackingEvent, ...]:
        """No pull tracking by default: updates arrive as webhooks."""
        return ()

    def parse_webhook(self, payload: Mapping[str, Any]) -> tuple[TrackingUpdate, ...]:
        """Parse the carrier's payload (subclasses implement)."""
        raise NotImplementedError

    def normalise(self, code: object, field: str) -> str:
        """The omskit status for carrier ``code``; unknown codes are a ValidationError."""
        status = self.tracking_codes.get(code) if isinstance(code, str) else None
        if status is None:
            raise ValidationError(
                field,
                code,
                f"unknown {self.name} event code; known: {', '.join(self.tracking_codes)}",
            )
        return status

    def event_from(
        self,
        raw: Any,
        field: str,
        *,
        code_key: str,
        time_key: str,
        location_key: str,
        text_key: str,
    ) -> TrackingEvent:
        """One normalised event from a raw mapping, naming ``field`` in errors."""
        data = check_mapping(raw, field)
        code = data.get(code_key)
        return TrackingEvent(
            at=parse_time(data.get(time_key), f"{field}.{time_key}"),
            status=self.normalise(code, f"{field}.{code_key}"),
            code=str(code),
            location=check_text(data.get(location_key), f"{field}.{location_key}", required=False),
            description=check_text(
                data.get(text_key), f"{field}.{text_key}", required=False, max_length=500
            ),
        )

    def updates_from(
        self,
        number: str,
        raws: Iterable[tuple[str, Any]],
        *,
        code_key: str,
        time_key: str,
        location_key: str,
        text_key: str,
    ) -> tuple[TrackingUpdate, ...]:
        """Tracking updates for ``number`` from ``(field, raw)`` pairs (see `event_from`).

        Raises:
            ValidationError: listing every event that could not be read.
        """
        problems = Problems()
        events = [
            problems.check(field, self.event_from, raw, code_key=code_key, time_key=time_key,
                           location_key=location_key, text_key=text_key)
            for field, raw in raws
        ]  # fmt: skip
        problems.raise_if_any()
        return tuple(TrackingUpdate(number, e) for e in events if e is not None)
