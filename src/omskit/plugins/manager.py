"""Builds the plugin manager and turns registration hooks into registries by name."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

import pluggy

from omskit.errors import DuplicateRegistration, PluginError, UnknownProvider
from omskit.plugins import spec

__all__ = [
    "AUTOLOAD_ENV",
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "HOOKSPEC_MODULES",
    "Registry",
    "collect_registry",
    "make_plugin_manager",
]

ENTRY_POINT_GROUP = "omskit"
AUTOLOAD_ENV = "OMSKIT_DISABLE_PLUGIN_AUTOLOAD"

#: The built-in plugins, registered first so that every other plugin is called before them.
#: Each lives beside what it provides, in a ``plugin`` module (as pytest keeps its default
#: plugins beside the code they serve): the kernel's stores beside ``omskit.storage``, the
#: fixed exchange rates beside ``omskit.money``, each capability's providers in its own
#: package. They are named here as text and imported when the manager is built, so the
#: plugin machinery never imports what it registers.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "omskit.storage.plugin",
    "omskit.money_plugin",
    "omskit.pricing.tax.plugin",
    "omskit.routing.plugin",
    "omskit.carriers.plugin",
    "omskit.payments.plugin",
    "omskit.notifications.plugin",
    "omskit.returns.plugin",
)

#: Where the hooks are declared: the kernel's own, then each capability's, beside it.
#: Named as text for the same reason as ``DEFAULT_PLUGINS``.
HOOKSPEC_MODULES: tuple[str, ...] = (
    "omskit.plugins.spec",
    "omskit.pricing.hooks",
    "omskit.carriers.hooks",
    "omskit.routing.hooks",
    "omskit.payments.hooks",
    "omskit.orders.hooks",
    "omskit.notifications.hooks",
    "omskit.returns.hooks",
)

T = TypeVar("T")


def make_plugin_manager(
    plugins: Iterable[object] = (), *, autoload: bool | None = None
) -> pluggy.PluginManager:
    """A plugin manager with the built-ins, entry-point plugins and ``plugins``.

    Args:
        plugins: extra plugin objects or modules, called before all others.
        autoload: load the ``omskit`` entry-point group; ``None`` means yes unless the
            ``OMSKIT_DISABLE_PLUGIN_AUTOLOAD`` environment variable is set.
    """
    pm = pluggy.PluginManager(spec.PROJECT_NAME)
    for dotted in HOOKSPEC_MODULES:
        pm.add_hookspecs(importlib.import_module(dotted))
    for dotted in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(dotted), name=dotted)
    if autoload is None:
        autoload = not os.environ.get(AUTOLOAD_ENV)
    if autoload:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in plugins:
        if pm.is_registered(plugin):
            continue
        name = getattr(plugin, "__name__", None) or type(plugin).__name__
        if pm.get_plugin(name) is not None:
            name = f"{name}-{id(plugin):x}"
        pm.register(plugin, name=name)
    pm.check_pending()
    return pm


class Registry(Generic[T]):
    """Named providers of one kind (carriers, gateways, strategies); names are unique."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._sources: dict[str, str] = {}

    def register(self, item: T, source: str = "the host", name: str | None = None) -> None:
        """Add ``item`` under ``name`` (default: its ``name`` attribute).

        Raises:
            DuplicateRegistration: the name is taken.
            PluginError: the item has no usable name.
        """
        key = name if name is not None else getattr(item, "name", None)
        if not isinstance(key, str) or not key:
            raise PluginError(
                f"{self.kind} {item!r} from {source} has no name; give it a non-empty "
                f"'name' attribute"
            )
        if key in self._items:
            raise DuplicateRegistration(self.kind, key, self._sources[key], source)
        self._items[key] = item
        self._sources[key] = source

    def get(self, name: str) -> T:
        """The provider called ``name``; raises [`UnknownProvider`][] listing the known ones."""
        try:
            return self._items[name]
        except (KeyError, TypeError):  # TypeError: a name that is no text (a list...)
            raise UnknownProvider(self.kind, name, self._items) from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def names(self) -> list[str]:
        """Registered names, in registration order."""
        return list(self._items)


def collect_registry(pm: pluggy.PluginManager, hook_name: str, kind: str) -> Registry[Any]:
    """Call registration hook ``hook_name`` on each plugin and fill a registry from the results.

    Built-in plugins register first, so a duplicate name is reported against the plugin
    that came second. pluggy's results carry no type, so the caller names the port it
    expects (``registry: Registry[Carrier] = collect_registry(...)``); the plugins' own
    Protocols (``CarrierPlugin``...) are what checks them.
    """
    registry: Registry[Any] = Registry(kind)
    caller = getattr(pm.hook, hook_name)
    for impl in caller.get_hookimpls():  # pluggy lists them first-registered first
        for item in impl.function() or ():
            registry.register(item, source=f"plugin {impl.plugin_name!r}")
    return registry
