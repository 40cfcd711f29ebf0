"""The order service: capture, change, follow and find orders. Reached as ``oms.orders``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from omskit.channels.model import Channel
from omskit.errors import ValidationError
from omskit.events import current_actor
from omskit.money import MoneyLike
from omskit.orders import changes, decisions, fulfillment, steps
from omskit.orders.billing import settle_reference_in, sync_payment
from omskit.orders.capture import capture_order
from omskit.orders.commands import CaptureOrder, EditOrder, ProblemReport
from omskit.orders.errors import AmbiguousExternalId
from omskit.orders.model import Order, TimelineEntry
from omskit.orders.ports import OrderContext, Services
from omskit.orders.queries import OrderQuery, Page, run_query
from omskit.orders.risk import RiskAssessment
from omskit.orders.settings import OrderSettings
from omskit.orders.steps import REPLANS
from omskit.orders.storage import ORDERS
from omskit.orders.timeline import OrderTimeline, TimelineSource, merge
from omskit.payments.model import Transaction
from omskit.payments.service import PaymentService
from omskit.pricing.quote import Quote
from omskit.pricing.request import QuoteRequest
from omskit.routing.model import SourcingRequest
from omskit.runtime import Runtime
from omskit.storage.ports import UnitOfWork
from omskit.validation import check_actor, check_mapping, check_text

__all__ = ["REPLANS", "OrderService"]  # REPLANS: see omskit.orders.steps

T = TypeVar("T")

#: The criteria ``orders.list`` takes: the fields of `OrderQuery`.
_QUERY_FIELDS = tuple(a.name for a in attrs.fields(OrderQuery))


def _actor(actor: str | None, default: str = "fulfillment") -> str:
    """``actor``, else the actor of the running use case, else ``default``."""
    return actor if actor is not None else current_actor(default)


class OrderService:
    """Orders from every channel, through their whole lifecycle.

    Settings come from the ``orders`` configuration section (see
    [`OrderSettings`][]); payment behaviour from ``payments``;
    whether capture reserves stock from ``inventory.reserve_on``.
    """

    def __init__(self, runtime: Runtime, services: Services) -> None:
        self.runtime = runtime
        self.services = services
        #: What the use cases work with: clock, ids, settings, hooks and typed ports.
        self.context = OrderContext(
            clock=runtime.clock,
            ids=runtime.ids,
            settings=OrderSettings.from_mapping(runtime.config.section("orders")),
            hooks=runtime.plugins.hook,
            storage=runtime.storage,
            dispatch=runtime.dispatcher.dispatch,
            services=services,
        )
        self._sources: list[TimelineSource] = []
        ctx = self.context
        services.payments.observe(sync_payment)
        services.payments.settle_with(lambda uow, ref: settle_reference_in(ctx, uow, ref))

    @property
    def settings(self) -> OrderSettings:
        """The ``orders`` settings."""
        return self.context.settings

    @property
    def payments(self) -> PaymentService:
        """The payment service orders charge through."""
        return self.services.payments

    @property
    def reserves_at_capture(self) -> bool:
        """Whether capture reserves stock (``inventory.reserve_on == "capture"``)."""
        return self.context.reserves_at_capture

    # -- capture ----------------------------------------------------------------------
    def capture(
        self, payload: Mapping[str, Any] | CaptureOrder | None = None, /, *,
        actor: str = "system", **fields: Any,
    ) -> Order:  # fmt: skip
        """Capture an order from a channel's payload (or keyword fields).

        Idempotent by ``(channel, external_id)``: a replay returns the stored order; the
        same key with a different payload raises [`IdempotencyConflict`][].

        Raises:
            ValidationError: every problem at once (the specific subclass, e.g.
                ``InvalidQuantity`` or ``UnknownSku``, when there is only one).
            OrderRejected: the risk checks rejected it; nothing is stored.
            InsufficientStock: stock is short and ``orders.backorders`` is off.
        """
        if payload is None:
            payload = fields
        elif fields:
            raise ValidationError("fields", sorted(fields), "pass a payload or fields, not both")
        return capture_order(self.context, payload, check_actor(actor))

    # -- reads ------------------------------------------------------------------------
    def get(self, order_id: str) -> Order:
        """The order ``order_id``; raises [`NotFound`][]."""
        with self.runtime.storage.unit_of_work() as uow:
            return uow.repo(ORDERS).get(order_id)

    def find_by_external(
        self, channel: str | None = None, external_id: str | None = None
    ) -> Order | None:
        """The order a channel knows as ``external_id``, or ``None``.

        ``find_by_external("web", "W-1001")`` looks in one channel (an external id is
        unique per channel). Leave the channel out, ``find_by_external(external_id=
        "W-1001")``, to look over every channel: the one order with that id, or ``None``.

        Raises:
            AmbiguousExternalId: (without a channel) orders of several channels have
                the id; it names them.
            ValidationError: no external id, or a malformed channel or external id.
        """
        if external_id is None:
            raise ValidationError(
                "external_id", None, "give the external id (the channel may be left out)"
            )
        external_id = check_text(external_id, "external_id", max_length=128)
        if channel is not None:
            channel = check_text(channel, "channel", max_length=64)
        with self.runtime.storage.unit_of_work() as uow:
            repo = uow.repo(ORDERS)
            if channel is not None:
                return repo.find_by("external", (channel, external_id))
            found = repo.list_view("external_id", external_id)
            if len(found) > 1:
                raise AmbiguousExternalId(external_id, sorted(o.channel for o in found))
            return repo.get(found[0].id) if found else None

    def history(self, order_id: str) -> list[TimelineEntry]:
        """Every change to the order itself: who, when, why and what, oldest first.

        [`timeline`][] merges this with the payment, fulfillment, shipments and returns.
        """
        return list(self.get(order_id).history)

    def timeline(self, order_id: str) -> OrderTimeline:
        """One merged timeline of the order, oldest first.

        It holds the order's history, its payment's gateway operations, and what the
        registered sources add: with the OMS facade, fulfillment (work at each
        location), shipments (labels and every tracking status) and returns. Each
        entry is a [`TimelineEvent`][omskit.orders.timeline.TimelineEvent] with
        ``at``, ``source``, ``kind``, ``actor`` and ``text``.

        Raises:
            NotFound: no order ``order_id``.
            ValidationError: a malformed ``order_id``.
        """
        order_id = check_text(order_id, "order_id", max_length=128)
        with self.runtime.storage.unit_of_work() as uow:
            order = uow.repo(ORDERS).get(order_id)
            payment = self.payments.find_in(uow, order.id)
            return merge(order, payment, [source(uow, order.id) for source in self._sources])

    def add_timeline_source(self, source: TimelineSource) -> None:
        """Have [`timeline`][] include what ``source(uow, order_id)`` gives.

        Capabilities above orders (fulfillment, returns) register theirs when the OMS
        is built; a host may add its own (a CRM's calls, a warehouse system's scans).
        """
        if not callable(source):
            raise ValidationError("source", source, "expected a callable (uow, order_id)")
        self._sources.append(source)

    def risk(self, order_id: str) -> RiskAssessment | None:
        """The risk assessment made when the order was captured."""
        risk: RiskAssessment | None = self.get(order_id).risk
        return risk

    # -- decisions ----------------------------------------------------------------------
    def approve(self, order_id: str, *, actor: str = "system", reason: str = "") -> Order:
        """Approve an order the risk checks held for review; it moves on as released.

        This is the reviewer's decision on a risk hold (the ``orders.approve``
        permission, and the admin ``release_fraud_hold`` rule); a hold put on by hand
        is lifted with [`release`][], which needs a reason.

        Raises:
            InvalidTransition: the order is not held (nor placed and unapproved).
            ValidationError: the hold is not a risk review, or the payment failed.
        """
        reason = "" if reason == "" else check_text(reason, "reason")
        return self._change(order_id, lambda uow, order: decisions.approve(
            self.context, uow, order, actor=actor, reason=reason), actor)  # fmt: skip

    def hold(self, order_id: str, *, reason: str, actor: str = "system") -> Order:
        """Put an order on hold (nothing moves on until it is released)."""
        reason = check_text(reason, "reason")
        return self._change(order_id, lambda uow, order: decisions.hold(
            self.context, order, reason=reason, actor=actor), actor)  # fmt: skip

    def release(self, order_id: str, *, reason: str, actor: str = "system") -> Order:
        """Lift a hold (after review); the order is approved and moves on.

        Raises:
            ValidationError: the payment failed; authorize another method first ([`pay`][]).
        """
        reason = check_text(reason, "reason")
        return self._change(order_id, lambda uow, order: decisions.release(
            self.context, uow, order, reason=reason, actor=actor), actor)  # fmt: skip

    def pay(self, order_id: str, method: str, *, actor: str = "system") -> Transaction:
        """Authorize what the order is due and not yet covered, with a new ``method``.

        Raises:
            PaymentDeclined: the gateway said no (the attempt is kept on the payment).
        """
        method = check_text(method, "method")
        return self._money(lambda uow: decisions.pay(self.context, uow, order_id, method), actor)

    def complete(self, order_id: str, *, actor: str = "system", reason: str = "") -> Order:
        """Close a delivered order."""
        return self._change(order_id, lambda uow, order: decisions.complete(
            self.context, order, actor=actor, reason=reason), actor)  # fmt: skip

    # -- changes ------------------------------------------------------------------------
    def cancel(self, order_id: str, *, reason: str, actor: str = "system") -> Order:
        """Cancel the whole order before shipment: release stock, void or refund payment."""
        reason = check_text(reason, "reason")
        return self._change(order_id, lambda uow, order: changes.cancel_order_in(
            self.context, uow, order, actor=actor, reason=reason), actor)  # fmt: skip

    def cancel_lines(
        self, order_id: str, lines: Mapping[str, int], *, reason: str, actor: str = "system"
    ) -> Order:
        """Cancel ``{line_id: quantity}`` unshipped units; void or refund their value.

        Raises:
            ValidationError: unknown lines or quantities the lines do not have unshipped.
            UnitsInFulfillment: some of the units are released to a location; cancel
                the fulfillment order first (``oms.fulfillment.cancel``).
        """
        return self.payments.run(lambda uow: self.cancel_lines_in(
            uow, order_id, lines, reason=reason, actor=actor), actor=actor)  # fmt: skip

    def cancel_lines_in(
        self, uow: UnitOfWork, order_id: str, lines: Mapping[str, int], *, reason: str,
        actor: str = "system",
    ) -> Order:  # fmt: skip
        """[`cancel_lines`][] inside the caller's unit of work.

        Records a timeline entry and an ``OrderLinesCancelled`` event, releases the
        units' stock and settles the payment; on any error nothing is applied (the
        caller's transaction rolls back).
        """
        reason = check_text(reason, "reason")
        lines = check_mapping(lines, "lines")
        return self._in(uow, order_id, lambda order: changes.cancel_lines_in(
            self.context, uow, order, lines, actor=actor, reason=reason))  # fmt: skip

    def edit(
        self, order_id: str, edit: Mapping[str, Any] | EditOrder, *, reason: str = "",
        actor: str = "system",
    ) -> Order:  # fmt: skip
        """Edit an order before fulfillment; it is re-priced and re-reserved.

        ``edit`` is ``{"add": [...], "remove": [...], "quantities": {...}, "ship_to": {...}}``
        (or an [`EditOrder`][]); the payment difference is authorized or refunded.
        """
        command = EditOrder.from_mapping(edit)
        return self._change(order_id, lambda uow, order: changes.edit_order_in(
            self.context, uow, order, command, actor=actor, reason=reason), actor)  # fmt: skip

    def capture_payment(
        self, order_id: str, amount: MoneyLike | str | None = None, *, actor: str = "system"
    ) -> Transaction:
        """Take ``amount`` (default: all that is open) of the order's authorization."""
        return self._money(lambda uow: decisions.capture_payment(
            self.context, uow, order_id, amount), actor)  # fmt: skip

    def refund(
        self, order_id: str, amount: MoneyLike | str | None = None, *, reason: str,
        actor: str = "system",
    ) -> Transaction:  # fmt: skip
        """Give back ``amount`` (default: the whole balance) without cancelling anything."""
        reason = check_text(reason, "reason")
        return self._money(lambda uow: decisions.refund(
            self.context, uow, order_id, amount, reason=reason, actor=actor), actor)  # fmt: skip

    # -- for fulfillment (inside the caller's unit of work) -------------------------------
    def record_allocation_in(self, uow: UnitOfWork, order_id: str, quantities: Mapping[str, int],
                             *, actor: str | None = None) -> Order:  # fmt: skip
        """Record that units of lines were allocated to locations."""
        return self._in(uow, order_id, lambda o: fulfillment.record_allocation(
            self.context, uow, o, quantities=quantities, actor=_actor(actor)))  # fmt: skip

    def record_backorder_in(self, uow: UnitOfWork, order_id: str, quantities: Mapping[str, int],
                            reason: str = "", *, actor: str | None = None) -> Order:  # fmt: skip
        """Record that units of lines wait for stock."""
        return self._in(uow, order_id, lambda o: fulfillment.record_backorder(
            self.context, uow, o, quantities=quantities, reason=reason,
            actor=_actor(actor)))  # fmt: skip

    def record_deallocation_in(
        self, uow: UnitOfWork, order_id: str, quantities: Mapping[str, int], *, reason: str,
        backorder: bool = False, started: bool = False, actor: str | None = None,
    ) -> Order:  # fmt: skip
        """Record that allocated units are no longer held at a location.

        Fulfillment calls this after giving the stock back itself (a short pick, a
        rejection nowhere else could take, a cancelled fulfillment order). With
        ``backorder`` the units wait for stock; otherwise they are unallocated again.
        ``started`` says the location had accepted them (they leave ``in_fulfillment``).

        Raises:
            InvalidQuantity: more units than the line has allocated and not shipped
                (naming the line, the value and what is allowed).
            ValidationError: unknown lines, no lines, or an empty reason.
            InvalidTransition: the order's status does not allow it.
        """
        reason = check_text(reason, "reason", max_length=500)
        return self._in(uow, order_id, lambda o: fulfillment.record_deallocation(
            self.context, uow, o, quantities=quantities, reason=reason, actor=_actor(actor),
            backorder=backorder, started=started))  # fmt: skip

    def record_fulfillment_started_in(self, uow: UnitOfWork, order_id: str,
                                      quantities: Mapping[str, int], *,
                                      actor: str | None = None) -> Order:  # fmt: skip
        """Record that picking started for allocated units."""
        return self._in(uow, order_id, lambda o: fulfillment.record_started(
            self.context, uow, o, quantities=quantities, actor=_actor(actor)))  # fmt: skip

    def record_shipment_in(self, uow: UnitOfWork, order_id: str, quantities: Mapping[str, int],
                           *, shipment_id: str, actor: str | None = None) -> Order:  # fmt: skip
        """Record a shipment (idempotent by ``shipment_id``); captures payment if configured."""
        return self._in(uow, order_id, lambda o: fulfillment.record_shipment(
            self.context, uow, o, quantities=quantities, shipment_id=shipment_id,
            actor=_actor(actor)))  # fmt: skip

    def record_delivery_in(self, uow: UnitOfWork, order_id: str, quantities: Mapping[str, int],
                           *, shipment_id: str, actor: str | None = None) -> Order:  # fmt: skip
        """Record a delivery (idempotent by ``shipment_id``)."""
        return self._in(uow, order_id, lambda o: fulfillment.record_delivery(
            self.context, uow, o, quantities=quantities, shipment_id=shipment_id,
            actor=_actor(actor, "carrier")))  # fmt: skip

    def sourcing_request(self, order: Order, *, channel: Channel | None = None,
                         exclude: frozenset[str] = frozenset()) -> SourcingRequest:  # fmt: skip
        """The routing request for ``order``'s unallocated units."""
        return steps.sourcing_request(order, channel=channel, exclude=exclude)

    # -- steps the use cases share, for callers inside their own unit of work ----------
    def channel_in(self, uow: UnitOfWork, code: str) -> Channel:
        """The channel ``code`` inside ``uow``."""
        return steps.channel_in(uow, code)

    def quote_in(self, uow: UnitOfWork, request: QuoteRequest, report: ProblemReport) -> Quote:
        """Price ``request``; pricing's validation problems join ``report``."""
        return steps.quote_in(self.context, uow, request, report)

    def apply_quote(self, order: Order, quote: Quote) -> None:
        """Copy a quote's prices onto the order's active lines and totals."""
        steps.apply_quote(order, quote)

    def reserve_in(self, uow: UnitOfWork, order: Order, channel: Channel, actor: str) -> None:
        """Plan and reserve the order's unallocated units; backorder the rest as allowed.

        See [`reserve_in`][omskit.orders.steps.reserve_in] for how short lines, backorder
        policies and re-plans are handled.
        """
        steps.reserve_in(self.context, uow, order, channel, actor)

    def cancel_units_in(self, uow: UnitOfWork, order: Order, reason: str) -> None:
        """Cancel every unshipped unit and release whatever stock the order holds."""
        steps.cancel_units_in(self.context, uow, order, reason)

    def _change(
        self, order_id: str, change: Callable[[UnitOfWork, Order], object], actor: str
    ) -> Order:
        def use_case(uow: UnitOfWork) -> Order:
            orders = uow.repo(ORDERS)
            order = orders.get(order_id)
            change(uow, order)
            orders.save(order)
            return order

        return self.payments.run(use_case, actor=actor)

    def _in(self, uow: UnitOfWork, order_id: str, change: Callable[[Order], object]) -> Order:
        orders = uow.repo(ORDERS)
        order = orders.get(order_id)
        change(order)
        orders.save(order)
        return order

    def _money(self, use_case: Callable[[UnitOfWork], Transaction], actor: str) -> Transaction:
        """Run a payment use case; a refused operation is kept on record, then raised."""
        txn = self.payments.run(use_case, actor=actor)
        return self.payments.raise_unless_succeeded(txn)

    def list(self, query: OrderQuery | None = None, **criteria: Any) -> Page[Order]:
        """A page of orders matching ``query`` or the criteria of [`OrderQuery`][].

        Raises:
            ValidationError: an unknown criterion (naming the known ones), a bad value,
                a ``query`` that is not an [`OrderQuery`][], or both a query and criteria.
        """
        if query is None:
            unknown = sorted(k for k in criteria if k not in _QUERY_FIELDS)
            if unknown:
                raise ValidationError(
                    unknown[0], criteria[unknown[0]],
                    f"unknown criterion; orders.list takes {', '.join(_QUERY_FIELDS)}",
                )  # fmt: skip
            query = OrderQuery(**criteria)
        elif not isinstance(query, OrderQuery):
            raise ValidationError("query", query, "expected an OrderQuery (or keyword criteria)")
        elif criteria:
            raise ValidationError(
                "criteria", sorted(criteria), "give a query or criteria, not both"
            )
        with self.runtime.storage.unit_of_work() as uow:
            return run_query(uow, query)
