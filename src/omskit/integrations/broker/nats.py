"""NATS JetStream for the broker relay (extra ``nats``: ``pip install 'omskit[nats]'``).

[`NatsPublisher`][] publishes each message to a JetStream stream (``OMSKIT_EVENTS``
by default, created on first connect if missing, file storage) on subject
``<prefix>.<aggregate type>.<event type>`` (``omskit.events.order.OrderCaptured``):
subscribe ``omskit.events.order.>`` for every order event, ``omskit.events.>`` for
everything. Each message carries the headers:

* ``Nats-Msg-Id`` = the event id: JetStream drops a message whose id it already holds
  inside the stream's duplicate window (two minutes by default; the stream's
  ``duplicate_window``), so a relay that publishes an event again after a crash stores
  it once; consumers still dedupe by ``id`` for resends older than the window;
* ``omskit-schema``, ``omskit-type``, ``omskit-aggregate-type``, ``omskit-aggregate-id``
  and ``Content-Type: application/json``.

``publish`` returns only once JetStream acknowledged the message (stored it); no
server, a lost connection, or no acknowledgement in ``timeout`` seconds raises
[`BrokerUnavailable`][omskit.integrations.broker.relay.BrokerUnavailable], and the next
publish connects again.

nats-py is asyncio-only and the relay's publisher port is synchronous, so the
publisher runs a private event loop on a thread of its own and waits for each publish
there; the host's own event loop (if any) is never touched. One publish runs at a time,
which keeps the stream's order the commit order. Call ``close()`` to stop the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from nats.aio.client import Client
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from omskit.integrations.broker.envelope import SCHEMA_VERSION
from omskit.integrations.broker.relay import BrokerMessage, BrokerUnavailable

__all__ = ["DEFAULT_STREAM", "DEFAULT_SUBJECT_PREFIX", "NatsPublisher"]

#: The stream events go to unless told otherwise.
DEFAULT_STREAM = "OMSKIT_EVENTS"
#: The first subject token(s) of every event's subject.
DEFAULT_SUBJECT_PREFIX = "omskit.events"

T = TypeVar("T")


async def _quiet(_exc: Exception) -> None:
    """nats-py's error callback: failures surface as ``BrokerUnavailable`` instead."""


async def _cancel_leftovers() -> None:
    """Cancel and await what the client library left running, before the loop closes."""
    current = asyncio.current_task()
    left = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    for task in left:
        task.cancel()
    await asyncio.gather(*left, return_exceptions=True)


def _close_transport(nc: Client) -> None:
    transport = getattr(nc, "_transport", None)
    if transport is not None:
        transport.close()


class NatsPublisher:
    """Publishes relay messages to NATS JetStream, waiting for each acknowledgement.

    Args:
        url: the server, ``nats://127.0.0.1:4222``.
        stream: the JetStream stream (created on connect when ``create_stream``).
        subject_prefix: the subjects' first tokens; the stream takes ``<prefix>.>``.
        create_stream: create the stream if it does not exist (otherwise it must).
        duplicate_window: seconds JetStream remembers message ids (a new stream's).
        timeout: seconds to connect, and to wait for each acknowledgement.
    """

    def __init__(
        self,
        url: str,
        *,
        stream: str = DEFAULT_STREAM,
        subject_prefix: str = DEFAULT_SUBJECT_PREFIX,
        create_stream: bool = True,
        duplicate_window: float = 120.0,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.stream = stream
        self.subject_prefix = subject_prefix.rstrip(".")
        self.create_stream = create_stream
        self.duplicate_window = duplicate_window
        self.timeout = timeout
        self.connects = 0
        #: messages JetStream acknowledged as duplicates of one it already held
        self.duplicates = 0
        self._nc: Any = None
        self._js: Any = None
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="omskit-nats-publisher", daemon=True
        )
        self._thread.start()

    def subject(self, message: BrokerMessage) -> str:
        """The subject ``message`` is published on."""
        return f"{self.subject_prefix}.{message.routing_key}"

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._loop.is_closed():
            coro.close()
            raise BrokerUnavailable("the NATS publisher is closed")
        # a bound on every call, whatever the client library does inside it
        bounded = asyncio.wait_for(coro, timeout=3 * self.timeout)
        return asyncio.run_coroutine_threadsafe(bounded, self._loop).result()

    async def _open(self) -> Any:
        if self._nc is not None and self._nc.is_connected:
            return self._js
        await self._drop()
        nc = Client()
        try:
            await nc.connect(
                self.url, allow_reconnect=False, connect_timeout=math.ceil(self.timeout),
                # nats-py reads 0 as "retry forever": one retry, then NoServersError
                max_reconnect_attempts=1, reconnect_time_wait=0, error_cb=_quiet,
            )  # fmt: skip
        except BaseException:
            _close_transport(nc)  # nats-py leaves a failed attempt's socket open
            raise
        try:
            js = nc.jetstream(timeout=self.timeout)
            if self.create_stream:
                try:
                    await js.stream_info(self.stream)
                except NotFoundError:
                    await js.add_stream(StreamConfig(
                        name=self.stream, subjects=[f"{self.subject_prefix}.>"],
                        storage=StorageType.FILE, duplicate_window=self.duplicate_window,
                    ))  # fmt: skip
        except BaseException:
            await nc.close()
            raise
        self._nc, self._js = nc, js
        self.connects += 1
        return js

    async def _publish(self, message: BrokerMessage) -> bool:
        js = await self._open()
        headers = {
            "Nats-Msg-Id": message.message_id,
            "Content-Type": "application/json",
            "omskit-schema": SCHEMA_VERSION,
            "omskit-type": message.type,
            "omskit-aggregate-type": message.aggregate[0],
            "omskit-aggregate-id": message.aggregate[1],
        }
        ack = await js.publish(self.subject(message), message.body, timeout=self.timeout,
                               stream=self.stream, headers=headers)  # fmt: skip
        return bool(ack.duplicate)

    async def _drop(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is None:
            return
        if not nc.is_closed:
            with contextlib.suppress(Exception):  # gone already: nothing to close
                await nc.close()
        _close_transport(nc)  # a connection lost under it: older nats-py leave it open

    def publish(self, message: BrokerMessage) -> None:
        """Publish ``message``; return once JetStream acknowledged (stored) it.

        A message whose id JetStream already holds is acknowledged as a duplicate and
        not stored again (counted in ``duplicates``).

        Raises:
            BrokerUnavailable: no server, a lost connection, or no acknowledgement.
        """
        with self._lock:
            try:
                duplicate = self._run(self._publish(message))
            except BrokerUnavailable:
                raise
            except Exception as exc:  # nats errors, OSError, timeouts: all "not stored"
                self._run(self._drop())
                raise BrokerUnavailable(
                    f"NATS JetStream did not acknowledge event {message.message_id} "
                    f"({type(exc).__name__}: {exc}); it stays in the outbox"
                ) from exc
            if duplicate:
                self.duplicates += 1

    def close(self) -> None:
        """Close the connection and stop the publisher's event loop thread."""
        with self._lock:
            if self._loop.is_closed():
                return
            self._run(self._drop())
            # straight on the loop (not through _run's wait_for, whose task it would cancel)
            done = asyncio.run_coroutine_threadsafe(_cancel_leftovers(), self._loop)
            done.result(timeout=3 * self.timeout)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=self.timeout)
            self._loop.close()
