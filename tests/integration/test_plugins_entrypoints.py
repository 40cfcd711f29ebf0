"""Third-party plugins load from the ``omskit`` entry-point group of installed packages.

Each test installs a tiny distribution into a temporary directory on ``sys.path``: a
``*.dist-info`` folder with ``METADATA`` and ``entry_points.txt``, next to the plugin
module, which is exactly what ``importlib.metadata.distributions()`` finds.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from omskit import OMS, FixedRates
from omskit.plugins.manager import AUTOLOAD_ENV, ENTRY_POINT_GROUP, make_plugin_manager
from omskit.testing import FakeClock

MODULE = "omskit_entrypoint_probe"
PLUGIN_NAME = "probe"

PLUGIN_SOURCE = textwrap.dedent(
    '''
    """A plugin published through the omskit entry-point group."""

    from omskit import FixedRates, hookimpl

    RECEIVED = []


    @hookimpl
    def omskit_on_event(event):
        RECEIVED.append(event.event_type)


    @hookimpl
    def omskit_exchange_rates(config):
        return FixedRates({"EUR": {"USD": "2"}}, source="entry point")
    '''
)


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A distribution publishing ``probe = omskit_entrypoint_probe`` under ``omskit``."""
    (tmp_path / f"{MODULE}.py").write_text(PLUGIN_SOURCE)
    dist = tmp_path / "omskit_entrypoint_probe-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: omskit-entrypoint-probe\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{PLUGIN_NAME} = {MODULE}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(AUTOLOAD_ENV, raising=False)
    importlib.invalidate_caches()
    yield tmp_path
    sys.modules.pop(MODULE, None)


def test_an_installed_plugin_is_loaded_and_receives_events(installed: Path) -> None:
    oms = OMS.in_memory(clock=FakeClock())
    plugin = oms.plugins.get_plugin(PLUGIN_NAME)
    assert plugin is sys.modules[MODULE]
    oms.catalog.add_product("TEE-M", name="T-shirt")
    assert plugin.RECEIVED == ["ChannelAdded", "ProductAdded"]
    rates = oms.exchange_rates
    assert isinstance(rates, FixedRates)
    assert rates.source == "entry point"  # an installed plugin wins over the built-in


def test_the_environment_variable_turns_autoloading_off(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(AUTOLOAD_ENV, "1")
    oms = OMS.in_memory(clock=FakeClock())
    assert oms.plugins.get_plugin(PLUGIN_NAME) is None
    assert oms.exchange_rates.rate("EUR", "EUR").source == "configuration"


def test_autoload_false_turns_autoloading_off(installed: Path) -> None:
    assert make_plugin_manager(autoload=False).get_plugin(PLUGIN_NAME) is None


def test_autoload_true_loads_even_when_the_variable_is_set(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(AUTOLOAD_ENV, "1")
    assert make_plugin_manager(autoload=True).get_plugin(PLUGIN_NAME) is not None


def test_a_host_plugin_wins_over_an_installed_one(installed: Path) -> None:
    class HostRates:
        from omskit import hookimpl

        @hookimpl
        def omskit_exchange_rates(self, config: object) -> FixedRates:
            return FixedRates({"EUR": {"USD": "3"}}, source="host")

    oms = OMS.in_memory(plugins=[HostRates()], clock=FakeClock())
    assert oms.plugins.get_plugin(PLUGIN_NAME) is not None
    assert oms.exchange_rates.rate("EUR", "USD").source == "host"
