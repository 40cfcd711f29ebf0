"""Index buckets of one row are stored compactly and still behave like any other bucket."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omskit.ids import SequentialIds
from omskit.storage.memory import MemoryStore
from omskit.storage.ports import Aggregate, Collection
from omskit.testing import FakeClock


@attrs.define(eq=False)
class Tagged(Aggregate):
    """A row whose index key can change."""

    tag: str | None


TAGGED: Collection[Tagged] = Collection(
    "bucket_rows", Tagged, indexes={"tag": lambda r: r.tag}, label="row"
)


def _store() -> MemoryStore:
    return MemoryStore(FakeClock(), SequentialIds())


def _write(store: MemoryStore, row_id: str, tag: str | None) -> None:
    with store.unit_of_work() as uow:
        repo = uow.repo(TAGGED)
        row = repo.find(row_id)
        if row is None:
            repo.add(Tagged(id=row_id, tag=tag))
        else:
            row.tag = tag
            repo.save(row)
        uow.commit()


def _listed(store: MemoryStore, tag: str) -> list[str]:
    with store.unit_of_work() as uow:
        viewed = [r.id for r in uow.repo(TAGGED).list_view("tag", tag)]
        loaded = [r.id for r in uow.repo(TAGGED).list_by("tag", tag)]
    assert viewed == loaded
    return viewed


def test_a_bucket_grows_from_one_row_and_shrinks_back_keeping_the_oldest_first() -> None:
    store = _store()
    _write(store, "r1", "a")
    assert _listed(store, "a") == ["r1"]
    _write(store, "r2", "a")
    _write(store, "r3", "a")
    assert _listed(store, "a") == ["r1", "r2", "r3"]
    _write(store, "r1", "b")
    _write(store, "r3", None)
    assert _listed(store, "a") == ["r2"]
    assert _listed(store, "b") == ["r1"]
    _write(store, "r2", "b")
    assert _listed(store, "a") == []
    assert _listed(store, "b") == ["r1", "r2"]


def test_a_committed_row_cannot_record_events_by_mistake() -> None:
    store = _store()
    _write(store, "r1", "a")
    with store.unit_of_work() as uow:
        viewed = uow.repo(TAGGED).view("r1")
        assert viewed is not None
        with pytest.raises(AttributeError):
            viewed.record(object())  # type: ignore[arg-type]
        loaded = uow.repo(TAGGED).get("r1")
        loaded.record(object())  # type: ignore[arg-type]  # a loaded copy records freely
        assert len(loaded._events) == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["a", "b", "c", None])),
                max_size=40))  # fmt: skip
def test_index_buckets_list_what_a_plain_model_lists(
    writes: list[tuple[int, str | None]],
) -> None:
    store = _store()
    model: dict[str, str | None] = {}  # row id -> tag, in insertion order of the rows
    order: dict[str, list[str]] = {}  # tag -> row ids in the order they joined it
    for n, tag in writes:
        row_id = f"r{n}"
        old = model.get(row_id)
        if row_id in model and old == tag:
            _write(store, row_id, tag)
            continue
        if old is not None:
            order[old].remove(row_id)
        if tag is not None:
            order.setdefault(tag, []).append(row_id)
        model[row_id] = tag
        _write(store, row_id, tag)
    for tag in ("a", "b", "c"):
        assert _listed(store, tag) == order.get(tag, [])
