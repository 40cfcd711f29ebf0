"""How a guarded call finds its scope (channels, locations) and its target.

Each function here builds a resolver from argument *names*: the guard binds a call's
arguments to the method's signature and hands the resolver the bound arguments by name,
plus the OMS facade (``services``) to look records up through the services' public read
methods. A lookup that fails (no such order) gives an unresolved scope, which only an
unlimited grant covers; the call itself then raises its own error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from omskit.admin.permissions import Scope
from omskit.errors import OmskitError

__all__ = [
    "ScopeFn",
    "Target",
    "TargetFn",
    "capture_channel",
    "channel_arg",
    "fulfillment_order",
    "locations",
    "no_scope",
    "of_arg",
    "of_result",
    "order_channel",
    "params_of",
    "payment_channel",
    "purchase_order_location",
    "reads",
    "reservation_locations",
    "rma",
    "shipment",
]

#: ``(services, arguments) -> Scope``; ``services`` is the OMS facade.
ScopeFn = Callable[[Any, Mapping[str, Any]], Scope]
#: A target's label (``"order:O-7"``) and how to read its current state.
Target = tuple[str, Callable[[], object | None]]
#: ``(services, arguments, result) -> Target | None``; ``result`` is ``None`` before the call.
TargetFn = Callable[[Any, Mapping[str, Any], Any], Target | None]

UNRESOLVED = Scope(resolved=False)

_F = TypeVar("_F", bound=Callable[..., Any])


def reads(*names: str) -> Callable[[_F], _F]:
    """Tag a resolver with the argument names it reads (a test checks they exist)."""

    def tag(fn: _F) -> _F:
        fn.params = names  # type: ignore[attr-defined]
        return fn

    return tag


def params_of(fn: object) -> tuple[str, ...]:
    """The argument names a resolver reads (empty when it reads none)."""
    found: tuple[str, ...] = getattr(fn, "params", ())
    return found


def no_scope(services: Any, args: Mapping[str, Any]) -> Scope:
    """The call has no channel and no location (catalog, pricing, configuration)."""
    return Scope()


def _codes(values: list[Any]) -> Scope | frozenset[str]:
    if not all(isinstance(v, str) for v in values):
        return UNRESOLVED
    return frozenset(values)


def channel_arg(name: str) -> ScopeFn:
    """The channel is the argument ``name``."""

    @reads(name)
    def resolve(services: Any, args: Mapping[str, Any]) -> Scope:
        value = args.get(name)
        found = _codes([] if value is None else [value])
        return found if isinstance(found, Scope) else Scope(channels=found)

    return resolve


def locations(*names: str) -> ScopeFn:
    """The locations are the arguments ``names`` (those that are not ``None``)."""

    @reads(*names)
    def resolve(services: Any, args: Mapping[str, Any]) -> Scope:
        found = _codes([args[n] for n in names if args.get(n) is not None])
        return found if isinstance(found, Scope) else Scope(locations=found)

    return resolve


def _order_scope(services: Any, order_id: Any) -> Scope:
    try:
        return Scope(channels=frozenset({services.orders.get(order_id).channel}))
    except (OmskitError, TypeError):
        return UNRESOLVED


def order_channel(name: str = "order_id") -> ScopeFn:
    """The channel of the order whose id is the argument ``name``."""

    @reads(name)
    def resolve(services: Any, args: Mapping[str, Any]) -> Scope:
        return _order_scope(services, args.get(name))

    return resolve


def payment_channel(name: str = "reference", *, attribute: str | None = None) -> ScopeFn:
    """The channel of the order a payment is for (its reference is the order id)."""

    @reads(name)
    def resolve(services: Any, args: Mapping[str, Any]) -> Scope:
        value = args.get(name)
        if attribute is not None:
            value = getattr(value, attribute, None)
        return _order_scope(services, value)

    return resolve


@reads("payload", "fields")
def capture_channel(services: Any, args: Mapping[str, Any]) -> Scope:
    """The channel a captured order comes in through (payload or keyword fields)."""
    payload, fields = args.get("payload"), args.get("fields") or {}
    channel = fields.get("channel")
    if channel is None and isinstance(payload, Mapping):
        channel = payload.get("channel")
    elif channel is None and payload is not None:
        channel = getattr(payload, "channel", None)
    found = _codes([channel])
    return found if isinstance(found, Scope) else Scope(channels=found)


def _fo_scope(services: Any, fo_id: Any) -> Scope:
    try:
        fo = services.fulfillment.get(fo_id)
    except (OmskitError, TypeError):
        return UNRESOLVED
    return Scope(locations=frozenset({fo.location})) | _order_scope(services, fo.order_id)


def fulfillment_order(name: str = "fulfillment_order_id") -> ScopeFn:
    """The location of a fulfillment order and the channel of its order."""

    @reads(name)
    def resolve(services: Any, args: Mapping[str, Any]) -> Scope:
        return _fo_scope(services, args.get(name))

    return resolve


def shipment(name: str = "shipment_id") -> ScopeFn:
    """The location and channel of the fulfillment order a shipment leaves from."""

    @reads(name)
    def resolve(services: Any, args: Mapping[str, Any]) -> Scope:
        try:
            found = services.fulfillment.shipment(args.get(name))
        except (OmskitError, TypeError):
            return UNRESOLVED
        return _fo_scope(services, found.fulfillment_order_id)

    return resolve


@reads("po_id")
def rma(name: str = "rma_id") -> ScopeFn:
    """A return's channel and the location its goods go back to (or the ``location``)."""

    @reads(name)
    def resolve(services: Any, args: Mapping[str, Any]) -> Scope:
        try:
            found = services.returns.get(args.get(name))
        except (OmskitError, TypeError):
            return UNRESOLVED
        where = args.get("location") or found.location
        if where is not None and not isinstance(where, str):
            return UNRESOLVED
        return Scope(frozenset({found.channel}), frozenset({where}) if where else frozenset())

    return resolve


@reads("po_id")
def purchase_order_location(services: Any, args: Mapping[str, Any]) -> Scope:
    """The location a purchase order delivers to."""
    try:
        return Scope(
            locations=frozenset({services.inventory.purchase_order(args["po_id"]).location})
        )
    except (OmskitError, TypeError, KeyError):
        return UNRESOLVED


@reads("reference")
def reservation_locations(services: Any, args: Mapping[str, Any]) -> Scope:
    """The ``location`` argument, or every location holding stock for the reference."""
    if args.get("location") is not None:
        return locations("location")(services, args)
    allocations = args.get("allocations")
    if allocations is not None:
        try:
            found = _codes([a.location for a in allocations])
        except (AttributeError, TypeError):
            return UNRESOLVED
        return found if isinstance(found, Scope) else Scope(locations=found)
    try:
        held = services.inventory.reservations(args.get("reference"))
    except (OmskitError, TypeError):
        return UNRESOLVED
    return Scope(locations=frozenset(r.location for r in held))


def of_arg(kind: str, name: str, load: Callable[[Any, Any], object]) -> TargetFn:
    """The target is ``kind:<argument name>``, read with ``load(services, value)``."""

    @reads(name)
    def target(services: Any, args: Mapping[str, Any], result: Any) -> Target | None:
        value = args.get(name)
        if not isinstance(value, str):
            return None
        return f"{kind}:{value}", lambda: _quiet(load, services, value)

    return target


def of_result(kind: str, load: Callable[[Any, Any], object], attribute: str = "id") -> TargetFn:
    """The target is what the call returns (a new record): ``kind:<result.id>``."""

    def target(services: Any, args: Mapping[str, Any], result: Any) -> Target | None:
        key = getattr(result, attribute, None)
        if key is None:
            return None
        return f"{kind}:{key}", lambda: _quiet(load, services, key)

    return target


def _quiet(load: Callable[[Any, Any], object], services: Any, key: Any) -> object | None:
    try:
        return load(services, key)
    except OmskitError:
        return None
