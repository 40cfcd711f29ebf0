"""The configuration checked as a whole: what each capability's own parsing cannot see.

Each capability validates its own settings when the OMS starts; these checks look
across them and at the stored set-up: a strategy, gateway, carrier or provider named
somewhere but registered nowhere, a channel selling in a currency nothing is priced
in, a tax rate that ended with no rate after it, access control with nobody allowed to
configure it. Problems make ``python -m omskit config --check`` exit 1; warnings (the
built-in tax table is more than a year old) are printed and do not fail it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from omskit.errors import OmskitError
from omskit.pricing.tax import RATES_AS_OF

__all__ = ["STALE_AFTER", "ConfigCheck", "check_configuration"]

#: How old the built-in tax table may be before the check warns.
STALE_AFTER = dt.timedelta(days=365)


@attrs.frozen
class ConfigCheck:
    """The outcome of checking the whole configuration.

    Attributes:
        problems: what is wrong, each ``"where: what"`` (the check fails).
        warnings: what deserves a look (the check still passes).
    """

    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems


def _registered(services: Any) -> Iterable[str]:
    routing = getattr(services, "routing", None)
    if routing is not None:
        strategy = routing.settings.strategy
        if strategy not in routing.names():
            yield (f"routing.strategy: {strategy!r} is not a registered routing strategy; "
                   f"known: {', '.join(routing.names())}")  # fmt: skip
    fulfillment, carriers = getattr(services, "fulfillment", None), services.carriers
    carrier = fulfillment.settings.default_carrier if fulfillment is not None else ""
    if carrier and carrier not in carriers.names():
        yield (f"fulfillment.default_carrier: {carrier!r} is not a registered carrier; "
               f"known: {', '.join(carriers.names())}")  # fmt: skip
    notifications = getattr(services, "notifications", None)
    if notifications is not None:
        for kind, name in sorted(notifications.settings.providers.items()):
            try:
                notifications.provider(name)
            except OmskitError as exc:
                yield f"notifications.providers.{kind}: {exc}"


def _channels(services: Any) -> Iterable[str]:
    gateways = services.payments.names()
    price_lists = {(p.name, p.currency) for p in services.pricing.price_lists()}
    products = services.catalog.list()
    priced_in = {p.price.currency for p in products}
    for channel in services.channels.list():
        if not channel.active:
            continue
        where = f"channels.{channel.id}"
        if channel.payment_gateway not in gateways:
            yield (f"{where}.payment_gateway: {channel.payment_gateway!r} is not a registered "
                   f"gateway; known: {', '.join(gateways)}")  # fmt: skip
        for currency in channel.currencies:
            if (
                products
                and (channel.price_list, currency) not in price_lists
                and (currency not in priced_in)
            ):
                yield (f"{where}.currencies: sells in {currency} but there is no price list "
                       f"{channel.price_list!r} in {currency} and no product is priced in "
                       f"{currency}")  # fmt: skip


def _tax(services: Any, today: dt.date) -> Iterable[str]:
    rates = services.pricing.tax_rates()
    spans: dict[tuple[str, str, str], list[Any]] = {}
    for rate in rates:
        spans.setdefault((str(rate.jurisdiction), rate.tax_class, rate.name), []).append(rate)
    for (place, tax_class, name), found in sorted(spans.items()):
        if any(r.valid_on(today) for r in found):
            continue
        ended = [r.valid_to for r in found if r.valid_to is not None and r.valid_to < today]
        if ended and not any(r.valid_from and r.valid_from > today for r in found):
            yield (f"pricing.tax_rates: {name} {tax_class} in {place} ended on "
                   f"{max(ended).isoformat()} and no rate covers {today.isoformat()}")  # fmt: skip


def _access(admin: Any) -> Iterable[str]:
    if not admin.enforcing:
        return
    if not any(admin.can(p.id, "admin.configure") for p in admin.principals()):
        yield "admin.access_control: on, but no active principal holds 'admin.configure'"


def check_configuration(services: Any, now: dt.datetime) -> ConfigCheck:
    """Check the OMS behind ``services`` (the facade) as a whole, as of ``now``."""
    checks: list[Callable[[], Iterable[str]]] = [
        lambda: _registered(services),
        lambda: _channels(services),
        lambda: _tax(services, now.date()),
        lambda: _access(services.admin),
    ]
    problems = [problem for check in checks for problem in check()]
    warnings = []
    pricing = getattr(services.pricing, "settings", None)
    if pricing is not None and pricing.builtin_rates and now.date() - RATES_AS_OF > STALE_AFTER:
        warnings.append(
            f"pricing.builtin_rates: the built-in tax table is as of {RATES_AS_OF.isoformat()}, "
            "more than a year ago; check it against your tax adviser's rates or load your own"
        )
    return ConfigCheck(tuple(problems), tuple(warnings))
