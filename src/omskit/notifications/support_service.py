"""The support service, reached as ``oms.support``: cases, threads, assignment, SLAs.

Cases live beside notifications because they are the other half of talking to
customers: an agent's answer goes out through the ``case_updated`` trigger, and
[`timeline`][SupportService.timeline] shows the order's history, its shipments and every
message sent about it beside the thread, so an agent answers "where is my order?" in
one call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from omskit.errors import ValidationError
from omskit.notifications.compose import Sources
from omskit.notifications.events import (
    SupportCaseAssigned,
    SupportCaseOpened,
    SupportCaseStatusChanged,
    SupportMessageAdded,
)
from omskit.notifications.model import NOTIFICATIONS, select
from omskit.notifications.support import CASES, CaseMessage, SupportCase
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_email, check_text

__all__ = ["DEFAULT_SLA_HOURS", "CaseTimeline", "SupportService", "TimelineItem"]

T = TypeVar("T")

#: Hours until a case's first SLA due time, by priority (0 low ... 3 urgent).
DEFAULT_SLA_HOURS: Mapping[int, int] = {0: 72, 1: 24, 2: 8, 3: 2}
CHANNELS = ("web", "email", "phone", "chat")


@attrs.frozen
class TimelineItem:
    """One line of a case's merged timeline: when, where from, what."""

    at: dt.datetime
    source: str
    text: str


@attrs.frozen
class CaseTimeline:
    """A case with everything an agent needs beside it, oldest first."""

    case: SupportCase
    order: Any
    items: tuple[TimelineItem, ...]

    def explain(self) -> str:
        """The timeline as readable lines."""
        return "\n".join(f"{i.at:%Y-%m-%d %H:%M} {i.source:<12} {i.text}" for i in self.items)


def _actor(value: object) -> str:
    return check_text(value, "actor", max_length=128)


class SupportService:
    """Support cases linked to orders, lines, shipments and returns."""

    def __init__(self, runtime: Runtime, sources: Sources) -> None:
        self._rt = runtime
        self._sources = sources
        section = runtime.config.section("support")
        unknown = sorted(set(section) - {"sla_hours"})
        if unknown:
            raise ValidationError(f"support.{unknown[0]}", section[unknown[0]],
                                  "unknown setting; known: sla_hours")  # fmt: skip
        hours = dict(DEFAULT_SLA_HOURS)
        for key, value in dict(section.get("sla_hours", {})).items():
            if key not in hours or isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(f"support.sla_hours.{key}", value,
                                      "expected priority 0-3 -> whole hours")  # fmt: skip
            hours[key] = value
        self.sla_hours = hours

    def _read(self, fn: Callable[[UnitOfWork], T]) -> T:
        with self._rt.storage.unit_of_work() as uow:
            return fn(uow)

    def open(
        self,
        subject: str,
        *,
        customer: str,
        message: str = "",
        order_id: str = "",
        line_id: str = "",
        shipment_id: str = "",
        rma_id: str = "",
        channel: str = "web",
        priority: int = 1,
        actor: str | None = None,
    ) -> SupportCase:
        """Open a case for ``customer`` (an email), by the customer or by an agent.

        ``actor`` defaults to the customer; an ``order_id`` must name an order of theirs,
        a ``line_id`` a line of it, a ``shipment_id`` one of its shipments.

        Raises:
            ValidationError: naming the field, for anything malformed or not linked.
            NotFound: no such order or shipment.
        """
        subject = check_text(subject, "subject")
        customer = check_email(customer, "customer")
        who = _actor(actor if actor is not None else customer)
        if channel not in CHANNELS:
            raise ValidationError("channel", channel, f"expected one of {', '.join(CHANNELS)}")
        if priority not in self.sla_hours or isinstance(priority, bool):
            raise ValidationError("priority", priority, "expected 0, 1, 2 or 3")
        self._check_links(customer, order_id, line_id, shipment_id)
        now = self._rt.clock.now()
        body = check_text(message, "message", max_length=10_000, required=False)

        def use_case(uow: UnitOfWork) -> SupportCase:
            case = SupportCase(
                id=self._rt.ids.new_id("case"), subject=subject, customer=customer,
                opened_at=now, due_at=now + dt.timedelta(hours=self.sla_hours[priority]),
                opened_by=who, order_id=order_id, line_id=line_id, shipment_id=shipment_id,
                rma_id=rma_id, channel=channel, priority=priority,
            )  # fmt: skip
            if body:
                kind = "customer" if who == customer else "agent"
                first = CaseMessage(self._rt.ids.new_id("msg"), now, who, kind, body)
                case.messages.append(first)
            opened = SupportCaseOpened(case_id=case.id, order_id=order_id, customer=customer,
                                       subject=subject, actor=who, due_at=case.due_at)  # fmt: skip
            case.record(opened)
            uow.repo(CASES).add(case)
            return case

        return self._rt.run(use_case)

    def _check_links(self, customer: str, order_id: str, line_id: str, shipment_id: str) -> None:
        if not order_id:
            if line_id or shipment_id:
                raise ValidationError("order_id", order_id, "a line or shipment needs its order")
            return
        order = self._sources.order(order_id)
        if order.customer_email.lower() != customer.lower():
            raise ValidationError("order_id", order_id, f"not an order of {customer}")
        if line_id and line_id not in {line.id for line in order.lines}:
            lines = ", ".join(line.id for line in order.lines)
            raise ValidationError("line_id", line_id, f"expected a line of the order: {lines}")
        if shipment_id:
            shipment = self._sources.shipment(shipment_id)
            if shipment.order_id != order_id:
                raise ValidationError("shipment_id", shipment_id, "not a shipment of the order")

    def add_message(
        self,
        case_id: str,
        body: str,
        *,
        author: str,
        author_kind: str = "agent",
        internal: bool = False,
        actor: str = "system",
    ) -> SupportCase:
        """Add a message to the thread.

        A customer writing resumes a case waiting on them and reopens a resolved or
        closed one; an agent's first answer sets ``first_response_at``. An agent's
        non-internal message is sent to the customer (trigger ``case_updated``).
        ``author`` is who wrote the message; ``actor`` is who added it (a connector
        relaying a customer's e-mail, say), recorded on the event.
        """
        body = check_text(body, "body", max_length=10_000)
        author = _actor(author)
        actor = _actor(actor)
        if author_kind not in ("agent", "customer"):
            raise ValidationError("author_kind", author_kind, "expected 'agent' or 'customer'")
        if not isinstance(internal, bool) or (internal and author_kind == "customer"):
            raise ValidationError("internal", internal, "only an agent's note can be internal")
        now = self._rt.clock.now()

        def change(case: SupportCase) -> None:
            message = CaseMessage(self._rt.ids.new_id("msg"), now, author, author_kind, body,
                                  internal)  # fmt: skip
            case.messages.append(message)
            if author_kind == "customer" and case.status != "open":
                action = "resume" if case.status.startswith("waiting") else "reopen"
                if case.status != "waiting_on_warehouse":
                    self._move(case, action, now, author, "the customer wrote")
            if author_kind == "agent" and not internal and case.first_response_at is None:
                case.first_response_at = now
            case.record(SupportMessageAdded(
                case_id=case.id, order_id=case.order_id, customer=case.customer,
                subject=case.subject, message_id=message.id, author=author,
                author_kind=author_kind, internal=internal, body=body, actor=actor,
            ))  # fmt: skip

        return self._change(case_id, change)

    def assign(self, case_id: str, assignee: str, *, actor: str = "system") -> SupportCase:
        """Give the case to ``assignee`` (empty: unassign)."""
        assignee = check_text(assignee, "assignee", max_length=128, required=False)
        actor = _actor(actor)

        def change(case: SupportCase) -> None:
            case.assignee = assignee
            case.record(SupportCaseAssigned(case_id=case.id, assignee=assignee, actor=actor))

        return self._change(case_id, change)

    def transition(
        self, case_id: str, action: str, *, actor: str = "system", note: str = ""
    ) -> SupportCase:
        """Move the case along the status table (``resolve``, ``close``, ``reopen``...).

        Raises:
            InvalidTransition: ``action`` is not allowed from the case's status.
        """
        actor = _actor(actor)
        note = check_text(note, "note", required=False)
        now = self._rt.clock.now()
        return self._change(case_id, lambda case: self._move(case, action, now, actor, note))

    @staticmethod
    def _move(case: SupportCase, action: str, now: dt.datetime, actor: str, note: str) -> None:
        previous = case.move(action, now, actor, note)
        case.record(SupportCaseStatusChanged(case_id=case.id, order_id=case.order_id,
                                             status=case.status, previous_status=previous,
                                             actor=actor))  # fmt: skip

    def _change(self, case_id: str, fn: Callable[[SupportCase], None]) -> SupportCase:
        def use_case(uow: UnitOfWork) -> SupportCase:
            repo = uow.repo(CASES)
            case = repo.get(case_id)
            fn(case)
            repo.save(case)
            return case

        return self._rt.run(use_case)

    def get(self, case_id: str) -> SupportCase:
        """The case ``case_id``; raises ``NotFound``."""
        return self._read(lambda uow: uow.repo(CASES).get(case_id))

    def cases(
        self,
        *,
        status: str | None = None,
        order_id: str | None = None,
        customer: str | None = None,
        assignee: str | None = None,
    ) -> list[SupportCase]:
        """Cases, oldest first, filtered by status, order, customer and assignee."""

        def query(uow: UnitOfWork) -> list[SupportCase]:
            by = {"order": ("order_id", order_id), "customer": ("customer", customer),
                  "status": ("status", status)}  # fmt: skip
            return select(uow.repo(CASES), by, assignee=assignee)

        return self._read(query)

    def overdue(self) -> list[SupportCase]:
        """Active cases past their SLA due time, most overdue first."""
        now = self._rt.clock.now()
        found = [c for c in self.cases() if c.overdue(now)]
        return sorted(found, key=lambda c: c.due_at)

    def timeline(self, case_id: str) -> CaseTimeline:
        """The case, its order, and one merged timeline, oldest first.

        It holds the order's merged timeline (``oms.orders.timeline``: order, payment,
        fulfillment, shipments' tracking, returns), the messages sent about it, and
        the case's own steps and thread.
        """
        case = self.get(case_id)
        items: list[TimelineItem] = []
        order = None
        if case.order_id:
            order = self._sources.order(case.order_id)
            for entry in self._sources.timeline(case.order_id).entries:
                items.append(TimelineItem(entry.at, entry.source, f"{entry.actor} {entry.text}"))

            def sent(uow: UnitOfWork) -> list[TimelineItem]:
                found = uow.repo(NOTIFICATIONS).list_view("order", case.order_id)
                return [TimelineItem(m.created_at, "notification",
                                     f"{m.trigger} {m.channel} {m.status}: {m.subject}")
                        for m in found]  # fmt: skip

            items.extend(self._read(sent))
        items.append(TimelineItem(case.opened_at, "case", f"opened by {case.opened_by}"))
        for message in case.messages:
            marker = " (internal)" if message.internal else ""
            items.append(TimelineItem(message.at, f"{message.author_kind}{marker}",
                                      f"{message.author}: {message.body}"))  # fmt: skip
        for step in case.history:
            items.append(TimelineItem(step.at, "case", f"{step.previous} -> {step.status} "
                                                      f"by {step.actor}"))  # fmt: skip
        items.sort(key=lambda i: i.at)
        return CaseTimeline(case, order, tuple(items))
