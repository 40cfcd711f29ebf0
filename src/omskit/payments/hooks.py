"""The payments' hook: gateways registered by name.

Typed with the [`PaymentGateway`][omskit.payments.gateway.PaymentGateway] port.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from omskit.plugins.spec import hookspec

if TYPE_CHECKING:
    from omskit.payments.gateway import PaymentGateway

__all__ = ["GatewayPlugin"]


class GatewayPlugin(Protocol):
    """What a plugin that registers payment gateways looks like to a type checker."""

    def omskit_register_payment_gateways(self) -> Iterable[PaymentGateway]:
        """The gateways this plugin adds."""
        ...


@hookspec
def omskit_register_payment_gateways() -> Iterable[PaymentGateway]:
    """Register payment gateway implementations.

    Every item needs a unique ``name``; two gateways with one name is an error.

    :returns: gateway objects implementing
        [`PaymentGateway`][omskit.payments.gateway.PaymentGateway].
    """
    raise NotImplementedError  # a hookspec: pluggy reads its signature, never runs it
