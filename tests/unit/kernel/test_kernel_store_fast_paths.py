"""The store's fast paths: append-only collections and read-only views keep the contract."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit.errors import AlreadyExists, OmskitError
from omskit.events import Event
from omskit.ids import SequentialIds
from omskit.storage.memory import MemoryStore
from omskit.storage.ports import Aggregate, Collection
from omskit.testing import FakeClock


@attrs.frozen(kw_only=True)
class Logged(Event):
    """An entry was written."""

    entry: str


@attrs.define(eq=False)
class Entry(Aggregate):
    """A ledger-like record: written once."""

    topic: str
    amount: int = 0
    ref: str | None = None


ENTRIES: Collection[Entry] = Collection(
    "fast_entries",
    Entry,
    unique={"ref": lambda e: e.ref},
    indexes={"topic": lambda e: e.topic},
    label="entry",
    append_only=True,
)


@attrs.define(eq=False)
class Item(Aggregate):
    """A mutable aggregate with a list, an index and a unique key."""

    group: str
    value: int = 0
    code: str | None = None
    tags: list[str] = attrs.field(factory=list)

    def clone(self) -> Item:
        copy = Item(id=self.id, group=self.group, value=self.value, code=self.code,
                    tags=list(self.tags))  # fmt: skip
        copy.version = self.version
        return copy


ITEMS: Collection[Item] = Collection(
    "fast_items",
    Item,
    unique={"code": lambda i: i.code},
    indexes={"group": lambda i: i.group},
    label="item",
)


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore(FakeClock(), SequentialIds())


def put(store: MemoryStore, *aggregates: Aggregate) -> None:
    with store.unit_of_work() as uow:
        for agg in aggregates:
            if isinstance(agg, Entry):
                uow.repo(ENTRIES).add(agg)
            else:
                uow.repo(ITEMS).add(agg)  # type: ignore[arg-type]
        uow.commit()


# -- append-only collections ----------------------------------------------------------


def test_an_append_only_record_is_stored_as_added_with_its_events_and_version_one(
    store: MemoryStore,
) -> None:
    entry = Entry(id="e1", topic="a", amount=5)
    entry.record(Logged(entry="e1"))
    with store.unit_of_work() as uow:
        uow.repo(ENTRIES).add(entry)
        events = uow.commit()
    assert [type(e).__name__ for e in events] == ["Logged"]
    with store.unit_of_work() as uow:
        found = uow.repo(ENTRIES).get("e1")
    assert found is entry  # no copies: the record is immutable by contract
    assert (found.version, found.amount) == (1, 5)
    assert [p.event.event_id for p in store.outbox.pending()] == [events[0].event_id]


def test_saving_a_stored_append_only_record_is_an_error_and_changes_nothing(
    store: MemoryStore,
) -> None:
    put(store, Entry(id="e1", topic="a", amount=5))
    with store.unit_of_work() as uow:
        repo = uow.repo(ENTRIES)
        loaded = repo.get("e1")
        with pytest.raises(OmskitError, match="append-only"):
            repo.save(loaded)
        with pytest.raises(OmskitError, match="append-only"):
            repo.save(Entry(id="e1", topic="b", amount=9))  # a look-alike, not loaded
        assert uow.commit() == []
    with store.unit_of_work() as uow:
        stored = uow.repo(ENTRIES).get("e1")
        assert (stored.topic, stored.amount, stored.version) == ("a", 5, 1)


def test_an_append_only_record_can_be_saved_in_the_unit_of_work_that_adds_it(
    store: MemoryStore,
) -> None:
    with store.unit_of_work() as uow:
        repo = uow.repo(ENTRIES)
        entry = Entry(id="e1", topic="a")
        repo.save(entry)  # save of a new record adds it
        repo.save(entry)
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.repo(ENTRIES).count() == 1


def test_append_only_records_keep_ids_and_unique_keys_unique(store: MemoryStore) -> None:
    put(store, Entry(id="e1", topic="a", ref="r1"))
    with store.unit_of_work() as uow, pytest.raises(AlreadyExists):
        uow.repo(ENTRIES).add(Entry(id="e1", topic="b"))
    with store.unit_of_work() as uow:
        uow.repo(ENTRIES).add(Entry(id="e2", topic="b", ref="r1"))
        uow.repo(ITEMS).add(Item(id="i1", group="g"))
        with pytest.raises(AlreadyExists):
            uow.commit()
    with store.unit_of_work() as uow:  # the failed commit left nothing behind
        assert [e.id for e in uow.repo(ENTRIES).scan()] == ["e1"]
        assert uow.repo(ITEMS).find("i1") is None
        assert [e.id for e in uow.repo(ENTRIES).list_by("topic", "b")] == []


def test_two_units_of_work_adding_the_same_append_only_id_cannot_both_commit(
    store: MemoryStore,
) -> None:
    first, second = store.unit_of_work(), store.unit_of_work()
    first.repo(ENTRIES).add(Entry(id="e1", topic="first"))
    second.repo(ENTRIES).add(Entry(id="e1", topic="second"))
    first.commit()
    with pytest.raises(AlreadyExists):
        second.commit()
    with store.unit_of_work() as uow:
        assert uow.repo(ENTRIES).get("e1").topic == "first"


def test_an_uncommitted_append_only_record_is_invisible_elsewhere(store: MemoryStore) -> None:
    writer = store.unit_of_work()
    writer.repo(ENTRIES).add(Entry(id="e1", topic="a"))
    with store.unit_of_work() as reader:
        assert reader.repo(ENTRIES).find("e1") is None
        assert reader.repo(ENTRIES).view("e1") is None
        assert list(reader.repo(ENTRIES).scan_view()) == []
    writer.rollback()
    with store.unit_of_work() as reader:
        assert reader.repo(ENTRIES).count() == 0


# -- read-only views ------------------------------------------------------------------


def test_a_view_is_the_committed_row_itself_not_a_copy(store: MemoryStore) -> None:
    put(store, Item(id="i1", group="g", value=1, code="c1"))
    with store.unit_of_work() as a, store.unit_of_work() as b:
        seen = a.repo(ITEMS).view("i1")
        assert seen is not None
        assert seen is b.repo(ITEMS).view("i1")
        assert seen is a.repo(ITEMS).view_by("code", "c1")
        assert a.repo(ITEMS).list_view("group", "g") == [seen]
        assert list(a.repo(ITEMS).scan_view()) == [seen]
        assert a.repo(ITEMS).find("i1") is not seen  # find still hands out a copy
        assert a.repo(ITEMS).view("nope") is None
        assert a.repo(ITEMS).view_by("code", "nope") is None


def test_a_view_stays_a_snapshot_when_the_row_is_written_later(store: MemoryStore) -> None:
    put(store, Item(id="i1", group="g", value=1, tags=["x"]))
    with store.unit_of_work() as reader:
        before = reader.repo(ITEMS).view("i1")
    assert before is not None
    with store.unit_of_work() as writer:
        item = writer.repo(ITEMS).get("i1")
        item.value, item.group = 2, "h"
        item.tags.append("y")
        writer.repo(ITEMS).save(item)
        writer.commit()
    assert (before.value, before.group, before.tags, before.version) == (1, "g", ["x"], 1)
    with store.unit_of_work() as reader:
        after = reader.repo(ITEMS).view("i1")
        assert after is not None
        assert after is not before
        assert (after.value, after.tags, after.version) == (2, ["x", "y"], 2)
        assert reader.repo(ITEMS).list_view("group", "g") == []
        assert reader.repo(ITEMS).list_view("group", "h") == [after]


def test_views_show_this_unit_of_works_own_changes_and_nothing_uncommitted_elsewhere(
    store: MemoryStore,
) -> None:
    put(store, Item(id="i1", group="g", value=1, code="c1"))
    with store.unit_of_work() as uow:
        repo = uow.repo(ITEMS)
        mine = repo.get("i1")
        mine.value, mine.group, mine.code = 5, "h", "c2"
        repo.save(mine)
        repo.add(Item(id="i2", group="h"))
        assert repo.view("i1") is mine
        assert repo.view_by("code", "c2") is mine
        assert repo.view_by("code", "c1") is None
        assert [i.id for i in repo.list_view("group", "h")] == ["i1", "i2"]
        assert repo.list_view("group", "g") == []
        assert [i.id for i in repo.scan_view()] == ["i1", "i2"]
        with store.unit_of_work() as other:
            theirs = other.repo(ITEMS)
            assert theirs.view("i2") is None
            committed = theirs.view("i1")
            assert committed is not None
            assert committed.value == 1
            assert [i.id for i in theirs.list_view("group", "g")] == ["i1"]


def test_a_view_is_not_tracked_so_a_later_write_elsewhere_does_not_conflict(
    store: MemoryStore,
) -> None:
    put(store, Item(id="i1", group="g"), Item(id="i2", group="g"))
    uow = store.unit_of_work()
    assert uow.repo(ITEMS).view("i1") is not None
    other = uow.repo(ITEMS).get("i2")
    other.value = 7
    uow.repo(ITEMS).save(other)
    with store.unit_of_work() as writer:
        item = writer.repo(ITEMS).get("i1")
        item.value = 9
        writer.repo(ITEMS).save(item)
        writer.commit()
    uow.commit()  # only what was saved is checked
    with store.unit_of_work() as reader:
        assert [i.value for i in reader.repo(ITEMS).scan_view()] == [9, 7]


def test_views_reject_unknown_keys_and_indexes(store: MemoryStore) -> None:
    with store.unit_of_work() as uow:
        with pytest.raises(OmskitError, match="no unique key"):
            uow.repo(ITEMS).view_by("nope", 1)
        with pytest.raises(OmskitError, match="no index"):
            uow.repo(ITEMS).list_view("nope", 1)


# -- index maintenance ----------------------------------------------------------------


def test_an_update_that_keeps_its_index_value_keeps_its_place_oldest_first(
    store: MemoryStore,
) -> None:
    put(store, Item(id="i1", group="g"), Item(id="i2", group="g"), Item(id="i3", group="g"))
    with store.unit_of_work() as uow:
        item = uow.repo(ITEMS).get("i1")
        item.value = 1
        uow.repo(ITEMS).save(item)
        uow.commit()
    with store.unit_of_work() as uow:
        assert [i.id for i in uow.repo(ITEMS).list_by("group", "g")] == ["i1", "i2", "i3"]


def test_moving_the_last_row_out_of_an_index_value_empties_it(store: MemoryStore) -> None:
    put(store, Item(id="i1", group="g", code="c1"))
    with store.unit_of_work() as uow:
        item = uow.repo(ITEMS).get("i1")
        item.group, item.code = "h", None
        uow.repo(ITEMS).save(item)
        uow.commit()
    with store.unit_of_work() as uow:
        repo = uow.repo(ITEMS)
        assert repo.list_by("group", "g") == []
        assert [i.id for i in repo.list_by("group", "h")] == ["i1"]
        assert repo.find_by("code", "c1") is None
    put(store, Item(id="i2", group="g", code="c1"))  # the released key can be taken again
    with store.unit_of_work() as uow:
        assert uow.repo(ITEMS).view_by("code", "c1") is not None


# -- views agree with copying reads -----------------------------------------------------

WRITES = st.lists(
    st.tuples(st.sampled_from("abcd"), st.sampled_from("gh"), st.integers(0, 3), st.booleans()),
    max_size=12,
)


def _shape(items: object) -> list[tuple[str, str, int]]:
    return [(i.id, i.group, i.value) for i in items]  # type: ignore[attr-defined]


@given(committed=WRITES, pending=WRITES)
def test_views_always_show_what_the_copying_reads_show(
    committed: list[tuple[str, str, int, bool]], pending: list[tuple[str, str, int, bool]]
) -> None:
    store = MemoryStore(FakeClock(), SequentialIds())

    def apply(uow: object, writes: list[tuple[str, str, int, bool]]) -> None:
        repo = uow.repo(ITEMS)  # type: ignore[attr-defined]
        for id, group, value, _ in writes:
            item = repo.find(id)
            if item is None:
                repo.add(Item(id=id, group=group, value=value))
            else:
                item.group, item.value = group, value
                repo.save(item)

    for id, group, value, commit in committed:
        with store.unit_of_work() as uow:
            apply(uow, [(id, group, value, commit)])
            if commit:
                uow.commit()
    with store.unit_of_work() as uow:
        apply(uow, pending)
        repo = uow.repo(ITEMS)
        assert _shape(repo.scan_view()) == _shape(repo.scan())
        for group in "gh":
            assert _shape(repo.list_view("group", group)) == _shape(repo.list_by("group", group))
        for id in "abcde":
            assert _shape(filter(None, [repo.view(id)])) == _shape(filter(None, [repo.find(id)]))
