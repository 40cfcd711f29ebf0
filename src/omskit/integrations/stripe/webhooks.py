"""Stripe webhooks: the ``Stripe-Signature`` check, and events read into plain values.

Stripe signs ``f"{t}.".encode() + raw_body`` with HMAC-SHA256 under the endpoint's
signing secret (``whsec_...``) and sends ``Stripe-Signature: t=<unix>,v1=<hex>``
(several ``v1`` while a secret is rolled). [`verify_signature`][] recomputes it over the
raw body exactly as received, compares in constant time, and refuses a timestamp more
than ``tolerance_seconds`` (default 300, Stripe's own) from the given ``now``.

Stripe delivers an event at least once and in no guaranteed order: [`StripeWebhooks`][]
drops an event id it has seen (a replay is a no-op) and reports the object's *state*
(status and amounts), so a late ``payment_intent.amount_capturable_updated`` cannot
undo what a later event said.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from omskit.carriers.errors import WebhookSignatureInvalid
from omskit.carriers.webhooks import raw_body, signature_header, verify
from omskit.errors import ValidationError
from omskit.integrations.stripe.amounts import from_stripe_amount
from omskit.integrations.transport import SignatureInvalid, decode_json
from omskit.money import Money

__all__ = [
    "SIGNATURE_HEADER",
    "StripeEvent",
    "StripeWebhooks",
    "parse_event",
    "sign_payload",
    "verify_signature",
]

#: The header Stripe's signature arrives in.
SIGNATURE_HEADER = "Stripe-Signature"

# The amount fields each object type carries, read into Money when present.
_AMOUNT_FIELDS = ("amount", "amount_capturable", "amount_received", "amount_refunded",
                  "amount_captured")  # fmt: skip


@attrs.frozen
class StripeEvent:
    """One Stripe event, read from its documented shape.

    Attributes:
        id: the event id (``evt_...``); the dedupe key.
        type: ``payment_intent.succeeded``, ``charge.refunded``...
        created: when Stripe created the event.
        object_type: the ``object`` of ``data.object`` (``payment_intent``, ``refund``).
        object_id: its id (``pi_...``, ``re_...``).
        status: its status, if it has one.
        amounts: its amount fields as exact Money (``amount``, ``amount_received``...).
        payment_intent: the PaymentIntent it belongs to (itself for a PaymentIntent).
        livemode: live or test data.
    """

    id: str
    type: str
    created: dt.datetime
    object_type: str
    object_id: str
    status: str = ""
    amounts: Mapping[str, Money] = attrs.field(factory=dict)
    payment_intent: str = ""
    livemode: bool = False


def sign_payload(body: bytes, secret: str, at: dt.datetime) -> str:
    """The ``Stripe-Signature`` value Stripe would send for ``body`` at ``at`` (for tests)."""
    return signature_header(body, secret.encode(), at)


def verify_signature(
    body: bytes,
    headers: Mapping[str, str],
    secrets: str | Iterable[str],
    now: dt.datetime,
    *,
    tolerance_seconds: int = 300,
) -> None:
    """Check ``Stripe-Signature`` over the raw ``body``; return quietly when it holds.

    Raises:
        SignatureInvalid: no header, a malformed one, no matching ``v1`` under any of
            ``secrets``, or a timestamp outside the tolerance (a replayed delivery).
    """
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    try:
        verify("stripe", raw_body("stripe", body), headers, header_name=SIGNATURE_HEADER,
               secrets=[k.encode() for k in keys], now=now,
               tolerance_seconds=tolerance_seconds)  # fmt: skip
    except WebhookSignatureInvalid as exc:
        raise SignatureInvalid("stripe", exc.reason) from None


def parse_event(payload: Mapping[str, Any]) -> StripeEvent:
    """A Stripe ``event`` object as a [`StripeEvent`][].

    Raises:
        ValidationError: not an event, or a field of the wrong type (the field is named).
    """
    if payload.get("object") != "event":
        raise ValidationError("object", payload.get("object"), "expected 'event'")
    event_id, kind = payload.get("id"), payload.get("type")
    if not isinstance(event_id, str) or not event_id.startswith("evt_"):
        raise ValidationError("id", event_id, "expected a Stripe event id 'evt_...'")
    if not isinstance(kind, str) or "." not in kind:
        raise ValidationError(
            "type", kind, "expected an event type such as 'payment_intent.succeeded'"
        )
    created = payload.get("created")
    if type(created) is not int:
        raise ValidationError("created", created, "expected Unix seconds (an integer)")
    data = payload.get("data")
    obj = data.get("object") if isinstance(data, Mapping) else None
    if not isinstance(obj, Mapping):
        raise ValidationError("data.object", obj, "expected the event's object")
    object_type = str(obj.get("object", ""))
    object_id = obj.get("id")
    if not isinstance(object_id, str) or not object_id:
        raise ValidationError("data.object.id", object_id, "expected the object's id")
    amounts: dict[str, Money] = {}
    currency = obj.get("currency")
    for name in _AMOUNT_FIELDS:
        if obj.get(name) is not None and currency is not None:
            amounts[name] = from_stripe_amount(obj[name], currency, f"data.object.{name}")
    intent = object_id if object_type == "payment_intent" else obj.get("payment_intent")
    return StripeEvent(
        id=event_id, type=kind, created=dt.datetime.fromtimestamp(created, dt.UTC),
        object_type=object_type, object_id=object_id, status=str(obj.get("status") or ""),
        amounts=amounts, payment_intent=intent if isinstance(intent, str) else "",
        livemode=payload.get("livemode") is True,
    )  # fmt: skip


class StripeWebhooks:
    """Verifies, parses and dedupes Stripe webhook deliveries for one endpoint.

    Args:
        secrets: the endpoint's signing secret(s) (``whsec_...``); several while rolling.
        tolerance_seconds: how far the signature time may be from ``now``.
        seen: the processed event ids (anything with ``in`` and ``add``); an in-memory
            set by default. Stripe retries for up to 3 days, so a host with several
            processes or restarts passes a durable one.
    """

    def __init__(
        self,
        secrets: str | Iterable[str],
        *,
        tolerance_seconds: int = 300,
        seen: Any = None,
    ) -> None:
        self._secrets = [secrets] if isinstance(secrets, str) else list(secrets)
        if not self._secrets or not all(isinstance(s, str) and s for s in self._secrets):
            raise ValidationError("secrets", secrets, "at least one signing secret 'whsec_...'")
        self.tolerance_seconds = tolerance_seconds
        self._seen: Any = set() if seen is None else seen
        self._lock = threading.Lock()

    def handle(
        self, body: bytes, headers: Mapping[str, str], now: dt.datetime
    ) -> StripeEvent | None:
        """Verify then parse one delivery; ``None`` for an event id already handled.

        Raises:
            SignatureInvalid: the signature does not hold (nothing is remembered).
            ValidationError: the verified body is not a Stripe event.
        """
        verify_signature(body, headers, self._secrets, now,
                         tolerance_seconds=self.tolerance_seconds)  # fmt: skip
        event = parse_event(decode_json(body, "body"))
        with self._lock:
            if event.id in self._seen:
                return None
            self._seen.add(event.id)
        return event
