"""The one table of every state-changing service method: its permission, scope and target.

``GUARDS`` maps ``"service.method"`` (as reached on the OMS
facade: ``oms.orders.cancel`` is ``"orders.cancel"``) to a [`Guard`][]: the permission
the actor needs, how to find the call's scope from its arguments, and which record it
changes (for the audit log). ``READS`` lists the methods that
change nothing. The admin service wraps every method in ``GUARDS`` on the facade, so no
service checks permissions by hand, and a test walks every public method of every
service on ``oms`` and fails on any that is in neither table.

Methods ending in ``_in`` take the caller's unit of work: they are composition points
other services call inside their own transaction. Called from inside a guarded call
they are not checked again (the outer call's permission covers the use case); called
directly they are checked like any other, and their audit record joins the caller's
unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from omskit.admin import scopes as sc
from omskit.admin.permissions import PERMISSIONS, Scope
from omskit.admin.scopes import ScopeFn, Target, TargetFn
from omskit.errors import OmskitError

__all__ = ["GUARDS", "READS", "SELF_CHECKED", "Guard", "guard_for"]


@attrs.frozen
class Guard:
    """What one state-changing method needs.

    Attributes:
        permission: the permission the actor must hold in the call's scope.
        scope: ``(services, arguments) -> Scope``.
        target: ``(services, arguments, result) -> (label, load)`` for the audit log.
        arguments: whether the audit records the call's arguments (an erasure's are the
            very data it erases).
    """

    permission: str = attrs.field()
    scope: ScopeFn = sc.no_scope
    target: TargetFn | None = None
    arguments: bool = True

    @permission.validator
    def _known(self, attribute: object, value: str) -> None:
        if value not in PERMISSIONS:
            raise ValueError(f"guard names an unknown permission {value!r}")


def _order(s: Any, k: Any) -> object:
    return s.orders.get(k)


def _fo(s: Any, k: Any) -> object:
    return s.fulfillment.get(k)


@sc.reads("sku", "location")
def _stock(services: Any, args: Mapping[str, Any], result: Any) -> Target | None:
    sku, location = args.get("sku"), args.get("location")
    if not (isinstance(sku, str) and isinstance(location, str)):
        return None
    return f"stock:{location}/{sku}", lambda: sc._quiet(
        lambda s, k: s.inventory.level(*k), services, (sku, location)
    )


ORDER = sc.of_arg("order", "order_id", _order)


@sc.reads("payload", "fields")
def NEW_ORDER(services: Any, args: Mapping[str, Any], result: Any) -> Target | None:  # noqa: N802
    """The captured order: before the call, the one a replay would return (if any)."""
    if result is not None:
        return sc.of_result("order", _order)(services, args, result)
    channel = sc.capture_channel(services, args).channels
    payload, fields = args.get("payload"), args.get("fields") or {}
    external = fields.get("external_id")
    if external is None:
        external = (payload.get("external_id") if isinstance(payload, Mapping)
                    else getattr(payload, "external_id", None))  # fmt: skip
    if len(channel) != 1 or not isinstance(external, str):
        return None
    try:
        found = services.orders.find_by_external(next(iter(channel)), external)
    except OmskitError:
        return None
    return None if found is None else (f"order:{found.id}", lambda: _order(services, found.id))


FO = sc.of_arg("fulfillment_order", "fulfillment_order_id", _fo)
PRODUCT = sc.of_arg("product", "sku", lambda s, k: s.catalog.get(k))
CUSTOMER = sc.of_arg("customer", "customer_id", lambda s, k: s.customers.get(k))
NEW_CUSTOMER = sc.of_result("customer", lambda s, k: s.customers.get(k))
CHANNEL = sc.of_arg("channel", "code", lambda s, k: s.channels.get(k))
LOCATION = sc.of_arg("location", "code", lambda s, k: s.inventory.location(k))
PAYMENT = sc.of_arg("payment", "order_id", lambda s, k: s.payments.find(k), old="reference")
PO = sc.of_arg("purchase_order", "po_id", lambda s, k: s.inventory.purchase_order(k))
NEW_PO = sc.of_result("purchase_order", lambda s, k: s.inventory.purchase_order(k))
COUPON = sc.of_arg("coupon", "code", lambda s, k: s.pricing.coupon(k))
LABEL = sc.of_arg("label", "tracking_number", lambda s, k: s.carriers.label(k))
SHIPMENT = sc.of_arg("shipment", "shipment_id", lambda s, k: s.fulfillment.shipment(k))
PRINCIPAL = sc.of_arg("principal", "name", lambda s, k: s.admin.principal(k))
ROLE = sc.of_arg("role", "name", lambda s, k: s.admin.role(k))

RMA = sc.of_arg("return", "rma_id", lambda s, k: s.returns.get(k))
CASE = sc.of_arg("case", "case_id", lambda s, k: s.support.get(k))
NEW_CASE = sc.of_result("case", lambda s, k: s.support.get(k))


@sc.reads("customer")
def ERASURE(services: Any, args: Mapping[str, Any], result: Any) -> Target | None:  # noqa: N802
    """The erased customer, by id (never by e-mail), and whether they read as erased."""
    key = args.get("customer")
    return services.admin._erasure_label(key), lambda: services.admin._erasure_state(key)


NEW_RMA = sc.of_result("return", lambda s, k: s.returns.get(k))
_RMA = sc.rma()
_ORD = sc.order_channel()
_FOS = sc.fulfillment_order()
_LOC = sc.locations("location")
_PAY = sc.payment_channel(old="reference")
_PAY_OBJ = sc.payment_channel("payment", attribute="reference")


def _g(permission: str, scope: ScopeFn = sc.no_scope, target: TargetFn | None = None) -> Guard:
    return Guard(permission, scope, target)


#: Every state-changing public method on the facade, by ``"service.method"``.
GUARDS: Mapping[str, Guard] = {
    # admin (its own service is guarded by the same table)
    "admin.add_user": _g("admin.manage_users", target=PRINCIPAL),
    "admin.add_client": _g("admin.manage_users", target=PRINCIPAL),
    "admin.grant": _g("admin.manage_users", target=PRINCIPAL),
    "admin.revoke": _g("admin.manage_users", target=PRINCIPAL),
    "admin.deactivate": _g("admin.manage_users", target=PRINCIPAL),
    "admin.reactivate": _g("admin.manage_users", target=PRINCIPAL),
    "admin.define_role": _g("admin.manage_roles", target=ROLE),
    "admin.delete_role": _g("admin.manage_roles", target=ROLE),
    "admin.enable": _g("admin.configure"),
    "admin.disable": _g("admin.configure"),
    "admin.set_approval_rule": _g("admin.configure"),
    "admin.install": _g("admin.configure"),
    "admin.expire_approvals": _g("admin.approve"),
    # personal data: the export is a read, guarded so it is checked and audited
    "admin.export_customer": _g("admin.manage_pii"),
    "admin.erase_customer": Guard("admin.manage_pii", target=ERASURE, arguments=False),
    # channels
    "channels.add": _g("channels.manage", target=CHANNEL),
    "channels.update": _g("channels.manage", sc.channel_arg("code"), CHANNEL),
    "channels.ensure_default": _g("channels.manage"),
    # catalog
    "catalog.add_product": _g("catalog.manage", target=PRODUCT),
    "catalog.update_product": _g("catalog.manage", target=PRODUCT),
    "catalog.deactivate": _g("catalog.manage", target=PRODUCT),
    "catalog.reactivate": _g("catalog.manage", target=PRODUCT),
    # customers
    "customers.register": _g("customers.manage", target=NEW_CUSTOMER),
    "customers.update": _g("customers.manage", target=CUSTOMER),
    "customers.add_address": _g("customers.manage", target=CUSTOMER),
    # pricing
    **{
        f"pricing.{name}": _g("pricing.manage")
        for name in (
            "add_duty_rate",
            "add_price_list",
            "add_promotion",
            "add_tax_rate",
            "add_tax_rates",
            "load_standard_rates",
            "remove_prices",
            "set_import_rule",
            "set_jurisdiction",
            "set_price",
            "set_prices",
            "set_promotion_active",
        )
    },
    "pricing.add_coupon": _g("pricing.manage", target=COUPON),
    "pricing.redeem_coupons_in": _g("pricing.manage"),
    "pricing.release_coupons_in": _g("pricing.manage"),
    # inventory
    "inventory.add_location": _g("inventory.manage", sc.locations("code"), LOCATION),
    "inventory.update_location": _g("inventory.manage", sc.locations("code"), LOCATION),
    "inventory.deactivate_location": _g("inventory.manage", sc.locations("code"), LOCATION),
    "inventory.add_supplier": _g("inventory.manage"),
    "inventory.set_supply_terms": _g("inventory.manage"),
    "inventory.set_backorder_policy": _g("inventory.manage"),
    "inventory.set_reorder_policy": _g("inventory.manage", _LOC, _stock),
    "inventory.set_safety_stock": _g("inventory.manage", _LOC, _stock),
    "inventory.set_alert_threshold": _g("inventory.manage", _LOC, _stock),
    "inventory.adjust": _g("inventory.adjust", _LOC, _stock),
    "inventory.adjust_in": _g("inventory.adjust", _LOC),
    "inventory.count": _g("inventory.adjust", _LOC, _stock),
    "inventory.quarantine": _g("inventory.adjust", _LOC, _stock),
    "inventory.receive": _g("inventory.receive", _LOC, _stock),
    "inventory.restock_return": _g("inventory.receive", _LOC, _stock),
    "inventory.receive_purchase_order": _g("inventory.receive", sc.purchase_order_location, PO),
    "inventory.place_purchase_order": _g("inventory.purchase", _LOC, NEW_PO),
    "inventory.transfer": _g(
        "inventory.transfer",
        sc.locations("from_location", "to_location", "source", "target"),
    ),
    "inventory.reserve": _g("inventory.reserve", sc.reservation_locations),
    "inventory.reserve_in": _g("inventory.reserve", sc.reservation_locations),
    "inventory.release": _g("inventory.reserve", sc.reservation_locations),
    "inventory.release_in": _g("inventory.reserve", sc.reservation_locations),
    "inventory.consume": _g("inventory.reserve", _LOC),
    "inventory.consume_in": _g("inventory.reserve", _LOC),
    "inventory.backorder_in": _g("inventory.reserve"),
    "inventory.expire_reservations": _g("inventory.reserve"),
    # carriers (labels carry no channel or location of their own)
    "carriers.buy_label": _g("carriers.labels"),
    "carriers.buy_label_in": _g("carriers.labels"),
    "carriers.void_label": _g("carriers.labels", target=LABEL),
    "carriers.void_label_in": _g("carriers.labels"),
    "carriers.return_label": _g("carriers.labels", target=LABEL),
    "carriers.return_label_in": _g("carriers.labels"),
    "carriers.register_label_in": _g("carriers.labels"),
    "carriers.void_unstored": _g("carriers.labels"),
    "carriers.settle_failed": _g("carriers.manage"),
    "carriers.reconcile_purchases": _g("carriers.manage"),
    "carriers.handle_webhook": _g("carriers.tracking"),
    "carriers.refresh_tracking": _g("carriers.tracking", target=LABEL),
    "carriers.add_events_in": _g("carriers.tracking"),
    "carriers.hand_over_in": _g("carriers.tracking"),
    "carriers.add_tracking_listener": _g("admin.configure"),
    # events
    "events.subscribe": _g("events.manage"),
    "events.dispatch": _g("events.manage"),
    # payments
    "payments.authorize": _g("payments.authorize", _PAY, PAYMENT),
    "payments.authorize_in": _g("payments.authorize", _PAY_OBJ),
    "payments.capture": _g("payments.capture", _PAY, PAYMENT),
    "payments.capture_in": _g("payments.capture", _PAY_OBJ),
    "payments.void": _g("payments.void", _PAY, PAYMENT),
    "payments.void_in": _g("payments.void", _PAY_OBJ),
    "payments.release_in": _g("payments.void", _PAY_OBJ),
    "payments.refund": _g("payments.refund", _PAY, PAYMENT),
    "payments.refund_in": _g("payments.refund", _PAY_OBJ),
    "payments.settle_in": _g("payments.capture", _PAY_OBJ),
    "payments.open_in": _g("payments.authorize", sc.payment_channel("reference")),
    "payments.record_in": _g("payments.manage", _PAY_OBJ),
    "payments.compensate": _g("payments.manage", _PAY_OBJ),
    "payments.retry_compensations": _g("payments.manage"),
    "payments.send": _g("payments.manage"),
    "payments.send_raw": _g("payments.manage"),
    "payments.run": _g("payments.manage"),
    "payments.observe": _g("admin.configure"),
    "orders.add_timeline_source": _g("admin.configure"),
    "payments.settle_with": _g("admin.configure"),
    "payments.issue_credit": _g("payments.refund"),
    "payments.post_credit_in": _g("payments.refund"),
    "payments.apply_credit_in": _g("payments.capture", _PAY_OBJ),
    "payments.refund_to_credit_in": _g("payments.refund", _PAY_OBJ),
    "payments.credit_in": _g("payments.refund", _PAY_OBJ),
    "payments.withdraw_credit_in": _g("payments.capture", _PAY_OBJ),
    "payments.give_back_credit_in": _g("payments.refund", _PAY_OBJ),
    # orders
    "orders.capture": _g("orders.capture", sc.capture_channel, NEW_ORDER),
    "orders.approve": _g("orders.approve", _ORD, ORDER),
    "orders.hold": _g("orders.hold", _ORD, ORDER),
    "orders.release": _g("orders.release", _ORD, ORDER),
    "orders.complete": _g("orders.complete", _ORD, ORDER),
    "orders.cancel": _g("orders.cancel", _ORD, ORDER),
    "orders.cancel_lines": _g("orders.cancel", _ORD, ORDER),
    "orders.cancel_lines_in": _g("orders.cancel", _ORD),
    "orders.cancel_units_in": _g("orders.cancel", sc.payment_channel("order", attribute="id")),
    "orders.edit": _g("orders.edit", _ORD, ORDER),
    "orders.apply_quote": _g("orders.edit", sc.payment_channel("order", attribute="id")),
    "orders.pay": _g("payments.authorize", _ORD, ORDER),
    "orders.capture_payment": _g("payments.capture", _ORD, ORDER),
    "orders.refund": _g("payments.refund", _ORD, ORDER),
    "orders.reserve_in": _g("inventory.reserve", sc.payment_channel("order", attribute="id")),
    "orders.record_allocation_in": _g("fulfillment.release", _ORD),
    "orders.record_backorder_in": _g("fulfillment.release", _ORD),
    "orders.record_deallocation_in": _g("fulfillment.cancel", _ORD),
    "orders.record_fulfillment_started_in": _g("fulfillment.pick", _ORD),
    "orders.record_shipment_in": _g("fulfillment.ship", _ORD),
    "orders.record_delivery_in": _g("carriers.tracking", _ORD),
    # fulfillment
    "fulfillment.release": _g("fulfillment.release", _ORD, ORDER),
    "fulfillment.release_in": _g("fulfillment.release", _ORD),
    "fulfillment.accept": _g("fulfillment.pick", _FOS, FO),
    "fulfillment.reject": _g("fulfillment.pick", _FOS, FO),
    "fulfillment.confirm_pick": _g("fulfillment.pick", _FOS, FO),
    "fulfillment.pack": _g("fulfillment.pack", _FOS, FO),
    "fulfillment.ship": _g("fulfillment.ship", _FOS, FO),
    "fulfillment.hand_over": _g("fulfillment.ship", sc.shipment(), SHIPMENT),
    "fulfillment.confirm_dropship": _g("fulfillment.dropship", _FOS, FO),
    "fulfillment.ready_for_pickup": _g("fulfillment.pickup", _FOS, FO),
    "fulfillment.collect": _g("fulfillment.pickup", _FOS, FO),
    "fulfillment.expire_pickups": _g("fulfillment.pickup"),
    "fulfillment.cancel": _g("fulfillment.cancel", _FOS, FO),
    "fulfillment.cancel_in": _g("fulfillment.cancel", _FOS),
    "fulfillment.configure_location": _g("fulfillment.manage", sc.locations("code")),
    # returns
    "returns.request": _g("returns.request", _ORD, NEW_RMA),
    "returns.authorize": _g("returns.approve", _RMA, RMA),
    "returns.reject": _g("returns.approve", _RMA, RMA),
    "returns.receive": _g("returns.receive", _RMA, RMA),
    "returns.inspect": _g("returns.receive", _RMA, RMA),
    "returns.refund": _g("returns.refund", _RMA, RMA),
    "returns.cancel": _g("returns.manage", _RMA, RMA),
    "returns.close": _g("returns.manage", _RMA, RMA),
    "returns.expire_due": _g("returns.manage"),
    "returns.issue_label": _g("returns.approve", _RMA, RMA),
    "returns.exchange": _g("returns.refund", _RMA, RMA),
    "returns.claim": _g("returns.refund", _ORD, NEW_RMA),
    "returns.resolve_claim": _g("returns.refund", _RMA, RMA),
    "returns.settle_carrier_claim": _g("returns.manage", _RMA, RMA),
    "returns.deny_carrier_claim": _g("returns.manage", _RMA, RMA),
    # reporting (reads are unchecked; recording rates and writing files are not reads)
    "reports.record_rate": _g("reports.manage"),
    "reports.track_rates": _g("reports.manage"),
    "reports.export": _g("reports.export"),
    "reports.dashboard": _g("reports.export"),  # writes a file, like an export
    "reports.tick": _g("reports.manage"),  # records AnomalyDetected events
    # changes reorder policies at whichever locations the suggestions name: only an
    # actor allowed to manage inventory everywhere may apply them in one call
    "reports.apply_replenishment": _g("inventory.manage"),
    # notifications: configuration and delivery runs; customers' preferences
    **{f"notifications.{m}": _g("notifications.manage")
       for m in ("add_trigger", "configure_trigger", "override_template", "deliver", "tick",
                 "requeue", "handle")},
    **{f"notifications.{m}": _g("notifications.preferences")
       for m in ("set_preferences", "opt_in", "opt_out", "unsubscribe",
                 "subscribe_back_in_stock", "unsubscribe_back_in_stock")},
    # support cases
    "support.open": _g("support.open", target=NEW_CASE),
    **{
        f"support.{m}": _g("support.answer", target=CASE)
        for m in ("add_message", "assign", "transition")
    },
}  # fmt: skip

#: Methods that change nothing, by ``"service.method"``: they are never wrapped.
READS: frozenset[str] = frozenset(
    {
        *(
            f"admin.{m}"
            for m in (
                "allowed",
                "approvals",
                "approval",
                "audit",
                "can",
                "check_config",
                "config",
                "export_audit",
                "permissions",
                "principal",
                "principals",
                "role",
                "roles",
                "acting_as",
            )
        ),
        "channels.get",
        "channels.list",
        "catalog.find",
        "catalog.get",
        "catalog.list",
        "customers.find_by_email",
        "customers.get",
        "customers.get_by_email",
        "customers.list",
        "customers.search",
        *(
            f"pricing.{m}"
            for m in (
                "base_prices",
                "coupon",
                "prepare_in",
                "price_list",
                "price_lists",
                "promotions",
                "quote",
                "quote_in",
                "tax_rates",
            )
        ),
        *(
            f"inventory.{m}"
            for m in (
                "available",
                "backorder_policy",
                "check_basket",
                "ledger",
                "level",
                "level_in",
                "levels",
                "location",
                "locations",
                "promise",
                "purchase_order",
                "rebuild",
                "reconcile",
                "reservations",
                "reservations_in",
                "suggest_purchase_orders",
            )
        ),
        "routing.compare",
        "routing.plan",
        "routing.plan_in",
        "routing.replan",
        "routing.strategy",
        "routing.names",
        "payments.names",
        *(
            f"carriers.{m}"
            for m in (
                "find_in",
                "get",
                "label",
                "labels_for",
                "names",
                "quotes",
                "rates",
                "request",
                "shop",
                "unsettled_purchases",
            )
        ),
        "events.dead_letters",
        "events.pending",
        *(
            f"payments.{m}"
            for m in (
                "find",
                "find_in",
                "gateway",
                "get",
                "pending_compensations",
                "raise_unless_succeeded",
                "credit_account",
                "credit_account_in",
                "store_credit",
            )
        ),
        *(
            f"orders.{m}"
            for m in (
                "channel_in",
                "find_by_external",
                "get",
                "history",
                "list",
                "quote_in",
                "risk",
                "sourcing_request",
                "timeline",
            )
        ),
        *(
            f"returns.{m}"
            for m in ("carrier_claims", "check", "for_order", "get", "simulate", "totals")
        ),
        *(
            f"notifications.{m}"
            for m in (
                "back_in_stock_subscriptions",
                "dead_letters",
                "get",
                "messages",
                "preferences",
                "preview",
                "provider",
                "render",
                "templates",
                "triggers",
                "unsubscribe_token",
            )
        ),
        *(f"support.{m}" for m in ("cases", "get", "overdue", "timeline")),
        *(
            f"reports.{m}"
            for m in (
                "anomalies",
                "chart",
                "demand",
                "facts",
                "forecast",
                "kpis",
                "query",
                "rate_book",
                "recorded_rates",
                "series",
                "sql",
                "suggest_replenishment",
            )
        ),
        *(
            f"fulfillment.{m}"
            for m in (
                "find_by_tracking",
                "for_order",
                "get",
                "holding_in",
                "list",
                "location_setup",
                "pick_list",
                "pick_list_document",
                "shipment",
                "shipments",
            )
        ),
    }
)

#: Methods that check permissions themselves, with how (approvals check the request's).
SELF_CHECKED: Mapping[str, str] = {
    "admin.approve": "the approver needs the request's permission in the request's scope",
    "admin.decline": "the decider needs the request's permission, or is the requester",
}


def guard_for(name: str) -> Guard | None:
    """The guard of ``"service.method"``, or ``None`` for reads and unknown names."""
    return GUARDS.get(name)


def scope_of(name: str, services: Any, args: Mapping[str, Any]) -> Scope:
    """The scope a call of ``name`` with ``args`` acts in."""
    guard = GUARDS[name]
    return guard.scope(services, args)
