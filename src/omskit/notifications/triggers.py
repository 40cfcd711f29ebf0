"""Triggers: which domain event sends which message, to whom, on which channels.

A [`Trigger`][] is data: the event type it listens to (by name, so a trigger may name an
event of a capability that is not installed), conditions on the event's fields, the
template, the preference topic and its kind, the channels, and which event fields make
the idempotency key (``shipment_id`` for "shipped": one message per shipment, however
often the event is replayed). ``DEFAULT_TRIGGERS`` is the built-in table; a host adds,
replaces, disables and re-channels triggers through ``oms.notifications``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import attrs

from omskit.errors import ValidationError
from omskit.events import Event
from omskit.notifications.errors import UnknownTrigger

__all__ = ["DEFAULT_TRIGGERS", "KINDS", "Trigger", "TriggerKind", "TriggerTable"]

TriggerKind = Literal["transactional", "updates", "marketing", "staff"]

#: What a trigger's ``kind`` may be. ``transactional`` messages cannot be opted out of;
#: ``updates`` are on until the customer opts out; ``marketing`` needs an opt-in;
#: ``staff`` messages go to the configured staff addresses, not to the customer.
KINDS: tuple[str, ...] = ("transactional", "updates", "marketing", "staff")


def _name(value: object) -> str:
    if not isinstance(value, str) or not value or not value.replace("_", "").isalnum():
        raise ValidationError("name", value, "expected a name of letters, digits and '_'")
    return value


def _kind(value: object) -> str:
    if value not in KINDS:
        raise ValidationError("kind", value, f"expected one of {', '.join(KINDS)}")
    return str(value)


def _channels(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError("channels", value, "expected a list of channel names")
    out = tuple(value)
    if not out or not all(isinstance(c, str) and c for c in out):
        raise ValidationError("channels", value, "expected at least one channel name")
    return tuple(dict.fromkeys(out))


def _conditions(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, Mapping):
        raise ValidationError("when", value, "expected a mapping of event field to values")
    out = []
    for field, allowed in sorted(value.items()):
        values = (allowed,) if isinstance(allowed, str) else tuple(allowed)
        out.append((str(field), tuple(str(v) for v in values)))
    return tuple(out)


def _when(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return _conditions(dict(value) if isinstance(value, tuple) else value)


@attrs.frozen(kw_only=True)
class Trigger:
    """One row of the trigger table.

    Attributes:
        name: the trigger's name, also its default template's name (``"shipped"``).
        event: the event type it listens to (``"OrderShipped"``).
        kind: ``transactional``, ``updates``, ``marketing`` or ``staff`` (see ``KINDS``).
        topic: the preference topic customers opt in or out of (default: ``name``).
        channels: where the message goes (``("email",)``), in order.
        when: conditions on the event's fields, ``{"status": ("shipped",)}``; all must hold.
        condition: an extra test a host may add, called with the event.
        key: event fields whose values identify the message (with the trigger, channel
            and recipient); empty means the event's own id.
        template: the template's name (default: ``name``).
        urgent: sent even inside a customer's quiet hours.
        capped: counts towards (and is held back by) the frequency cap on status
            updates; by default ``updates`` triggers are capped and nothing else is.
            A ``transactional``, ``staff`` or ``marketing`` trigger is never capped.
        enabled: a disabled trigger sends nothing.
        description: what the message says, for people listing the table.
    """

    name: str = attrs.field(converter=_name)
    event: str = attrs.field(converter=_name)
    kind: str = attrs.field(converter=_kind)
    topic: str = ""
    channels: tuple[str, ...] = attrs.field(default=("email",), converter=_channels)
    when: tuple[tuple[str, tuple[str, ...]], ...] = attrs.field(factory=tuple, converter=_when)
    condition: Callable[[Event], bool] | None = attrs.field(default=None, eq=False)
    key: tuple[str, ...] = ()
    template: str = ""
    urgent: bool = False
    capped: bool | None = None
    enabled: bool = True
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.topic:
            object.__setattr__(self, "topic", self.name)
        if not self.template:
            object.__setattr__(self, "template", self.name)
        if self.capped is None:
            object.__setattr__(self, "capped", self.kind == "updates")
        elif not isinstance(self.capped, bool):
            raise ValidationError("capped", self.capped, "expected true or false")
        elif self.capped and self.kind != "updates":
            raise ValidationError(
                "capped", self.capped,
                f"only 'updates' triggers can be capped; {self.name!r} is {self.kind!r}, "
                f"which must always go",
            )  # fmt: skip

    def matches(self, event: Event) -> bool:
        """Whether ``event`` fires this trigger (enabled, right type, conditions hold)."""
        if not self.enabled or event.event_type != self.event:
            return False
        for field, allowed in self.when:
            if str(getattr(event, field, None)) not in allowed:
                return False
        return self.condition is None or bool(self.condition(event))

    def dedup_value(self, event: Event) -> str:
        """The part of the idempotency key that comes from ``event``."""
        if not self.key:
            return event.event_id
        return "/".join(str(getattr(event, f, "")) for f in self.key)


def _t(name: str, event: str, kind: str, description: str, **more: Any) -> Trigger:
    return Trigger(name=name, event=event, kind=kind, description=description, **more)


#: The built-in trigger table (customer messages on email unless said otherwise).
DEFAULT_TRIGGERS: tuple[Trigger, ...] = (
    _t("order_confirmed", "OrderCaptured", "transactional", "order confirmation with total",
       key=("order_id",), urgent=True, topic="orders"),
    _t("payment_failed", "PaymentFailed", "transactional",
       "a payment was declined or could not be taken", urgent=True, topic="orders",
       when={"operation": ("authorize", "capture")}),
    _t("order_on_hold", "OrderHeld", "staff", "an order was put on hold (to staff)"),
    _t("backordered", "OrderBackordered", "updates",
       "some units wait for stock, with the promise date when one is known", topic="updates"),
    _t("partially_shipped", "OrderShipped", "transactional",
       "part of the order left, with carrier and tracking links",
       when={"status": ("partially_shipped",)}, key=("shipment_id",), topic="shipping"),
    _t("shipped", "OrderShipped", "transactional",
       "the (last part of the) order left, with carrier and tracking links",
       when={"status": ("shipped",)}, key=("shipment_id",), topic="shipping"),
    _t("out_for_delivery", "ShipmentStatusChanged", "updates", "a parcel is out for delivery",
       when={"status": ("out_for_delivery",)}, key=("shipment_id",), topic="updates"),
    _t("delivered", "ShipmentDelivered", "updates", "a shipment was delivered",
       key=("shipment_id",), topic="updates"),
    _t("delivery_exception", "ShipmentException", "updates",
       "tracking reported a delay, a failed attempt or a loss", key=("shipment_id", "status"),
       topic="updates"),
    _t("delay_detected", "DeliveryOverdue", "updates",
       "the promised delivery date passed without delivery (from tick())",
       key=("shipment_id",), topic="updates"),
    _t("ready_for_pickup", "ReadyForPickup", "transactional",
       "a click & collect order waits at the store, with its code",
       key=("fulfillment_order_id",), topic="pickup"),
    _t("pickup_reminder", "PickupReminderDue", "updates",
       "the order still waits at the store and expires soon (from tick())",
       key=("fulfillment_order_id",), topic="pickup_reminders",
       capped=False),  # the last word before the pickup expires: never held back
    _t("order_cancelled", "OrderCancelled", "transactional",
       "the order was cancelled, with what was refunded", key=("order_id",), topic="orders"),
    # a return's refund, once per RMA. Payment-level refunds (PaymentRefunded) are not a
    # trigger of their own: a cancellation's message already says what was refunded, and
    # a second mail per refund transaction would double it
    _t("refund_issued", "RefundIssued", "transactional", "a return's money was refunded",
       key=("rma_id",), topic="returns"),
    _t("return_authorized", "ReturnAuthorized", "transactional",
       "a return was authorized, with its RMA number", key=("rma_id",), topic="returns"),
    _t("return_label", "RmaLabelIssued", "transactional",
       "the return label for an authorized return", key=("rma_id", "tracking_number"),
       template="return_authorized", topic="returns"),
    _t("return_received", "ReturnReceived", "transactional", "a returned parcel arrived",
       key=("rma_id",), topic="returns"),
    _t("back_in_stock", "BackInStock", "marketing",
       "a product a customer asked about is available again", topic="back_in_stock"),
    _t("low_stock", "LowStock", "staff", "stock fell to its low-stock threshold (to staff)"),
    _t("case_updated", "SupportMessageAdded", "transactional",
       "an agent answered on a support case",
       when={"author_kind": ("agent",), "internal": ("False",)}, key=("message_id",),
       topic="support"),
    # reporting: oms.reports.tick() records AnomalyDetected once per kind, key and day
    _t("anomaly_detected", "AnomalyDetected", "staff",
       "a report found a channel, SKU or location far off its forecast (to staff)",
       key=("anomaly_id",)),
)  # fmt: skip


class TriggerTable:
    """The triggers in force, by name, in the order they were added."""

    def __init__(self, triggers: Iterable[Trigger] = DEFAULT_TRIGGERS) -> None:
        self._rows: dict[str, Trigger] = {}
        self._by_event: dict[str, list[Trigger]] | None = None  # built on first match
        for trigger in triggers:
            self.add(trigger)

    def rows(self) -> list[Trigger]:
        """Every trigger, enabled or not."""
        return [*self._rows.values()]

    def get(self, name: str) -> Trigger:
        """The trigger ``name``; raises [`UnknownTrigger`][]."""
        try:
            return self._rows[name]
        except (KeyError, TypeError):
            raise UnknownTrigger(name, self._rows) from None

    def add(self, trigger: Trigger, *, replace: bool = False) -> None:
        """Add ``trigger``; with ``replace``, it may take the place of one with its name.

        Raises:
            ValidationError: the name is taken and ``replace`` is false.
        """
        if not isinstance(trigger, Trigger):
            raise ValidationError("trigger", trigger, "expected a Trigger")
        if trigger.name in self._rows and not replace:
            raise ValidationError(
                "trigger", trigger.name, "a trigger with this name exists; pass replace=True"
            )
        self._rows[trigger.name] = trigger
        self._by_event = None

    def matching(self, event: Event) -> list[Trigger]:
        """The enabled triggers ``event`` fires, in table order.

        Every event a transaction records comes here (a capture records four, a
        reservation two), and most fire nothing: only the triggers listening to the
        event's type are asked whether it fires them ([`Trigger.matches`][] still
        decides, type included).
        """
        by_event = self._by_event
        if by_event is None:
            by_event = {}
            for trigger in self._rows.values():
                by_event.setdefault(trigger.event, []).append(trigger)
            self._by_event = by_event
        return [t for t in by_event.get(event.event_type, ()) if t.matches(event)]

    def events(self) -> frozenset[str]:
        """The event types some enabled trigger listens to."""
        return frozenset(t.event for t in self._rows.values() if t.enabled)
