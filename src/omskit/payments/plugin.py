"""Built-in plugin: the sandbox payment gateway (registered as ``"sandbox"``)."""

from __future__ import annotations

from omskit.payments.sandbox import SandboxGateway
from omskit.plugins.spec import hookimpl


@hookimpl
def omskit_register_payment_gateways() -> list[SandboxGateway]:
    """A fresh [`SandboxGateway`][] for each OMS."""
    return [SandboxGateway()]
