"""RabbitMQ for the broker relay (extra ``rabbitmq``: ``pip install 'omskit[rabbitmq]'``).

[`RabbitMQPublisher`][] publishes each message to a durable topic exchange
(``omskit.events`` by default) with:

* routing key ``<aggregate type>.<event type>`` (``order.OrderCaptured``): bind
  ``order.*`` for every order event, ``#`` for everything;
* ``message_id`` = the event id, ``type`` = the event type, ``timestamp``,
  ``content_type`` ``application/json``, ``delivery_mode`` 2 (persistent), and headers
  ``omskit-schema``, ``omskit-aggregate-type``, ``omskit-aggregate-id``;
* **publisher confirms**: ``publish`` returns only after the broker has taken
  responsibility for the message; a nack, a closed channel or a lost connection raises,
  and the next publish opens a new connection.

With ``mandatory=True`` a message no queue is bound for is returned by the broker and
counts as a failure (held back and retried); by default it is dropped by RabbitMQ, which
is what an exchange nobody listens to yet should do.

The connection is opened lazily and kept; the publisher is thread-safe (one publish at
a time, which keeps the broker's order the commit order).
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pika
import pika.exceptions

from omskit.integrations.broker.envelope import SCHEMA_VERSION
from omskit.integrations.broker.relay import BrokerMessage, BrokerUnavailable

__all__ = ["DEFAULT_EXCHANGE", "BrokerUnavailable", "RabbitMQPublisher"]

#: The exchange events go to unless told otherwise.
DEFAULT_EXCHANGE = "omskit.events"


class RabbitMQPublisher:
    """Publishes relay messages to RabbitMQ with publisher confirms.

    Args:
        url: an AMQP URL, ``amqp://user:password@host:5672/%2F``.
        exchange: the topic exchange (declared durable on connect).
        mandatory: treat a message no queue takes as a failure.
        connection_attempts: pika's attempts per connect.
        socket_timeout: seconds before a silent broker counts as down.
    """

    def __init__(
        self,
        url: str,
        *,
        exchange: str = DEFAULT_EXCHANGE,
        mandatory: bool = False,
        connection_attempts: int = 1,
        socket_timeout: float = 5.0,
    ) -> None:
        self.parameters = pika.URLParameters(url)
        self.parameters.connection_attempts = connection_attempts
        self.parameters.socket_timeout = socket_timeout
        self.parameters.blocked_connection_timeout = socket_timeout
        self.exchange = exchange
        self.mandatory = mandatory
        self._connection: Any = None
        self._channel: Any = None
        self._lock = threading.Lock()
        self.connects = 0

    def _open(self) -> Any:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self._drop()
        self._connection = pika.BlockingConnection(self.parameters)
        channel = self._connection.channel()
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        channel.confirm_delivery()
        self._channel = channel
        self.connects += 1
        return channel

    def publish(self, message: BrokerMessage) -> None:
        """Publish ``message``; return once the broker confirmed it.

        Raises:
            BrokerUnavailable: no confirm (the broker is down, nacked or returned it).
        """
        properties = pika.BasicProperties(
            message_id=message.message_id,
            type=message.type,
            timestamp=message.timestamp,
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            headers={
                "omskit-schema": SCHEMA_VERSION,
                "omskit-aggregate-type": message.aggregate[0],
                "omskit-aggregate-id": message.aggregate[1],
            },
        )
        with self._lock:
            try:
                channel = self._open()
                channel.basic_publish(
                    self.exchange, message.routing_key, message.body, properties,
                    mandatory=self.mandatory,
                )  # fmt: skip
            except (pika.exceptions.AMQPError, OSError) as exc:
                self._drop()
                raise BrokerUnavailable(
                    f"RabbitMQ did not confirm event {message.message_id} "
                    f"({type(exc).__name__}: {exc}); it stays in the outbox"
                ) from exc

    def _drop(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            with contextlib.suppress(Exception):  # gone already: nothing to do
                connection.close()

    def close(self) -> None:
        """Close the connection (a later publish opens a new one)."""
        with self._lock:
            self._drop()
