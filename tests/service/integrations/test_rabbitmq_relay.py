"""The broker relay against the real RabbitMQ of this machine (``service_address``).

A loopback TCP proxy stands between the relay and the broker, so a test can cut the
connection (an outage) and restore it, and see that events are delayed, never lost,
and that a consumer deduping by message id sees each exactly once, in order per
aggregate.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from omskit.integrations.broker import BrokerMessage, BrokerRelay
from omskit.testing import FakeClock

from ...services import service_address  # noqa: TID252 - the shared test helpers
from .brokers import Proxy, make_oms, through_an_outage

pika = pytest.importorskip("pika")
rabbitmq = pytest.importorskip("omskit.integrations.broker.rabbitmq")


@pytest.fixture
def broker_url() -> str:
    return service_address("rabbitmq")


@pytest.fixture
def exchange() -> str:
    return f"omskit.test.{uuid.uuid4().hex[:12]}"


@pytest.fixture
def queue(broker_url: str, exchange: str) -> Iterator[tuple[Any, str]]:
    """A queue bound to every event of the test's own exchange, and its channel."""
    connection = pika.BlockingConnection(pika.URLParameters(broker_url))
    channel = connection.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    name = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(name, exchange, routing_key="#")
    yield channel, name
    channel.exchange_delete(exchange)
    connection.close()


def consume(channel: Any, name: str) -> list[tuple[Any, dict[str, Any]]]:
    """Everything waiting in the queue: (properties, envelope)."""
    found = []
    while True:
        method, properties, body = channel.basic_get(name, auto_ack=True)
        if method is None:
            return found
        found.append((properties, json.loads(body)))


def dedupe(messages: list[tuple[Any, dict[str, Any]]]) -> list[dict[str, Any]]:
    """What a consumer keeps: the first message of each id."""
    seen: set[str] = set()
    kept = []
    for properties, doc in messages:
        if properties.message_id not in seen:
            seen.add(properties.message_id)
            kept.append(doc)
    return kept


def via(url: str, port: int) -> str:
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    return urllib.parse.urlunsplit(
        parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host)
    )


def test_events_are_published_confirmed_and_carry_the_envelope(
    clock: FakeClock, broker_url: str, exchange: str, queue: tuple[Any, str]
) -> None:
    oms = make_oms(clock)
    publisher = rabbitmq.RabbitMQPublisher(broker_url, exchange=exchange)
    BrokerRelay(publisher).attach(oms.runtime)
    oms.catalog.add_product(sku="TEE", name="Tee", price="10.00", currency="EUR")
    oms.catalog.update_product("TEE", name="T-shirt")
    publisher.close()
    got = consume(*queue)
    assert [p.type for p, _ in got] == ["ProductAdded", "ProductUpdated"]
    properties, doc = got[0]
    assert properties.message_id == doc["id"]
    assert properties.delivery_mode == 2
    assert properties.content_type == "application/json"
    assert properties.headers["omskit-aggregate-id"] == "TEE"
    assert doc["aggregate"] == {"type": "product", "id": "TEE"}
    assert doc["schema"] == "omskit.event/1"


def test_a_broker_outage_delays_but_never_loses_or_duplicates_an_event(
    clock: FakeClock, broker_url: str, exchange: str, queue: tuple[Any, str]
) -> None:
    target = urllib.parse.urlsplit(broker_url)
    proxy = Proxy(target.hostname or "127.0.0.1", target.port or 5672)
    try:
        oms = make_oms(clock)
        publisher = rabbitmq.RabbitMQPublisher(via(broker_url, proxy.port), exchange=exchange,
                                               socket_timeout=2)  # fmt: skip
        relay = BrokerRelay(publisher).attach(oms.runtime)
        through_an_outage(oms, relay, proxy, clock)
        publisher.close()
    finally:
        proxy.close()
    kept = dedupe(consume(*queue))
    assert [(d["aggregate"]["id"], d["type"]) for d in kept if d["aggregate"]["id"] == "A"] == [
        ("A", "ProductAdded"), ("A", "ProductUpdated")]  # fmt: skip
    assert [(d["aggregate"]["id"], d["type"]) for d in kept if d["aggregate"]["id"] == "B"] == [
        ("B", "ProductAdded"), ("B", "ProductUpdated")]  # fmt: skip
    assert publisher.connects >= 2  # it reconnected after the outage


def test_a_crash_after_the_confirm_is_resent_and_deduped_by_message_id(
    clock: FakeClock, broker_url: str, exchange: str, queue: tuple[Any, str]
) -> None:
    oms = make_oms(clock)
    real = rabbitmq.RabbitMQPublisher(broker_url, exchange=exchange)

    class DiesAfterConfirm:
        def publish(self, message: BrokerMessage) -> None:
            real.publish(message)  # confirmed by the broker
            raise SystemExit(1)  # the process dies before the outbox records it

    BrokerRelay(DiesAfterConfirm()).attach(oms.runtime)  # type: ignore[arg-type]
    with pytest.raises(SystemExit):
        oms.catalog.add_product(sku="TEE", name="Tee", price="10.00", currency="EUR")
    restarted = rabbitmq.RabbitMQPublisher(broker_url, exchange=exchange)
    BrokerRelay(restarted).attach(oms.runtime)
    oms.runtime.dispatcher.dispatch()  # the restarted relay resumes from the outbox
    restarted.close()
    raw = consume(*queue)
    assert len(raw) == 2
    assert raw[0][0].message_id == raw[1][0].message_id
    assert [d["type"] for d in dedupe(raw)] == ["ProductAdded"]
    real.close()


def test_mandatory_publishing_counts_an_unrouted_message_as_a_failure(
    clock: FakeClock, broker_url: str
) -> None:
    lonely = f"omskit.test.{uuid.uuid4().hex[:12]}"  # no queue is bound to it
    oms = make_oms(clock)
    publisher = rabbitmq.RabbitMQPublisher(broker_url, exchange=lonely, mandatory=True)
    BrokerRelay(publisher).attach(oms.runtime)
    oms.catalog.add_product(sku="TEE", name="Tee", price="10.00", currency="EUR")
    assert oms.runtime.dispatcher.pending_count() == 1  # returned by the broker: kept
    connection = pika.BlockingConnection(pika.URLParameters(broker_url))
    connection.channel().exchange_delete(lonely)
    connection.close()
    publisher.close()
