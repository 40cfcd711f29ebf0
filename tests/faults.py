"""Fault injection for tests: plugins and stores that fail on purpose, when told to.

Each fault fails before, during or after its side effect, so a test can check what
omskit retries, what it compensates and what it leaves for the host to reconcile.
Import what you need (``from ...faults import FaultyGateway``) and build an OMS with it.

Sections (one per kind of provider, each self-contained):

* carrier and subscriber faults;
* payment gateway and store commit faults.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any, Literal, Self

import attrs

from omskit import OMS
from omskit.carriers import Label, RateRequest, SandboxCarrier
from omskit.clock import Clock
from omskit.config import OMSConfig
from omskit.events import Event
from omskit.ids import IdGenerator
from omskit.money import Money
from omskit.payments import SandboxGateway, Transaction
from omskit.plugins.spec import hookimpl
from omskit.storage.memory import MemoryStore
from omskit.storage.ports import Collection, Repository, StorageBackend, UnitOfWork
from omskit.storage.sqlite import SqliteStore
from omskit.testing import FakeClock

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


# ======================================================================================
# Payment gateway and store commit faults
# ======================================================================================
#
# FaultyGateway wraps a SandboxGateway and fails one operation ("authorize", "capture",
# "void", "refund") at a chosen moment:
#
#   "before"  raises before the sandbox sees the call: nothing happened;
#   "during"  the sandbox carries the call out (and remembers its key), then the wrapper
#             raises instead of answering: the side effect happened, the answer is lost
#             (a timeout after the provider processed the request);
#   "after"   the call is carried out and answered normally; then the gateway goes down:
#             the following calls, of any operation, raise (a fault after the side
#             effect, in the next step of the flow).
#
# ``times`` is how many calls raise (``None``: every one until ``heal()``). A repeated
# key reaches the sandbox, which answers with its first record, as a real gateway does.
#
# FaultyStore wraps a storage backend; ``fail_commit("before")`` raises before anything
# is written, ``fail_commit("after")`` writes everything and then raises (a networked
# database whose acknowledgement is lost).

When = Literal["before", "during", "after"]


class InjectedFault(ConnectionError):
    """The error the fakes raise unless told otherwise (a ``ConnectionError``)."""


@attrs.define
class _Fault:
    operation: str
    when: When
    times: int | None
    error: Callable[[str], BaseException]

    def spend(self) -> bool:
        """Whether this fault fires once more (and count it)."""
        if self.times is None:
            return True
        if self.times <= 0:
            return False
        self.times -= 1
        return True


class FaultyGateway:
    """A payment gateway that fails on purpose; everything else is a :class:`SandboxGateway`.

    Register it through :func:`faulty_oms` (or any plugin): its name is ``inner.name``.

    Attributes:
        inner: the sandbox doing the real work (its ledger is the truth a test checks).
        raised: ``(operation, when, idempotency key)`` of every call that raised.
        calls: ``(operation, idempotency key)`` of every call, in order.
    """

    def __init__(self, inner: SandboxGateway | None = None) -> None:
        self.inner = inner or SandboxGateway("faulty")
        self.name = self.inner.name
        self._faults: list[_Fault] = []
        self._down: _Fault | None = None
        self.raised: list[tuple[str, str, str]] = []
        self.calls: list[tuple[str, str]] = []

    def fail(
        self,
        operation: str,
        when: When = "before",
        *,
        times: int | None = None,
        error: Callable[[str], BaseException] | None = None,
    ) -> None:
        """Make ``operation`` fail ``when``, ``times`` times (``None``: until :meth:`heal`)."""
        if operation not in ("authorize", "capture", "void", "refund"):
            raise ValueError(f"unknown gateway operation {operation!r}")
        make = error or (lambda what: InjectedFault(f"injected gateway fault: {what}"))
        self._faults.append(_Fault(operation, when, times, make))

    def heal(self) -> None:
        """Stop failing: every call reaches the sandbox and is answered."""
        self._faults.clear()
        self._down = None

    # -- the port -----------------------------------------------------------------------
    def authorize(
        self,
        *,
        amount: Money,
        method: str,
        idempotency_key: str,
        authorization: str = "",
        reference: str = "",
    ) -> Transaction:
        """The sandbox's authorize, with the faults set for ``authorize``."""
        return self._through(
            "authorize",
            idempotency_key,
            lambda: self.inner.authorize(
                amount=amount,
                method=method,
                idempotency_key=idempotency_key,
                authorization=authorization,
                reference=reference,
            ),
        )

    def capture(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """The sandbox's capture, with the faults set for ``capture``."""
        return self._through(
            "capture",
            idempotency_key,
            lambda: self.inner.capture(
                authorization=authorization, amount=amount, idempotency_key=idempotency_key
            ),
        )

    def void(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """The sandbox's void, with the faults set for ``void``."""
        return self._through(
            "void",
            idempotency_key,
            lambda: self.inner.void(
                authorization=authorization, amount=amount, idempotency_key=idempotency_key
            ),
        )

    def refund(self, *, authorization: str, amount: Money, idempotency_key: str) -> Transaction:
        """The sandbox's refund, with the faults set for ``refund``."""
        return self._through(
            "refund",
            idempotency_key,
            lambda: self.inner.refund(
                authorization=authorization, amount=amount, idempotency_key=idempotency_key
            ),
        )

    # -- the sandbox's ledger, for assertions ----------------------------------------------
    def open_authorizations(self) -> dict[str, Any]:
        """What the sandbox still holds open, per authorization."""
        return self.inner.open_authorizations()

    def ledger(self, authorization: str) -> dict[str, Any]:
        """The sandbox's amounts for ``authorization``."""
        return self.inner.ledger(authorization)

    def totals(self) -> dict[str, Any]:
        """The sandbox's amounts summed over every authorization it made."""
        totals = dict.fromkeys(("authorized", "captured", "voided", "refunded"), Decimal(0))
        for ledger in self.inner.ledgers().values():
            for name, value in ledger.items():
                totals[name] += value
        return totals

    def _through(self, operation: str, key: str, call: Callable[[], Transaction]) -> Transaction:
        self.calls.append((operation, key))
        if self._down is not None:
            if self._down.spend():
                return self._raise(self._down, operation, key, "after")
            self._down = None
        fault = next((f for f in self._faults if f.operation == operation and f.times != 0), None)
        if fault is None:
            return call()
        if fault.when == "after":
            txn = call()
            self._faults.remove(fault)
            self._down = fault  # the gateway goes down once it has answered
            return txn
        fault.spend()
        if fault.when == "during":
            call()  # the sandbox carries it out; its answer never comes back
        return self._raise(fault, operation, key, fault.when)

    def _raise(self, fault: _Fault, operation: str, key: str, when: str) -> Transaction:
        self.raised.append((operation, when, key))
        raise fault.error(f"{operation} {when} its side effect (key {key})")


class _FaultyUnitOfWork:
    """A unit of work whose commit may fail (see :class:`FaultyStore`)."""

    def __init__(self, store: FaultyStore, inner: UnitOfWork) -> None:
        self._store = store
        self._inner = inner

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)

    def repo(self, collection: Collection[Any]) -> Repository[Any]:
        return self._inner.repo(collection)

    def commit(self) -> list[Event]:
        fault = self._store.next_fault(self)
        if fault is not None and fault.when == "before":
            self._store.raised.append("before")
            raise fault.error("commit before writing")
        events = self._inner.commit()
        if fault is not None:
            self._store.raised.append("after")
            raise fault.error("commit after writing (the acknowledgement was lost)")
        return events

    def rollback(self) -> None:
        self._inner.rollback()


class FaultyStore:
    """A storage backend whose commits fail on purpose; otherwise the wrapped store.

    Attributes:
        inner: the real store.
        raised: ``"before"`` / ``"after"`` for every commit that raised.
        commits: how many commits were attempted.
    """

    def __init__(self, inner: StorageBackend | MemoryStore) -> None:
        self.inner = inner
        self.name = inner.name
        self.outbox = inner.outbox
        self._faults: list[tuple[_Fault, Callable[[UnitOfWork], bool] | None]] = []
        self.raised: list[str] = []
        self.commits = 0

    def fail_commit(
        self,
        when: Literal["before", "after"] = "before",
        *,
        times: int | None = 1,
        error: Callable[[str], BaseException] | None = None,
        writing: Collection[Any] | None = None,
    ) -> None:
        """Make the next ``times`` commits raise ``when`` (``None``: until :meth:`heal`).

        With ``writing``, only commits that have loaded that collection count (the
        order capture's commit, not a read-only one).
        """
        make = error or (lambda what: InjectedFault(f"injected store fault: {what}"))
        fault = _Fault("commit", when, times, make)
        match = None if writing is None else _touches(writing)
        self._faults.append((fault, match))

    def heal(self) -> None:
        """Stop failing commits."""
        self._faults.clear()

    def next_fault(self, uow: _FaultyUnitOfWork) -> _Fault | None:
        """The fault this commit meets, if any (counting it)."""
        self.commits += 1
        for fault, match in self._faults:
            if (match is None or match(uow._inner)) and fault.spend():
                return fault
        return None

    def unit_of_work(self) -> _FaultyUnitOfWork:
        """A new transaction on the wrapped store."""
        return _FaultyUnitOfWork(self, self.inner.unit_of_work())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _touches(collection: Collection[Any]) -> Callable[[UnitOfWork], bool]:
    def match(uow: UnitOfWork) -> bool:
        repos: Mapping[str, Any] = getattr(uow, "_repos", {})
        repo = repos.get(collection.name)
        return repo is not None and bool(getattr(repo, "_dirty", None))

    return match


@attrs.define
class Faults:
    """What :func:`faulty_oms` built: the OMS and the fakes to steer."""

    oms: OMS
    gateway: FaultyGateway
    store: FaultyStore


def faulty_oms(
    clock: Clock | None = None,
    config: Mapping[str, Any] | None = None,
    plugins: tuple[object, ...] = (),
) -> Faults:
    """An in-memory OMS whose ``web`` channel pays through a :class:`FaultyGateway`
    and whose store is a :class:`FaultyStore` (both healthy until told to fail).
    """
    gateway = FaultyGateway()
    stores: list[FaultyStore] = []

    class FaultPlugin:
        @hookimpl
        def omskit_register_payment_gateways(self) -> list[FaultyGateway]:
            return [gateway]

        @hookimpl(tryfirst=True)
        def omskit_storage(
            self, config: OMSConfig, clock: Clock, ids: IdGenerator
        ) -> FaultyStore | None:
            if config.storage == "memory":
                inner: StorageBackend = MemoryStore(clock, ids)
            elif config.storage.startswith("sqlite:"):  # OMSKIT_TEST_STORAGE=sqlite
                inner = SqliteStore(config.storage, clock, ids)
            else:
                return None
            stores.append(FaultyStore(inner))
            return stores[-1]

    oms = OMS.in_memory(
        config,
        (FaultPlugin(), *plugins),
        clock=clock or FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)),
        autoload=False,
    )
    oms.channels.update("web", payment_gateway=gateway.name)
    return Faults(oms, gateway, stores[-1])


# ======================================================================================
# (end of the payment gateway and store commit faults)
# ======================================================================================
