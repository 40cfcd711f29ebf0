"""The RMA lifecycle as a transition table: for each status, each action and where it leads.

::

    requested     authorize -> authorized, reject -> rejected, cancel -> cancelled
    authorized    issue_label -> label_issued, ship -> in_transit, receive -> received,
                  cancel -> cancelled, expire -> expired, resolve -> closed (claims)
    label_issued  ship -> in_transit, receive -> received, cancel, expire
    in_transit    receive -> received
    received      inspect -> inspected
    inspected     refund -> closed, close -> closed

``cancel`` is allowed until the parcel is on its way (requested, authorized,
label_issued). Nothing changes a status except ``Rma.move`` (through [`next_status`][]),
which refuses any move the table does not list.
"""

from __future__ import annotations

from collections.abc import Mapping

from omskit.errors import InvalidTransition

__all__ = ["RMA_STATUSES", "RMA_TRANSITIONS", "TERMINAL", "allowed_from", "next_status"]

#: Every status an RMA can be in, in lifecycle order.
RMA_STATUSES = (
    "requested",
    "authorized",
    "rejected",
    "label_issued",
    "in_transit",
    "received",
    "inspected",
    "closed",
    "cancelled",
    "expired",
)

#: For each status, the actions it allows and the status each leads to.
RMA_TRANSITIONS: Mapping[str, Mapping[str, str]] = {
    "requested": {"authorize": "authorized", "reject": "rejected", "cancel": "cancelled"},
    "authorized": {
        "issue_label": "label_issued",
        "ship": "in_transit",
        "receive": "received",
        "cancel": "cancelled",
        "expire": "expired",
        "resolve": "closed",
    },
    "label_issued": {
        "ship": "in_transit",
        "receive": "received",
        "cancel": "cancelled",
        "expire": "expired",
    },
    "in_transit": {"receive": "received"},
    "received": {"inspect": "inspected"},
    "inspected": {"refund": "closed", "close": "closed"},
    "rejected": {},
    "closed": {},
    "cancelled": {},
    "expired": {},
}

#: Statuses nothing leaves.
TERMINAL = frozenset(s for s, moves in RMA_TRANSITIONS.items() if not moves)


def allowed_from(action: str) -> list[str]:
    """The statuses in which ``action`` is allowed."""
    return [s for s, moves in RMA_TRANSITIONS.items() if action in moves]


def next_status(entity: str, status: str, action: str) -> str:
    """Where ``action`` takes an RMA in ``status``; raises [`InvalidTransition`][]."""
    target = RMA_TRANSITIONS[status].get(action)
    if target is None:
        raise InvalidTransition(entity, status, action, allowed_from(action))
    return target
