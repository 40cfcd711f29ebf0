"""A model-based test: every store behaves like a dict that commits atomically.

Two units of work are open at any time. Rules add, change and re-key aggregates in either
of them, then commit or roll back. The model (a plain dict of committed values) says what
must be stored; a commit must fail with ConcurrencyConflict / AlreadyExists exactly when
it would have overwritten a newer version or taken a used key, and then change nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from omskit.errors import AlreadyExists, ConcurrencyConflict
from omskit.ids import SequentialIds
from omskit.storage.ports import Aggregate, Collection, UnitOfWork
from omskit.testing import FakeClock

from ..stores import open_store  # noqa: TID252 - shared test helpers


@attrs.define(eq=False)
class Box(Aggregate):
    """A test aggregate with a value and an optional unique label."""

    value: int = 0
    label: str | None = None


BOXES: Collection[Box] = Collection(
    "stateful_boxes", Box, unique={"label": lambda b: b.label}, label="box"
)

IDS = st.sampled_from(["a", "b", "c"])
LABELS = st.sampled_from([None, "x", "y"])
SLOTS = st.sampled_from([0, 1])


class StoreMachine(RuleBasedStateMachine):
    """Two concurrent units of work against one store and a dict model."""

    kind = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.directory = tempfile.mkdtemp(prefix="omskit-stateful-")
        self.store = open_store(self.kind, Path(self.directory), FakeClock(), SequentialIds())
        self.model: dict[str, tuple[int, str | None, int]] = {}  # id -> value, label, version
        self.uows: list[UnitOfWork] = [self.store.unit_of_work() for _ in range(2)]
        # what each unit of work read (version) and intends to write
        self.reads: list[dict[str, int]] = [{}, {}]
        self.writes: list[dict[str, tuple[int, str | None]]] = [{}, {}]

    @rule(slot=SLOTS, id=IDS, value=st.integers(0, 9), label=LABELS)
    def write(self, slot: int, id: str, value: int, label: str | None) -> None:
        repo = self.uows[slot].repo(BOXES)
        box = repo.find(id)
        if box is None:
            box = Box(id=id, value=value, label=label)
            repo.add(box)
            self.reads[slot][id] = -1
        else:
            self.reads[slot].setdefault(id, box.version)
            box.value, box.label = value, label
            repo.save(box)
        self.writes[slot][id] = (value, label)

    def expected_failures(self, slot: int) -> set[type[Exception]]:
        """Every error the commit may raise; empty when it must succeed.

        When several things are wrong the store may report any one of them.
        """
        found: set[type[Exception]] = set()
        for id, read in self.reads[slot].items():
            stored = self.model.get(id)
            if read == -1 and stored is not None:
                found.add(AlreadyExists)
            if read != -1 and (stored is None or stored[2] != read):
                found.add(ConcurrencyConflict)
        final = {i: v[1] for i, v in self.model.items()}
        final.update({i: w[1] for i, w in self.writes[slot].items()})
        labels = [label for label in final.values() if label is not None]
        if len(labels) != len(set(labels)):
            found.add(AlreadyExists)
        return found

    @precondition(lambda self: any(self.writes))
    @rule(slot=SLOTS)
    def commit(self, slot: int) -> None:
        expected = self.expected_failures(slot)
        try:
            self.uows[slot].commit()
        except (AlreadyExists, ConcurrencyConflict) as exc:
            raised: type[Exception] | None = type(exc)
        else:
            raised = None
        assert raised in expected or (raised is None and not expected), (raised, expected)
        if raised is None:
            for id, (value, label) in self.writes[slot].items():
                version = self.model[id][2] + 1 if id in self.model else 1
                self.model[id] = (value, label, version)
        self.reset(slot)

    @rule(slot=SLOTS)
    def rollback(self, slot: int) -> None:
        self.uows[slot].rollback()
        self.reset(slot)

    def reset(self, slot: int) -> None:
        self.uows[slot].rollback()
        self.uows[slot] = self.store.unit_of_work()
        self.reads[slot], self.writes[slot] = {}, {}

    def teardown(self) -> None:
        close = getattr(self.store, "close", None)
        if close is not None:
            close()
        shutil.rmtree(self.directory, ignore_errors=True)

    @invariant()
    def stored_state_matches_the_model(self) -> None:
        with self.store.unit_of_work() as uow:
            repo = uow.repo(BOXES)
            stored = {b.id: (b.value, b.label, b.version) for b in repo.scan()}
            assert stored == self.model
            for id, (_, label, _) in self.model.items():
                if label is not None:
                    assert repo.find_by("label", label).id == id  # type: ignore[union-attr]


class SqliteStoreMachine(StoreMachine):
    """The same model, on a SQLite file."""

    kind = "sqlite"


StoreMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
SqliteStoreMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=25, deadline=None
)
test_the_memory_store_commits_like_an_atomic_dict = StoreMachine.TestCase
test_the_sqlite_store_commits_like_an_atomic_dict = SqliteStoreMachine.TestCase
