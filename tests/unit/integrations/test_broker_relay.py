"""The broker relay over an in-memory publisher: envelope, order per aggregate, resumption."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit import OMS
from omskit.config import OMSConfig
from omskit.events import Event, RetryPolicy
from omskit.integrations.broker import (
    ENVELOPE_SCHEMA,
    SCHEMA_VERSION,
    BrokerMessage,
    BrokerRelay,
    MemoryPublisher,
    aggregate_of,
    envelope,
)
from omskit.testing import FakeClock


@attrs.frozen(kw_only=True)
class WidgetMoved(Event):
    widget_id: str
    to: str
    actor: str = "system"


def make(clock: FakeClock, attempts: int = 50) -> tuple[OMS, BrokerRelay, MemoryPublisher]:
    config = OMSConfig(events=RetryPolicy(max_attempts=attempts, backoff_seconds=1))
    oms = OMS.in_memory(config, clock=clock, autoload=False)
    publisher = MemoryPublisher()
    return oms, BrokerRelay(publisher).attach(oms.runtime), publisher


def bodies(publisher: MemoryPublisher) -> list[dict[str, Any]]:
    return [json.loads(m.body) for m in publisher.messages]


def test_every_committed_event_goes_out_in_the_documented_envelope(clock: FakeClock) -> None:
    oms, relay, publisher = make(clock)
    oms.catalog.add_product(sku="TEE", name="Tee", price="10.00", currency="EUR")
    assert relay.published == 1
    (doc,) = bodies(publisher)
    assert set(doc) == set(ENVELOPE_SCHEMA["required"]) == set(ENVELOPE_SCHEMA["properties"])
    assert doc["schema"] == SCHEMA_VERSION
    assert doc["type"] == "ProductAdded"
    assert doc["aggregate"] == {"type": "product", "id": "TEE"}
    assert doc["occurred_at"] == clock.now().isoformat()
    message = publisher.messages[0]
    assert message.message_id == doc["id"]
    assert message.routing_key == "product.ProductAdded"


def test_the_actor_travels_in_the_envelope() -> None:
    event = WidgetMoved(widget_id="w1", to="B", actor="user:dana").stamped("evt_1", _at())
    doc = envelope(event)
    assert doc["actor"] == "user:dana"
    assert doc["data"] == {"widget_id": "w1", "to": "B", "actor": "user:dana"}
    assert aggregate_of(event) == ("widget", "w1")


def test_an_uncommitted_event_cannot_be_sent() -> None:
    with pytest.raises(ValueError, match="no event_id"):
        envelope(WidgetMoved(widget_id="w1", to="B"))


def _at() -> Any:
    import datetime as dt

    return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


class Flaky(MemoryPublisher):
    """Fails for the products in ``down`` (as a broker refusing their messages would)."""

    def __init__(self) -> None:
        super().__init__()
        self.down: set[str] = set()

    def publish(self, message: BrokerMessage) -> None:
        if message.aggregate in self.down_aggregates():
            raise ConnectionError("broker down")
        super().publish(message)

    def down_aggregates(self) -> set[tuple[str, str]]:
        return {("product", sku) for sku in self.down}


def test_an_outage_delays_but_loses_and_reorders_nothing(clock: FakeClock) -> None:
    oms, relay, _ = make(clock)
    publisher = Flaky()
    relay.publisher = publisher
    publisher.down = {"A"}
    oms.catalog.add_product(sku="A", name="A", price="1.00", currency="EUR")
    oms.catalog.add_product(sku="B", name="B", price="1.00", currency="EUR")
    oms.catalog.update_product("A", name="A2")
    oms.catalog.deactivate("A", reason="gone")
    # B went out; A's three events wait, the later two held behind the first
    assert [m.aggregate for m in publisher.messages] == [("product", "B")]
    assert list(relay.held()[("product", "A")])
    assert len(relay.held()[("product", "A")]) == 3
    publisher.down = set()
    for _ in range(10):  # the dispatcher retries with back-off
        clock.advance(seconds=60)
        oms.runtime.dispatcher.dispatch()
    types = [(m.aggregate[1], m.type) for m in publisher.messages]
    assert types == [("B", "ProductAdded"), ("A", "ProductAdded"), ("A", "ProductUpdated"),
                     ("A", "ProductDeactivated")]  # fmt: skip
    assert len({m.message_id for m in publisher.messages}) == 4  # nothing twice
    assert relay.held() == {}
    assert oms.runtime.dispatcher.pending_count() == 0


def test_a_crash_after_the_broker_confirmed_resends_with_the_same_id(clock: FakeClock) -> None:
    oms, relay, publisher = make(clock)

    class DiesAfterPublish(MemoryPublisher):
        def publish(self, message: BrokerMessage) -> None:
            publisher.publish(message)  # the broker has it...
            raise SystemExit(1)  # ...and the process dies before the outbox records it

    relay.publisher = DiesAfterPublish()
    with pytest.raises(SystemExit):
        oms.catalog.add_product(sku="TEE", name="Tee", price="10.00", currency="EUR")
    assert oms.catalog.get("TEE").name == "Tee"  # the change itself is committed
    BrokerRelay(publisher).attach(oms.runtime)  # the process restarts, same relay name
    oms.runtime.dispatcher.dispatch()
    ids = [m.message_id for m in publisher.messages]
    assert len(ids) == 2
    assert len(set(ids)) == 1


def test_dead_letters_can_be_republished_once_the_broker_is_back(clock: FakeClock) -> None:
    oms, relay, publisher = make(clock, attempts=2)
    publisher.fail = ConnectionError("down")
    oms.catalog.add_product(sku="TEE", name="Tee", price="10.00", currency="EUR")
    clock.advance(seconds=60)
    oms.runtime.dispatcher.dispatch()
    dead = oms.runtime.dispatcher.dead_letters()
    assert [d.subscriber for d in dead] == ["broker"]
    publisher.fail = None
    assert relay.republish(dead) == 1
    assert [m.type for m in publisher.messages] == ["ProductAdded"]


def test_a_type_filter_publishes_only_those_types(clock: FakeClock) -> None:
    config = OMSConfig()
    oms = OMS.in_memory(config, clock=clock, autoload=False)
    publisher = MemoryPublisher()
    BrokerRelay(publisher, types={"ProductUpdated"}).attach(oms.runtime)
    oms.catalog.add_product(sku="TEE", name="Tee", price="10.00", currency="EUR")
    oms.catalog.update_product("TEE", name="T")
    assert [m.type for m in publisher.messages] == ["ProductUpdated"]


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("change"), st.sampled_from("ABC")),
        st.tuples(st.just("down"), st.sets(st.sampled_from("ABC"))),
        st.tuples(st.just("dispatch"), st.integers(min_value=0, max_value=120)),
    ),
    max_size=25,
)


@given(STEPS)
def test_any_outage_pattern_ends_with_every_event_out_in_order_per_aggregate(
    steps: list[tuple[str, Any]],
) -> None:
    clock = FakeClock(_at())
    oms, relay, _ = make(clock, attempts=10_000)
    publisher = Flaky()
    relay.publisher = publisher
    committed: dict[str, list[str]] = {"A": [], "B": [], "C": []}
    for kind, arg in steps:
        if kind == "change":
            if committed[arg]:
                oms.catalog.update_product(arg, name=f"{arg}{len(committed[arg])}")
            else:
                oms.catalog.add_product(sku=arg, name=arg, price="1.00", currency="EUR")
            committed[arg].append("x")
        elif kind == "down":
            publisher.down = set(arg)
        else:
            clock.advance(seconds=arg)
            oms.runtime.dispatcher.dispatch()
    publisher.down = set()
    for _ in range(40):
        clock.advance(seconds=3600)
        oms.runtime.dispatcher.dispatch()
    assert oms.runtime.dispatcher.pending_count() == 0
    assert relay.held() == {}
    for sku, changes in committed.items():
        mine = [json.loads(m.body) for m in publisher.messages if m.aggregate[1] == sku]
        assert len(mine) == len(changes) == len({d["id"] for d in mine})
        assert [d["type"] for d in mine][:1] == (["ProductAdded"] if changes else [])
        assert all(d["type"] == "ProductUpdated" for d in mine[1:])
        ids = [d["id"] for d in mine]  # sequential ids: commit order
        assert ids == sorted(ids, key=lambda i: int(i.rsplit("_", 1)[1]))
