"""Sourcing requests and plans: what to ship, from where, and why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from typing import Any, Protocol

import attrs

from omskit.customers.address import Address
from omskit.errors import ValidationError
from omskit.inventory.reservations import Allocation
from omskit.money import Money
from omskit.validation import Problems, check_quantity, check_sku, check_text

__all__ = [
    "Alternative",
    "Decision",
    "Plan",
    "PlanDetails",
    "Shortfall",
    "SourcingLine",
    "SourcingRequest",
]


@attrs.frozen
class SourcingLine:
    """``quantity`` x ``sku`` wanted for order line ``line_ref``."""

    line_ref: str
    sku: str
    quantity: int


def _lines(value: Any) -> tuple[SourcingLine, ...]:
    problems = Problems()
    out: list[SourcingLine] = []
    if isinstance(value, str | bytes) or not value:
        raise ValidationError("lines", value, "give at least one line")
    for i, raw in enumerate(value):
        data: Any = attrs.asdict(raw) if isinstance(raw, SourcingLine) else raw
        if not isinstance(data, Mapping):
            problems.add(f"lines[{i}]", "expected {'line_ref', 'sku', 'quantity'}", raw)
            continue
        ref = problems.check(f"lines[{i}].line_ref", check_text,
                             data.get("line_ref", str(i + 1)), max_length=64)  # fmt: skip
        sku = problems.check(f"lines[{i}].sku", check_sku, data.get("sku"))
        qty = problems.check(f"lines[{i}].quantity", check_quantity, data.get("quantity"))
        if ref is not None and sku is not None and qty is not None:
            out.append(SourcingLine(ref, sku, qty))
    refs = [ln.line_ref for ln in out]
    for ref in sorted({r for r in refs if refs.count(r) > 1}):
        problems.add("lines", f"line_ref {ref!r} is used more than once", ref)
    problems.raise_if_any()
    return tuple(out)


def _address(value: Any) -> Address:
    return Address.from_mapping(value, "ship_to")


def _flag(_instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise ValidationError(attribute.name, value, "expected true or false")


def _codes(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset((value,))
    return frozenset(value)


@attrs.frozen
class SourcingRequest:
    """What routing is asked to source.

    Attributes:
        reference: the order (or cart) being sourced.
        lines: the lines wanted.
        ship_to: the destination.
        allow_split: whether the order may ship from several locations.
        exclude: locations not to use (e.g. one that rejected the work).
        channel: the sales channel, for the record.
        count_own_holds: whether the stock ``reference`` already holds counts as
            available to it. ``True`` plans a *replacement* of those holds: release them
            and reserve the plan in the same transaction (reserving the plan on top of
            them would ask for the same units twice). ``False`` plans units *on top of*
            what the reference holds, so the plan can be reserved as it is: use it to
            source more units for an order that already holds some.
    """

    reference: str
    lines: tuple[SourcingLine, ...] = attrs.field(converter=_lines)
    ship_to: Address = attrs.field(converter=_address)
    allow_split: bool = True
    exclude: frozenset[str] = attrs.field(default=frozenset(), converter=_codes)
    channel: str = ""
    count_own_holds: bool = attrs.field(default=True, kw_only=True, validator=_flag)

    @classmethod
    def trusted(
        cls,
        reference: str,
        lines: tuple[SourcingLine, ...],
        ship_to: Address,
        *,
        allow_split: bool = True,
        exclude: frozenset[str] = frozenset(),
        channel: str = "",
        count_own_holds: bool = True,
    ) -> SourcingRequest:
        """A request from input another omskit service has already validated.

        Skips the converters (line, address and code checks), which capture would
        otherwise pay twice. The caller vouches for the values: ``lines`` is a non-empty
        tuple of [`SourcingLine`][] with unique ``line_ref``, ``ship_to`` an
        [`Address`][]. Host code should use the normal constructor.
        """
        request: SourcingRequest = object.__new__(cls)
        for name, value in (
            ("reference", reference), ("lines", lines), ("ship_to", ship_to),
            ("allow_split", allow_split), ("exclude", exclude), ("channel", channel),
            ("count_own_holds", count_own_holds),
        ):  # fmt: skip
            object.__setattr__(request, name, value)
        return request


@attrs.frozen
class Shortfall:
    """Part of a line that could not be allocated.

    Attributes:
        reason: in words, e.g. ``"backordered: promised for 2026-12-03"``.
        kind: ``"backorder"``, ``"preorder"`` or ``"rejected"``.
        promise_date: when it can ship (backorders and preorders), if known.
        location: where the promised stock will arrive, if known.
    """

    line_ref: str
    sku: str
    quantity: int
    reason: str
    kind: str = "rejected"
    promise_date: dt.date | None = None
    location: str | None = None


@attrs.frozen
class Alternative:
    """Another location that could have served a decision, and how it compared."""

    location: str
    available: int
    detail: str


@attrs.frozen
class Decision:
    """Why ``location`` ships ``quantity`` x ``sku`` for ``line_ref``.

    Attributes:
        alternatives: other locations that still had stock of the SKU when this decision
            was made (after the plan's earlier picks), best-ranked first, at most four;
            ``available`` is what they still had.
        exhausted: locations that had stock of the SKU, but whose units earlier picks of
            the same plan had already taken.
    """

    line_ref: str
    sku: str
    quantity: int
    location: str
    why: str
    alternatives: tuple[Alternative, ...] = ()
    exhausted: tuple[str, ...] = ()

    def sentence(self) -> str:
        """The decision in one sentence for a customer-service agent."""
        text = f"{self.location} chosen for {self.sku} x{self.quantity}: {self.why}"
        if self.alternatives:
            listed = ", ".join(
                f"{a.location} ({a.available} available, {a.detail})" for a in self.alternatives
            )
            text += f"; also had stock: {listed}"
        if self.exhausted:
            text += f"; had none left (taken by earlier picks): {', '.join(self.exhausted)}"
        return text


class PlanDetails(Protocol):
    """Works out a plan's explanation and cost estimate when they are first read."""

    def decisions(self) -> tuple[Decision, ...]:
        """One decision per allocation, with the alternatives still available to it."""
        ...

    def estimated_cost(self) -> Money | None:
        """Handling plus estimated shipping under the routing cost model."""
        ...


@attrs.frozen
class Plan:
    """A sourcing plan: allocations per location, the remainder, and the reasoning.

    The planner works out ``decisions`` and ``estimated_cost`` only when they are first
    read (from what it saw when planning), so reserving a plan straight away costs
    nothing for its explanation. Plans compare equal by strategy, allocations,
    shortfalls, exclusions and request.

    Attributes:
        strategy: the strategy that made it.
        allocations: what ships from where.
        unfulfilled: what could not be allocated, with reasons.
        decisions: one per allocation, with the alternatives considered.
        excluded: locations not considered, with the reason (capabilities, protection).
        estimated_cost: handling plus estimated shipping, by the routing cost model.
        request: the request planned (used by ``replan``).
    """

    strategy: str
    allocations: tuple[Allocation, ...]
    unfulfilled: tuple[Shortfall, ...] = ()
    _decisions: tuple[Decision, ...] = attrs.field(default=(), eq=False, repr=False)
    excluded: tuple[tuple[str, str], ...] = ()
    _estimated_cost: Money | None = attrs.field(default=None, eq=False, repr=False)
    request: SourcingRequest | None = attrs.field(default=None, repr=False)
    _details: PlanDetails | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    @cached_property
    def decisions(self) -> tuple[Decision, ...]:
        """One decision per allocation, with the alternatives considered."""
        return self._decisions if self._details is None else self._details.decisions()

    @cached_property
    def estimated_cost(self) -> Money | None:
        """Handling plus estimated shipping, by the routing cost model."""
        return self._estimated_cost if self._details is None else self._details.estimated_cost()

    def shipments(self) -> dict[str, tuple[Allocation, ...]]:
        """Allocations grouped by location, in plan order."""
        grouped: dict[str, list[Allocation]] = {}
        for a in self.allocations:
            grouped.setdefault(a.location, []).append(a)
        return {loc: tuple(items) for loc, items in grouped.items()}

    @property
    def shipment_count(self) -> int:
        """How many locations ship."""
        return len({a.location for a in self.allocations})

    @property
    def complete(self) -> bool:
        """True when every unit of every line is allocated."""
        return not self.unfulfilled

    def allocated(self, line_ref: str) -> int:
        """Units allocated to ``line_ref``."""
        return sum(a.quantity for a in self.allocations if a.line_ref == line_ref)

    def explain(self) -> str:
        """Every decision, the alternatives and why this one won, in plain words."""
        head = f"Plan ({self.strategy})"
        if self.request is not None:
            head += f" for {self.request.reference} to {self.request.ship_to.one_line()}"
        out = [head + ":"]
        out.extend(f"- {d.sentence()}" for d in self.decisions)
        for s in self.unfulfilled:
            out.append(f"- {s.sku} x{s.quantity} (line {s.line_ref}) not allocated: {s.reason}")
        if self.excluded:
            listed = "; ".join(f"{loc} ({why})" for loc, why in self.excluded)
            out.append(f"- not considered: {listed}")
        ships = self.shipments()
        summary = "; ".join(
            f"{loc}: " + ", ".join(f"{a.sku} x{a.quantity}" for a in items)
            for loc, items in ships.items()
        )
        cost = f", estimated cost {self.estimated_cost}" if self.estimated_cost else ""
        out.append(f"{len(ships)} shipment(s){cost}" + (f" — {summary}" if summary else ""))
        return "\n".join(out)
