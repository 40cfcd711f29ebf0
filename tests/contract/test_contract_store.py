"""The storage contract: isolation, atomic commits, optimistic versions, unique keys.

Every test runs on each backend (memory, SQLite, PostgreSQL): what one store does, they
all do.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from omskit.errors import AlreadyExists, ConcurrencyConflict, NotFound, OmskitError
from omskit.events import Event
from omskit.storage.ports import Aggregate, Collection
from omskit.testing import FakeClock

from ..stores import BACKENDS, open_store  # noqa: TID252 - shared test helpers


@attrs.frozen(kw_only=True)
class Counted(Event):
    """A counter moved."""

    counter: str
    value: int


@attrs.define(eq=False)
class Counter(Aggregate):
    """A test aggregate: a number, an optional unique key and some mutable state."""

    value: int = 0
    key: str | None = None
    tags: list[str] = attrs.field(factory=list)

    def bump(self, by: int = 1) -> None:
        self.value += by
        self.record(Counted(counter=self.id, value=self.value))


COUNTERS: Collection[Counter] = Collection(
    "kernel_counters",
    Counter,
    unique={"key": lambda c: c.key},
    indexes={"parity": lambda c: c.value % 2},
    label="counter",
)


@attrs.define(eq=False)
class Note(Aggregate):
    """A second kind of aggregate, to test commits over two collections."""

    text: str = ""
    slug: str | None = None


NOTES: Collection[Note] = Collection("kernel_notes", Note, unique={"slug": lambda n: n.slug})


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    opened = open_store(request.param, tmp_path)
    yield opened
    close = getattr(opened, "close", None)
    if close is not None:
        close()


def stored(store: Any, id: str) -> Counter | None:
    with store.unit_of_work() as uow:
        return uow.repo(COUNTERS).find(id)


def add(store: Any, *counters: Counter) -> None:
    with store.unit_of_work() as uow:
        for c in counters:
            uow.repo(COUNTERS).add(c)
        uow.commit()


def test_a_committed_aggregate_is_stored_with_version_one_and_its_events_queued(
    store: Any,
) -> None:
    with store.unit_of_work() as uow:
        c = Counter(id="c1")
        c.bump()
        uow.repo(COUNTERS).add(c)
        events = uow.commit()
    assert c.version == 1
    assert [(e.event_id, e.value) for e in events] == [("evt_000001", 1)]  # type: ignore[attr-defined]
    assert [r.event for r in store.outbox.pending()] == events
    again = stored(store, "c1")
    assert again is not None
    assert (again.value, again.version) == (1, 1)


def test_leaving_the_block_without_commit_leaves_no_trace(store: Any) -> None:
    add(store, Counter(id="c1", key="k1"))
    with store.unit_of_work() as uow:
        repo = uow.repo(COUNTERS)
        c = repo.get("c1")
        c.bump(5)
        c.key = "k2"
        repo.save(c)
        fresh = Counter(id="c2", key="k1-new")
        fresh.bump()
        repo.add(fresh)
    after = stored(store, "c1")
    assert after is not None
    assert (after.value, after.key, after.version) == (0, "k1", 1)
    assert stored(store, "c2") is None
    assert store.outbox.pending() == []
    add(store, Counter(id="c3", key="k2"), Counter(id="c2", key="k1-new"))  # keys still free


def test_an_exception_inside_the_block_rolls_everything_back(store: Any) -> None:
    add(store, Counter(id="c1"))

    def bump_then_fail() -> None:
        with store.unit_of_work() as uow:
            c = uow.repo(COUNTERS).get("c1")
            c.bump()
            uow.repo(COUNTERS).save(c)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        bump_then_fail()
    assert stored(store, "c1").value == 0  # type: ignore[union-attr]
    assert store.outbox.pending() == []


def test_a_commit_that_fails_on_one_collection_writes_nothing_in_any(store: Any) -> None:
    with store.unit_of_work() as uow:
        uow.repo(NOTES).add(Note(id="n1", slug="taken"))
        uow.commit()
    with store.unit_of_work() as uow:
        c = Counter(id="c1")
        c.bump()
        uow.repo(COUNTERS).add(c)
        uow.repo(NOTES).add(Note(id="n2", slug="taken"))
        with pytest.raises(AlreadyExists) as info:
            uow.commit()
    assert info.value.key == "taken"
    assert stored(store, "c1") is None
    assert store.outbox.pending() == []


def test_a_stale_write_raises_concurrency_conflict_and_keeps_the_first_commit(
    store: Any,
) -> None:
    add(store, Counter(id="c1"))
    first, second = store.unit_of_work(), store.unit_of_work()
    a = first.repo(COUNTERS).get("c1")
    b = second.repo(COUNTERS).get("c1")
    a.bump(1)
    first.repo(COUNTERS).save(a)
    b.bump(10)
    second.repo(COUNTERS).save(b)
    first.commit()
    with pytest.raises(ConcurrencyConflict) as info:
        second.commit()
    assert (info.value.expected, info.value.found) == (1, 2)
    assert stored(store, "c1").value == 1  # type: ignore[union-attr]


def test_two_adds_of_the_same_id_in_parallel_units_of_work_one_wins(store: Any) -> None:
    first, second = store.unit_of_work(), store.unit_of_work()
    first.repo(COUNTERS).add(Counter(id="c1", value=1))
    second.repo(COUNTERS).add(Counter(id="c1", value=2))
    first.commit()
    with pytest.raises(AlreadyExists):
        second.commit()
    assert stored(store, "c1").value == 1  # type: ignore[union-attr]


def test_adding_an_existing_id_raises_already_exists_at_once(store: Any) -> None:
    add(store, Counter(id="c1"))
    with store.unit_of_work() as uow, pytest.raises(AlreadyExists, match="'c1' already exists"):
        uow.repo(COUNTERS).add(Counter(id="c1"))


def test_threads_racing_for_one_unique_key_exactly_one_wins(store: Any) -> None:
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def claim(n: int) -> None:
        with store.unit_of_work() as uow:
            repo = uow.repo(COUNTERS)
            assert repo.find_by("key", "SHARED") is None
            repo.add(Counter(id=f"c{n}", key="SHARED"))
            barrier.wait()  # everyone has checked; now all commit
            try:
                uow.commit()
                result = "won"
            except AlreadyExists:
                result = "already exists"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["already exists"] * 3 + ["won"]
    with store.unit_of_work() as uow:
        assert uow.repo(COUNTERS).count() == 1
        winner = uow.repo(COUNTERS).find_by("key", "SHARED")
    assert winner is not None


def test_one_unit_of_work_cannot_claim_one_key_twice(store: Any) -> None:
    with store.unit_of_work() as uow:
        uow.repo(COUNTERS).add(Counter(id="a", key="K"))
        uow.repo(COUNTERS).add(Counter(id="b", key="K"))
        with pytest.raises(AlreadyExists):
            uow.commit()


def test_changing_a_unique_key_frees_the_old_one(store: Any) -> None:
    add(store, Counter(id="c1", key="old"))
    with store.unit_of_work() as uow:
        c = uow.repo(COUNTERS).get("c1")
        c.key = "new"
        uow.repo(COUNTERS).save(c)
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.repo(COUNTERS).find_by("key", "old") is None
        assert uow.repo(COUNTERS).find_by("key", "new") is not None
    add(store, Counter(id="c2", key="old"))


def test_the_identity_map_gives_one_object_per_id_within_a_unit_of_work(
    store: Any,
) -> None:
    add(store, Counter(id="c1", key="k"))
    with store.unit_of_work() as uow:
        repo = uow.repo(COUNTERS)
        first = repo.get("c1")
        assert repo.get("c1") is first
        assert repo.find("c1") is first
        assert repo.find_by("key", "k") is first
        assert repo.list_by("parity", 0) == [first]
        assert list(repo.scan()) == [first]
        with pytest.raises(OmskitError, match="was not loaded in this unit of work"):
            repo.save(Counter(id="c1"))
    with store.unit_of_work() as other:
        assert other.repo(COUNTERS).get("c1") is not first


def test_aggregates_added_in_a_unit_of_work_are_visible_to_its_own_queries(
    store: Any,
) -> None:
    add(store, Counter(id="c1", value=2))
    with store.unit_of_work() as uow:
        repo = uow.repo(COUNTERS)
        fresh = Counter(id="c2", value=4, key="fresh")
        repo.add(fresh)
        assert repo.get("c2") is fresh
        assert repo.find_by("key", "fresh") is fresh
        assert [c.id for c in repo.list_by("parity", 0)] == ["c1", "c2"]
        assert [c.id for c in repo.scan()] == ["c1", "c2"]
        assert repo.count() == 1  # stored ones only
        loaded = repo.get("c1")
        loaded.bump()
        repo.save(loaded)
        assert repo.list_by("parity", 0) == [fresh]  # c1 is odd now, in this unit of work


def test_unknown_ids_keys_and_indexes(store: Any) -> None:
    with store.unit_of_work() as uow:
        repo = uow.repo(COUNTERS)
        assert repo.find("nope") is None
        with pytest.raises(NotFound, match="no counter 'nope'"):
            repo.get("nope")
        assert repo.find_by("key", "nope") is None
        with pytest.raises(OmskitError, match="no unique key 'email'"):
            repo.find_by("email", "x")
        with pytest.raises(OmskitError, match="no index 'colour'"):
            repo.list_by("colour", "red")


def test_mutating_a_returned_object_does_not_change_the_store(store: Any) -> None:
    add(store, Counter(id="c1", tags=["a"]))
    with store.unit_of_work() as uow:
        c = uow.repo(COUNTERS).get("c1")
        c.value = 99
        c.tags.append("b")
    after = stored(store, "c1")
    assert after is not None
    assert (after.value, after.tags) == (0, ["a"])


def test_mutating_an_object_after_commit_does_not_change_the_store(store: Any) -> None:
    with store.unit_of_work() as uow:
        c = Counter(id="c1", tags=["a"])
        uow.repo(COUNTERS).add(c)
        uow.commit()
    c.tags.append("late")
    c.value = 7
    after = stored(store, "c1")
    assert after is not None
    assert (after.value, after.tags) == (0, ["a"])


def test_clone_is_independent_and_drops_pending_events() -> None:
    c = Counter(id="c1", tags=["a"])
    c.bump()
    copy = c.clone()
    copy.tags.append("b")
    assert c.tags == ["a"]
    assert copy.pull_events() == []
    assert [e.value for e in c.pull_events()] == [1]  # type: ignore[attr-defined]
    assert c.pull_events() == []


@pytest.mark.parametrize("kind", BACKENDS)
def test_commit_stamps_events_with_ids_in_order_and_the_clock_time(
    kind: str, tmp_path: Path
) -> None:
    clock = FakeClock()
    store = open_store(kind, tmp_path, clock)
    with store.unit_of_work() as uow:
        c = Counter(id="c1")
        c.bump()
        c.bump()
        uow.repo(COUNTERS).add(c)
        events = uow.commit()
    assert [e.event_id for e in events] == ["evt_000001", "evt_000002"]
    assert {e.occurred_at for e in events} == {clock.now()}


def test_a_collection_names_its_items_for_errors() -> None:
    assert COUNTERS.noun == "counter"
    assert NOTES.noun == "kernel_note"  # without a label: the name, singular
    assert Collection("boxes", Note, label="box").noun == "box"


def test_a_unique_key_can_move_from_one_aggregate_to_another_in_one_commit(
    store: Any,
) -> None:
    add(store, Counter(id="old-owner", key="K"))
    with store.unit_of_work() as uow:
        repo = uow.repo(COUNTERS)
        repo.add(Counter(id="new-owner", key="K"))
        releasing = repo.get("old-owner")
        releasing.key = None
        repo.save(releasing)
        uow.commit()
    with store.unit_of_work() as uow:
        owner = uow.repo(COUNTERS).find_by("key", "K")
        assert owner is not None
        assert owner.id == "new-owner"
    with store.unit_of_work() as uow:
        uow.repo(COUNTERS).add(Counter(id="third", key="K"))
        with pytest.raises(AlreadyExists):
            uow.commit()
