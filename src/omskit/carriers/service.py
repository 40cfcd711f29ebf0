"""The carrier service: registry, rate shopping, labels and tracking webhooks.

Reached as ``oms.carriers``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from omskit.carriers.calls import carrier_call
from omskit.carriers.errors import NoRateAvailable, UnknownTrackingNumber, WebhookSignatureInvalid
from omskit.carriers.events import TrackingUpdated
from omskit.carriers.labels import LabelDesk
from omskit.carriers.model import RateQuote, RateRequest, TrackingEvent, TrackingUpdate
from omskit.carriers.port import Carrier
from omskit.carriers.records import LABELS, LabelRecord
from omskit.carriers.shopping import RateChoice, Rejection, choose_rate
from omskit.carriers.tablerate import TableRateCarrier
from omskit.carriers.webhooks import decode_body, raw_body
from omskit.errors import InvalidTransition, OmskitError
from omskit.money import MoneyLike, convert
from omskit.plugins.manager import Registry, collect_registry
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_mapping, check_text

__all__ = ["CarrierService", "TrackingListener", "WebhookResult"]

#: Called inside the webhook's transaction with the label and its new events.
TrackingListener = Callable[[UnitOfWork, LabelRecord, tuple[TrackingEvent, ...]], None]


@attrs.frozen
class WebhookResult:
    """What one webhook delivery changed.

    ``duplicate`` is true when nothing was new (a repeated delivery: a clean no-op).
    """

    carrier: str
    delivery_id: str
    updates: tuple[TrackingUpdate, ...]
    applied: tuple[TrackingUpdate, ...]
    statuses: Mapping[str, str]

    @property
    def duplicate(self) -> bool:
        """True when the delivery added nothing."""
        return not self.applied


class CarrierService(LabelDesk):
    """Carriers, rates, labels and tracking. Reached as ``oms.carriers``.

    Carriers come from the ``omskit_register_carriers`` hook. Configuration section
    ``carriers`` may hold, per carrier name, settings its ``configured()`` method accepts
    (e.g. ``{"tablerate": {"table": {...}}}``) and ``"tables"``: a list of extra
    rate tables, each registered as its own table-rate carrier.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self._registry: Registry[Carrier] | None = None
        self._listeners: list[TrackingListener] = []

    # -- registry ----------------------------------------------------------------------
    @property
    def registry(self) -> Registry[Carrier]:
        """Every carrier by name (collected once, then configured)."""
        if self._registry is None:
            found = collect_registry(self._rt.plugins, "omskit_register_carriers", "carrier")
            section = self._rt.config.section("carriers")
            registry: Registry[Carrier] = Registry("carrier")
            for name in found.names():
                carrier = found.get(name)
                settings = section.get(name)
                configure = getattr(carrier, "configured", None)
                if settings is not None and configure is not None:
                    carrier = configure(check_mapping(settings, f"carriers.{name}"))
                registry.register(carrier, source="omskit_register_carriers", name=name)
            for i, table in enumerate(section.get("tables", ())):
                extra = TableRateCarrier.from_mapping(check_mapping(table, f"carriers.tables[{i}]"))
                registry.register(extra, source="configuration section 'carriers'")
            self._registry = registry
        return self._registry

    def names(self) -> list[str]:
        """Registered carrier names."""
        return self.registry.names()

    def get(self, name: str) -> Carrier:
        """The carrier ``name``; raises [`UnknownProvider`][]."""
        return self.registry.get(name)

    def add_tracking_listener(self, listener: TrackingListener) -> None:
        """Call ``listener`` inside every transaction that adds tracking events to a label.

        Listeners hear the carrier's own scans (webhooks, pulled tracking,
        `add_events_in`). A hand-over scan that fulfillment records through
        `hand_over_in` is not relayed: subscribe to ``TrackingUpdated`` or
        ``ShipmentDispatched`` events to follow hand-overs.
        """
        self._listeners.append(listener)

    # -- rates ------------------------------------------------------------------------
    def request(
        self,
        *,
        ship_from: Any,
        ship_to: Any,
        parcels: Sequence[Any],
        order_value: MoneyLike | None = None,
    ) -> RateRequest:
        """Validate plain data into a [`RateRequest`][]."""
        return RateRequest.build(
            ship_from=ship_from, ship_to=ship_to, parcels=parcels, order_value=order_value
        )

    def quotes(
        self,
        request: RateRequest,
        *,
        carriers: Sequence[str] | None = None,
        currency: str | None = None,
    ) -> tuple[list[RateQuote], list[Rejection]]:
        """Quotes from every carrier (or the named ones), and the carriers that failed.

        With ``currency``, quotes in other currencies are converted through
        ``oms.exchange_rates``; a quote that cannot be converted is rejected.
        """
        chosen = [self.get(n) for n in carriers] if carriers is not None else list(self.registry)
        now = self._rt.clock.now()
        quotes: list[RateQuote] = []
        failures: list[Rejection] = []
        for carrier in chosen:
            try:
                with carrier_call(carrier.name, "rates"):
                    found = list(carrier.rates(request, now))
            except OmskitError as exc:
                failures.append(Rejection(carrier.name, str(exc)))
                continue
            for q in found:
                if currency is None or q.price.currency == currency:
                    quotes.append(q)
                    continue
                try:
                    quotes.append(self._convert(q, currency))
                except OmskitError as exc:
                    failures.append(Rejection(q.key, str(exc)))
        return quotes, failures

    def _convert(self, quote: RateQuote, currency: str) -> RateQuote:
        provider = self._rt.plugins.hook.omskit_exchange_rates(config=self._rt.config)
        price = convert(quote.price, currency, provider).converted
        return attrs.evolve(quote, price=price)

    def rates(
        self,
        *,
        ship_from: Any,
        ship_to: Any,
        parcels: Sequence[Any],
        order_value: MoneyLike | None = None,
        carriers: Sequence[str] | None = None,
    ) -> list[RateQuote]:
        """Every quote from every carrier (or the named ones), cheapest first.

        Raises:
            UnknownProvider: a named carrier is not registered.
            NoRateAvailable: no carrier could quote (each carrier's reason is listed).
        """
        req = self.request(
            ship_from=ship_from, ship_to=ship_to, parcels=parcels, order_value=order_value
        )
        quotes, failures = self.quotes(req, carriers=carriers)
        if not quotes:
            raise NoRateAvailable("any", [f"{f.key}: {f.reason}" for f in failures])
        return sorted(quotes, key=lambda q: (q.price.currency, q.price.amount, q.key))

    def shop(
        self,
        request: RateRequest,
        objective: str = "cheapest",
        *,
        deliver_by: dt.date | None = None,
        carriers: Sequence[str] | None = None,
        currency: str | None = None,
    ) -> RateChoice:
        """Compare every carrier's quotes and choose by ``objective``, with the reasons.

        Quotes are compared in ``currency`` (default: the order value's, else the
        configured default currency).
        """
        target = currency or (
            request.order_value.currency
            if request.order_value
            else self._rt.config.default_currency
        )
        quotes, failures = self.quotes(request, carriers=carriers, currency=target)
        return choose_rate(quotes, objective, deliver_by=deliver_by, failures=failures)

    # -- tracking ---------------------------------------------------------------------
    def label(self, tracking_number: str, *, carrier: str | None = None) -> LabelRecord:
        """The stored label and its tracking events."""
        with self._rt.storage.unit_of_work() as uow:
            return self.find_in(uow, tracking_number, carrier)

    def labels_for(self, reference: str) -> list[LabelRecord]:
        """Every label bought for ``reference`` (voided and return labels included)."""
        with self._rt.storage.unit_of_work() as uow:
            return uow.repo(LABELS).list_by("reference", reference)

    def handle_webhook(
        self,
        carrier: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        delivery_id: str | None = None,
        actor: str = "system",
    ) -> WebhookResult:
        """Apply a carrier's tracking webhook: verify, normalise, merge, move statuses.

        ``body`` is the request body exactly as received (bytes) and ``headers`` its
        HTTP headers: the carrier verifies its signature over them (``verify_webhook``)
        before anything is parsed, so a forged or replayed webhook changes nothing.
        Deliveries are idempotent: a repeated ``delivery_id`` (or repeated events) is a
        clean no-op. Either every update of the payload is applied or none.

        Raises:
            UnknownProvider: no carrier ``carrier``.
            WebhookSignatureInvalid: no valid signature (or a body that is not bytes,
                or a carrier that cannot verify webhooks).
            ValidationError: the body is not in the carrier's format.
            UnknownTrackingNumber: an update names a parcel nobody bought a label for.
            InvalidTransition: an update is for a voided label.
            CarrierUnavailable: the carrier's integration failed while parsing.
        """
        impl = self.get(carrier)
        raw = raw_body(carrier, body)
        verify_webhook = getattr(impl, "verify_webhook", None)
        if verify_webhook is None:
            raise WebhookSignatureInvalid(
                carrier, "the carrier cannot verify webhooks (it has no verify_webhook)"
            )
        try:
            verify_webhook(raw, headers, self._rt.clock.now())
        except OmskitError:
            raise
        except Exception as exc:  # a verifier that breaks has not verified anything
            raise WebhookSignatureInvalid(
                carrier, f"its verifier failed with {type(exc).__name__}"
            ) from exc
        payload = decode_body(raw)
        with carrier_call(carrier, "parse_webhook"):
            updates = tuple(impl.parse_webhook(payload))
        raw_id = delivery_id if delivery_id is not None else payload.get("delivery_id", "")
        clean_id = check_text(raw_id, "delivery_id", max_length=200, required=False)
        return self._apply(carrier, updates, clean_id, actor)

    def refresh_tracking(
        self, tracking_number: str, *, carrier: str | None = None, actor: str = "system"
    ) -> LabelRecord:
        """Pull the carrier's tracking for a label and apply it like a webhook."""
        record = self.label(tracking_number, carrier=carrier)
        with carrier_call(record.carrier, "track"):
            events = tuple(self.get(record.carrier).track(record.label, self._rt.clock.now()))
        updates = tuple(TrackingUpdate(record.tracking_number, e) for e in events)
        self._apply(record.carrier, updates, "", actor)
        return self.label(record.tracking_number, carrier=record.carrier)

    def add_events_in(
        self,
        uow: UnitOfWork,
        record: LabelRecord,
        events: Sequence[TrackingEvent],
        delivery_id: str = "",
    ) -> tuple[TrackingEvent, ...]:
        """Merge tracking ``events`` into ``record`` inside the caller's unit of work.

        Returns the events that were new; when there are any, the record is saved, a
        [`TrackingUpdated`][] event recorded and every tracking listener called.

        Raises:
            InvalidTransition: the label was voided.
        """
        new = self._merge_in(uow, record, events, delivery_id)
        if new:
            for listener in self._listeners:
                listener(uow, record, new)
        return new

    def hand_over_in(
        self, uow: UnitOfWork, record: LabelRecord, event: TrackingEvent
    ) -> tuple[TrackingEvent, ...]:
        """Record the hand-over scan ``event`` on ``record``; tracking listeners are not called.

        Fulfillment reports its own hand-over: it marks the label here and moves its
        shipment itself, so the scan does not travel back up through a listener. Returns
        the events that were new (none when the label already had this scan).

        Raises:
            InvalidTransition: the label was voided.
        """
        return self._merge_in(uow, record, (event,), "")

    def _merge_in(
        self,
        uow: UnitOfWork,
        record: LabelRecord,
        events: Sequence[TrackingEvent],
        delivery_id: str,
    ) -> tuple[TrackingEvent, ...]:
        if record.status == "voided":
            raise InvalidTransition("label", "voided", "track", ["active"])
        before = record.tracking_status
        new = record.merge(events, delivery_id)
        if not new:
            return new
        record.record(
            TrackingUpdated(
                label_id=record.id,
                carrier=record.carrier,
                tracking_number=record.tracking_number,
                reference=record.reference,
                status=record.tracking_status,
                previous_status=before,
                codes=tuple(e.code for e in new),
            )
        )
        uow.repo(LABELS).save(record)
        return new

    def _apply(
        self, carrier: str, updates: tuple[TrackingUpdate, ...], delivery_id: str, actor: str
    ) -> WebhookResult:
        by_number: dict[str, list[TrackingEvent]] = {}
        for u in updates:
            by_number.setdefault(u.tracking_number, []).append(u.event)

        def use_case(uow: UnitOfWork) -> WebhookResult:
            applied: list[TrackingUpdate] = []
            statuses: dict[str, str] = {}
            labels = uow.repo(LABELS)
            for number, events in by_number.items():
                record = labels.find_by("tracking", (carrier, number))
                if record is None:
                    raise UnknownTrackingNumber(number, carrier)
                new = self.add_events_in(uow, record, events, delivery_id)
                statuses[number] = record.tracking_status
                applied.extend(TrackingUpdate(number, e) for e in new)
            return WebhookResult(carrier, delivery_id, updates, tuple(applied), statuses)

        return self._rt.run(use_case, actor=actor)
