"""A host's type checker catches a plugin whose hook returns the wrong kind of object.

pluggy never compares an implementation with its hookspec, so every hook has a typing
Protocol for plugins: the kernel's in ``omskit.plugins.spec``, each capability's in its
``hooks`` module. This test runs ``mypy --strict`` (the development dependency) over
small host modules exactly as a host's CI would: one where every plugin is right (and
omskit's own built-in plugin modules are held to the same Protocols), and one wrong
module per Protocol, each of which must fail on that Protocol.
"""

from __future__ import annotations

import re
import textwrap
import uuid
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
from collections.abc import Iterable, Mapping
from typing import Any

import omskit.carriers.plugin
import omskit.money_plugin
import omskit.notifications.plugin
import omskit.payments.plugin
import omskit.pricing.tax.plugin
import omskit.returns.plugin
import omskit.routing.plugin
import omskit.storage.plugin
from omskit import FixedRates, Problem, hookimpl
from omskit.carriers import Carrier
from omskit.carriers.hooks import CarrierPlugin
from omskit.carriers.sandbox import SandboxCarrier
from omskit.clock import Clock
from omskit.config import OMSConfig
from omskit.events import Event
from omskit.ids import IdGenerator
from omskit.money import ExchangeRateProvider
from omskit.notifications.hooks import NotificationProviderPlugin
from omskit.orders.hooks import OrderValidationPlugin, RiskChecksPlugin, RiskSignalLike
from omskit.orders.model import Order
from omskit.orders.risk import RiskSignal
from omskit.payments.hooks import GatewayPlugin
from omskit.plugins.spec import EventPlugin, ExchangeRatesPlugin, StoragePlugin
from omskit.pricing.hooks import TaxProviderPlugin
from omskit.returns.hooks import ReturnRulesPlugin
from omskit.routing.hooks import StrategyPlugin
from omskit.storage import MemoryStore, StorageBackend


class Carriers:
    @hookimpl
    def omskit_register_carriers(self) -> Iterable[Carrier]:
        return [SandboxCarrier.create(name="express")]


class Checks:
    @hookimpl
    def omskit_risk_checks(
        self, order: Order, context: Mapping[str, Any]
    ) -> Iterable[RiskSignalLike]:
        return [RiskSignal("vip", -10, "known customer"), ("velocity", 40, "5 in an hour")]

    @hookimpl
    def omskit_validate_order(self, order: Order) -> Iterable[Problem]:
        return []


class Kernel:
    @hookimpl
    def omskit_storage(
        self, config: OMSConfig, clock: Clock, ids: IdGenerator
    ) -> StorageBackend | None:
        return MemoryStore(clock, ids) if config.storage == "scratch" else None

    @hookimpl
    def omskit_exchange_rates(self, config: OMSConfig) -> ExchangeRateProvider | None:
        return FixedRates({"EUR": {"USD": "1.08"}})

    @hookimpl
    def omskit_on_event(self, event: Event) -> None:
        print(event.event_type)


carriers: CarrierPlugin = Carriers()
risk: RiskChecksPlugin = Checks()
validation: OrderValidationPlugin = Checks()
storage: StoragePlugin = Kernel()
rates: ExchangeRatesPlugin = Kernel()
events: EventPlugin = Kernel()

# omskit's own built-in plugin modules keep the Protocols they provide
builtin_storage: StoragePlugin = omskit.storage.plugin
builtin_rates: ExchangeRatesPlugin = omskit.money_plugin
builtin_carriers: CarrierPlugin = omskit.carriers.plugin
builtin_gateways: GatewayPlugin = omskit.payments.plugin
builtin_strategies: StrategyPlugin = omskit.routing.plugin
builtin_tax: TaxProviderPlugin = omskit.pricing.tax.plugin
builtin_rules: ReturnRulesPlugin = omskit.returns.plugin
builtin_providers: NotificationProviderPlugin = omskit.notifications.plugin
"""

#: Protocol -> a host plugin that gets it wrong: the wrong kind of object where the
#: hook's port belongs (a gateway for a carrier, a carrier for a store...).
BAD: dict[str, str] = {
    "CarrierPlugin": """
        from collections.abc import Iterable
        from omskit.carriers.hooks import CarrierPlugin
        from omskit.payments.sandbox import SandboxGateway

        class Wrong:
            def omskit_register_carriers(self) -> Iterable[SandboxGateway]:
                return [SandboxGateway()]  # a gateway where a carrier belongs

        plugin: CarrierPlugin = Wrong()
    """,
    "GatewayPlugin": """
        from collections.abc import Iterable
        from omskit.carriers.sandbox import SandboxCarrier
        from omskit.payments.hooks import GatewayPlugin

        class Wrong:
            def omskit_register_payment_gateways(self) -> Iterable[SandboxCarrier]:
                return [SandboxCarrier.create()]  # a carrier where a gateway belongs

        plugin: GatewayPlugin = Wrong()
    """,
    "StrategyPlugin": """
        from collections.abc import Iterable
        from omskit.returns.rules import ReturnRule
        from omskit.routing.hooks import StrategyPlugin

        class Wrong:
            def omskit_register_routing_strategies(self) -> Iterable[ReturnRule]:
                return []  # return rules where strategies belong

        plugin: StrategyPlugin = Wrong()
    """,
    "TaxProviderPlugin": """
        from omskit.config import OMSConfig
        from omskit.money import FixedRates
        from omskit.pricing.hooks import TaxProviderPlugin

        class Wrong:
            def omskit_tax_provider(self, config: OMSConfig) -> FixedRates:
                return FixedRates({})  # exchange rates where a tax provider belongs

        plugin: TaxProviderPlugin = Wrong()
    """,
    "RiskChecksPlugin": """
        from collections.abc import Iterable, Mapping
        from typing import Any
        from omskit.orders.hooks import RiskChecksPlugin
        from omskit.orders.model import Order

        class Wrong:
            def omskit_risk_checks(
                self, order: Order, context: Mapping[str, Any]
            ) -> Iterable[float]:
                return [0.9]  # a bare score, no rule and no reason

        plugin: RiskChecksPlugin = Wrong()
    """,
    "OrderValidationPlugin": """
        from collections.abc import Iterable
        from omskit.orders.hooks import OrderValidationPlugin
        from omskit.orders.model import Order

        class Wrong:
            def omskit_validate_order(self, order: Order) -> Iterable[str]:
                return ["no PO boxes"]  # text where Problem items belong

        plugin: OrderValidationPlugin = Wrong()
    """,
    "ReturnRulesPlugin": """
        from collections.abc import Iterable
        from omskit.returns.hooks import ReturnRulesPlugin
        from omskit.routing.strategies import NearestStrategy

        class Wrong:
            def omskit_register_return_rules(self) -> Iterable[NearestStrategy]:
                return [NearestStrategy()]  # a strategy where rules belong

        plugin: ReturnRulesPlugin = Wrong()
    """,
    "NotificationProviderPlugin": """
        from collections.abc import Iterable
        from omskit.carriers.sandbox import SandboxCarrier
        from omskit.notifications.hooks import NotificationProviderPlugin

        class Wrong:
            def omskit_register_notification_providers(self) -> Iterable[SandboxCarrier]:
                return [SandboxCarrier.create()]  # a carrier where a sender belongs

        plugin: NotificationProviderPlugin = Wrong()
    """,
    "StoragePlugin": """
        from omskit.carriers.sandbox import SandboxCarrier
        from omskit.clock import Clock
        from omskit.config import OMSConfig
        from omskit.ids import IdGenerator
        from omskit.plugins.spec import StoragePlugin

        class Wrong:
            def omskit_storage(
                self, config: OMSConfig, clock: Clock, ids: IdGenerator
            ) -> SandboxCarrier:
                return SandboxCarrier.create()  # a carrier where a store belongs

        plugin: StoragePlugin = Wrong()
    """,
    "ExchangeRatesPlugin": """
        from decimal import Decimal
        from omskit.config import OMSConfig
        from omskit.plugins.spec import ExchangeRatesPlugin

        class Wrong:
            def omskit_exchange_rates(self, config: OMSConfig) -> dict[str, Decimal]:
                return {"EUR/USD": Decimal("1.08")}  # a bare table, no rate() provider

        plugin: ExchangeRatesPlugin = Wrong()
    """,
    "EventPlugin": """
        from omskit.orders.model import Order
        from omskit.plugins.spec import EventPlugin

        class Wrong:
            def omskit_on_event(self, event: Order) -> None:
                pass  # expects an order; every kind of event arrives

        plugin: EventPlugin = Wrong()
    """,
}

ERROR = re.compile(r"^(?P<path>.+?):(?P<line>\d+): error: (?P<text>.*)$")


@pytest.fixture(scope="module")
def mypy_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], str]:
    """One ``mypy --strict`` run over the good module and every bad one."""
    folder = tmp_path_factory.mktemp("hosts")
    # fresh module names: mypy's cache remembers a module by name, not by path
    run = uuid.uuid4().hex[:12]
    good = folder / f"host_good_{run}.py"
    good.write_text(textwrap.dedent(GOOD), encoding="utf-8")
    bad = {}
    for protocol, source in BAD.items():
        bad[protocol] = folder / f"host_bad_{protocol.lower()}_{run}.py"
        bad[protocol].write_text(textwrap.dedent(source), encoding="utf-8")
    cache = str(ROOT / ".mypy_cache")
    out, err, status = api.run(
        ["--strict", "--no-error-summary", "--cache-dir", cache, str(good), *map(str, bad.values())]
    )
    assert status == 1, (out, err)
    return good, bad, out


def errors_in(out: str, path: Path) -> list[str]:
    found = (ERROR.match(line) for line in out.splitlines())
    return [m["text"] for m in found if m is not None and m["path"] == str(path)]


def test_mypy_accepts_typed_plugins_and_omskits_own(
    mypy_run: tuple[Path, dict[str, Path], str],
) -> None:
    good, _, out = mypy_run
    assert errors_in(out, good) == [], out


@pytest.mark.parametrize("protocol", sorted(BAD))
def test_mypy_rejects_a_plugin_returning_the_wrong_kind_of_object(
    mypy_run: tuple[Path, dict[str, Path], str], protocol: str
) -> None:
    _, bad, out = mypy_run
    errors = errors_in(out, bad[protocol])
    assert errors, f"mypy accepted the wrong {protocol} plugin:\n{out}"
    assert all(f'"{protocol}"' in e for e in errors), errors


def test_every_plugin_protocol_has_a_wrong_plugin_here() -> None:
    """A new hook's Protocol joins ``BAD``; otherwise nothing shows it rejects anything."""
    import importlib

    from omskit.plugins.manager import HOOKSPEC_MODULES

    protocols = {
        name
        for dotted in HOOKSPEC_MODULES
        for name in getattr(importlib.import_module(dotted), "__all__", ())
        if name.endswith("Plugin")
    }
    assert protocols == set(BAD)
