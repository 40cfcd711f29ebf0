"""Indexes written lazily (append-only collections) and fixed keys keep the store's contract."""

from __future__ import annotations

import threading

import attrs
from hypothesis import given
from hypothesis import strategies as st

from omskit.errors import ConcurrencyConflict
from omskit.ids import SequentialIds
from omskit.storage.memory import MemoryStore
from omskit.storage.ports import Aggregate, Collection
from omskit.testing import FakeClock


@attrs.define(eq=False)
class Line(Aggregate):
    """A ledger-like record, indexed by topic."""

    topic: str
    amount: int = 0


LINES: Collection[Line] = Collection(
    "lazy_lines", Line, indexes={"topic": lambda e: e.topic}, append_only=True
)


@attrs.define(eq=False)
class Bin(Aggregate):
    """A mutable aggregate whose indexed fields never change."""

    shelf: str
    count: int = 0

    def clone(self) -> Bin:
        copy = Bin(id=self.id, shelf=self.shelf, count=self.count)
        copy.version = self.version
        return copy


BINS: Collection[Bin] = Collection(
    "fixed_bins", Bin, indexes={"shelf": lambda b: b.shelf}, fixed_keys=True
)


def _store() -> MemoryStore:
    return MemoryStore(FakeClock(), SequentialIds())


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 9)), max_size=30),
       st.integers(0, 30))  # fmt: skip
def test_an_append_only_index_lists_every_committed_record_in_commit_order(
    writes: list[tuple[str, int]], query_after: int
) -> None:
    store = _store()
    for n, (topic, amount) in enumerate(writes):
        if n == query_after:  # a query in the middle indexes what came before it
            with store.unit_of_work() as uow:
                uow.repo(LINES).list_by("topic", "a")
        with store.unit_of_work() as uow:
            uow.repo(LINES).add(Line(id=f"l{n}", topic=topic, amount=amount))
            uow.commit()
    with store.unit_of_work() as uow:
        for topic in "abc":
            expected = [f"l{n}" for n, (t, _) in enumerate(writes) if t == topic]
            assert [e.id for e in uow.repo(LINES).list_by("topic", topic)] == expected
            assert [e.id for e in uow.repo(LINES).list_view("topic", topic)] == expected


def test_a_rolled_back_append_only_record_never_reaches_its_index() -> None:
    store = _store()
    with store.unit_of_work() as uow:
        uow.repo(LINES).add(Line(id="kept", topic="a"))
        uow.commit()
    with store.unit_of_work() as uow:
        uow.repo(LINES).add(Line(id="dropped", topic="a"))
        uow.rollback()
    with store.unit_of_work() as uow:
        assert [e.id for e in uow.repo(LINES).list_by("topic", "a")] == ["kept"]


def test_an_append_only_index_lists_records_added_in_the_same_unit_of_work() -> None:
    store = _store()
    with store.unit_of_work() as uow:
        uow.repo(LINES).add(Line(id="old", topic="a"))
        uow.commit()
    with store.unit_of_work() as uow:
        uow.repo(LINES).add(Line(id="new", topic="a"))
        assert [e.id for e in uow.repo(LINES).list_by("topic", "a")] == ["old", "new"]


def test_records_committed_by_many_threads_are_all_indexed_once() -> None:
    store = _store()

    def writer(t: int) -> None:
        for n in range(200):
            with store.unit_of_work() as uow:
                uow.repo(LINES).add(Line(id=f"t{t}-{n}", topic=f"t{n % 2}"))
                uow.commit()
            if n % 50 == 0:
                with store.unit_of_work() as uow:
                    uow.repo(LINES).list_view("topic", "t0")

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with store.unit_of_work() as uow:
        listed = [e.id for e in uow.repo(LINES).list_view("topic", "t0")]
        listed += [e.id for e in uow.repo(LINES).list_view("topic", "t1")]
    assert sorted(listed) == sorted(f"t{t}-{n}" for t in range(4) for n in range(200))


def test_a_collection_with_fixed_keys_keeps_rows_in_their_index_across_writes() -> None:
    store = _store()
    with store.unit_of_work() as uow:
        uow.repo(BINS).add(Bin(id="b1", shelf="top"))
        uow.repo(BINS).add(Bin(id="b2", shelf="low"))
        uow.commit()
    for _ in range(3):
        with store.unit_of_work() as uow:
            b = uow.repo(BINS).get("b1")
            b.count += 1
            uow.repo(BINS).save(b)
            uow.commit()
    with store.unit_of_work() as uow:
        assert [(b.id, b.count) for b in uow.repo(BINS).list_by("shelf", "top")] == [("b1", 3)]
        assert [b.id for b in uow.repo(BINS).list_by("shelf", "low")] == ["b2"]


def test_a_stale_write_to_a_collection_with_fixed_keys_still_conflicts() -> None:
    store = _store()
    with store.unit_of_work() as uow:
        uow.repo(BINS).add(Bin(id="b1", shelf="top"))
        uow.commit()
    first, second = store.unit_of_work(), store.unit_of_work()
    a, b = first.repo(BINS).get("b1"), second.repo(BINS).get("b1")
    a.count, b.count = 1, 2
    first.repo(BINS).save(a)
    second.repo(BINS).save(b)
    first.commit()
    try:
        second.commit()
    except ConcurrencyConflict:
        pass
    else:  # pragma: no cover - the assertion below names the failure
        raise AssertionError("a stale write was committed")
    with store.unit_of_work() as uow:
        assert uow.repo(BINS).get("b1").count == 1
