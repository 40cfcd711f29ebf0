"""Support cases: inquiries and tickets linked to an order, a line, a shipment or a return.

A [`SupportCase`][] has a message thread, an assignee, an SLA due time (from its
priority) and a status that moves only along ``CASE_MOVES``::

    open <──resume── waiting_on_customer / waiting_on_warehouse
      │  ──wait_on_customer / wait_on_warehouse──>
      └──resolve──> resolved ──close──> closed
                      └────reopen────┘ (from resolved or closed, back to open)

A customer writing on a case that waits on them resumes it; writing on a resolved or
closed case reopens it. An agent's (non-internal) answer reaches the customer through
the ``case_updated`` trigger.
"""

from __future__ import annotations

import datetime as dt

import attrs

from omskit.errors import InvalidTransition
from omskit.storage.ports import Aggregate, Collection

__all__ = ["CASES", "CASE_MOVES", "CASE_STATUSES", "CaseMessage", "CaseStep", "SupportCase"]

#: Every status a case can have.
CASE_STATUSES: tuple[str, ...] = (
    "open", "waiting_on_customer", "waiting_on_warehouse", "resolved", "closed",
)  # fmt: skip

_ACTIVE = frozenset({"open", "waiting_on_customer", "waiting_on_warehouse"})

#: The status table: action -> (statuses it is allowed from, status it leads to).
CASE_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "wait_on_customer": (frozenset({"open", "waiting_on_warehouse"}), "waiting_on_customer"),
    "wait_on_warehouse": (frozenset({"open", "waiting_on_customer"}), "waiting_on_warehouse"),
    "resume": (frozenset({"waiting_on_customer", "waiting_on_warehouse"}), "open"),
    "resolve": (_ACTIVE, "resolved"),
    "close": (frozenset({"resolved"}), "closed"),
    "reopen": (frozenset({"resolved", "closed"}), "open"),
}


@attrs.frozen
class CaseMessage:
    """One message of a case's thread; ``internal`` notes are never sent to the customer."""

    id: str
    at: dt.datetime
    author: str
    author_kind: str
    body: str
    internal: bool = False


@attrs.frozen
class CaseStep:
    """One status change: when, from, to, who, why."""

    at: dt.datetime
    previous: str
    status: str
    actor: str
    note: str = ""


@attrs.define(eq=False)
class SupportCase(Aggregate):
    """An inquiry or ticket, linked to what it is about."""

    subject: str
    customer: str
    opened_at: dt.datetime
    due_at: dt.datetime
    opened_by: str
    order_id: str = ""
    line_id: str = ""
    shipment_id: str = ""
    rma_id: str = ""
    channel: str = "web"
    priority: int = 1
    status: str = "open"
    assignee: str = ""
    first_response_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    messages: list[CaseMessage] = attrs.field(factory=list)
    history: list[CaseStep] = attrs.field(factory=list)

    def move(self, action: str, at: dt.datetime, actor: str, note: str = "") -> str:
        """Apply ``action`` from ``CASE_MOVES``; returns the previous status.

        Raises:
            InvalidTransition: ``action`` is not allowed from the current status.
        """
        if action not in CASE_MOVES:
            allowed = ", ".join(sorted(CASE_MOVES))
            raise InvalidTransition(f"case {self.id}", self.status, action, [allowed])
        froms, target = CASE_MOVES[action]
        if self.status not in froms:
            raise InvalidTransition(f"case {self.id}", self.status, action, sorted(froms))
        previous, self.status = self.status, target
        self.history.append(CaseStep(at, previous, target, actor, note))
        if target == "resolved":
            self.resolved_at = at
        elif target == "open":
            self.resolved_at = None
        return previous

    def overdue(self, now: dt.datetime) -> bool:
        """Whether the case is still active past its SLA due time."""
        return self.status in _ACTIVE and now > self.due_at


CASES: Collection[SupportCase] = Collection(
    "support_cases",
    SupportCase,
    indexes={
        "order": lambda c: c.order_id or None,
        "customer": lambda c: c.customer,
        "status": lambda c: c.status,
    },
    label="support case",
)
