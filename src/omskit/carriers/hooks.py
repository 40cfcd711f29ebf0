"""The carriers' hook: carriers registered by name.

Typed with the [`Carrier`][omskit.carriers.port.Carrier] port.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from omskit.plugins.spec import hookspec

if TYPE_CHECKING:
    from omskit.carriers.port import Carrier

__all__ = ["CarrierPlugin"]


class CarrierPlugin(Protocol):
    """What a plugin that registers carriers looks like to a type checker.

    A host module or class with this hook satisfies it; annotate it as ``CarrierPlugin``
    and ``mypy --strict`` rejects a hook that returns something that is not a carrier.
    """

    def omskit_register_carriers(self) -> Iterable[Carrier]:
        """The carriers this plugin adds."""
        ...


@hookspec
def omskit_register_carriers() -> Iterable[Carrier]:
    """Register carrier implementations.

    Every item needs a unique ``name``; two carriers with one name is an error. The
    built-ins are ``tablerate`` and ``sandbox``; a carrier with a ``configured(section)``
    method receives its settings from configuration section ``carriers``.

    :returns: carrier objects implementing
        [`omskit.carriers.Carrier`][omskit.carriers.port.Carrier].
    """
    raise NotImplementedError  # a hookspec: pluggy reads its signature, never runs it
