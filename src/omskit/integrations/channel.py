"""What every sales-channel adapter shares: the channel order, signatures, outbound requests.

An adapter (``shopify``, ``woocommerce``, ``amazon``, ``ebay``, ``magento``) reads its
platform's order payload into a [`ChannelOrder`][]: the platform's own order id, its
lines with the prices, discounts and taxes *as the platform charged them*, the shipping
charged, the addresses and the buyer. Building one checks that the payload adds up
(lines - discounts + shipping + tax = the total the platform states, to the minor unit);
a payload that does not is refused naming the total's field.

[`ChannelOrder.capture_payload`][] turns it into the payload ``orders.capture`` takes.
A line whose charged amount does not divide evenly by its quantity (3 units for 10.00)
becomes two capture lines of the same SKU (1 x 3.34 and 2 x 3.33), so the captured unit
prices add up to exactly what the platform charged. [`ChannelOrder.line_map`][] says
which omskit line (``L1``, ``L2``...) belongs to which platform line, for the updates
that go back.

Outbound updates are [`HttpRequest`][omskit.integrations.transport.HttpRequest] values
(method, a path below the shop's API base, a JSON body checked against the platform's
documented schema, an idempotency key) that a host resolves against its shop and hands to
its own HTTP client: omskit sends nothing itself.

Integrations sit above every capability and below the ``OMS`` facade: an adapter takes
the orders service as an [`OrderCapture`][] (anything with a ``capture`` method), never
the facade itself.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import attrs

from omskit.carriers.webhooks import MAX_BODY_BYTES, header
from omskit.errors import ValidationError, shown
from omskit.integrations.transport import SignatureInvalid
from omskit.money import Money, check_currency, precision, to_decimal
from omskit.validation import check_email, check_phone, check_sku

__all__ = [
    "ChannelLine",
    "ChannelOrder",
    "ChannelSignatureInvalid",
    "OrderCapture",
    "parse_timestamp",
    "verify_hmac_base64",
]

T_co = TypeVar("T_co", covariant=True)


class ChannelSignatureInvalid(SignatureInvalid):
    """A channel webhook whose signature is missing or does not match its body: not parsed.

    A [`SignatureInvalid`][omskit.integrations.transport.SignatureInvalid] (and so a
    carriers ``WebhookSignatureInvalid``): one ``except`` catches every spoofed webhook.
    """

    def __init__(self, platform: str, reason: str) -> None:
        super().__init__(platform, reason)
        self.platform = platform


class OrderCapture(Protocol[T_co]):
    """What a channel adapter needs from the OMS: the orders service's ``capture``.

    ``oms.orders`` fits; so does any test double with the same method.
    """

    def capture(self, payload: Mapping[str, Any], /, *, actor: str = ...) -> T_co:
        """Capture an order from a capture payload (idempotent by channel + external id)."""
        ...


def verify_hmac_base64(
    platform: str, body: Any, headers: Any, *, header_name: str, secrets: Iterable[bytes]
) -> bytes:
    """Check that ``header_name`` holds the base64 HMAC-SHA256 of the raw ``body``.

    Shopify (``X-Shopify-Hmac-Sha256``) and WooCommerce (``X-WC-Webhook-Signature``) both
    sign this way. Every secret in ``secrets`` is tried (a secret being rotated), each
    compared in constant time. Returns the body as bytes.

    Raises:
        ChannelSignatureInvalid: the body is not raw bytes, the header is missing, or no
            secret gives the digest sent.
    """
    if isinstance(body, bytearray | memoryview):
        body = bytes(body)
    if not isinstance(body, bytes):
        raise ChannelSignatureInvalid(
            platform, f"the body is {type(body).__name__}, not the raw bytes as received"
        )
    if len(body) > MAX_BODY_BYTES:
        raise ValidationError("body", f"{len(body):,} bytes", f"at most {MAX_BODY_BYTES:,} bytes")
    sent = header(headers, header_name)
    if not sent:
        raise ChannelSignatureInvalid(platform, f"no {header_name} header")
    given = sent.strip().encode("ascii", "replace")
    keys = list(secrets)
    if not keys:
        raise ValidationError("secrets", [], "give at least one webhook secret")
    for secret in keys:
        digest = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest())
        if hmac.compare_digest(digest, given):
            return body
    raise ChannelSignatureInvalid(platform, f"{header_name} does not match the body")


def sign_base64(body: bytes, secret: bytes) -> str:
    """The base64 HMAC-SHA256 of ``body`` (what the platform sends; for tests and replays)."""
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


def parse_timestamp(value: Any, field: str) -> dt.datetime | None:
    """An ISO 8601 timestamp (``Z`` allowed); naive ones are read as UTC. ``None`` stays."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError(field, value, "expected an ISO 8601 timestamp")
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            field, value, "expected an ISO 8601 timestamp such as '2024-05-01T10:00:00Z'"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


# -- reading foreign payloads, every error naming its field --------------------------------


def obj(value: Any, field: str) -> Mapping[str, Any]:
    """``value`` as a JSON object, or an error naming ``field``."""
    if not isinstance(value, Mapping):
        raise ValidationError(field, shown(value), "expected a JSON object")
    return value


def items(value: Any, field: str, *, required: bool = True) -> Sequence[Any]:
    """``value`` as a JSON array (``None`` is empty unless ``required``)."""
    if value is None and not required:
        return ()
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValidationError(field, shown(value), "expected a JSON array")
    if required and not value:
        raise ValidationError(field, [], "expected at least one entry")
    return value


def text(data: Mapping[str, Any], key: str, field: str, *, required: bool = True) -> str:
    """The text (or integer id, as text) at ``key``; ``""`` when absent and optional."""
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise ValidationError(field, value, "a value is required")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError(field, shown(value), "expected text or an integer id")
    return str(value).strip()


def amount(data: Mapping[str, Any], key: str, field: str, currency: str,
           *, default: str | None = None) -> Money:  # fmt: skip
    """The money at ``key`` (a decimal string, an int or an exact JSON number)."""
    value = data.get(key, default)
    if value is None:
        if default is None:
            raise ValidationError(field, None, "an amount is required, such as '19.90'")
        value = default
    number = to_decimal(value, field)
    places = precision(currency)
    if number != round(number, places):
        raise ValidationError(
            field, value, f"{currency} amounts have at most {places} decimal places"
        )
    return Money(number, currency)


def quantity(data: Mapping[str, Any], key: str, field: str) -> int:
    """A positive whole quantity (an int, or an integral decimal string)."""
    value: Any = data.get(key)
    integral = isinstance(value, Decimal) and value == value.to_integral_value()
    if integral or (isinstance(value, str) and value.strip().isdigit()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError(field, value, "expected a whole number of units, at least 1")
    return value


def currency_of(data: Mapping[str, Any], key: str, field: str) -> str:
    """The ISO 4217 currency at ``key``."""
    return check_currency(data.get(key), field)


# -- the channel order ----------------------------------------------------------------


@attrs.frozen
class ChannelLine:
    """One line as the platform sold it.

    Attributes:
        external_line_id: the platform's id for the line (used for updates back).
        sku: the omskit SKU (the platform's SKU, or what the host's ``sku_map`` gave).
        quantity: units sold.
        gross: the line before discounts (unit price x quantity, or the platform's
            line total where it gives one).
        discount: the discounts the platform took off this line.
        tax: the line's tax as the platform computed it (recorded, not re-applied).
    """

    external_line_id: str
    sku: str
    quantity: int
    gross: Money
    discount: Money
    tax: Money

    @property
    def charged(self) -> Money:
        """What the platform charged for the line: ``gross - discount``."""
        return self.gross - self.discount


@attrs.frozen(kw_only=True)
class ChannelOrder:
    """A platform's order, read and checked; ready to be captured.

    Attributes:
        platform: the adapter that read it (``"shopify"``...).
        external_id: the platform's own order id (the capture's ``external_id``).
        number: the number people see (``"#1001"``), when it differs from the id.
        placed_at / updated_at: the platform's timestamps (``updated_at`` is the poll
            cursor).
        currency: the order's currency.
        taxes_included: the platform's prices include tax.
        customer_email / customer_name: the buyer.
        ship_to / bill_to: addresses as omskit's address mappings.
        lines: the lines sold.
        shipping: the shipping charged, after shipping discounts.
        tax: the order's total tax as the platform stated it.
        total: the order's grand total as the platform stated it.
        payment_status / status: the platform's own words for them.
        cancelled: the platform cancelled the order.
        discount_codes: codes the buyer entered (recorded, not applied again).
        dropped: ``(field, value, reason)`` for values left out because omskit would
            refuse them (a phone number that is not valid for its country).
    """

    platform: str
    external_id: str
    number: str = ""
    placed_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    currency: str
    taxes_included: bool
    customer_email: str
    customer_name: str = ""
    ship_to: Mapping[str, str]
    bill_to: Mapping[str, str] | None = None
    lines: tuple[ChannelLine, ...]
    shipping: Money
    tax: Money
    total: Money
    payment_status: str = ""
    status: str = ""
    cancelled: bool = False
    discount_codes: tuple[str, ...] = ()
    dropped: tuple[tuple[str, str, str], ...] = ()

    @property
    def charged(self) -> Money:
        """Lines after discounts plus shipping (plus tax when prices exclude it)."""
        total = self.shipping
        for line in self.lines:
            total = total + line.charged
        return total if self.taxes_included else total + self.tax

    def _split(self) -> list[tuple[int, str, int, Decimal]]:
        """``(channel line index, sku, quantity, unit price)`` per capture line."""
        out: list[tuple[int, str, int, Decimal]] = []
        for i, line in enumerate(self.lines):
            units = line.charged.minor_units
            base, extra = divmod(units, line.quantity)
            if extra:
                price = Money.from_minor_units(base + 1, self.currency).amount
                out.append((i, line.sku, extra, price))
            if line.quantity - extra:
                price = Money.from_minor_units(base, self.currency).amount
                out.append((i, line.sku, line.quantity - extra, price))
        return out

    def capture_payload(self, channel: str, *, notes: str = "") -> dict[str, Any]:
        """The payload for ``orders.capture`` on omskit channel ``channel``.

        Unit prices are what the platform charged per unit after its discounts, so the
        capture lines add up to the lines' charged amounts exactly; ``shipping`` is the
        shipping charged. Set the omskit channel to ``channel_prices="accept"`` and the
        platform's tax basis (``prices_include_tax``), since omskit computes the tax.
        """
        payload: dict[str, Any] = {
            "channel": channel,
            "external_id": self.external_id,
            "currency": self.currency,
            "customer": {"email": self.customer_email},
            "ship_to": dict(self.ship_to),
            "lines": [
                {"sku": sku, "quantity": qty, "unit_price": str(price)}
                for _, sku, qty, price in self._split()
            ],
            "shipping": str(self.shipping.amount),
        }
        if self.customer_name:
            payload["customer"]["name"] = self.customer_name
        if self.bill_to:
            payload["bill_to"] = dict(self.bill_to)
        label = self.number or self.external_id
        payload["notes"] = notes or f"{self.platform} order {label}"
        return payload

    def line_map(self) -> dict[str, str]:
        """Omskit line id (``"L1"``...) -> the platform's line id, in capture order."""
        return {
            f"L{n}": self.lines[i].external_line_id
            for n, (i, *_) in enumerate(self._split(), start=1)
        }


def check_adds_up(order: ChannelOrder, field: str) -> ChannelOrder:
    """Return ``order`` if its lines, shipping and tax make its stated total.

    Raises:
        ValidationError: at ``field`` (the platform's total field), naming both sums.
    """
    for i, line in enumerate(order.lines):
        if line.charged.amount < 0:
            raise ValidationError(
                f"lines[{i}].discount", str(line.discount.amount),
                f"at most the line's amount {line.gross.amount}",
            )  # fmt: skip
    computed = order.charged
    if computed.amount != order.total.amount:
        tax = "" if order.taxes_included else " + tax"
        raise ValidationError(
            field,
            str(order.total.amount),
            f"the payload's lines - discounts + shipping{tax} make {computed.amount}; "
            "the stated total must equal them to the minor unit",
        )
    return order


def resolve_sku(sku: str, keys: Sequence[str], sku_map: Mapping[str, str] | None,
                field: str) -> str:  # fmt: skip
    """The omskit SKU for a line: ``sku_map`` by any of ``keys`` or the sku, else the sku.

    Raises:
        ValidationError: the line has no SKU and no mapping gives one (naming ``field``).
        InvalidSku: the SKU is not one omskit accepts.
    """
    if sku_map:
        for key in (*keys, sku):
            if key and key in sku_map:
                return check_sku(sku_map[key], field)
    if not sku:
        tried = ", ".join(repr(k) for k in keys if k) or "none"
        raise ValidationError(
            field, sku, f"the line has no SKU; map one in sku_map (keys tried: {tried})"
        )
    return check_sku(sku, field)


def buyer_email(value: Any, field: str) -> str:
    """A deliverable buyer email, naming ``field`` when it is not."""
    return check_email(value, field)


def address(fields: Mapping[str, Any], dropped: list[tuple[str, str, str]],
            field: str) -> dict[str, str]:  # fmt: skip
    """An omskit address mapping from already renamed ``fields`` (empty ones left out).

    A phone number omskit would refuse is left out and recorded in ``dropped``, so a
    platform's unvalidated phone field does not block an order.
    """
    out = {k: str(v).strip() for k, v in fields.items() if v not in (None, "")}
    phone = out.get("phone")
    if phone:
        try:
            out["phone"] = check_phone(phone, f"{field}.phone", out.get("country"))
        except ValidationError as exc:
            del out["phone"]
            dropped.append((f"{field}.phone", phone, exc.allowed))
    return out


def platform_quantities(lines: Mapping[str, int] | Iterable[tuple[str, int]],
                        line_map: Mapping[str, str], field: str) -> dict[str, int]:  # fmt: skip
    """Units per platform line from units per omskit line (``{"L1": 2}``), via ``line_map``.

    Two omskit lines captured from one platform line (an uneven split) add up again.

    Raises:
        ValidationError: a line ``line_map`` does not know, named ``f"{field}.{ref}"``.
    """
    pairs = lines.items() if isinstance(lines, Mapping) else lines
    out: dict[str, int] = {}
    for ref, qty in pairs:
        if ref not in line_map:
            known = ", ".join(sorted(line_map)) or "no lines"
            raise ValidationError(f"{field}.{ref}", ref,
                                  f"no platform line for it; line_map knows {known}")  # fmt: skip
        out[line_map[ref]] = out.get(line_map[ref], 0) + qty
    return out
