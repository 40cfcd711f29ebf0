"""Channels: the providers that carry a message out (email, SMS, push, webhooks...).

A provider is any object with a ``name`` and ``send(message) -> str`` (the provider's own
reference for the message). Providers are registered through the
``omskit_register_notification_providers`` hook; configuration maps each channel to a
provider (``{"notifications": {"providers": {"email": "smtp"}}}``). A provider that
raises is retried with back-off; one that raises [`DeliveryRejected`][] gives up at once.
Every send carries the message's idempotency key, so a provider that deduplicates
(most HTTP APIs do) never delivers a retried message twice.

Built in: [`RecordingProvider`][] (keeps messages in memory; the default for every
channel, for tests and demos), [`ConsoleProvider`][] (prints them, or appends them to a
file) and [`WebhookProvider`][] (posts JSON signed with HMAC-SHA256, see
[`sign_payload`][omskit.notifications.signing.sign_payload]).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

import attrs

from omskit.notifications.errors import DeliveryRejected
from omskit.notifications.signing import SIGNATURE_HEADER, sign_payload

__all__ = [
    "ConsoleProvider",
    "NotificationProvider",
    "OutboundMessage",
    "RecordingProvider",
    "WebhookProvider",
]


@attrs.frozen(kw_only=True)
class OutboundMessage:
    """What a provider is asked to send. ``key`` is the idempotency key.

    ``unsubscribe_url`` is set on marketing messages when ``notifications.unsubscribe_url``
    is configured (an email provider puts it in ``List-Unsubscribe``).
    """

    id: str
    key: str
    channel: str
    recipient: str
    subject: str
    text: str
    html: str
    locale: str
    trigger: str
    order_id: str = ""
    unsubscribe_url: str = ""

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready mapping of the message."""
        return attrs.asdict(self)


@runtime_checkable
class NotificationProvider(Protocol):
    """Carries messages out on one or more channels."""

    name: str

    def send(self, message: OutboundMessage) -> str:
        """Send ``message``; return the provider's reference for it.

        Raise [`DeliveryRejected`][] for a message that can never go through; any other
        exception is taken as transient and the message is retried.
        """
        ...


class RecordingProvider:
    """Keeps every message it is given, in order; it can be told to fail.

    Args:
        name: its registry name (default ``"recording"``).
    """

    def __init__(self, name: str = "recording") -> None:
        self.name = name
        self.sent: list[OutboundMessage] = []
        self._fail = 0
        self._reject: set[str] = set()
        self._lock = threading.Lock()

    def fail_next(self, times: int) -> None:
        """Raise a transient ``ConnectionError`` on the next ``times`` sends."""
        self._fail = times

    def reject(self, recipient: str) -> None:
        """Refuse every message to ``recipient`` for good ([`DeliveryRejected`][])."""
        self._reject.add(recipient)

    def send(self, message: OutboundMessage) -> str:
        """Record ``message`` (or fail as told)."""
        with self._lock:
            if message.recipient in self._reject:
                raise DeliveryRejected(f"{message.recipient!r} does not accept messages")
            if self._fail > 0:
                self._fail -= 1
                raise ConnectionError("the recording provider was told to fail")
            self.sent.append(message)
            return f"rec-{len(self.sent)}"

    def messages(self, channel: str | None = None) -> list[OutboundMessage]:
        """What was sent (on ``channel``), oldest first."""
        return [m for m in self.sent if channel is None or m.channel == channel]


class ConsoleProvider:
    """Writes each message as a readable block to a stream (stdout) or appends to a file."""

    def __init__(
        self, name: str = "console", *, stream: IO[str] | None = None, path: str | None = None
    ) -> None:
        self.name = name
        self._stream = stream
        self._path = Path(path) if path else None
        self.count = 0

    def send(self, message: OutboundMessage) -> str:
        """Write ``message``."""
        block = (
            f"--- {message.channel} to {message.recipient} [{message.locale}] "
            f"({message.trigger}, {message.key})\n"
            f"Subject: {message.subject}\n\n{message.text}\n"
        )
        if self._path is not None:
            with self._path.open("a", encoding="utf-8") as out:
                out.write(block)
        else:
            (self._stream or sys.stdout).write(block)
        self.count += 1
        return f"console-{self.count}"


Post = Callable[[str, bytes, Mapping[str, str]], int]


def _urllib_post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
    # WebhookProvider.send only ever passes http(s) URLs
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return int(response.status)


class WebhookProvider:
    """Posts each message as JSON to the recipient URL, signed with HMAC-SHA256.

    The body is the message's JSON; the ``Omskit-Signature`` header is
    ``t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``, and
    ``Idempotency-Key`` carries the message's key. A 2xx answer is success, 4xx (but 408
    and 429) a rejection for good, anything else a transient failure.

    Args:
        secret: the shared signing secret.
        post: ``post(url, body, headers) -> status``; the default uses ``urllib``.
        clock: where the signature's time comes from (default: the system clock).
    """

    def __init__(
        self,
        secret: str,
        *,
        name: str = "webhook",
        post: Post | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        if not secret:
            raise ValueError("a webhook provider needs a signing secret")
        self.name = name
        self._secret = secret
        self._post = post or _urllib_post
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))

    def send(self, message: OutboundMessage) -> str:
        """Post ``message`` to ``message.recipient``."""
        if not message.recipient.startswith(("https://", "http://")):
            raise DeliveryRejected(f"webhook recipient {message.recipient!r} is not an http(s) URL")
        body = json.dumps(message.to_dict(), ensure_ascii=False, sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign_payload(self._secret, body, self._now()),
            "Idempotency-Key": message.key,
        }
        status = self._post(message.recipient, body, headers)
        if 200 <= status < 300:
            return f"{status}"
        if 400 <= status < 500 and status not in (408, 429):
            raise DeliveryRejected(f"webhook {message.recipient} answered {status}")
        raise ConnectionError(f"webhook {message.recipient} answered {status}")
