"""The order aggregate: lines with their quantities, money, timeline and derived status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from omskit.customers.address import Address
from omskit.errors import InvalidTransition, NotFound
from omskit.money import Money, TaxedMoney
from omskit.orders.lifecycle import LINE_MOVES, ORDER_MOVES, line_status, order_status
from omskit.storage.ports import Aggregate

__all__ = ["Order", "OrderLine", "TimelineEntry", "line_id"]


_LINE_IDS = tuple(f"L{n}" for n in range(64))


def line_id(number: int) -> str:
    """The id of line ``number`` (``"L1"``); the first few are shared strings, not copies."""
    return _LINE_IDS[number] if 0 < number < len(_LINE_IDS) else f"L{number}"


@attrs.frozen(kw_only=True)
class TimelineEntry:
    """One change to an order: who, when, why, what.

    Attributes:
        at: when it happened (the OMS clock).
        actor: who did it (``"system"``, ``"risk"``, a user name, a connector).
        action: what was done (``"captured"``, ``"held"``, ``"line_cancelled"``...).
        reason: why, in words.
        changes: what changed, as ``field -> "before -> after"`` or a short description.
        status: the order's status after the change.
    """

    at: dt.datetime
    actor: str
    action: str
    reason: str = ""
    changes: tuple[tuple[str, str], ...] = ()
    status: str = ""

    def describe(self) -> str:
        """One readable line: ``09:00 system captured (approved): total 59.70 EUR``."""
        what = ", ".join(f"{k} {v}" for k, v in self.changes)
        why = f" - {self.reason}" if self.reason else ""
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} ({self.status}){why}" + (
            f": {what}" if what else ""
        )


@attrs.define(eq=False, slots=True)
class OrderLine:
    """One line of an order and how far each of its units has come.

    Quantities: ``quantity`` ordered; ``cancelled`` of them cancelled; of the rest
    (``active``), ``allocated`` reserved at a location, ``backordered`` waiting for stock,
    ``in_fulfillment`` being picked, ``shipped``, ``delivered`` and ``returned``.
    ``total`` is the price of the *active* units after discounts, with tax.
    ``delivered_at`` is when units of the line were last delivered (``None`` before).
    """

    id: str
    sku: str
    quantity: int
    unit_price: Money
    total: TaxedMoney
    discount: Money
    channel_price: Money | None = None
    cancelled: int = 0
    allocated: int = 0
    backordered: int = 0
    in_fulfillment: int = 0
    shipped: int = 0
    delivered: int = 0
    returned: int = 0
    status: str = "placed"
    delivered_at: dt.datetime | None = None

    @property
    def active(self) -> int:
        """Units still ordered (not cancelled)."""
        return self.quantity - self.cancelled

    @property
    def unallocated(self) -> int:
        """Active units neither allocated nor shipped."""
        return self.active - self.allocated

    def copy(self) -> OrderLine:
        """An independent copy (every field is immutable)."""
        new = object.__new__(OrderLine)
        new.id, new.sku, new.quantity = self.id, self.sku, self.quantity
        new.unit_price, new.total, new.discount = self.unit_price, self.total, self.discount
        new.channel_price, new.cancelled, new.allocated = (
            self.channel_price,
            self.cancelled,
            self.allocated,
        )
        new.backordered, new.in_fulfillment = self.backordered, self.in_fulfillment
        new.shipped, new.delivered, new.returned = self.shipped, self.delivered, self.returned
        new.status, new.delivered_at = self.status, self.delivered_at
        return new


@attrs.define(eq=False)
class Order(Aggregate):
    """A customer's order, from capture to completion.

    The ``status`` of the order and of every line is derived from the line quantities and
    the flags ``on_hold``, ``approved`` and ``completed``; [`refresh`][] recomputes
    them and refuses a move that `ORDER_MOVES` forbids.
    """

    channel: str
    external_id: str
    currency: str
    customer_email: str
    ship_to: Address
    lines: list[OrderLine]
    total: TaxedMoney
    shipping: TaxedMoney
    created_at: dt.datetime
    customer_id: str = ""
    customer_name: str = ""
    bill_to: Address | None = None
    quote: Any = None
    duties: Money | None = None
    coupons: tuple[str, ...] = ()
    incoterm: str = "DAP"
    notes: str = ""
    card_fingerprint: str = ""
    fingerprint: str = ""
    payment_status: str = "pending"
    risk: Any = None
    on_hold: bool = False
    hold_reason: str = ""
    approved: bool = False
    completed: bool = False
    status: str = "placed"
    updated_at: dt.datetime | None = None
    next_line: int = 1
    history: list[TimelineEntry] = attrs.field(factory=list)
    shipments: dict[str, str] = attrs.field(factory=dict)
    #: the shipping charge the order was captured with (before promotions and tax
    #: treatment); an edit re-prices the order with it
    shipping_charge: Money | None = None
    #: who pricing saw at capture (a ``CustomerRef`` with the exemption and VAT id that
    #: capture allowed); edits re-price with it
    pricing_customer: Any = None

    # -- lines ------------------------------------------------------------------------
    def line(self, line_id: str) -> OrderLine:
        """The line ``line_id``; raises [`NotFound`][] naming the order's lines."""
        for line in self.lines:
            if line.id == line_id:
                return line
        known = ", ".join(x.id for x in self.lines)
        raise NotFound("line", line_id, f"order {self.id} has lines {known}")

    def active_lines(self) -> list[OrderLine]:
        """Lines with at least one unit not cancelled."""
        return [x for x in self.lines if x.quantity > x.cancelled]

    def new_line_id(self) -> str:
        """The id for the next line added (``L1``, ``L2``...)."""
        new = line_id(self.next_line)
        self.next_line += 1
        return new

    @property
    def due(self) -> Money:
        """What the customer owes for the order as it stands (the gross total)."""
        return self.total.gross

    # -- status -----------------------------------------------------------------------
    def refresh(self) -> str:
        """Recompute every status from the quantities; raise if a move is not allowed.

        Raises:
            InvalidTransition: a line or the order would move in a way the tables forbid.
        """
        approved, completed = self.approved, self.completed
        statuses = []
        for line in self.lines:
            new = line_status(
                quantity=line.quantity, cancelled=line.cancelled, allocated=line.allocated,
                backordered=line.backordered, in_fulfillment=line.in_fulfillment,
                shipped=line.shipped, delivered=line.delivered, approved=approved,
                completed=completed,
            )  # fmt: skip
            if new != line.status and new not in LINE_MOVES[line.status]:
                raise InvalidTransition(f"line {line.id} of order {self.id}", line.status,
                                        f"move to {new!r}", _into(LINE_MOVES, new))  # fmt: skip
            line.status = new
            statuses.append(new)
        status = order_status(statuses, on_hold=self.on_hold)
        if status != self.status and status not in ORDER_MOVES[self.status]:
            raise InvalidTransition(f"order {self.id}", self.status, f"move to {status!r}",
                                    _into(ORDER_MOVES, status))  # fmt: skip
        self.status = status
        return status

    def note(
        self,
        at: dt.datetime,
        actor: str,
        action: str,
        reason: str = "",
        changes: Mapping[str, object] | None = None,
    ) -> TimelineEntry:
        """Refresh the status and add a timeline entry for a change just made."""
        self.refresh()
        entry = TimelineEntry(
            at=at, actor=actor, action=action, reason=reason, status=self.status,
            changes=tuple((k, str(v)) for k, v in (changes or {}).items()),
        )  # fmt: skip
        self.history.append(entry)
        self.updated_at = at
        return entry

    def clone(self) -> Order:
        """A copy with its own lines, history and shipments (values are immutable)."""
        new = object.__new__(Order)
        for name in _ORDER_SLOTS:
            object.__setattr__(new, name, getattr(self, name))
        new._events = []
        new.lines = [line.copy() for line in self.lines]
        new.history = list(self.history)
        new.shipments = dict(self.shipments)
        return new


def _into(table: Mapping[str, frozenset[str]], target: str) -> list[str]:
    return [s for s, moves in table.items() if target in moves]


_ORDER_SLOTS = tuple(a.name for a in attrs.fields(Order) if a.name != "_events")
