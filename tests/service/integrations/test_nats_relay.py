"""The broker relay against the real NATS JetStream of this machine (``service_address``).

Each test gets a stream and subject prefix of its own (deleted afterwards). A loopback
TCP proxy stands between the publisher and the server, so a test can make the server
unreachable (an outage) and reachable again, and see that events are delayed, never
lost nor stored twice, in order per aggregate.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from omskit.integrations.broker import BrokerMessage, BrokerRelay, BrokerUnavailable
from omskit.testing import FakeClock

from ...services import service_address  # noqa: TID252 - the shared test helpers
from .brokers import Proxy, make_oms, through_an_outage

nats = pytest.importorskip("nats")
nats_broker = pytest.importorskip("omskit.integrations.broker.nats")


@pytest.fixture
def server() -> str:
    return service_address("nats")


@pytest.fixture
def stream(server: str) -> Iterator[tuple[str, str]]:
    """A stream name and subject prefix of the test's own; the stream is deleted after."""
    tag = uuid.uuid4().hex[:12]
    name, prefix = f"OMSKIT_TEST_{tag}", f"omskit.test.{tag}"
    yield name, prefix

    async def delete() -> None:
        nc = await nats.connect(server)
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await nc.jetstream().delete_stream(name)
        await nc.close()

    asyncio.run(delete())


def stored(server: str, name: str) -> list[tuple[dict[str, str], str, dict[str, Any]]]:
    """Every message in the stream, in order: (headers, subject, envelope)."""

    async def read() -> list[tuple[dict[str, str], str, dict[str, Any]]]:
        nc = await nats.connect(server)
        js = nc.jetstream()
        info = await js.stream_info(name)
        found = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            if not info.state.messages:
                break
            msg = await js.get_msg(name, seq)
            found.append((dict(msg.headers or {}), msg.subject, json.loads(msg.data)))
        await nc.close()
        return found

    return asyncio.run(read())


def via(url: str, port: int) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))


def test_events_are_stored_acknowledged_and_carry_the_envelope(
    clock: FakeClock, server: str, stream: tuple[str, str]
) -> None:
    name, prefix = stream
    oms = make_oms(clock)
    publisher = nats_broker.NatsPublisher(server, stream=name, subject_prefix=prefix)
    relay = BrokerRelay(publisher).attach(oms.runtime)
    oms.catalog.add_product(sku="TEE", name="Tee", price="10.00", currency="EUR")
    oms.catalog.update_product("TEE", name="T-shirt")
    publisher.close()
    publisher.close()  # closing twice is harmless
    got = stored(server, name)
    assert relay.published == 2
    assert [h["omskit-type"] for h, _, _ in got] == ["ProductAdded", "ProductUpdated"]
    headers, subject, doc = got[0]
    assert subject == f"{prefix}.product.ProductAdded"
    assert headers["Nats-Msg-Id"] == doc["id"]
    assert headers["omskit-aggregate-id"] == "TEE"
    assert headers["omskit-schema"] == doc["schema"] == "omskit.event/1"
    assert doc["aggregate"] == {"type": "product", "id": "TEE"}
    late = BrokerMessage("evt_1", "ProductAdded", "product.ProductAdded", ("product", "X"),
                         b"{}", 0)  # fmt: skip
    with pytest.raises(BrokerUnavailable, match="closed"):
        publisher.publish(late)


def test_a_resent_event_is_stored_once_by_its_msg_id(
    clock: FakeClock, server: str, stream: tuple[str, str]
) -> None:
    name, prefix = stream
    oms = make_oms(clock)
    real = nats_broker.NatsPublisher(server, stream=name, subject_prefix=prefix)

    class DiesAfterAck:
        def publish(self, message: BrokerMessage) -> None:
            real.publish(message)  # acknowledged: JetStream stored it
            raise SystemExit(1)  # the process dies before the outbox records it

    BrokerRelay(DiesAfterAck()).attach(oms.runtime)  # type: ignore[arg-type]
    with pytest.raises(SystemExit):
        oms.catalog.add_product(sku="TEE", name="Tee", price="10.00", currency="EUR")
    restarted = nats_broker.NatsPublisher(server, stream=name, subject_prefix=prefix)
    BrokerRelay(restarted).attach(oms.runtime)
    oms.runtime.dispatcher.dispatch()  # the restarted relay resumes from the outbox
    assert oms.runtime.dispatcher.pending_count() == 0
    assert restarted.duplicates == 1  # JetStream saw the id again and kept one copy
    restarted.close()
    real.close()
    got = stored(server, name)
    assert [d["type"] for _, _, d in got] == ["ProductAdded"]


def test_a_server_outage_delays_but_never_loses_or_duplicates_an_event(
    clock: FakeClock, server: str, stream: tuple[str, str]
) -> None:
    name, prefix = stream
    target = urllib.parse.urlsplit(server)
    proxy = Proxy(target.hostname or "127.0.0.1", target.port or 4222)
    try:
        oms = make_oms(clock)
        publisher = nats_broker.NatsPublisher(via(server, proxy.port), stream=name,
                                              subject_prefix=prefix, timeout=2)  # fmt: skip
        relay = BrokerRelay(publisher).attach(oms.runtime)
        through_an_outage(oms, relay, proxy, clock)
        publisher.close()
    finally:
        proxy.close()
    got = stored(server, name)
    assert len(got) == 4  # each event stored exactly once
    assert len({h["Nats-Msg-Id"] for h, _, _ in got}) == 4
    order = [(d["aggregate"]["id"], d["type"]) for _, _, d in got]
    assert [x for x in order if x[0] == "A"] == [("A", "ProductAdded"), ("A", "ProductUpdated")]
    assert [x for x in order if x[0] == "B"] == [("B", "ProductAdded"), ("B", "ProductUpdated")]
    assert publisher.connects >= 2  # it connected again after the outage


def test_a_publisher_pointed_at_a_closed_port_keeps_events_until_it_is_fixed(
    clock: FakeClock, server: str, stream: tuple[str, str]
) -> None:
    name, prefix = stream
    with socket.socket() as probe:  # a port nothing listens on once the probe closes
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    oms = make_oms(clock)
    publisher = nats_broker.NatsPublisher(via(server, closed), stream=name,
                                          subject_prefix=prefix, timeout=1)  # fmt: skip
    BrokerRelay(publisher).attach(oms.runtime)
    oms.catalog.add_product(sku="A", name="A", price="1.00", currency="EUR")
    oms.catalog.update_product("A", name="A2")
    clock.advance(seconds=120)
    oms.runtime.dispatcher.dispatch()  # refused again: still kept
    assert oms.runtime.dispatcher.pending_count() == 2
    assert publisher.connects == 0
    publisher.url = server  # the configuration is fixed
    clock.advance(seconds=120)
    oms.runtime.dispatcher.dispatch()
    assert oms.runtime.dispatcher.pending_count() == 0
    publisher.close()
    got = stored(server, name)
    assert [d["type"] for _, _, d in got] == ["ProductAdded", "ProductUpdated"]
    assert publisher.duplicates == 0


def test_a_server_that_never_answers_fails_the_publish_within_its_bound() -> None:
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never speaks NATS
    try:
        publisher = nats_broker.NatsPublisher(f"nats://127.0.0.1:{silent.getsockname()[1]}",
                                              timeout=0.5)  # fmt: skip
        message = BrokerMessage("evt_1", "ProductAdded", "product.ProductAdded",
                                ("product", "X"), b"{}", 0)  # fmt: skip
        started = time.monotonic()
        with pytest.raises(BrokerUnavailable, match="evt_1"):
            publisher.publish(message)
        assert time.monotonic() - started < 3 * 0.5 + 1
        publisher.close()
    finally:
        silent.close()
