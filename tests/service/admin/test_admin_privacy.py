"""Personal data: export everything about a customer, erase them, keep the money intact."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omskit import OMS, OmskitError
from omskit.admin import AccessDenied, ErasureBlocked
from omskit.admin.model import AUDIT
from omskit.errors import NotFound, ValidationError
from omskit.storage.codec import dumps
from omskit.storage.memory import MemoryStore
from omskit.storage.sqlite import SqliteStore
from omskit.testing import FakeClock

from ..returns.returns_helpers import HOME, build_world, deliver_fast  # noqa: TID252

START = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)
EMAIL, NAME, PHONE, STREET = "dana@example.com", "Dana Levi", "+4930901820", "Invalidenstr"


_OPENED: list[OMS] = []


@pytest.fixture(autouse=True)
def _close_stores() -> Any:
    """Close every OMS a test opened (a durable test store holds connections)."""
    yield
    while _OPENED:
        _OPENED.pop().close()


def _shop(clock: FakeClock | None = None) -> OMS:
    oms = OMS.in_memory(
        {"admin": {"owner": "root"}}, clock=clock or FakeClock(START), autoload=False
    )
    _OPENED.append(oms)
    build_world(oms)
    oms.admin.add_user("cara", roles=["customer_service"])
    oms.admin.add_user("test", roles=["manager"])  # deliver_fast acts as "test"
    oms.admin.enable(actor="root")
    return oms


def _capture(oms: OMS, external_id: str, email: str = EMAIL, name: str = NAME) -> Any:
    order = oms.orders.capture(
        {
            "channel": "web",
            "external_id": external_id,
            "customer": {"email": email, "name": name},
            "ship_to": {**HOME, "name": name, "phone": PHONE},
            "lines": [{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}],
            "payment": {"method": "tok_visa"},
            "notes": f"ring twice, ask for {name}",
        },
        actor="cara",
    )
    if order.on_hold:
        order = oms.orders.release(order.id, reason="checked", actor="root")
    return order


def customer_history(oms: OMS, email: str = EMAIL, name: str = NAME) -> dict[str, Any]:
    """A registered customer with an address, three orders (delivered with a refund and a
    closed return; cancelled; delivered), preferences and a support case."""
    customer = oms.customers.register(email, name=name, phone=PHONE, actor="cara")
    oms.customers.add_address(customer.id, {**HOME, "name": name}, actor="cara")
    first = _capture(oms, "W-1", email, name)
    oms.orders.capture_payment(first.id, actor="root")
    deliver_fast(oms, first.id)
    oms.orders.refund(first.id, "2.50", reason="late delivery", actor="root")
    rma = oms.returns.request(first.id, [{"line": "L1", "quantity": 1, "reason": "too_small"}],
                              actor="cara", notes=[f"{name} says it is too small"])  # fmt: skip
    oms.returns.authorize(rma.id, actor="root")
    oms.returns.receive(rma.id, location="BER", actor="root")
    oms.returns.inspect(rma.id, {"L1": {"restock": 1}}, actor="root")
    oms.returns.refund(rma.id, actor="root")
    second = _capture(oms, "W-2", email, name)
    oms.orders.cancel(second.id, reason="changed mind", actor="cara")
    third = _capture(oms, "W-3", email, name)
    oms.orders.capture_payment(third.id, actor="root")
    deliver_fast(oms, third.id)
    oms.notifications.opt_out(customer.id, "updates", actor="cara")
    case = oms.support.open("Where is my parcel?", customer=email, order_id=first.id,
                            message=f"Hi, this is {name}, call me on {PHONE}",
                            actor="cara")  # fmt: skip
    with oms.admin.acting_as("cara"):  # add_message takes no actor of its own
        oms.support.add_message(case.id, f"Hello {name}, it is on its way", author="cara",
                                author_kind="agent")  # fmt: skip
    return {"customer": customer, "orders": [first, second, third], "rma": rma, "case": case}


def money(oms: OMS, order_ids: list[str]) -> dict[str, Any]:
    """Every figure the books hold for the orders: totals, lines, payments, refunds, stock."""
    out: dict[str, Any] = {}
    for order_id in order_ids:
        order = oms.orders.get(order_id)
        payment = oms.payments.find(order_id)
        out[order_id] = {
            "total": (order.total.net, order.total.tax, order.total.gross),
            "shipping": order.shipping.gross,
            "lines": [
                (x.sku, x.quantity, x.unit_price, x.total.gross, x.returned, x.shipped)
                for x in order.lines
            ],
            "status": (order.status, order.payment_status),
            "payment": None
            if payment is None
            else (
                payment.authorized,
                payment.captured,
                payment.refunded,
                [(t.kind, t.amount) for t in payment.transactions],
            ),
            "returns": [
                (r.status, [(f.paid, f.breakdown, f.transactions) for f in r.refunds])
                for r in oms.returns.for_order(order_id)
            ],
            "ledger": [
                (m.kind, m.sku, m.location, m.on_hand, m.reserved, m.quarantined)
                for m in oms.inventory.ledger(reference=order_id)
            ],
        }
    return out


def _stored_text(oms: OMS) -> str:
    """Every committed row of every collection (not the outbox), as stored text."""
    store = oms.runtime.storage
    if isinstance(store, MemoryStore):
        rows = [dumps(row) for table in store._tables.values() for row in table.rows.values()]
        return "\n".join(rows)
    if isinstance(store, SqliteStore):
        with sqlite3.connect(store.path) as db:
            tables = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            return "\n".join(
                str(row) for t in tables if not t.startswith("omskit_")  # the store's own
                for row in db.execute(f'SELECT * FROM "{t}"')
            )  # fmt: skip
    pytest.skip(f"reads the rows of a memory or SQLite store, not {type(store).__name__}")


def test_the_export_holds_everything_about_the_customer_as_json() -> None:
    oms = _shop()
    made = customer_history(oms)
    export = oms.admin.export_customer(made["customer"].id, actor="root")
    text = json.dumps(export)  # JSON-serialisable as it is
    assert export["subject"] == made["customer"].id
    assert [c["email"] for c in export["customer"]] == [EMAIL]
    assert export["orders"]
    assert {o["id"] for o in export["orders"]} == {o.id for o in made["orders"]}
    assert [r["id"] for r in export["returns"]] == [made["rma"].id]
    assert export["messages"]
    assert all(m["recipient"] == EMAIL for m in export["messages"])
    assert [p["id"] for p in export["preferences"]] == [made["customer"].id]
    assert [c["id"] for c in export["support_cases"]] == [made["case"].id]
    targets = {r["target"] for r in export["audit"]}
    assert f"customer:{made['customer'].id}" in targets
    assert {f"order:{o.id}" for o in made["orders"]} <= targets
    for value in (EMAIL, NAME, PHONE, STREET):
        assert value in text
    assert "4242" not in text  # card data is never exported (it is never stored)


def test_the_export_names_its_sections_for_a_customer_record_too() -> None:
    oms = _shop()
    made = customer_history(oms)
    export = oms.admin.export_customer(EMAIL, actor="root")  # by e-mail: the same person
    assert export["subject"] == made["customer"].id
    assert set(export) == {"subject", "customer", "exported_at", "orders", "returns",
                           "shipments", "labels", "messages", "preferences",
                           "support_cases", "audit"}  # fmt: skip


def test_erasure_anonymises_the_person_everywhere_and_keeps_the_books() -> None:
    oms = _shop()
    made = customer_history(oms)
    ids = [o.id for o in made["orders"]]
    books = money(oms, ids)
    stored = _stored_text(oms)
    assert all(v in stored for v in (EMAIL, NAME, PHONE, STREET))

    counts = oms.admin.erase_customer(made["customer"].id, actor="root", reason="art. 17")

    assert counts["customer"] == 1
    assert counts["orders"] == 3
    assert counts["returns"] == 1
    assert counts["messages"] >= 3
    assert counts["preferences"] == 1
    assert counts["support_cases"] == 1
    assert counts["audit"] > 0
    assert money(oms, ids) == books  # totals, payments, refunds, returns, ledger unchanged
    stored = _stored_text(oms)
    for value in (EMAIL, NAME, PHONE, STREET, "10115"):
        assert value not in stored, value
    assert EMAIL not in oms.admin.export_audit()
    assert NAME not in oms.admin.export_audit()
    order = oms.orders.get(ids[0])
    assert (order.ship_to.country, order.ship_to.line1, order.customer_name) == ("DE", "", "")
    customer = oms.customers.get(made["customer"].id)
    assert customer.email.endswith("@erased.invalid")
    assert customer.name == ""
    assert oms.customers.find_by_email(EMAIL) is None
    record = oms.admin.audit(target=f"order:{ids[0]}")[0]
    assert record.arguments["payload"]["customer"] == "[erased]"  # the record stays


def test_erasure_is_audited_without_the_erased_values_and_is_idempotent() -> None:
    oms = _shop()
    made = customer_history(oms)
    oms.admin.erase_customer(made["customer"].id, actor="root", reason="art. 17 request 4711")
    [record] = [r for r in oms.admin.audit() if r.action == "admin.erase_customer"]
    assert (record.actor, record.target, record.reason) == (
        "root", f"customer:{made['customer'].id}", "art. 17 request 4711",
    )  # fmt: skip
    assert record.arguments == {}
    assert EMAIL not in json.dumps(record.as_dict())
    before = len(oms.admin.audit())
    again = oms.admin.erase_customer(made["customer"].id, actor="root", reason="again")
    assert set(again.values()) == {0}
    assert len(oms.admin.audit()) == before  # nothing changed, nothing recorded


def test_erasing_a_customer_named_by_e_mail_is_audited_under_their_id() -> None:
    oms = _shop()
    customer = oms.customers.register(EMAIL, name=NAME, actor="cara")
    oms.admin.erase_customer(EMAIL, actor="root", reason="art. 17")
    [record] = [r for r in oms.admin.audit() if r.action == "admin.erase_customer"]
    assert record.target == f"customer:{customer.id}"
    assert (record.before, record.after) == (
        {"value": {"erased": False}}, {"value": {"erased": True}},
    )  # fmt: skip
    assert EMAIL not in oms.admin.export_audit()


def test_erasure_refuses_while_an_order_is_open_and_changes_nothing() -> None:
    oms = _shop()
    customer = oms.customers.register(EMAIL, name=NAME, actor="cara")
    open_order = _capture(oms, "W-9")
    stored, audit = _stored_text(oms), len(oms.admin.audit())
    with pytest.raises(ErasureBlocked) as caught:
        oms.admin.erase_customer(customer.id, actor="root", reason="art. 17")
    assert open_order.id in str(caught.value)
    assert "allocated" in str(caught.value)
    assert caught.value.customer == customer.id
    assert _stored_text(oms) == stored
    assert len(oms.admin.audit()) == audit
    oms.orders.cancel(open_order.id, reason="customer asked", actor="cara")
    assert oms.admin.erase_customer(customer.id, actor="root", reason="art. 17")["orders"] == 1


def test_a_guest_is_erased_by_e_mail() -> None:
    oms = _shop()
    order = _capture(oms, "G-1", email="guest@example.org", name="Gil Guest")
    oms.orders.cancel(order.id, reason="x", actor="cara")
    counts = oms.admin.erase_customer("guest@example.org", actor="root", reason="art. 17")
    assert counts["customer"] == 0
    assert counts["orders"] == 1
    assert "guest@example.org" not in _stored_text(oms)
    assert "Gil Guest" not in _stored_text(oms)
    [record] = [r for r in oms.admin.audit() if r.action == "admin.erase_customer"]
    assert record.target == "customer:guest"


def test_erasure_needs_the_permission_a_reason_and_a_known_customer() -> None:
    oms = _shop()
    customer = oms.customers.register(EMAIL, name=NAME, actor="cara")
    with pytest.raises(AccessDenied, match=r"admin\.manage_pii"):
        oms.admin.erase_customer(customer.id, actor="cara", reason="asked")
    with pytest.raises(AccessDenied, match=r"admin\.manage_pii"):
        oms.admin.export_customer(customer.id, actor="cara")
    with pytest.raises(ValidationError, match="reason"):
        oms.admin.erase_customer(customer.id, actor="root", reason="")
    with pytest.raises(NotFound, match="cus_nobody"):
        oms.admin.erase_customer("cus_nobody", actor="root", reason="asked")
    with pytest.raises(TypeError):
        oms.admin.erase_customer(customer.id, reason="asked")  # type: ignore[call-arg]
    assert oms.customers.get(customer.id).email == EMAIL
    assert isinstance(ErasureBlocked("c", ["x"]), OmskitError)


def test_an_export_is_audited_without_its_content() -> None:
    oms = _shop()
    customer = oms.customers.register(EMAIL, name=NAME, actor="cara")
    oms.admin.export_customer(customer.id, actor="root")
    [record] = [r for r in oms.admin.audit() if r.action == "admin.export_customer"]
    assert (record.actor, record.arguments) == ("root", {"customer": customer.id})


def test_personal_values_never_reach_the_append_only_audit_collection() -> None:
    oms = _shop()
    customer_history(oms)
    with oms.runtime.storage.unit_of_work() as uow:
        raw = "\n".join(dumps(r) for r in uow.repo(AUDIT).scan())
    for value in (EMAIL, NAME, PHONE, STREET):
        assert value not in raw, value
    assert EMAIL in oms.admin.export_audit()  # read back while the person is not erased


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    local=st.from_regex(r"[a-z]{3,10}", fullmatch=True),
    name=st.from_regex(r"[A-Z][a-z]{3,8} [A-Z][a-z]{3,8}", fullmatch=True),
    refund=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20"), places=2),
)
def test_erasure_keeps_every_order_balanced_for_any_person(
    local: str, name: str, refund: Decimal
) -> None:
    oms = _shop()
    email = f"{local}@shop.example"
    oms.customers.register(email, name=name, actor="cara")
    order = _capture(oms, "P-1", email, name)
    oms.orders.capture_payment(order.id, actor="root")
    deliver_fast(oms, order.id)
    oms.orders.refund(order.id, str(refund), reason="goodwill", actor="root")
    with pytest.raises(ErasureBlocked, match="queued"):  # the "shipped" message waits
        oms.admin.erase_customer(email, actor="root", reason="art. 17")
    with oms.admin.acting_as("root"):
        oms.notifications.deliver()
    books = money(oms, [order.id])
    payment = oms.payments.find(order.id)
    assert payment is not None
    assert payment.captured == order.total.gross
    oms.admin.erase_customer(email, actor="root", reason="art. 17")
    assert money(oms, [order.id]) == books
    stored = _stored_text(oms)
    assert email not in stored
    assert name not in stored
