"""Use cases through the runtime: all or nothing, and safe under concurrent writers."""

from __future__ import annotations

import threading

import attrs
import pytest

from omskit import OMS, ConcurrencyConflict
from omskit.catalog import PRODUCTS
from omskit.errors import AlreadyExists
from omskit.events import Event
from omskit.storage.ports import Aggregate, Collection, UnitOfWork
from omskit.testing import RecordingSubscriber


@attrs.frozen(kw_only=True)
class Tallied(Event):
    """A tally moved."""

    tally: str
    value: int


@attrs.define(eq=False)
class Tally(Aggregate):
    """A counter aggregate for concurrency tests."""

    value: int = 0

    def bump(self) -> None:
        self.value += 1
        self.record(Tallied(tally=self.id, value=self.value))


TALLIES: Collection[Tally] = Collection("foundation_tallies", Tally, label="tally")


def tally_value(oms: OMS, id: str = "t") -> int:
    with oms.runtime.storage.unit_of_work() as uow:
        return uow.repo(TALLIES).get(id).value


def seed_tally(oms: OMS) -> None:
    oms.runtime.run(lambda uow: uow.repo(TALLIES).add(Tally(id="t")))


def test_a_use_case_failing_half_way_changes_nothing(oms: OMS) -> None:
    recorder = RecordingSubscriber()
    oms.events.subscribe("recorder", recorder.omskit_on_event)
    oms.catalog.add_product("TEE-M", name="T-shirt", price="19.90", currency="EUR")
    before = oms.catalog.get("TEE-M")
    seen = list(recorder.events)

    def half_way(uow: UnitOfWork) -> None:
        products = uow.repo(PRODUCTS)
        tee = products.get("TEE-M")
        tee.name = "changed"
        products.save(tee)
        tally = Tally(id="t")
        tally.bump()
        uow.repo(TALLIES).add(tally)
        raise RuntimeError("the second half failed")

    with pytest.raises(RuntimeError):
        oms.runtime.run(half_way)
    after = oms.catalog.get("TEE-M")
    assert (after.name, after.version) == (before.name, before.version)
    with oms.runtime.storage.unit_of_work() as uow:
        assert uow.repo(TALLIES).find("t") is None
    assert recorder.events == seen
    assert oms.events.pending() == 0


def test_run_retries_a_use_case_that_lost_a_race_and_counts_once(oms: OMS) -> None:
    seed_tally(oms)
    runs = 0

    def bump_after_a_rival(uow: UnitOfWork) -> int:
        nonlocal runs
        runs += 1
        tally = uow.repo(TALLIES).get("t")
        if runs == 1:  # a rival commits between our read and our commit
            with oms.runtime.transaction() as rival:
                theirs = rival.repo(TALLIES).get("t")
                theirs.bump()
                rival.repo(TALLIES).save(theirs)
        tally.bump()
        uow.repo(TALLIES).save(tally)
        return tally.value

    assert oms.runtime.run(bump_after_a_rival) == 2
    assert runs == 2
    assert tally_value(oms) == 2


def test_run_gives_up_after_its_attempts_with_the_conflict(oms: OMS) -> None:
    seed_tally(oms)

    def always_loses(uow: UnitOfWork) -> None:
        tally = uow.repo(TALLIES).get("t")
        with oms.runtime.transaction() as rival:
            theirs = rival.repo(TALLIES).get("t")
            theirs.bump()
            rival.repo(TALLIES).save(theirs)
        tally.bump()
        uow.repo(TALLIES).save(tally)

    with pytest.raises(ConcurrencyConflict):
        oms.runtime.run(always_loses, attempts=3)
    assert tally_value(oms) == 3  # only the rivals' commits


def test_concurrent_writers_through_run_lose_no_update(oms: OMS) -> None:
    seed_tally(oms)
    threads, per_thread = 4, 25
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def bump(uow: UnitOfWork) -> None:
        tally = uow.repo(TALLIES).get("t")
        tally.bump()
        uow.repo(TALLIES).save(tally)

    def worker() -> None:
        start.wait()
        try:
            for _ in range(per_thread):
                oms.runtime.run(bump, attempts=10_000)
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    assert tally_value(oms) == threads * per_thread


def test_two_units_of_work_on_one_aggregate_the_second_commit_conflicts(oms: OMS) -> None:
    seed_tally(oms)
    with oms.runtime.storage.unit_of_work() as a, oms.runtime.storage.unit_of_work() as b:
        mine, theirs = a.repo(TALLIES).get("t"), b.repo(TALLIES).get("t")
        mine.bump()
        theirs.bump()
        a.repo(TALLIES).save(mine)
        b.repo(TALLIES).save(theirs)
        a.commit()
        with pytest.raises(ConcurrencyConflict):
            b.commit()
    assert tally_value(oms) == 1


def test_threads_adding_the_same_sku_exactly_one_wins(oms: OMS) -> None:
    start = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def add(n: int) -> None:
        start.wait()
        try:
            oms.catalog.add_product("RACE-1", name=f"racer {n}")
            result = "won"
        except AlreadyExists:
            result = "already exists"
        with lock:
            outcomes.append(result)

    pool = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert sorted(outcomes) == ["already exists"] * 3 + ["won"]
    assert len(oms.catalog.list()) == 1


def test_transaction_commits_then_delivers_and_rolls_back_on_error(oms: OMS) -> None:
    got: list[str] = []
    oms.events.subscribe("list", lambda e: got.append(e.event_type))
    with oms.runtime.transaction() as uow:
        tally = Tally(id="t")
        tally.bump()
        uow.repo(TALLIES).add(tally)
    assert got == ["Tallied"]

    def bump_then_fail() -> None:
        with oms.runtime.transaction() as uow:
            again = uow.repo(TALLIES).get("t")
            again.bump()
            uow.repo(TALLIES).save(again)
            raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        bump_then_fail()
    assert tally_value(oms) == 1
    assert got == ["Tallied"]
