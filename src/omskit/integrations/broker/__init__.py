"""The broker relay: committed events published to a message broker, and their envelope.

[`BrokerRelay`][omskit.integrations.broker.relay.BrokerRelay] and the envelope need
nothing beyond omskit; ``omskit.integrations.broker.rabbitmq`` needs the ``rabbitmq``
extra (pika) and ``omskit.integrations.broker.nats`` the ``nats`` extra (nats-py); each
is imported from there.
"""

from omskit.integrations.broker.envelope import (
    ENVELOPE_SCHEMA,
    SCHEMA_VERSION,
    AggregateOf,
    aggregate_of,
    envelope,
    envelope_bytes,
)
from omskit.integrations.broker.relay import (
    BrokerMessage,
    BrokerRelay,
    BrokerUnavailable,
    EventHeldBack,
    MemoryPublisher,
    Publisher,
    Subscribable,
)

__all__ = [
    "ENVELOPE_SCHEMA",
    "SCHEMA_VERSION",
    "AggregateOf",
    "BrokerMessage",
    "BrokerRelay",
    "BrokerUnavailable",
    "EventHeldBack",
    "MemoryPublisher",
    "Publisher",
    "Subscribable",
    "aggregate_of",
    "envelope",
    "envelope_bytes",
]
