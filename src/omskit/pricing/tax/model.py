"""Tax value objects and the tax-provider protocol.

A tax provider answers *which rates apply* to each priced item; the pricing engine does
the arithmetic (inclusive or exclusive, compound, rounding per line or per total) so
every quote reconciles to the minor unit whoever the provider is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

import attrs

from omskit.customers.address import Address
from omskit.pricing.validity import within

if TYPE_CHECKING:
    from omskit.pricing.request import CustomerRef

__all__ = [
    "TREATMENTS",
    "Jurisdiction",
    "JurisdictionRule",
    "TaxComponent",
    "TaxDecision",
    "TaxItem",
    "TaxProvider",
    "TaxRate",
    "TaxRateTable",
    "TaxRequest",
    "Treatment",
]

Treatment = Literal["taxed", "exempt", "reverse_charge", "export", "no_destination"]

#: How a quote is taxed: charged, exempt customer, EU reverse charge, export, or unknown.
TREATMENTS: tuple[Treatment, ...] = (
    "taxed",
    "exempt",
    "reverse_charge",
    "export",
    "no_destination",
)

_HUNDRED = Decimal(100)


@attrs.frozen
class Jurisdiction:
    """Where a rate applies: a country, optionally narrowed to a region and a postal prefix.

    The code reads ``"DE"``, ``"US-NY"`` or ``"US-NY:100"`` (New York postal codes starting
    with ``100``).
    """

    country: str
    region: str = ""
    postal_prefix: str = ""

    @property
    def code(self) -> str:
        """The readable code: ``country[-region][:postal_prefix]``."""
        text = self.country
        if self.region:
            text += f"-{self.region}"
        if self.postal_prefix:
            text += f":{self.postal_prefix}"
        return text

    @property
    def level(self) -> int:
        """0 for a country, 1 for a region, 2 for a postal prefix."""
        return 2 if self.postal_prefix else 1 if self.region else 0

    def matches(self, country: str, region: str, postal_code: str) -> bool:
        """Whether an address in ``country``/``region``/``postal_code`` lies inside."""
        return (
            self.country == country
            and (not self.region or self.region == region)
            and (
                not self.postal_prefix
                or postal_code.replace(" ", "").startswith(self.postal_prefix)
            )
        )

    def __str__(self) -> str:
        return self.code


@attrs.frozen
class TaxRate:
    """One rate of one tax for one tax class in one jurisdiction, over a span of days.

    ``rate`` is a percentage (``Decimal("19")`` is 19 %). ``valid_from`` and ``valid_to``
    are inclusive; ``None`` leaves that end open. A ``compound`` rate is charged on the
    price plus the taxes before it (tax on tax).
    """

    jurisdiction: Jurisdiction
    tax_class: str
    rate: Decimal
    name: str = "VAT"
    compound: bool = False
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: str = ""

    def valid_on(self, day: dt.date) -> bool:
        """Whether the rate applies on ``day``."""
        return within(day, self.valid_from, self.valid_to)

    def overlaps(self, other: TaxRate) -> bool:
        """Whether the two validity spans share at least one day."""
        lo = max(self.valid_from or dt.date.min, other.valid_from or dt.date.min)
        hi = min(self.valid_to or dt.date.max, other.valid_to or dt.date.max)
        return lo <= hi


@attrs.frozen
class JurisdictionRule:
    """Settings of one jurisdiction beyond its rates.

    Attributes:
        shipping_taxable: whether shipping charges are taxed here.
        override: rates here replace those of the broader jurisdictions (a Canadian HST
            province replaces federal GST) instead of adding to them (US state + city).
    """

    jurisdiction: Jurisdiction
    shipping_taxable: bool = True
    override: bool = False


@attrs.frozen
class TaxComponent:
    """One tax charged on an item: its name, percentage, jurisdiction and whether compound."""

    name: str
    rate: Decimal
    jurisdiction: str
    compound: bool = False
    fraction: Decimal = attrs.field(
        default=attrs.Factory(lambda self: self.rate / _HUNDRED, takes_self=True)
    )

    @property
    def label(self) -> str:
        """``"VAT 19% (DE)"``."""
        return f"{self.name} {self.rate.normalize():f}% ({self.jurisdiction})"


@attrs.frozen
class TaxItem:
    """One thing to tax: a quote line (``index`` >= 0) or shipping (``index == -1``).

    ``amount`` is the discounted amount in the price list's basis (gross when prices
    include tax).
    """

    index: int
    sku: str
    tax_class: str
    quantity: int
    amount: Decimal


class TaxRateTable(Protocol):
    """What a tax provider may ask of the rate table it is handed (``TaxRules`` is one).

    Declared here, beside the request that carries it, so the value objects do not
    import the table that is built from them.
    """

    def has_rates(self, country: str) -> bool:
        """Whether any rate is known for ``country``."""
        ...

    def source(self, country: str) -> str:
        """Where ``country``'s rates come from, in words."""
        ...

    def shipping_taxable(self, country: str, region: str = "", postal_code: str = "") -> bool:
        """Whether shipping is taxed at this address."""
        ...

    def components(
        self, country: str, region: str, postal_code: str, tax_class: str, day: dt.date
    ) -> tuple[tuple[TaxComponent, ...], str]:
        """The taxes on ``tax_class`` goods delivered there on ``day``, and a note."""
        ...


@attrs.frozen
class TaxRequest:
    """Everything a tax provider may need to decide the rates of one quote.

    Attributes:
        currency: the quote's currency.
        on: the day the quote is priced for (rates are effective-dated).
        destination: where the goods go (``None`` when not known).
        origin_country: the seller's country (``pricing.origin_country``), if configured.
        prices_include_tax: whether item amounts are gross.
        items: the lines, then shipping (``index == -1``) when charged.
        customer: who buys (tax exemption, VAT id), when known.
        export: the goods leave the seller's customs territory and import taxes are not
            collected at checkout (they are estimated as duties instead).
        rules: the rate table managed through ``oms.pricing`` (the built-in provider
            uses it; an external service may ignore it).
    """

    currency: str
    on: dt.date
    destination: Address | None
    origin_country: str | None
    prices_include_tax: bool
    items: Sequence[TaxItem]
    customer: CustomerRef | None
    export: bool
    rules: TaxRateTable


@attrs.frozen
class TaxDecision:
    """A provider's answer: the treatment and the tax components of each item.

    ``components[i]`` belongs to ``request.items[i]``. For ``exempt``,
    ``reverse_charge`` and ``export`` the components say which tax is *not* charged (for
    an export: the seller's own); tax-inclusive prices drop it, so the customer pays the
    net price, unless the channel's ``untaxed_inclusive_prices`` is ``"keep_gross"``. For
    ``no_destination`` they are empty. ``notes`` explain the decision in words.
    """

    treatment: Treatment
    components: tuple[tuple[TaxComponent, ...], ...]
    notes: tuple[str, ...] = ()
    provider: str = ""

    @property
    def charged(self) -> bool:
        """Whether the components are charged to the customer."""
        return self.treatment == "taxed"


@runtime_checkable
class TaxProvider(Protocol):
    """Decides which taxes apply to a quote; returned by the ``omskit_tax_provider`` hook.

    Implementations must be pure with respect to the request (same request, same
    decision) and fast: the decision is asked for on every quote.
    """

    name: str

    def decide(self, request: TaxRequest) -> TaxDecision:
        """The treatment and per-item tax components for ``request``."""
        ...
