"""Shared machinery of the built-in carriers: service lookup, labels, tracking numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

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
from omskit.carriers.webhooks import (
    DEFAULT_TOLERANCE_SECONDS,
    WebhookDelivery,
    signature_header,
    verify,
)
from omskit.customers.address import Address
from omskit.errors import IdempotencyConflict, ValidationError
from omskit.money import allocate
from omskit.validation import Problems, check_mapping, check_quantity, check_text

__all__ = [
    "BaseCarrier",
    "address_lines",
    "keyed_serial",
    "luhn_digit",
    "render_label",
    "s10_digit",
    "serial_for",
]

#: The shortest webhook secret a carrier accepts from configuration.
MIN_SECRET_LENGTH = 16


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
    """A deterministic ``digits``-long decimal serial derived from ``parts``.

    Anyone who knows ``parts`` can compute it: use ``keyed_serial`` for numbers
    that must not be guessed (tracking numbers).
    """
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return f"{int(digest, 16) % 10**digits:0{digits}d}"


def keyed_serial(key: bytes, *parts: object, digits: int) -> str:
    """A ``digits``-long decimal serial from ``parts`` under ``key`` (HMAC-SHA256).

    The same key and parts give the same serial; without the key, knowing the parts
    (sequential shipment ids, say) tells nothing about it.
    """
    message = "|".join(str(p) for p in parts).encode("utf-8", "surrogatepass")
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()
    return f"{int(digest, 16) % 10**digits:0{digits}d}"


def _random_key() -> bytes:
    return secrets.token_bytes(32)


def _random_secrets() -> tuple[bytes, ...]:
    return (secrets.token_bytes(32),)


def _wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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
    """Common behaviour; subclasses price (``quote``) and number labels.

    Besides pricing, a built-in carrier stands in for a carrier's account:

    * it honours purchase idempotency keys: ``buy_label`` with a key it has seen
      returns the labels first bought under it, and ``find_labels`` looks them up;
    * it numbers labels with a keyed hash (``numbering_key``, random unless given), so
      tracking numbers cannot be computed from shipment ids;
    * it signs (``sign_webhook``) and verifies (``verify_webhook``) webhooks
      with HMAC-SHA256 under ``webhook_secrets`` (random unless configured), header
      ``WEBHOOK_HEADER``; see ``omskit.carriers.webhooks``.
    """

    #: The header that carries the webhook signature (``t=<unix>,v1=<hex>``).
    WEBHOOK_HEADER: ClassVar[str] = "Omskit-Signature"

    name: str
    title: str
    service_levels: tuple[ServiceLevel, ...]
    tracking_codes: Mapping[str, str] = attrs.field(factory=dict)
    webhook_secrets: tuple[bytes, ...] = attrs.field(
        factory=_random_secrets, kw_only=True, repr=False
    )
    webhook_tolerance_seconds: int = attrs.field(default=DEFAULT_TOLERANCE_SECONDS, kw_only=True)
    numbering_key: bytes = attrs.field(factory=_random_key, kw_only=True, repr=False)
    _issued: dict[str, tuple[tuple[Any, ...], tuple[Label, ...]]] = attrs.field(
        factory=dict, init=False, repr=False, eq=False
    )
    _voided: set[str] = attrs.field(factory=set, init=False, repr=False, eq=False)
    _log: list[Label] = attrs.field(factory=list, init=False, repr=False, eq=False)
    _ledger_lock: threading.Lock = attrs.field(
        factory=threading.Lock, init=False, repr=False, eq=False
    )

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
        idempotency_key: str = "",
    ) -> tuple[Label, ...]:
        """One label per parcel; the quote's price is split over them exactly.

        With ``idempotency_key``, a key bought under before returns those same labels
        (nothing is bought twice); the key with a different request is refused.

        Raises:
            IdempotencyConflict: the key was used for another request.
        """
        key = check_text(idempotency_key, "idempotency_key", max_length=200, required=False)
        purchase = (request, service, tuple(options))
        if key:
            with self._ledger_lock:
                found = self._issued.get(key)
            if found is not None:
                if found[0] != purchase:
                    raise IdempotencyConflict(key, f"carrier {self.name!r} bought other labels")
                return found[1]
        labels = self._issue(
            request, service, reference=reference, now=now, options=options, key=key
        )
        if not key:
            return labels
        with self._ledger_lock:  # a racing purchase under the same key: the first one stands
            return self._issued.setdefault(key, (purchase, labels))[1]

    def find_labels(self, idempotency_key: str) -> tuple[Label, ...]:
        """The labels bought under ``idempotency_key`` (none: nothing was bought)."""
        with self._ledger_lock:
            found = self._issued.get(idempotency_key)
        return () if found is None else found[1]

    def _issue(
        self,
        request: RateRequest,
        service: str,
        *,
        reference: str,
        now: dt.datetime,
        options: Sequence[tuple[str, str]],
        key: str,
    ) -> tuple[Label, ...]:
        quote = self.quote(request, service, now)
        reference = check_text(reference, "reference", max_length=120)
        numbering = key or reference
        weights: list[object] = [p.amount for p in quote.parcel_prices]
        if not any(weights) or len(weights) != len(request.parcels):
            weights = [1] * len(request.parcels)
        prices = allocate(quote.price, weights)
        labels = []
        for index, parcel in enumerate(request.parcels):
            label = Label(
                carrier=self.name,
                service=service,
                tracking_number=self.tracking_number(request, numbering, index),
                idempotency_key=key,
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
        with self._ledger_lock:
            self._log.extend(labels)
        return tuple(labels)

    def void_label(self, label: Label, now: dt.datetime) -> None:
        """Built-in carriers accept every void of a label (again: no change)."""
        with self._ledger_lock:
            self._voided.add(label.tracking_number)

    def is_voided(self, tracking_number: str) -> bool:
        """Whether the label with ``tracking_number`` was voided at this carrier."""
        with self._ledger_lock:
            return tracking_number in self._voided

    def bought(self) -> list[Label]:
        """Every label this carrier issued, oldest first (the carrier account's view)."""
        with self._ledger_lock:
            return list(self._log)

    # -- webhooks ----------------------------------------------------------------------
    def verify_webhook(self, body: bytes, headers: Mapping[str, str], now: dt.datetime) -> None:
        """Check the webhook's ``WEBHOOK_HEADER`` signature over the raw ``body``.

        Raises:
            WebhookSignatureInvalid: see ``omskit.carriers.webhooks.verify``.
        """
        verify(
            self.name,
            body,
            headers,
            header_name=self.WEBHOOK_HEADER,
            secrets=self.webhook_secrets,
            now=now,
            tolerance_seconds=self.webhook_tolerance_seconds,
        )

    def sign_webhook(
        self, payload: Mapping[str, Any] | bytes, *, now: dt.datetime | None = None
    ) -> WebhookDelivery:
        """``payload`` as this carrier would send it: a JSON body and a signature header.

        ``now`` is when it is sent (default: the system clock, as a real sender's); pass
        the OMS clock's time (``oms.clock.now()``) when the OMS runs on another clock.
        """
        body = payload if isinstance(payload, bytes) else _json_body(payload)
        at = now or _wall_clock()
        return WebhookDelivery(
            body,
            {
                "Content-Type": "application/json",
                self.WEBHOOK_HEADER: signature_header(body, self.webhook_secrets[0], at),
            },
        )

    def account_settings(self, section: Mapping[str, Any], field: str) -> dict[str, Any]:
        """Read the account keys of a configuration section, as ``attrs.evolve`` arguments.

        ``webhook_secret`` is text (or a list of texts while a secret is rotated: the
        first signs, any verifies); ``webhook_tolerance_seconds`` a whole number;
        ``numbering_key`` the text tracking numbers are keyed with (fix it for numbers
        that repeat from run to run, as the demo does; random otherwise).

        Raises:
            ValidationError: a secret shorter than 16 characters, or a bad tolerance.
        """
        problems = Problems()
        out: dict[str, Any] = {}
        raw = section.get("webhook_secret")
        if raw is not None:
            listed = [raw] if isinstance(raw, str) else raw
            if not isinstance(listed, list | tuple) or not listed:
                problems.add(f"{field}.webhook_secret", "expected text or a list of texts", raw)
            else:
                found = []
                for i, item in enumerate(listed):
                    where = f"{field}.webhook_secret" + (f"[{i}]" if listed is not raw else "")
                    text = problems.check(where, check_text, item, max_length=500)
                    if text is not None and len(text) < MIN_SECRET_LENGTH:
                        problems.add(where, f"at least {MIN_SECRET_LENGTH} characters", "...")
                    elif text is not None:
                        found.append(text.encode("utf-8"))
                out["webhook_secrets"] = tuple(found)
        if section.get("numbering_key") is not None:
            where = f"{field}.numbering_key"
            text = problems.check(where, check_text, section["numbering_key"], max_length=500)
            if text is not None and len(text) < MIN_SECRET_LENGTH:
                problems.add(where, f"at least {MIN_SECRET_LENGTH} characters", "...")
            elif text is not None:
                out["numbering_key"] = text.encode("utf-8")
        if section.get("webhook_tolerance_seconds") is not None:
            out["webhook_tolerance_seconds"] = problems.check(
                f"{field}.webhook_tolerance_seconds",
                check_quantity,
                section["webhook_tolerance_seconds"],
                maximum=86_400,
            )
        problems.raise_if_any()
        return out

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


def _json_body(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
