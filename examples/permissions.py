"""Permissions: staff with roles, access control, a second pair of eyes, the audit log.

Then the configuration checked as a whole, and a customer's data exported and erased.

Run with ``python examples/permissions.py``.
"""

from __future__ import annotations

import datetime as dt
import json

from omskit import OMS
from omskit.admin import AccessDenied, ApprovalRequired, ErasureBlocked, SelfApproval
from omskit.testing import FakeClock

SHIP_TO = {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
           "postal_code": "10115"}  # fmt: skip


def shop() -> OMS:
    """An OMS with an owner, a refund approval rule, two products and two locations."""
    clock = FakeClock(dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC))
    oms = OMS.in_memory(
        {"admin": {"owner": "root",
                   "approvals": {"refund_above": {"EUR": "50"}, "expire_after_hours": 48}}},
        clock=clock, autoload=False,
    )  # fmt: skip
    for sku, price in (("TEE-M", "19.90"), ("LAMP-1", "89.00")):
        oms.catalog.add_product(sku, name=sku, price=price, currency="EUR", weight_grams=300)
    oms.inventory.add_location("BER", name="Berlin DC", country="DE", lat=52.52, lon=13.40)
    oms.inventory.add_location("HH", name="Hamburg store", kind="store", country="DE",
                               lat=53.55, lon=9.99)  # fmt: skip
    for where in ("BER", "HH"):
        oms.inventory.receive("TEE-M", location=where, quantity=20)
        oms.inventory.receive("LAMP-1", location=where, quantity=5)
    return oms


def main() -> None:
    oms = shop()
    print("1. Staff and an API client, with roles scoped by channel and location")
    oms.admin.add_user("mia", roles=["manager"], display_name="Mia (ops lead)")
    oms.admin.add_user("cara", roles=[{"role": "customer_service", "channels": ["web"]}])
    oms.admin.add_user("hanna", roles=[{"role": "warehouse", "locations": ["HH"]}])
    oms.admin.add_user("fin", roles=["finance"])
    oms.admin.add_client("shop-connector", roles=["integration"])
    for p in oms.admin.principals():
        grants = ", ".join(g.describe() for g in p.grants)
        print(f"   {p.kind:6} {p.id:15} {grants}")

    print("\n2. One switch turns access control on (the owner flips it)")
    oms.admin.enable(actor="root")
    print(f"   enforcing={oms.admin.enforcing}, {len(oms.admin.wrapped)} methods guarded")

    order = oms.orders.capture({
        "channel": "web", "external_id": "W-1001",
        "customer": {"email": "dana@example.com"}, "ship_to": SHIP_TO,
        "lines": [{"sku": "LAMP-1", "quantity": 1}], "payment": {"method": "tok_visa"},
    }, actor="shop-connector")  # fmt: skip
    print(f"   shop-connector captured {order.id}: {order.total.gross}")

    print("\n3. Denials name the actor, the permission and the scope; nothing changes")
    for attempt in (
        lambda: oms.inventory.adjust("TEE-M", location="BER", delta=-1, reason="x",
                                     actor="hanna"),
        lambda: oms.orders.cancel(order.id, reason="x", actor="shop-connector"),
        lambda: oms.catalog.add_product("NEW-1", name="New", price="5", currency="EUR"),
    ):  # fmt: skip
        try:
            attempt()
        except AccessDenied as exc:
            print(f"   {exc}")
    print(f"   stock at BER still {oms.inventory.level('TEE-M', 'BER').on_hand}")
    oms.inventory.adjust("TEE-M", location="HH", delta=-1, reason="damaged", actor="hanna")
    print("   hanna adjusted stock at her own store: allowed")
    print(f"   can cara hold orders in web? {oms.admin.can('cara', 'orders.hold', channel='web')}")

    print("\n4. A refund above 50 EUR waits for a second principal")
    oms.orders.capture_payment(order.id, actor="fin")
    try:
        oms.orders.refund(order.id, "60.00", reason="arrived broken", actor="cara")
    except ApprovalRequired as exc:
        request_id = exc.request_id
        print(f"   {exc}")
    try:
        oms.admin.approve(request_id, actor="cara", reason="me")
    except SelfApproval as exc:
        print(f"   {exc}")
    print(f"   refunded so far: {oms.payments.get(order.id).refunded}")
    txn = oms.admin.approve(request_id, actor="fin", reason="photos checked")
    print(f"   fin approved; the refund ran once: {txn.kind} {txn.amount}")
    print(f"   request is now {oms.admin.approval(request_id).status!r}")

    audit_and_config(oms, order.id)


def audit_and_config(oms: OMS, order_id: str) -> None:
    """Print the audit log of the walk-through and the effective configuration."""
    print("\n5. The audit log: who changed what, before and after, and why")
    for record in oms.admin.audit(target=f"order:{order_id}"):
        fields = ", ".join(sorted(record.after))[:60]
        print(f"   {record.at:%H:%M} {record.actor:15} {record.action:22} {fields}")
    (adjusted,) = oms.admin.audit(target="stock:HH/TEE-M")
    print(f"   stock:HH/TEE-M {adjusted.before} -> {adjusted.after} ({adjusted.reason})")
    first = json.loads(oms.admin.export_audit().splitlines()[0])
    print(f"   JSON lines export, first record: {first['action']} by {first['actor']}")
    text = oms.admin.export_audit()
    print(f"   the payment token 'tok_visa' in the log? {'tok_visa' in text}")

    print("\n6. The effective configuration, as data")
    config = oms.admin.config()
    print(f"   plugins: {len(config['plugins'])}, hooks: {len(config['hooks'])}, "
          f"roles: {', '.join(config['roles'])}")  # fmt: skip
    print(f"   approval rules: {config['approval_rules']}")
    print(f"   warehouse may: {', '.join(config['roles']['warehouse'])}")
    check = oms.admin.check_config()
    print(f"   checked as a whole: ok={check.ok}, {len(check.warnings)} warning(s)")
    privacy(oms, order_id)


def privacy(oms: OMS, order_id: str) -> None:
    """Export what the shop holds about a customer, then erase them (GDPR art. 15, 17)."""
    print("\n7. A customer's data: exported, then erased with the books intact")
    export = oms.admin.export_customer("dana@example.com", actor="root")
    print(f"   export: {len(export['orders'])} order(s), {len(export['messages'])} "
          f"message(s), {len(export['audit'])} audit record(s)")  # fmt: skip
    try:
        oms.admin.erase_customer("dana@example.com", actor="root", reason="art. 17")
    except ErasureBlocked as exc:
        print(f"   refused: {exc.reasons[0]}")
    oms.orders.cancel(order_id, reason="customer withdrew", actor="mia")
    total = oms.orders.get(order_id).total.gross
    counts = oms.admin.erase_customer("dana@example.com", actor="root", reason="art. 17")
    order = oms.orders.get(order_id)
    print(f"   erased: {counts}")
    print(f"   the order now reads {order.customer_email}, {order.ship_to.one_line()}; "
          f"total unchanged: {order.total.gross == total}")  # fmt: skip
    print(f"   'dana' left in the audit log? {'dana' in oms.admin.export_audit()}")


if __name__ == "__main__":
    main()
