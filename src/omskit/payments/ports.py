"""The small typed context the payment use cases run against.

``running`` (journaled use cases, compensations) and ``reconcile`` (making stored
payments agree with the gateway) are plain functions over a [`PaymentPorts`][]
and a unit of work: they never see the `PaymentService` facade, which builds the
ports once and hands them down. So the import arrows run one way:
``service -> running -> reconcile -> ports``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import attrs

from omskit.payments.compensation import GatewayCall
from omskit.payments.model import Payment, Transaction
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork

__all__ = ["PaymentPorts", "Recorder", "Sender", "Settler"]

#: Brings the payment of a reference in line with what it is due, inside a unit of work.
Settler = Callable[[UnitOfWork, str], object]


class Sender(Protocol):
    """Send ``call`` to the gateway called ``gateway``; its own exception is raised as is."""

    def __call__(self, gateway: str, call: GatewayCall, *, reference: str = "") -> Transaction:
        """Return the gateway's transaction for ``call``."""
        ...


#: Write a call the gateway carried out onto a stored payment.
Recorder = Callable[[UnitOfWork, Payment, GatewayCall], None]


@attrs.frozen
class PaymentPorts:
    """What the payment use cases may touch: the runtime and three gateway-side calls."""

    #: storage, clock, ids
    runtime: Runtime
    #: ``PaymentService.send_raw``: a gateway call whose own error is not wrapped
    send_raw: Sender
    #: ``PaymentService.record_in``: writes a reconciled call onto its payment
    record_in: Recorder
    #: the settler registered now (``PaymentService.settle_with``), or ``None``
    settler: Callable[[], Settler | None]
