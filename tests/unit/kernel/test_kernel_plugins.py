"""The plugin manager, DEFAULT_PLUGINS and registries by name."""

from __future__ import annotations

import importlib
import sys

import attrs
import pytest

from omskit.errors import DuplicateRegistration, PluginError, UnknownProvider
from omskit.plugins import DEFAULT_PLUGINS, Registry, hookimpl, make_plugin_manager
from omskit.plugins.manager import collect_registry


@attrs.frozen
class Named:
    """Something a registry can hold."""

    name: str


class Carriers:
    """A host plugin registering carriers."""

    def __init__(self, *names: str) -> None:
        self.names = names

    @hookimpl
    def omskit_register_carriers(self) -> list[Named]:
        return [Named(n) for n in self.names]


def test_every_default_plugin_is_registered_under_its_dotted_name() -> None:
    pm = make_plugin_manager(autoload=False)
    for dotted in DEFAULT_PLUGINS:
        assert pm.get_plugin(dotted) is importlib.import_module(dotted)
    assert "omskit.storage.plugin" in DEFAULT_PLUGINS
    assert "omskit.money_plugin" in DEFAULT_PLUGINS


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        ("omskit.plugins.builtin.memory_storage", "omskit.storage.plugin", ["omskit_storage"]),
        (
            "omskit.plugins.builtin.sql_storage",
            "omskit.storage.plugin",
            ["SCHEMES", "omskit_storage", "open_sql_store"],
        ),
        ("omskit.plugins.builtin.fixed_rates", "omskit.money_plugin", ["omskit_exchange_rates"]),
    ],
)
def test_the_old_builtin_modules_still_import_with_a_deprecation_warning(
    old: str, new: str, names: list[str]
) -> None:
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=rf"{old} is deprecated; import {new}"):
        alias = importlib.import_module(old)
    moved = importlib.import_module(new)
    for name in names:
        assert getattr(alias, name) is getattr(moved, name)


def test_host_plugins_are_registered_once_even_if_passed_twice() -> None:
    plugin = Carriers("a")
    pm = make_plugin_manager([plugin, plugin], autoload=False)
    assert pm.is_registered(plugin)
    assert collect_registry(pm, "omskit_register_carriers", "carrier").names()[-1:] == ["a"]


def test_two_instances_of_one_plugin_class_get_distinct_names() -> None:
    first, second = Carriers("a"), Carriers("b")
    pm = make_plugin_manager([first, second], autoload=False)
    assert pm.get_name(first) != pm.get_name(second)


def test_a_registry_holds_providers_by_name_in_registration_order() -> None:
    registry: Registry[Named] = Registry("carrier")
    registry.register(Named("dhl"))
    registry.register(Named("ups"), source="plugin 'acme'")
    registry.register(Named("whatever"), name="alias")
    assert registry.names() == ["dhl", "ups", "alias"]
    assert registry.get("ups") == Named("ups")
    assert "dhl" in registry
    assert "fedex" not in registry
    assert len(registry) == 3
    assert list(registry) == [Named("dhl"), Named("ups"), Named("whatever")]


def test_a_duplicate_name_is_refused_naming_both_sources() -> None:
    registry: Registry[Named] = Registry("carrier")
    registry.register(Named("dhl"), source="plugin 'builtin'")
    with pytest.raises(DuplicateRegistration) as info:
        registry.register(Named("dhl"), source="plugin 'acme'")
    assert "plugin 'builtin'" in str(info.value)
    assert "plugin 'acme'" in str(info.value)
    assert registry.names() == ["dhl"]


def test_an_unknown_name_raises_unknown_provider_listing_the_known_ones() -> None:
    registry: Registry[Named] = Registry("carrier")
    registry.register(Named("ups"))
    registry.register(Named("dhl"))
    with pytest.raises(UnknownProvider) as info:
        registry.get("fedex")
    assert info.value.known == ("dhl", "ups")
    assert "'dhl', 'ups'" in str(info.value)
    assert isinstance(info.value, LookupError)


@pytest.mark.parametrize("item", [object(), Named(""), Named(5)])  # type: ignore[arg-type]
def test_a_provider_without_a_usable_name_is_refused(item: object) -> None:
    with pytest.raises(PluginError, match="has no name"):
        Registry[object]("carrier").register(item)


def test_collect_registry_reports_a_duplicate_against_the_later_plugin() -> None:
    early, late = Carriers("dhl"), Carriers("ups", "dhl")
    pm = make_plugin_manager([early, late], autoload=False)
    with pytest.raises(DuplicateRegistration) as info:
        collect_registry(pm, "omskit_register_carriers", "carrier")
    message = str(info.value)
    first, second = f"plugin {pm.get_name(early)!r}", f"plugin {pm.get_name(late)!r}"
    assert message.index(f"by {first} and by {second}") > 0


def test_collect_registry_lists_providers_in_registration_order() -> None:
    pm = make_plugin_manager([Carriers("first"), Carriers("second")], autoload=False)
    names = collect_registry(pm, "omskit_register_carriers", "carrier").names()
    assert names.index("first") < names.index("second")
