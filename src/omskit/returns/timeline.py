"""The entries returns add to an order's merged timeline (``oms.orders.timeline``)."""

from __future__ import annotations

from collections.abc import Iterator

from omskit.orders.timeline import TimelineEvent
from omskit.returns.model import RMAS
from omskit.storage.ports import UnitOfWork

__all__ = ["timeline_entries"]


def timeline_entries(uow: UnitOfWork, order_id: str) -> Iterator[TimelineEvent]:
    """Every step of the order's returns, each with its actor."""
    for rma in uow.repo(RMAS).list_view("order", order_id):
        for step in rma.history:
            move = f"{step.before or 'new'} -> {step.after}"
            text = f"{rma.id} {step.action}: {move}" + (f" ({step.note})" if step.note else "")
            yield TimelineEvent(step.at, "return", step.action, step.actor, text, rma.id)
