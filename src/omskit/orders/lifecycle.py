"""Order and line lifecycles: statuses, what each allows, and how status is derived.

A line's status follows from its quantities (ordered, cancelled, allocated, backordered,
in fulfillment, shipped, delivered); the order's status follows from its lines plus three
order-level facts (on hold, approved, completed). Nothing sets a status directly, so an
order and its lines can never disagree. `ORDER_ACTIONS` says which actions each
status allows; `ORDER_MOVES` which statuses may follow which, and every change is
checked against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from omskit.errors import InvalidTransition

__all__ = [
    "LINE_MOVES",
    "LINE_STATUSES",
    "ORDER_ACTIONS",
    "ORDER_MOVES",
    "ORDER_STATUSES",
    "line_status",
    "order_status",
    "require_action",
]

#: Every status an order can be in, roughly in lifecycle order.
ORDER_STATUSES = (
    "placed",
    "on_hold",
    "approved",
    "backordered",
    "partially_allocated",
    "allocated",
    "in_fulfillment",
    "partially_shipped",
    "shipped",
    "delivered",
    "completed",
    "cancelled",
)

#: Line statuses: the order's, less ``on_hold`` (a hold is the order's, not a line's).
LINE_STATUSES = tuple(s for s in ORDER_STATUSES if s != "on_hold")

_BEFORE_FULFILLMENT = ("placed", "on_hold", "approved", "backordered", "partially_allocated",
                       "allocated")  # fmt: skip

#: For each order status, the actions it allows.
ORDER_ACTIONS: Mapping[str, frozenset[str]] = {
    "placed": frozenset({"approve", "hold", "cancel", "cancel_lines", "edit", "allocate",
                         "backorder", "authorize", "capture_payment"}),
    "on_hold": frozenset({"approve", "release", "cancel", "cancel_lines", "edit",
                          "authorize", "deallocate"}),
    "approved": frozenset({"hold", "cancel", "cancel_lines", "edit", "allocate", "backorder",
                           "authorize", "capture_payment", "refund"}),
    "backordered": frozenset({"hold", "cancel", "cancel_lines", "edit", "allocate",
                              "backorder", "authorize", "capture_payment", "refund"}),
    "partially_allocated": frozenset({"hold", "cancel", "cancel_lines", "edit", "allocate",
                                      "backorder", "deallocate", "start_fulfillment", "ship",
                                      "authorize", "capture_payment", "refund"}),
    "allocated": frozenset({"hold", "cancel", "cancel_lines", "edit", "deallocate",
                            "start_fulfillment", "ship", "authorize", "capture_payment",
                            "refund"}),
    "in_fulfillment": frozenset({"hold", "cancel", "cancel_lines", "edit",
                                 "start_fulfillment", "ship", "allocate", "backorder",
                                 "deallocate", "capture_payment", "refund"}),
    "partially_shipped": frozenset({"cancel_lines", "allocate", "backorder", "deallocate",
                                    "start_fulfillment", "ship", "deliver",
                                    "capture_payment", "refund"}),
    "shipped": frozenset({"deliver", "capture_payment", "refund"}),
    "delivered": frozenset({"complete", "capture_payment", "refund"}),
    "completed": frozenset({"refund"}),
    "cancelled": frozenset(),
}  # fmt: skip

_AFTER_ALLOCATION = frozenset({"backordered", "partially_allocated", "allocated"})
#: Where units taken back from a location (a short pick, a rejection, a cancelled
#: fulfillment order) can leave a line or order that was allocated or being picked.
_DEALLOCATED = frozenset({"placed", "approved"}) | _AFTER_ALLOCATION
_PRE = frozenset(_BEFORE_FULFILLMENT)

#: For each order status, the statuses that may follow it directly.
ORDER_MOVES: Mapping[str, frozenset[str]] = {
    "placed": _PRE | {"cancelled"},
    "on_hold": _PRE | {"in_fulfillment", "cancelled"},
    "approved": frozenset({"on_hold", "approved", "cancelled"}) | _AFTER_ALLOCATION,
    "backordered": frozenset({"on_hold", "approved", "cancelled"}) | _AFTER_ALLOCATION,
    "partially_allocated": frozenset({"on_hold", "cancelled", "in_fulfillment",
                                      "partially_shipped", "shipped"}) | _DEALLOCATED,
    "allocated": frozenset({"on_hold", "cancelled", "in_fulfillment",
                            "partially_shipped", "shipped"}) | _DEALLOCATED,
    "in_fulfillment": frozenset({"on_hold", "in_fulfillment", "partially_shipped", "shipped",
                                 "cancelled"}) | _DEALLOCATED,
    "partially_shipped": frozenset({"partially_shipped", "shipped", "delivered"}),
    "shipped": frozenset({"shipped", "delivered"}),
    "delivered": frozenset({"delivered", "completed"}),
    "completed": frozenset({"completed"}),
    "cancelled": frozenset({"cancelled"}),
}  # fmt: skip

#: For each line status, the statuses that may follow it directly.
LINE_MOVES: Mapping[str, frozenset[str]] = {
    status: (moves - {"on_hold"}) | {status}
    for status, moves in ORDER_MOVES.items()
    if status != "on_hold"
}


def line_status(  # noqa: PLR0911 - one return per status, in priority order
    *,
    quantity: int,
    cancelled: int,
    allocated: int,
    backordered: int,
    in_fulfillment: int,
    shipped: int,
    delivered: int,
    approved: bool,
    completed: bool,
) -> str:
    """The status a line's quantities imply."""
    active = quantity - cancelled
    if active <= 0:
        return "cancelled"
    if delivered >= active:
        return "completed" if completed else "delivered"
    if shipped >= active:
        return "shipped"
    if shipped:
        return "partially_shipped"
    if in_fulfillment:
        return "in_fulfillment"
    if allocated >= active:
        return "allocated"
    if allocated:
        return "partially_allocated"
    if backordered:
        return "backordered"
    return "approved" if approved else "placed"


_RANK = {s: i for i, s in enumerate(ORDER_STATUSES)}


def order_status(line_statuses: Iterable[str], *, on_hold: bool) -> str:  # noqa: PLR0911
    """The status an order's line statuses (and its hold) imply.

    All lines cancelled: ``cancelled``. A hold wins until something has shipped. Then the
    least advanced of the active lines decides, except that one shipped line makes the
    order ``partially_shipped`` and one allocated line ``partially_allocated``.
    """
    active = [s for s in line_statuses if s != "cancelled"]
    if not active:
        return "cancelled"
    least = min(active, key=_RANK.__getitem__)
    most = max(active, key=_RANK.__getitem__)
    shipped_any = _RANK[most] >= _RANK["partially_shipped"]
    if on_hold and not shipped_any:
        return "on_hold"
    if least in ("shipped", "delivered", "completed"):
        return least
    if shipped_any:
        return "partially_shipped"
    if "in_fulfillment" in active:
        return "in_fulfillment"
    if least == "allocated":
        return "allocated"
    if _RANK[most] >= _RANK["partially_allocated"]:
        return "partially_allocated"
    if "backordered" in active:
        return "backordered"
    return least


def require_action(entity: str, status: str, action: str) -> None:
    """Raise [`InvalidTransition`][] unless ``status`` allows ``action``.

    The error names the statuses that would have allowed it.
    """
    if action not in ORDER_ACTIONS[status]:
        allowed = [s for s, actions in ORDER_ACTIONS.items() if action in actions]
        raise InvalidTransition(entity, status, action, allowed)
