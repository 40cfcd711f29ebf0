"""The event envelope: one versioned JSON document per omskit event, for any consumer.

Every event a relay publishes is this JSON object (UTF-8, ``application/json``)::

    {
      "schema": "omskit.event/1",
      "id": "evt_000042",                      the event id: dedupe on it
      "type": "OrderCaptured",                 the event's class name
      "occurred_at": "2026-11-24T09:00:00+00:00",
      "aggregate": {"type": "order", "id": "ord_000001"},
      "actor": "user:dana",                    who caused it, or null
      "data": {...}                            the event's own fields
    }

``data`` holds the event's fields as [`Event.to_dict`][omskit.events.Event.to_dict]
writes them: money as ``{"amount": "19.90", "currency": "EUR"}`` (a decimal *string*),
times as ISO 8601, sets as sorted arrays. A consumer reads ``schema`` first; a new
major number is a breaking change, new fields in ``data`` are not.

``aggregate`` is the thing the event is about, read from the event's first field
(``order_id`` -> ``order``, ``shipment_id`` -> ``shipment``, ``sku`` -> ``product``,
``reference`` -> ``reference``...); events of one aggregate are published in the order
they were committed. ``ENVELOPE_SCHEMA`` is the JSON Schema (draft 2020-12).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from omskit.events import Event

__all__ = [
    "ENVELOPE_SCHEMA",
    "SCHEMA_VERSION",
    "AggregateOf",
    "aggregate_of",
    "envelope",
    "envelope_bytes",
]

#: The value of every envelope's ``schema`` field.
SCHEMA_VERSION = "omskit.event/1"

#: Says which aggregate an event belongs to: ``(type, id)``.
AggregateOf = Callable[[Event], tuple[str, str]]

_BASE_FIELDS = frozenset({"event_id", "occurred_at"})
_TYPE_OF = {"sku": "product", "code": "coupon"}

#: The envelope as a JSON Schema, for consumers in any language.
ENVELOPE_SCHEMA: Mapping[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://omskit.dev/schemas/event-1.json",
    "title": "omskit event envelope, version 1",
    "type": "object",
    "required": ["schema", "id", "type", "occurred_at", "aggregate", "actor", "data"],
    "additionalProperties": False,
    "properties": {
        "schema": {"const": SCHEMA_VERSION},
        "id": {"type": "string", "minLength": 1, "description": "dedupe on it"},
        "type": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]*$"},
        "occurred_at": {"type": "string", "format": "date-time"},
        "aggregate": {
            "type": "object",
            "required": ["type", "id"],
            "additionalProperties": False,
            "properties": {"type": {"type": "string"}, "id": {"type": "string"}},
        },
        "actor": {"type": ["string", "null"]},
        "data": {"type": "object"},
    },
}


def aggregate_of(event: Event) -> tuple[str, str]:
    """``(type, id)`` of the aggregate ``event`` is about: its first own field.

    ``OrderCaptured(order_id="ord_1", ...)`` is ``("order", "ord_1")``; an event with no
    fields of its own is its own aggregate ``("event", event_id)``.
    """
    for field in attrs.fields(type(event)):
        if field.name in _BASE_FIELDS:
            continue
        value = getattr(event, field.name)
        name = field.name.removesuffix("_id")
        return _TYPE_OF.get(name, name), str(value)
    return "event", event.event_id


def envelope(event: Event, aggregate: AggregateOf = aggregate_of) -> dict[str, Any]:
    """The JSON-ready envelope of a committed (stamped) ``event``.

    Raises:
        ValueError: the event has no id yet (it was never committed).
    """
    if not event.event_id:
        raise ValueError(f"{event.event_type} has no event_id: only committed events are sent")
    data = event.to_dict()
    for key in ("event_id", "occurred_at", "event_type"):
        data.pop(key, None)
    actor = data.get("actor")
    kind, key = aggregate(event)
    return {
        "schema": SCHEMA_VERSION,
        "id": event.event_id,
        "type": event.event_type,
        "occurred_at": event.occurred_at.isoformat(),
        "aggregate": {"type": kind, "id": key},
        "actor": actor if isinstance(actor, str) and actor else None,
        "data": data,
    }


def envelope_bytes(document: Mapping[str, Any]) -> bytes:
    """The envelope as compact UTF-8 JSON (keys sorted, so equal events are equal bytes)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()
