"""Every hook in ``HOOKSPEC_MODULES`` is documented as a contract and has its own test.

A test for hook ``omskit_<name>`` is a function named ``test_hook_<name>_...`` anywhere
under ``tests/``; :func:`test_every_hook_has_its_own_test` keeps that true as hooks are
added (after datasette's ``test_plugin_hooks_have_tests``).
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from omskit import OMS, FixedRates, FloatNotAllowed, Problem, ValidationError, hookimpl
from omskit.config import OMSConfig
from omskit.events import Event
from omskit.plugins import spec
from omskit.plugins.manager import HOOKSPEC_MODULES, collect_registry
from omskit.storage.memory import MemoryStore
from omskit.testing import FakeClock, SequentialIds
from omskit.validation import Problems

from .conftest import STORAGE

TESTS = Path(__file__).resolve().parent
PREFIX = f"{spec.PROJECT_NAME}_"


def hookspecs() -> dict[str, Callable[..., Any]]:
    """Every hookspec function, by name, from the kernel and each capability."""
    marker = f"{spec.PROJECT_NAME}_spec"
    found: dict[str, Callable[..., Any]] = {}
    for dotted in HOOKSPEC_MODULES:
        for name, fn in vars(importlib.import_module(dotted)).items():
            if name.startswith(PREFIX) and callable(fn) and hasattr(fn, marker):
                assert name not in found, f"{name} is declared twice"
                found[name] = fn
    return found


def is_firstresult(fn: Callable[..., Any]) -> bool:
    opts: dict[str, Any] = getattr(fn, f"{spec.PROJECT_NAME}_spec")
    return bool(opts.get("firstresult"))


def test_the_spec_modules_declare_the_hooks_of_the_architecture() -> None:
    expected = {
        "omskit_storage",
        "omskit_register_carriers",
        "omskit_register_payment_gateways",
        "omskit_register_routing_strategies",
        "omskit_tax_provider",
        "omskit_exchange_rates",
        "omskit_risk_checks",
        "omskit_validate_order",
        "omskit_on_event",
    }
    assert expected <= set(hookspecs())


@pytest.mark.parametrize("name", sorted(hookspecs()))
def test_every_hookspec_documents_its_parameters_and_result(name: str) -> None:
    fn = hookspecs()[name]
    doc = inspect.getdoc(fn) or ""
    assert doc, f"{name} has no docstring"
    signature = inspect.signature(fn)
    for param in signature.parameters:
        assert f":param {param}:" in doc, f"{name} does not document {param!r}"
    returns = signature.return_annotation
    if returns not in (None, "None", inspect.Signature.empty):
        assert ":returns:" in doc, f"{name} does not document what it returns"


@pytest.mark.parametrize("name", sorted(n for n, fn in hookspecs().items() if is_firstresult(fn)))
def test_every_firstresult_hook_says_it_stops_at_the_first_result(name: str) -> None:
    doc = inspect.getdoc(hookspecs()[name]) or ""
    assert "stops at the first non-none result" in doc.lower()


@functools.cache
def collect_test_names() -> frozenset[str]:
    """Names of every test function under ``tests/``."""
    names: set[str] = set()
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names.update(
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
        )
    return frozenset(names)


@pytest.mark.parametrize("name", sorted(hookspecs()))
def test_every_hook_has_its_own_test(name: str) -> None:
    wanted = f"test_hook_{name.removeprefix(PREFIX)}"
    assert any(t.startswith(wanted) for t in collect_test_names()), (
        f"no test named {wanted}_... for hook {name}"
    )


# -- one test per hook -------------------------------------------------------------------


@attrs.frozen
class Named:
    """A provider with a name, as registries want."""

    name: str


class CustomStore(MemoryStore):
    """A host storage backend; an in-memory one under another name."""

    name = "custom"


class CustomStorage:
    """A plugin answering ``omskit_storage`` for ``storage="custom"``."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    @hookimpl
    def omskit_storage(self, config: OMSConfig, clock: Any, ids: Any) -> MemoryStore | None:
        self.asked.append(config.storage)
        return CustomStore(clock, ids) if config.storage == "custom" else None


def test_hook_storage_provides_the_backend_named_in_the_configuration() -> None:
    plugin = CustomStorage()
    oms = OMS(
        {"storage": "custom"}, [plugin], clock=FakeClock(), ids=SequentialIds(), autoload=False
    )
    assert isinstance(oms.runtime.storage, CustomStore)
    assert plugin.asked == ["custom"]
    oms.catalog.add_product("TEE-M", name="T-shirt")
    assert oms.catalog.get("TEE-M").name == "T-shirt"


@pytest.mark.skipif(STORAGE != "memory", reason="asks for the in-memory store itself")
def test_hook_storage_passes_so_the_builtin_memory_store_answers() -> None:
    plugin = CustomStorage()
    oms = OMS.in_memory(plugins=[plugin], clock=FakeClock(), autoload=False)
    assert plugin.asked == ["memory"]
    assert type(oms.runtime.storage) is MemoryStore


def test_hook_storage_without_any_answer_is_a_plugin_error() -> None:
    from omskit.errors import PluginError

    with pytest.raises(PluginError, match="no plugin provides storage 'postgres'"):
        OMS({"storage": "postgres"}, autoload=False)
    with pytest.raises(PluginError, match="in_memory"):
        OMS.in_memory({"storage": "postgres"}, autoload=False)


class Providers:
    """Registers one fake provider for every ``omskit_register_*`` hook."""

    @hookimpl
    def omskit_register_carriers(self) -> list[Named]:
        return [Named("test-carrier")]

    @hookimpl
    def omskit_register_payment_gateways(self) -> list[Named]:
        return [Named("test-gateway")]

    @hookimpl
    def omskit_register_routing_strategies(self) -> list[Named]:
        return [Named("test-strategy")]


@pytest.mark.parametrize(
    ("hook", "kind", "name"),
    [
        ("omskit_register_carriers", "carrier", "test-carrier"),
        ("omskit_register_payment_gateways", "payment gateway", "test-gateway"),
        ("omskit_register_routing_strategies", "routing strategy", "test-strategy"),
    ],
)
def test_hook_register_providers_fill_registries_by_name(
    oms: OMS, hook: str, kind: str, name: str
) -> None:
    plain = collect_registry(oms.plugins, hook, kind)
    assert name not in plain
    host = OMS.in_memory(plugins=[Providers()], clock=FakeClock(), autoload=False)
    registry = collect_registry(host.plugins, hook, kind)
    assert registry.get(name) == Named(name)
    assert registry.names()[: len(plain)] == plain.names()  # built-ins first, host after


def test_hook_register_carriers_adds_a_carrier_by_name() -> None:
    oms = OMS.in_memory(plugins=[Providers()], clock=FakeClock(), autoload=False)
    assert "test-carrier" in collect_registry(oms.plugins, "omskit_register_carriers", "carrier")


def test_hook_register_payment_gateways_adds_a_gateway_by_name() -> None:
    oms = OMS.in_memory(plugins=[Providers()], clock=FakeClock(), autoload=False)
    registry = collect_registry(oms.plugins, "omskit_register_payment_gateways", "gateway")
    assert "test-gateway" in registry


def test_hook_register_routing_strategies_adds_a_strategy_by_name() -> None:
    oms = OMS.in_memory(plugins=[Providers()], clock=FakeClock(), autoload=False)
    registry = collect_registry(oms.plugins, "omskit_register_routing_strategies", "strategy")
    assert "test-strategy" in registry


class HostTax:
    """A host tax provider."""

    name = "host tax"

    @hookimpl
    def omskit_tax_provider(self, config: OMSConfig) -> HostTax:
        return self


def test_hook_tax_provider_host_answer_wins() -> None:
    host = HostTax()
    oms = OMS.in_memory(plugins=[host], clock=FakeClock(), autoload=False)
    assert oms.plugins.hook.omskit_tax_provider(config=oms.config) is host


class HostRates:
    """A host exchange-rate source."""

    @hookimpl
    def omskit_exchange_rates(self, config: OMSConfig) -> FixedRates:
        return FixedRates({"EUR": {"USD": "1.10"}}, source="host bank")


def test_hook_exchange_rates_host_answer_wins_over_the_configured_table() -> None:
    config = {"exchange_rates": {"EUR": {"USD": "1.08"}}}
    plain = OMS.in_memory(config, clock=FakeClock(), autoload=False)
    assert plain.exchange_rates.rate("EUR", "USD").source == "configuration"
    assert str(plain.exchange_rates.rate("EUR", "USD").rate) == "1.08"
    host = OMS.in_memory(config, [HostRates()], clock=FakeClock(), autoload=False)
    rate = host.exchange_rates.rate("EUR", "USD")
    assert (str(rate.rate), rate.source) == ("1.10", "host bank")


@attrs.frozen
class Signal:
    """A fake risk signal."""

    score: int
    reason: str


class RiskPlugin:
    """Flags orders from a blocked email."""

    def __init__(self) -> None:
        self.seen: list[tuple[Any, Any]] = []

    @hookimpl
    def omskit_risk_checks(self, order: Any, context: Any) -> list[Signal]:
        self.seen.append((order, context))
        if order.get("email") == "fraud@example.com":
            return [Signal(100, "blocked email")]
        return []


def test_hook_risk_checks_collects_signals_from_every_plugin() -> None:
    plugin = RiskPlugin()
    oms = OMS.in_memory(plugins=[plugin], clock=FakeClock(), autoload=False)
    context = {"recent_orders": 0}
    results = oms.plugins.hook.omskit_risk_checks(
        order={"email": "fraud@example.com"}, context=context
    )
    assert [Signal(100, "blocked email")] in results
    assert plugin.seen == [({"email": "fraud@example.com"}, context)]
    clean = oms.plugins.hook.omskit_risk_checks(order={"email": "ok@example.com"}, context={})
    assert all(Signal(100, "blocked email") not in r for r in clean)


class HostValidation:
    """The host's own rule: no PO boxes."""

    @hookimpl
    def omskit_validate_order(self, order: Any) -> list[Problem]:
        if "PO Box" in order.get("line1", ""):
            return [Problem("ship_to.line1", "we do not ship to PO boxes", order["line1"])]
        return []


def test_hook_validate_order_problems_join_omskit_problems() -> None:
    oms = OMS.in_memory(plugins=[HostValidation()], clock=FakeClock(), autoload=False)
    problems = Problems()
    for found in oms.plugins.hook.omskit_validate_order(order={"line1": "PO Box 12"}):
        problems.extend(found or ())
    assert [p.field for p in problems.items] == ["ship_to.line1"]
    with pytest.raises(ValidationError, match="PO boxes"):
        problems.raise_if_any()
    fine = oms.plugins.hook.omskit_validate_order(order={"line1": "Main St 1"})
    assert all(not list(r or ()) for r in fine)


class Listener:
    """Keeps what it hears."""

    def __init__(self) -> None:
        self.heard: list[Event] = []

    @hookimpl
    def omskit_on_event(self, event: Event) -> None:
        self.heard.append(event)


def test_hook_on_event_receives_each_committed_event_once() -> None:
    listener = Listener()
    oms = OMS.in_memory(plugins=[listener], clock=FakeClock(), autoload=False)
    oms.catalog.add_product("TEE-M", name="T-shirt")
    with pytest.raises(FloatNotAllowed):
        oms.catalog.add_product("MUG", name="Mug", price=1.5, currency="EUR")
    assert [e.event_type for e in listener.heard] == ["ChannelAdded", "ProductAdded"]
    assert len({e.event_id for e in listener.heard}) == 2
