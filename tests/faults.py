"""Fault injection for tests: providers and stores that fail on purpose.

Each fake wraps a real implementation and fails at a chosen point of one operation, so a
test can say exactly what the outside world did before the failure. Import what you
need (``from ...faults import FaultyGateway``) and build an OMS with it.

Sections (one per kind of provider, each self-contained):

* payment gateway and store commit faults;
* carrier and subscriber faults (added separately).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import TracebackType
from typing import Any, Literal, Self

import attrs

from omskit import OMS
from omskit.clock import Clock
from omskit.config import OMSConfig
from omskit.events import Event
from omskit.ids import IdGenerator
from omskit.money import Money
from omskit.payments import SandboxGateway, Transaction
from omskit.plugins import hookimpl
from omskit.storage.memory import MemoryStore
from omskit.storage.ports import Collection, Repository, StorageBackend, UnitOfWork
from omskit.testing import FakeClock

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
            if config.storage != "memory":
                return None
            stores.append(FaultyStore(MemoryStore(clock, ids)))
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
