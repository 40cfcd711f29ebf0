"""Every state-changing call a whole business flow makes leaves its audit record.

A spy wraps every method of ``GUARDS`` on the facade *outside* the admin guard, with
access control on, and runs a broad flow (set-up, customers, orders through payment,
fulfillment and delivery, refunds, returns, cancellations, stock moves, pricing, users
and roles, notifications, support, erasure). For each outermost call that returned, the
audit log must have grown by at least one record of that action, naming the target the
method's guard names. The flow must reach a floor of distinct guarded methods, so the
walk cannot quietly shrink; the ones it does not reach are listed in the failure
message when the floor is missed.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from omskit import OMS
from omskit.admin import GUARDS
from omskit.admin.model import AUDIT
from omskit.carriers import SandboxCarrier
from omskit.testing import FakeClock

from ..returns.returns_helpers import deliver_fast  # noqa: TID252
from .test_admin_privacy import (
    EMAIL,
    NAME,
    PHONE,
    START,
    STREET,
    _capture,
    _close_stores,  # noqa: F401 - the autouse fixture that closes the stores
    _shop,
    _stored_text,
    customer_history,
)

#: The flow below must drive at least this many distinct guarded methods.
FLOOR = 78


class Spy:
    """Watches guarded calls from outside the guard and checks the audit after each."""

    def __init__(self, oms: OMS) -> None:
        self.oms = oms
        self.depth = 0
        self.seen: dict[str, int] = {}
        self.missing: list[str] = []

    def committed(self) -> set[str]:
        """The ids of the audit records committed so far."""
        return {r.id for r in self.oms.admin.audit()}

    def install(self) -> None:
        for action, guard in GUARDS.items():
            service_name, method_name = action.split(".", 1)
            service = getattr(self.oms, service_name, None)
            method = getattr(service, method_name, None) if service is not None else None
            if method is None:
                continue
            original = getattr(method, "__omskit_original__", method)
            setattr(service, method_name, self._wrap(action, guard, method, original))

    def _wrap(self, action: str, guard: Any, method: Callable[..., Any],
              original: Callable[..., Any]) -> Callable[..., Any]:  # fmt: skip
        signature = inspect.signature(original)

        @functools.wraps(method)
        def spied(*args: Any, **kwargs: Any) -> Any:
            if self.depth:
                return method(*args, **kwargs)
            before = len(self.oms.admin.audit())
            self.depth += 1
            try:
                result = method(*args, **kwargs)
            finally:
                self.depth -= 1
            self.check(action, guard, signature, args, kwargs, result, before)
            return result

        return spied

    def check(self, action: str, guard: Any, signature: inspect.Signature,  # noqa: PLR0917
              args: Any, kwargs: Any, result: Any, before: int) -> None:  # fmt: skip
        self.seen[action] = self.seen.get(action, 0) + 1
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        uow = bound.arguments.get("uow")
        if uow is not None:  # an ``_in`` method: its record waits in the caller's work
            new = [r for r in uow.repo(AUDIT).scan() if r.id not in self.committed()]
        else:
            new = self.oms.admin.audit()[before:]
        mine = [r for r in new if r.action == action]
        if not mine:
            self.missing.append(f"{action}: no audit record (log grew by {len(new)})")
            return
        if guard.target is None:
            return
        target = guard.target(self.oms, dict(bound.arguments), result)
        if target is not None and target[0] not in {r.target for r in mine}:
            self.missing.append(f"{action}: records name {[r.target for r in mine]}, "
                                f"not {target[0]!r}")  # fmt: skip


def flow(oms: OMS) -> None:
    """A broad business flow, acting as principals who may make each call."""
    admin = oms.admin
    admin.add_user("wes", roles=[{"role": "warehouse", "locations": ["BER"]}], actor="root")
    admin.add_client("connector", roles=["integration"], actor="root")
    admin.define_role("auditor", ["reports.*"], description="looks at numbers", actor="root")
    admin.grant("wes", "auditor", actor="root")
    admin.revoke("wes", "auditor", actor="root")
    admin.delete_role("auditor", actor="root")
    admin.add_user("temp", roles=["read_only"], actor="root")
    admin.deactivate("temp", reason="left", actor="root")
    admin.reactivate("temp", actor="root")
    admin.set_approval_rule("refund_above", None, actor="root")
    admin.expire_approvals(actor="root")
    with admin.acting_as("root"):
        oms.channels.add("b2b", name="B2B", currencies=["EUR"])
        oms.channels.update("b2b", name="B2B shop")
        oms.catalog.add_product("CAP", name="Cap", price="9.00", currency="EUR",
                                weight_grams=80)  # fmt: skip
        oms.catalog.update_product("CAP", name="Cap, blue")
        oms.catalog.deactivate("CAP")
        oms.catalog.reactivate("CAP")
        oms.pricing.add_price_list("vip", "EUR", includes_tax=True)
        oms.pricing.set_price("vip", "CAP", "8.00")
        oms.pricing.add_tax_rate("DE", "standard", "19", valid_from="2026-01-01")
        oms.pricing.add_promotion("P5", name="5 % off", kind="percent", percent="5")
        oms.pricing.set_promotion_active("P5", False)
        oms.pricing.remove_prices("vip", "CAP")
        oms.pricing.load_standard_rates(["AT"])
        oms.channels.ensure_default()
        oms.inventory.add_location("LEJ", name="Leipzig", country="DE", lat=51.34,
                                   lon=12.37)  # fmt: skip
        oms.inventory.update_location("LEJ", name="Leipzig DC")
        oms.inventory.receive("CAP", location="LEJ", quantity=30)
        oms.inventory.adjust("CAP", location="LEJ", delta=-1, reason="damaged")
        oms.inventory.count("CAP", location="LEJ", counted=28)
        oms.inventory.transfer("CAP", from_location="LEJ", to_location="BER", quantity=2)
        oms.inventory.set_safety_stock("CAP", location="LEJ", quantity=2)
        oms.inventory.set_alert_threshold("CAP", location="LEJ", low=3)
        oms.inventory.quarantine("CAP", location="LEJ", quantity=1, reason="dented")
    made = customer_history(oms)
    customer = made["customer"]
    oms.customers.update(customer.id, locale="de_DE", actor="cara")
    held = _capture(oms, "W-H")
    oms.orders.hold(held.id, reason="customer called", actor="cara")
    oms.orders.release(held.id, reason="sorted out", actor="cara")
    oms.orders.edit(held.id, {"quantities": {"L1": 1}}, actor="cara")
    oms.orders.cancel_lines(held.id, {"L2": 1}, reason="out of mugs", actor="cara")
    oms.orders.cancel(held.id, reason="customer asked", actor="cara")
    real = _capture(oms, "W-R")
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    with admin.acting_as("root"):
        for fo in oms.fulfillment.release(real.id):
            oms.fulfillment.accept(fo.id)
            oms.fulfillment.confirm_pick(fo.id)
            oms.fulfillment.pack(fo.id)
            shipment = oms.fulfillment.ship(fo.id, objective="fastest")
            for number in shipment.tracking_numbers:
                label = oms.carriers.label(number).label
                for hook in sandbox.webhook_deliveries(label, now=oms.clock.now()):
                    oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)
    oms.orders.complete(real.id, actor="root")
    quick = _capture(oms, "W-Q")
    oms.orders.capture_payment(quick.id, actor="root")
    deliver_fast(oms, quick.id)
    rma = oms.returns.request(quick.id, [{"line": "L2", "quantity": 1, "reason": "damaged"}],
                              actor="cara")  # fmt: skip
    oms.returns.reject(rma.id, reason="no photo", actor="root")
    other = oms.returns.request(quick.id, [{"line": "L2", "quantity": 1, "reason": "damaged"}],
                                actor="cara")  # fmt: skip
    oms.returns.cancel(other.id, reason="kept it", actor="cara")
    oms.notifications.opt_in(customer.id, "updates", actor="cara")
    oms.notifications.set_preferences(customer.id, locale="de", actor="cara")
    case = oms.support.open("Invoice please", customer=customer.email, actor="cara")
    oms.support.assign(case.id, "cara", actor="cara")
    oms.support.transition(case.id, "resolve", actor="cara")
    with admin.acting_as("root"):
        oms.notifications.deliver()
    for order in made["orders"]:
        if oms.orders.get(order.id).status not in {"cancelled", "completed"}:
            oms.orders.complete(order.id, actor="root")
    oms.admin.export_customer(customer.id, actor="root")
    with admin.acting_as("root"):  # run-time settings that take no actor of their own
        oms.events.subscribe("walk-listener", lambda event: None)
        oms.carriers.add_tracking_listener(lambda *args, **kwargs: None)
        oms.payments.observe(lambda *args, **kwargs: None)
    oms.notifications.configure_trigger("order_confirmed", enabled=True, actor="root")
    oms.inventory.add_supplier("ACME", name="Acme", actor="root")
    oms.fulfillment.configure_location("LEJ", bins={"CAP": "A-03-2-B"}, actor="root")
    oms.admin.erase_customer(customer.id, actor="root", reason="art. 17 request")
    oms.admin.disable(actor="root")
    oms.admin.enable(actor="root")  # switching the audit back on is recorded too


def test_every_guarded_call_of_a_whole_flow_leaves_its_audit_record() -> None:
    oms = _shop(FakeClock(START))
    spy = Spy(oms)
    spy.install()
    flow(oms)
    assert spy.missing == [], "\n".join(spy.missing)
    stored = _stored_text(oms)  # the erased customer shipped for real: labels too
    for value in (EMAIL, NAME, PHONE, STREET):
        assert value not in stored, value
    unreached = sorted(set(GUARDS) - set(spy.seen))
    assert len(spy.seen) >= FLOOR, (
        f"the flow reached {len(spy.seen)} guarded methods; not reached: {unreached}"
    )
