"""SMS and push: ports for a gateway, providers that speak them, and sandboxes.

A real SMS gateway or push service plugs in behind a small port, [`SmsGateway`][] or
[`PushService`][]; [`SmsProvider`][] and [`PushProvider`][] turn a notification into
what those ports take (and are what the ``notifications.providers`` setting names).
Both ports keep the provider contract: raise [`DeliveryRejected`][] for a message that
can never go through, anything else for a transient failure; both receive the
message's idempotency key, so a gateway that deduplicates never delivers a retry twice.

The sandboxes, [`SandboxSmsGateway`][] and [`SandboxPushService`][], behave like real
services, deduplicating by idempotency key and with magic values for failures; the
built-in plugin registers them as the ``sms-sandbox`` and ``push-sandbox`` providers.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import attrs

from omskit.errors import ValidationError
from omskit.notifications.channels import OutboundMessage
from omskit.notifications.errors import DeliveryRejected
from omskit.validation import check_phone

__all__ = [
    "GSM7",
    "PushProvider",
    "PushService",
    "SandboxPushService",
    "SandboxSmsGateway",
    "SentPush",
    "SentSms",
    "SmsGateway",
    "SmsProvider",
    "sms_segments",
]

#: The GSM 03.38 basic character set (plus its extension table): SMS text made only of
#: these is sent 7 bits a character, 160 to a single message (153 per part when split);
#: anything else (Hebrew, Arabic, Japanese, emoji) is sent as UCS-2, 70 (67 per part).
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    "^{}\\[~]|€"
)
_GSM7_DOUBLE = frozenset("^{}\\[~]|€")  # the extension table: two septets each


def sms_segments(text: str) -> tuple[str, int]:
    """``(encoding, parts)`` an SMS of ``text`` takes: ``("gsm7", 1)``, ``("ucs2", 3)``."""
    if all(ch in GSM7 for ch in text):
        size = sum(2 if ch in _GSM7_DOUBLE else 1 for ch in text)
        return "gsm7", 1 if size <= 160 else -(-size // 153)
    units = len(text.encode("utf-16-le")) // 2
    return "ucs2", 1 if units <= 70 else -(-units // 67)


@runtime_checkable
class SmsGateway(Protocol):
    """An SMS service: sends one text to one E.164 number."""

    def send_sms(self, to: str, body: str, *, sender: str, idempotency_key: str) -> str:
        """Send ``body`` to ``to``; return the gateway's message id.

        Raise [`DeliveryRejected`][] for a number that can never receive it; any other
        exception is taken as transient.
        """
        ...


@runtime_checkable
class PushService(Protocol):
    """A push service (APNs, FCM, a host's own): a notification to a customer's devices."""

    def send_push(
        self,
        customer: str,
        title: str,
        body: str,
        *,
        data: Mapping[str, str],
        idempotency_key: str,
    ) -> str:
        """Show ``title`` and ``body`` on ``customer``'s devices; return a reference.

        Raise [`DeliveryRejected`][] when the customer has no device to reach; any
        other exception is taken as transient.
        """
        ...


def _sms_text(message: OutboundMessage, max_parts: int) -> str:
    """The message's text, whitespace collapsed, shortened to fit ``max_parts`` parts."""
    text = " ".join((message.text or message.subject).split())
    if sms_segments(text)[1] <= max_parts:
        return text
    while text and sms_segments(text + "…")[1] > max_parts:
        text = text[: max(len(text) - 8, 0)].rstrip()
    return text + "…"


class SmsProvider:
    """Sends notifications as SMS through an [`SmsGateway`][].

    The text is the message's plain-text body on one line, shortened (ending in ``…``)
    to at most ``max_parts`` parts. A recipient that is not a valid phone number is
    refused for good.

    Args:
        gateway: the SMS service.
        name: the registry name.
        sender: the sender id or number shown to the customer.
        max_parts: the most SMS parts one message may take (3).
    """

    def __init__(
        self, gateway: SmsGateway, *, name: str = "sms", sender: str = "omskit",
        max_parts: int = 3,
    ) -> None:  # fmt: skip
        if not 1 <= max_parts <= 10:
            raise ValidationError("max_parts", max_parts, "expected 1 to 10")
        self.name = name
        self.gateway = gateway
        self.sender = sender
        self.max_parts = max_parts

    def send(self, message: OutboundMessage) -> str:
        """Send ``message`` as one SMS."""
        try:
            to = check_phone(message.recipient, "recipient")
        except ValidationError as exc:
            raise DeliveryRejected(str(exc)) from None
        body = _sms_text(message, self.max_parts)
        return self.gateway.send_sms(to, body, sender=self.sender, idempotency_key=message.key)


class PushProvider:
    """Sends notifications as push notifications through a [`PushService`][].

    The title is the subject; the body is the text's first paragraph, at most
    ``max_body`` characters; ``data`` carries the notification id, trigger and order.

    Args:
        service: the push service.
        name: the registry name.
        max_body: the longest body shown (178 characters, what a lock screen shows).
    """

    def __init__(self, service: PushService, *, name: str = "push", max_body: int = 178) -> None:
        self.name = name
        self.service = service
        self.max_body = max_body

    def send(self, message: OutboundMessage) -> str:
        """Send ``message`` to the recipient's (a customer id's) devices."""
        if not message.recipient:
            raise DeliveryRejected("a push message needs a customer id")
        first = " ".join((message.text.split("\n\n", 1)[0] or message.subject).split())
        body = first if len(first) <= self.max_body else first[: self.max_body - 1] + "…"
        data = {"notification_id": message.id, "trigger": message.trigger,
                "order_id": message.order_id}  # fmt: skip
        return self.service.send_push(message.recipient, message.subject, body, data=data,
                                      idempotency_key=message.key)  # fmt: skip


@attrs.frozen
class SentSms:
    """One SMS the sandbox accepted."""

    id: str
    to: str
    body: str
    sender: str
    encoding: str
    parts: int
    idempotency_key: str


@attrs.frozen
class SentPush:
    """One push notification the sandbox accepted, to one device."""

    id: str
    customer: str
    device: str
    title: str
    body: str
    data: Mapping[str, str]
    idempotency_key: str


def _ref(prefix: str, key: str) -> str:
    return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:16]}"


class SandboxSmsGateway:
    """An SMS gateway that delivers nowhere, with magic numbers for failures.

    * ``+15005550001``: not a mobile number, refused for good ([`DeliveryRejected`][]);
    * ``+15005550002``: the carrier is down, a transient failure every time;
    * ``+15005550003``: the first attempt per idempotency key fails transiently, the
      retry goes through.

    Every other valid number receives the SMS (see ``sent``). A repeated idempotency key
    returns the first send's id without sending again, as real gateways do.
    """

    REJECTED = "+15005550001"
    DOWN = "+15005550002"
    FLAKY = "+15005550003"

    def __init__(self) -> None:
        self.sent: list[SentSms] = []
        self._by_key: dict[str, str] = {}
        self._tried: set[str] = set()
        self._lock = threading.Lock()

    def send_sms(self, to: str, body: str, *, sender: str, idempotency_key: str) -> str:
        """Accept (or refuse, for the magic numbers) one SMS."""
        with self._lock:
            if idempotency_key in self._by_key:
                return self._by_key[idempotency_key]
            if to == self.REJECTED:
                raise DeliveryRejected(f"{to} is not a mobile number")
            if to == self.DOWN:
                raise ConnectionError(f"the carrier of {to} is not answering")
            if to == self.FLAKY and idempotency_key not in self._tried:
                self._tried.add(idempotency_key)
                raise ConnectionError(f"the carrier of {to} timed out")
            encoding, parts = sms_segments(body)
            ref = _ref("sms", idempotency_key)
            self.sent.append(SentSms(ref, to, body, sender, encoding, parts, idempotency_key))
            self._by_key[idempotency_key] = ref
            return ref


class SandboxPushService:
    """A push service that delivers nowhere: devices are registered per customer.

    A customer with no registered device is refused for good (as a real service
    answers for an unregistered token); a device token starting ``"down"`` fails
    transiently. A repeated idempotency key sends nothing again.
    """

    def __init__(self) -> None:
        self.sent: list[SentPush] = []
        self.devices: dict[str, list[str]] = {}
        self._by_key: dict[str, str] = {}
        self._lock = threading.Lock()

    def register_device(self, customer: str, device: str) -> None:
        """Let ``customer``'s device ``device`` (its push token) receive notifications."""
        with self._lock:
            if device not in self.devices.setdefault(customer, []):
                self.devices[customer].append(device)

    def send_push(
        self,
        customer: str,
        title: str,
        body: str,
        *,
        data: Mapping[str, str],
        idempotency_key: str,
    ) -> str:
        """Show the notification on each of ``customer``'s devices."""
        with self._lock:
            if idempotency_key in self._by_key:
                return self._by_key[idempotency_key]
            devices = self.devices.get(customer, [])
            if not devices:
                raise DeliveryRejected(f"customer {customer!r} has no registered device")
            if any(d.startswith("down") for d in devices):
                raise ConnectionError("the push service did not answer")
            ref = _ref("push", idempotency_key)
            for device in devices:
                self.sent.append(SentPush(ref, customer, device, title, body, dict(data),
                                          idempotency_key))  # fmt: skip
            self._by_key[idempotency_key] = ref
            return ref
