"""Sales channels: where orders come from, and the rules each one captures them by."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from copy import deepcopy
from decimal import Decimal
from typing import Any, ClassVar, Literal

import attrs

from omskit.errors import ValidationError
from omskit.money import check_currency
from omskit.storage.ports import Aggregate, Collection
from omskit.validation import Problems, check_bool, check_decimal, check_locale, check_text

__all__ = [
    "CHANNELS",
    "CHANNEL_KINDS",
    "UNTAXED_INCLUSIVE_PRICES",
    "Channel",
    "clean_channel_fields",
]

#: The kinds of channel omskit knows; each comes with sensible defaults.
CHANNEL_KINDS = ("web", "marketplace", "phone", "pos")

ChannelPrices = Literal["reject", "tolerance", "accept"]
UntaxedInclusive = Literal["remove_tax", "keep_gross"]
#: How an untaxed sale (tax-exempt customer, reverse charge, export) meets tax-inclusive
#: prices: take the tax they contain out, or charge the gross price as it is.
UNTAXED_INCLUSIVE_PRICES: tuple[UntaxedInclusive, ...] = ("remove_tax", "keep_gross")


@attrs.define(eq=False)
class Channel(Aggregate):
    """A sales channel. Its ``id`` is its code (``"web"``, ``"amazon-de"``, ``"pos-berlin"``).

    Attributes:
        kind: one of `CHANNEL_KINDS`.
        currencies: the currencies sold on this channel; the first is the default.
        price_list: the price list quotes use (``"default"`` unless set).
        prices_include_tax: whether prices on this channel are entered tax-inclusive.
        channel_prices: what to do with prices the channel sends on order lines:
            ``"reject"`` them, accept them within ``price_tolerance`` percent of our own
            price (``"tolerance"``), or ``"accept"`` them as they are (marketplaces).
        price_tolerance: percentage for ``channel_prices="tolerance"``.
        allow_split: orders may ship from several locations.
        allow_partial: a reservation may hold part of an order when stock is short.
        payment_gateway: the gateway used for orders from this channel.
        locale: the locale for customer-facing documents and messages.
        trusts_customer_claims: the channel authenticates its customers, so a
            ``customer_id`` in its payloads proves who is buying, and the registered
            customer's tax exemption and VAT id apply. Off by default: a payload from
            an untrusted channel is linked to the registered customer with its email,
            but gets neither.
        options: further settings read by capabilities and plugins.
        untaxed_inclusive_prices: when a sale on tax-inclusive prices is not taxed (a
            tax-exempt customer, an EU reverse charge, an export): ``"remove_tax"`` takes
            the tax the price contains out, so the customer pays the net price (30.00 incl.
            19 % -> 25.21); ``"keep_gross"`` charges the price as listed (30.00).
    """

    name: str
    kind: str = "web"
    currencies: tuple[str, ...] = ("EUR",)
    price_list: str = "default"
    prices_include_tax: bool = True
    channel_prices: ChannelPrices = "reject"
    price_tolerance: Decimal = Decimal(0)
    allow_split: bool = True
    allow_partial: bool = False
    payment_gateway: str = "sandbox"
    locale: str = "en_US"
    active: bool = True
    options: dict[str, Any] = attrs.field(factory=dict)
    trusts_customer_claims: bool = False
    untaxed_inclusive_prices: UntaxedInclusive = "remove_tax"

    EDITABLE: ClassVar[tuple[str, ...]] = (
        "name", "kind", "currencies", "price_list", "prices_include_tax", "channel_prices",
        "price_tolerance", "allow_split", "allow_partial", "payment_gateway", "locale",
        "active", "options", "trusts_customer_claims", "untaxed_inclusive_prices",
    )  # fmt: skip

    @property
    def code(self) -> str:
        """The channel's code (its id)."""
        return self.id

    @property
    def default_currency(self) -> str:
        """The first currency sold on the channel."""
        return self.currencies[0]

    def require_currency(self, currency: str, field: str = "currency") -> str:
        """Return ``currency`` if it is sold here; otherwise raise naming the ones that are."""
        code = check_currency(currency, field)
        if code not in self.currencies:
            raise ValidationError(
                field,
                currency,
                f"channel {self.id!r} sells in {', '.join(self.currencies)}",
            )
        return code

    def clone(self) -> Channel:
        """A copy with its own ``options`` (nested values included)."""
        copy = object.__new__(type(self))  # field by field: no __init__, no validation
        for field in attrs.fields(type(self)):
            object.__setattr__(copy, field.name, getattr(self, field.name))
        copy._events = []
        copy.options = deepcopy(self.options) if self.options else {}
        return copy


def clean_channel_fields(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate channel fields from plain data, reporting every problem at once."""
    problems = Problems()
    for key in sorted(set(data) - set(Channel.EDITABLE)):
        problems.add(key, f"unknown field; allowed: {', '.join(Channel.EDITABLE)}")
    out: dict[str, Any] = {}
    if "name" in data or not partial:
        out["name"] = problems.check("name", check_text, data.get("name"))
    _choice(
        problems,
        out,
        data,
        "kind",
        allowed=CHANNEL_KINDS,
        message=f"expected one of {', '.join(CHANNEL_KINDS)}",
    )
    if "currencies" in data:
        out["currencies"] = _currencies(problems, data["currencies"])
    for key in (
        "prices_include_tax",
        "allow_split",
        "allow_partial",
        "active",
        "trusts_customer_claims",
    ):
        if key in data:
            out[key] = problems.check(key, check_bool, data[key])
    _choice(
        problems,
        out,
        data,
        "channel_prices",
        allowed=("reject", "tolerance", "accept"),
        message="expected 'reject', 'tolerance' or 'accept'",
    )
    if "price_tolerance" in data:
        out["price_tolerance"] = problems.check(
            "price_tolerance", check_decimal, data["price_tolerance"],
            minimum=Decimal(0), maximum=Decimal(100),
        )  # fmt: skip
    for key in ("price_list", "payment_gateway"):
        if key in data:
            out[key] = problems.check(key, check_text, data[key], max_length=64)
    if "locale" in data:
        out["locale"] = problems.check("locale", check_locale, data["locale"])
    untaxed = data.get("untaxed_inclusive_prices")
    _choice(
        problems,
        out,
        data,
        "untaxed_inclusive_prices",
        allowed=UNTAXED_INCLUSIVE_PRICES,
        message=f"got {untaxed!r}; expected one of "
        f"{', '.join(map(repr, UNTAXED_INCLUSIVE_PRICES))}",
    )
    if "options" in data:
        if not isinstance(data["options"], Mapping):
            problems.add("options", "expected a mapping", data["options"])
        else:
            out["options"] = dict(data["options"])
    problems.raise_if_any()
    return out


def _choice(
    problems: Problems,
    out: dict[str, Any],
    data: Mapping[str, Any],
    key: str,
    *,
    allowed: Sequence[str],
    message: str,
) -> None:
    """Copy ``data[key]`` into ``out`` when it is one of ``allowed``; else note ``message``."""
    if key not in data:
        return
    if data[key] not in allowed:
        problems.add(key, message, data[key])
    else:
        out[key] = data[key]


def _currencies(problems: Problems, raw: Any) -> tuple[str, ...]:
    """A channel's currencies: a non-empty list of ISO 4217 codes, duplicates dropped."""
    if not isinstance(raw, list | tuple) or not raw:
        problems.add("currencies", "expected a non-empty list of ISO 4217 codes", raw)
        return ()
    codes = [problems.check(f"currencies[{i}]", check_currency, c) for i, c in enumerate(raw)]
    return tuple(dict.fromkeys(c for c in codes if c))


CHANNELS: Collection[Channel] = Collection("channels", Channel, label="channel")
