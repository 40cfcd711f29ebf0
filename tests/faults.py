"""Fault injection for tests: plugins and stores that fail on purpose, when told to.

Each fault fails before, or after, its side effect, so a test can check what omskit
retries, what it compensates and what it leaves for the host to reconcile.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Sequence
from typing import Any

import attrs

from omskit.carriers import Label, RateRequest, SandboxCarrier
from omskit.events import Event
from omskit.plugins.spec import hookimpl

# ==== carrier and subscriber faults ===================================================
# (issue 10 items 5 and 12: labels bought before a failure, plugins failing raw,
# subscribers raising Exception or BaseException)


@attrs.define
class Fault:
    """One planned failure: raise ``error`` ``when`` (``"before"`` or ``"after"``) acting."""

    error: BaseException
    when: str = "before"


class FaultyCarrier:
    """A sandbox carrier (registered as ``name``) that fails when a test plans it.

    ``fail("buy_label", when="after")`` buys the labels at the "carrier" (they exist in
    its account, :meth:`bought`) and then raises, as a carrier does whose answer is lost
    on the way back; ``when="before"`` raises having bought nothing. Faults are used
    once each, in the order planned. Every other attribute is the sandbox's own.
    """

    def __init__(self, name: str = "flaky", *, find: bool = True) -> None:
        self.inner = SandboxCarrier.create(name)
        self.plan: dict[str, deque[Fault]] = {}
        self.calls: list[str] = []
        self._find = find

    def fail(
        self, operation: str, when: str = "before", error: BaseException | None = None
    ) -> FaultyCarrier:
        """Plan one failure of ``operation``; the default error is a ``ConnectionError``."""
        raised = error or ConnectionError(f"{self.inner.name} {operation}: connection reset")
        self.plan.setdefault(operation, deque()).append(Fault(raised, when))
        return self

    def _fault(self, operation: str, when: str) -> None:
        queue = self.plan.get(operation)
        if queue and queue[0].when == when:
            raise queue.popleft().error

    def __getattr__(self, name: str) -> Any:
        if name == "find_labels":
            raise AttributeError(name)  # hidden by __getattribute__: no lookup here
        return getattr(self.inner, name)

    def __getattribute__(self, name: str) -> Any:
        if name == "find_labels" and not object.__getattribute__(self, "_find"):
            raise AttributeError(name)  # a carrier without the optional lookup
        return object.__getattribute__(self, name)

    @property
    def name(self) -> str:
        """The registered name."""
        return self.inner.name

    def buy_label(
        self,
        request: RateRequest,
        service: str,
        *,
        reference: str,
        now: dt.datetime,
        options: Sequence[tuple[str, str]] = (),
        idempotency_key: str = "",
    ) -> tuple[Label, ...]:
        """The sandbox's purchase, with the planned faults around it."""
        self.calls.append("buy_label")
        self._fault("buy_label", "before")
        labels = self.inner.buy_label(
            request,
            service,
            reference=reference,
            now=now,
            options=options,
            idempotency_key=idempotency_key,
        )
        self._fault("buy_label", "after")
        return labels

    def rates(self, request: RateRequest, now: dt.datetime) -> Any:
        """The sandbox's rates, or a planned failure."""
        self._fault("rates", "before")
        return self.inner.rates(request, now)

    def void_label(self, label: Label, now: dt.datetime) -> None:
        """Void at the sandbox, or a planned failure (before voiding)."""
        self.calls.append("void_label")
        self._fault("void_label", "before")
        self.inner.void_label(label, now)

    def find_labels(self, idempotency_key: str) -> tuple[Label, ...]:
        """The sandbox's lookup by key, or a planned failure."""
        self.calls.append("find_labels")
        self._fault("find_labels", "before")
        return self.inner.find_labels(idempotency_key)

    def track(self, label: Label, now: dt.datetime) -> Any:
        """The sandbox's tracking, or a planned failure."""
        self._fault("track", "before")
        return self.inner.track(label, now)

    def purchases(self) -> list[Label]:
        """Every label the carrier account issued (what the shop pays for)."""
        return self.inner.bought()

    def live_purchases(self) -> list[Label]:
        """Issued labels not voided at the carrier: what the shop is charged for."""
        return [x for x in self.inner.bought() if not self.inner.is_voided(x.tracking_number)]


class LegacyCarrier(FaultyCarrier):
    """A carrier written before idempotency keys: no ``idempotency_key``, no lookup."""

    def __init__(self, name: str = "legacy") -> None:
        super().__init__(name, find=False)

    def buy_label(  # type: ignore[override]
        self,
        request: RateRequest,
        service: str,
        *,
        reference: str,
        now: dt.datetime,
        options: Sequence[tuple[str, str]] = (),
    ) -> tuple[Label, ...]:
        """Idempotent by ``reference`` only, as the old port promised."""
        return super().buy_label(
            request,
            service,
            reference=reference,
            now=now,
            options=options,
            idempotency_key=f"ref:{reference}",
        )


class CarrierPlugin:
    """A plugin registering ``carriers`` (e.g. a :class:`FaultyCarrier`)."""

    def __init__(self, *carriers: Any) -> None:
        self.carriers = carriers

    @hookimpl
    def omskit_register_carriers(self) -> list[Any]:
        """The carriers given."""
        return list(self.carriers)


class SubscriberStop(BaseException):
    """A ``BaseException`` a subscriber raises that is not a request to stop the process."""


class RaisingSubscriber:
    """A subscriber that raises ``error`` for its first ``times`` deliveries, then records.

    ``error`` may be any exception, a ``BaseException`` subclass included.
    """

    def __init__(self, error: BaseException, times: int = 1) -> None:
        self.error = error
        self.left = times
        self.events: list[Event] = []
        self.calls = 0

    def __call__(self, event: Event) -> None:
        self.calls += 1
        if self.left > 0:
            self.left -= 1
            raise self.error
        self.events.append(event)


# ==== end of carrier and subscriber faults ============================================
