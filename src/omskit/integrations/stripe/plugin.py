"""The Stripe plugin: registers a [`StripeGateway`][] through omskit's gateway hook."""

from __future__ import annotations

from omskit.integrations.stripe.gateway import StripeGateway
from omskit.plugins.spec import hookimpl

__all__ = ["StripePlugin"]


class StripePlugin:
    """Pass to ``OMS(plugins=[StripePlugin(gateway)])``; channels pick it by its name.

    ``oms.channels`` ``payment_gateway="stripe"`` then sends that channel's payments
    through Stripe.
    """

    def __init__(self, gateway: StripeGateway) -> None:
        self.gateway = gateway

    @hookimpl
    def omskit_register_payment_gateways(self) -> list[StripeGateway]:
        """The one Stripe gateway this plugin was built with."""
        return [self.gateway]
