"""An external tax engine behind omskit's tax provider hook, with the rules as fallback.

[`ExternalTaxProvider`][] asks a TaxJar-style engine (``POST /v2/taxes``) which rates
apply to a quote, and hands omskit's pricing engine those *rates*: omskit still does
the arithmetic (rounding, inclusive or exclusive, per line), so quotes reconcile to the
minor unit whoever decides the rates.

Sent: ``from_country`` / ``from_zip`` / ``from_state`` / ``from_city`` /
``from_street`` (the provider's ``origin``), ``to_country``, ``to_zip``, ``to_state``,
``to_city``, ``to_street``, ``amount`` and ``shipping`` (net), ``customer_id``, and
``line_items[{id, quantity, unit_price, product_tax_code}]`` (``product_tax_code``
from ``tax_codes`` by omskit tax class), checked against TaxJar's documented request
(schema ``taxjar.taxes``) before it is sent. Read, per line and for shipping from
``breakdown``: the state, county, city and special-district rates (United States), GST,
PST and QST (Canada), and the country rate (elsewhere); ``has_nexus`` false means no
tax; ``freight_taxable`` false means untaxed shipping. Ignored: the engine's own
amounts (``amount_to_collect``, ``tax_collectable``: omskit computes them from the
rates), ``tax_source``, exemptions by ``exemption_type``.

**Fallback.** When the engine cannot answer (the transport raises, HTTP 4xx/5xx, a
body that is not the documented shape) or the quote is one it does not take (prices
that include tax, no destination, an exempt customer), the rule-based provider decides
instead, and the decision says so: ``provider`` reads ``"rules (fallback from taxjar)"``
and a note names the reason; both are kept on the quote (``quote.tax_provider``,
``quote.notes``). Successful answers are cached per request, so repeated quotes of the
same cart do not call the engine again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from omskit.errors import ValidationError
from omskit.integrations.schemas import validate_payload
from omskit.integrations.transport import (
    HttpRequest,
    ServiceError,
    Transport,
    decode_json,
    dumps_exact,
)
from omskit.plugins.spec import hookimpl
from omskit.pricing.tax.model import TaxComponent, TaxDecision, TaxItem, TaxRequest
from omskit.pricing.tax.provider import RuleTaxProvider

if TYPE_CHECKING:
    from omskit.config import OMSConfig

__all__ = ["RATE_FIELDS", "ExternalTaxPlugin", "ExternalTaxProvider", "read_rates"]

#: The breakdown's rate fields, the tax each names, and whether it is compound.
RATE_FIELDS: tuple[tuple[str, str], ...] = (
    ("state_sales_tax_rate", "State sales tax"),
    ("state_tax_rate", "State sales tax"),
    ("county_tax_rate", "County tax"),
    ("city_tax_rate", "City tax"),
    ("special_tax_rate", "Special district tax"),
    ("gst_tax_rate", "GST"),
    ("pst_tax_rate", "PST"),
    ("qst_tax_rate", "QST"),
    ("country_tax_rate", "Tax"),
)
_HUNDRED = Decimal(100)
_UNIT = Decimal("0.000001")


def _rate(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValidationError(field, value, "a rate as a JSON number (0.0625 is 6.25 %)")
    if not 0 <= value < 1:
        raise ValidationError(field, value, "a fraction from 0 up to 1")
    return Decimal(value)


def read_rates(
    breakdown: Mapping[str, Any], jurisdiction: str, field: str
) -> tuple[TaxComponent, ...]:
    """The non-zero rates of one line's (or shipping's) ``breakdown`` as tax components.

    Raises:
        ValidationError: a rate that is not a number from 0 to 1 (the field is named).
    """
    found: list[TaxComponent] = []
    seen: set[str] = set()
    for key, name in RATE_FIELDS:
        if key not in breakdown or name in seen:
            continue
        rate = _rate(breakdown[key], f"{field}.{key}")
        if rate:
            seen.add(name)
            found.append(TaxComponent(name, (rate * _HUNDRED).normalize(), jurisdiction))
    return tuple(found)


class ExternalTaxProvider:
    """A [`TaxProvider`][omskit.pricing.tax.model.TaxProvider] over a TaxJar-style engine.

    Args:
        transport: sends the request (see ``omskit.integrations.transport``).
        api_key: sent as ``Authorization: Bearer``.
        origin: the ship-from address: ``country``, ``zip``, ``state``, ``city``,
            ``street`` (``country`` required).
        name: the provider's name on quotes.
        url: the engine's endpoint.
        tax_codes: the engine's product tax code by omskit tax class.
        fallback: who decides when the engine cannot (the rule-based provider).
        cache_size: how many answers are kept.
    """

    def __init__(
        self,
        *,
        transport: Transport,
        api_key: str,
        origin: Mapping[str, str],
        name: str = "taxjar",
        url: str = "https://api.taxjar.com/v2/taxes",
        tax_codes: Mapping[str, str] | None = None,
        fallback: Any = None,
        cache_size: int = 1024,
    ) -> None:
        if not isinstance(api_key, str) or not api_key:
            raise ValidationError("api_key", api_key, "the engine's API token")
        if not origin.get("country"):
            raise ValidationError("origin.country", origin.get("country"), "the ship-from country")
        self.name = name
        self._transport = transport
        self._key = api_key
        self.origin = dict(origin)
        self.url = url
        self.tax_codes = dict(tax_codes or {})
        self.fallback = fallback if fallback is not None else RuleTaxProvider()
        self._cache: OrderedDict[bytes, TaxDecision] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.calls = 0

    def decide(self, request: TaxRequest) -> TaxDecision:
        """The engine's rates for ``request``, or the fallback's, saying why."""
        reason = self._unsupported(request)
        if reason:
            return self._fall_back(request, reason)
        body = dumps_exact(self._body(request))
        with self._lock:
            cached = self._cache.get(body)
            if cached is not None:
                self._cache.move_to_end(body)
                return cached
        try:
            decision = self._ask(request, body)
        except Exception as exc:  # any failure of the engine: the rules decide instead
            return self._fall_back(request, f"{type(exc).__name__}: {exc}"[:300])
        with self._lock:
            self._cache[body] = decision
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return decision

    # -- the request ---------------------------------------------------------------------
    def _unsupported(self, request: TaxRequest) -> str:
        if request.destination is None:
            return "no destination address"
        if request.prices_include_tax:
            return f"{self.name} takes net prices; this price list includes tax"
        if request.customer is not None and request.customer.tax_exempt:
            return "tax-exempt customer"
        if request.export:
            return "an export: no sales tax"
        return ""

    def _body(self, request: TaxRequest) -> dict[str, Any]:
        dest = request.destination
        assert dest is not None  # checked by _unsupported
        body: dict[str, Any] = {f"from_{k}": v for k, v in sorted(self.origin.items()) if v}
        body |= {"to_country": dest.country, "to_zip": dest.postal_code, "to_state": dest.region,
                 "to_city": dest.city, "to_street": dest.line1}  # fmt: skip
        lines = [i for i in request.items if i.index >= 0]
        shipping = sum((i.amount for i in request.items if i.index < 0), Decimal(0))
        body["amount"] = sum((i.amount for i in lines), Decimal(0))
        body["shipping"] = shipping
        body["line_items"] = [self._line(item) for item in lines]
        if request.customer is not None and request.customer.customer_id:
            body["customer_id"] = request.customer.customer_id
        validate_payload(body, "taxjar.taxes")  # a bug here raises: no silent fallback
        return body

    def _line(self, item: TaxItem) -> dict[str, Any]:
        line: dict[str, Any] = {
            "id": str(item.index + 1),
            "quantity": item.quantity,
            "unit_price": (item.amount / max(item.quantity, 1)).quantize(_UNIT).normalize(),
        }
        code = self.tax_codes.get(item.tax_class)
        if code:
            line["product_tax_code"] = code
        return line

    def _ask(self, request: TaxRequest, body: bytes) -> TaxDecision:
        self.calls += 1
        headers = (("Authorization", f"Bearer {self._key}"), ("Content-Type", "application/json"))
        response = self._transport(HttpRequest("POST", self.url, headers, body))
        if response.status >= 300:
            raise ServiceError(self.name, response.status, "http_error",
                               response.body[:200].decode("utf-8", "replace"))  # fmt: skip
        try:
            payload = decode_json(response.body, "body")
            return self._decision(request, payload)
        except ValidationError as exc:
            raise ServiceError(self.name, response.status, "unexpected_body", str(exc)) from None

    def _decision(self, request: TaxRequest, payload: Mapping[str, Any]) -> TaxDecision:
        tax = payload.get("tax")
        if not isinstance(tax, Mapping):
            raise ValidationError("tax", tax, "the engine's 'tax' object")
        dest = request.destination
        assert dest is not None
        where = "-".join(p for p in (dest.country, dest.region) if p)
        if tax.get("has_nexus") is False:
            note = f"{self.name}: no nexus in {where}: no sales tax"
            return TaxDecision("taxed", tuple(() for _ in request.items), (note,), self.name)
        breakdown = tax.get("breakdown")
        if not isinstance(breakdown, Mapping):
            raise ValidationError("tax.breakdown", breakdown, "the per-line breakdown")
        by_id = {}
        for i, line in enumerate(breakdown.get("line_items") or ()):
            if not isinstance(line, Mapping) or not isinstance(line.get("id"), str):
                raise ValidationError(f"tax.breakdown.line_items[{i}]", line, "a line with an id")
            by_id[line["id"]] = (i, line)
        freight = tax.get("freight_taxable") is True
        shipping = (
            breakdown.get("shipping") if isinstance(breakdown.get("shipping"), Mapping) else None
        )
        comps: list[tuple[TaxComponent, ...]] = []
        for item in request.items:
            if item.index < 0:
                if freight and shipping is not None:
                    comps.append(read_rates(shipping, where, "tax.breakdown.shipping"))
                elif freight:  # taxed like the goods, at the order's rates
                    comps.append(read_rates(breakdown, where, "tax.breakdown"))
                else:
                    comps.append(())
                continue
            found = by_id.get(str(item.index + 1))
            if found is None:
                raise ValidationError("tax.breakdown.line_items", str(item.index + 1),
                                      "a breakdown for every line sent")  # fmt: skip
            i, line = found
            comps.append(read_rates(line, where, f"tax.breakdown.line_items[{i}]"))
        notes = (f"rates for {where} from {self.name} ({tax.get('tax_source', 'engine')})",)
        return TaxDecision("taxed", tuple(comps), notes, self.name)

    def _fall_back(self, request: TaxRequest, reason: str) -> TaxDecision:
        decided: TaxDecision = self.fallback.decide(request)
        fallback_name = decided.provider or getattr(self.fallback, "name", "fallback")
        note = f"{self.name} not used ({reason}): {fallback_name} rates applied"
        return TaxDecision(decided.treatment, decided.components, (note, *decided.notes),
                           f"{fallback_name} (fallback from {self.name})")  # fmt: skip


class ExternalTaxPlugin:
    """Pass to ``OMS(plugins=[ExternalTaxPlugin(provider)])``: quotes use the engine."""

    def __init__(self, provider: ExternalTaxProvider) -> None:
        self.provider = provider

    @hookimpl
    def omskit_tax_provider(self, config: OMSConfig) -> ExternalTaxProvider:
        """The engine-backed provider (the built-in rules answer only if this passes)."""
        return self.provider
