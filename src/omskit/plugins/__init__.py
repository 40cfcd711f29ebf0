"""Plugin machinery: hookspecs, the plugin manager and registries by name."""

from omskit.plugins.manager import DEFAULT_PLUGINS, Registry, make_plugin_manager
from omskit.plugins.spec import hookimpl, hookspec

__all__ = ["DEFAULT_PLUGINS", "Registry", "hookimpl", "hookspec", "make_plugin_manager"]
