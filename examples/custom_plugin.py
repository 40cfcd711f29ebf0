"""A third-party plugin: an event subscriber, an exchange-rate source and a named provider.

A plugin is any object or module with ``omskit_*`` hook implementations. This one is
written the way a package would ship it (its class would be published under the
``omskit`` entry-point group); here it is passed to ``OMS(plugins=[...])`` directly.

Run it with ``python examples/custom_plugin.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import ClassVar

from omskit import OMS, DuplicateRegistration, ExchangeRate, Money, NotFound, convert, hookimpl
from omskit.events import Event
from omskit.plugins.manager import collect_registry
from omskit.testing import FakeClock


class CentralBankRates:
    """An exchange-rate provider, as a bank feed would give it (here: two fixed rates)."""

    RATES: ClassVar[dict[tuple[str, str], Decimal]] = {
        ("EUR", "USD"): Decimal("1.0812"),
        ("EUR", "GBP"): Decimal("0.8571"),
    }

    def rate(self, base: str, quote: str, on: dt.date | None = None) -> ExchangeRate:
        """The rate from ``base`` to ``quote``; the inverse pair is derived."""
        day = on or dt.date(2026, 11, 23)
        if (base, quote) in self.RATES:
            return ExchangeRate(base, quote, self.RATES[base, quote], day, "ACME central bank")
        if (quote, base) in self.RATES:
            value = Decimal(1) / self.RATES[quote, base]
            return ExchangeRate(base, quote, value, day, "ACME central bank")
        raise NotFound("exchange rate", f"{base}->{quote}", "ACME publishes EUR pairs only")


class AcmePay:
    """A payment-gateway-like named provider. Registries find it by its ``name``."""

    name = "acme-pay"

    def describe(self) -> str:
        """One line about the gateway."""
        return "ACME Pay: cards and wallets, EUR/USD/GBP"


class AcmeIntegration:
    """The plugin: pushes events to an ERP, supplies FX rates and a payment gateway.

    Set ``erp_down_for`` to make the ERP "connection" fail that many times, to see that
    omskit retries a failing subscriber later instead of losing the event or undoing the
    change.
    """

    def __init__(self) -> None:
        self.erp_down_for = 0
        self.sent_to_erp: list[str] = []

    @hookimpl
    def omskit_on_event(self, event: Event) -> None:
        """Forward each committed event to the ERP."""
        if self.erp_down_for > 0:
            self.erp_down_for -= 1
            raise ConnectionError("ERP not reachable")
        self.sent_to_erp.append(f"{event.event_type} {event.event_id}")

    @hookimpl
    def omskit_exchange_rates(self) -> CentralBankRates:
        """Rates from the central bank feed instead of the built-in fixed table."""
        return CentralBankRates()

    @hookimpl
    def omskit_register_payment_gateways(self) -> Iterable[AcmePay]:
        """The gateways this package brings."""
        return [AcmePay()]


class CopycatPay:
    """Another package that (wrongly) registers a gateway under the same name."""

    @hookimpl
    def omskit_register_payment_gateways(self) -> Iterable[AcmePay]:
        """A second 'acme-pay': names must be unique, so collecting fails loudly."""
        return [AcmePay()]


def main() -> None:
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC))
    acme = AcmeIntegration()
    oms = OMS.in_memory(
        config={"events": {"max_attempts": 3, "backoff_seconds": 60}},
        plugins=[acme],
        clock=clock,
        autoload=False,
    )

    print("== Named provider ==")
    gateways = collect_registry(oms.plugins, "omskit_register_payment_gateways", "payment gateway")
    print(f"payment gateways registered by plugins: {gateways.names()}")
    print(f"  {gateways.get('acme-pay').describe()}")
    try:
        gateways.get("stripe")
    except NotFound as exc:
        print(f"  unknown name: {exc}")
    clash = OMS.in_memory(plugins=[AcmeIntegration(), CopycatPay()], autoload=False)
    try:
        collect_registry(clash.plugins, "omskit_register_payment_gateways", "payment gateway")
    except DuplicateRegistration as exc:
        print(f"  duplicate names are refused: {exc}")

    print()
    print("== Exchange rates from the plugin ==")
    conversion = convert(Money("250.00", "EUR"), "USD", oms.exchange_rates)
    print(f"{conversion.original} -> {conversion.converted}")
    print(
        f"  rate {conversion.rate.rate} from {conversion.rate.source} as of {conversion.rate.as_of}"
    )

    print()
    print("== Events, with a subscriber that fails once ==")
    print(f"delivered while setting up (the default web channel): {acme.sent_to_erp}")
    acme.erp_down_for = 1
    print("the ERP goes down for one call...")
    oms.catalog.add_product("TEE-M", name="T-shirt, medium", price="19.90", currency="EUR")
    print("product added; the change is committed even though the ERP call failed:")
    print(f"  catalog has TEE-M: {oms.catalog.find('TEE-M') is not None}")
    print(f"  sent to ERP so far: {acme.sent_to_erp[1:]}")
    print(f"  events waiting for a subscriber: {oms.events.pending()}")
    print(f"  retry before the back-off has passed: {oms.events.dispatch()} deliveries")
    clock.advance(seconds=60)
    print(f"  retry after 60 s: {oms.events.dispatch()} delivery")
    print(f"  sent to ERP now: {acme.sent_to_erp[1:]}")
    print(f"  events waiting: {oms.events.pending()}; dead letters: {oms.events.dead_letters()}")
    oms.catalog.update_product("TEE-M", price="17.90", currency="EUR")
    print(f"  the next change goes straight through: {acme.sent_to_erp[-1]}")
    print(f"  a retry delivers nothing twice: {oms.events.dispatch()} deliveries")


if __name__ == "__main__":
    main()
