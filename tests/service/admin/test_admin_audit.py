"""The audit log: one append-only record per change, before/after, never a secret."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omskit import OMS, OmskitError
from omskit.admin import REDACTED, AuditRecord
from omskit.admin.audit import is_secret_field, plain
from omskit.admin.model import AUDIT

from .conftest import order_payload

CARD = "4242 4242 4242 4242"


@pytest.fixture
def grew(shop: OMS) -> Any:
    """``with grew(n): ...`` asserts the block appended exactly ``n`` audit records."""
    from contextlib import contextmanager

    @contextmanager
    def check(n: int = 1) -> Any:
        before = len(shop.admin.audit())
        yield
        assert len(shop.admin.audit()) == before + n

    return check


def test_every_change_in_a_flow_leaves_one_record(shop: OMS, grew: Any) -> None:
    with grew():
        order = shop.orders.capture(order_payload(), actor="cara")
    with grew():
        shop.orders.hold(order.id, reason="customer called", actor="cara")
    with grew():
        shop.orders.release(order.id, reason="sorted out", actor="cara")
    with grew():
        shop.orders.capture_payment(order.id, actor="fin")
    with grew():
        shop.orders.refund(order.id, "5.00", reason="scratch", actor="cara")
    with grew():
        shop.inventory.adjust("MUG-01", location="BER", delta=-2, reason="broken", actor="wes")
    with grew():
        shop.inventory.transfer("MUG-01", from_location="BER", to_location="TLV", quantity=1,
                                actor="mia")  # fmt: skip
    with grew():
        _as(shop, "mia", shop.catalog.update_product, "MUG-01", name="Big mug")
    with grew(0), pytest.raises(OmskitError):
        shop.orders.hold(order.id, reason="", actor="cara")  # refused input: no record


def _as(shop: OMS, actor: str, method: Any, *args: Any, **kwargs: Any) -> Any:
    with shop.admin.acting_as(actor):
        return method(*args, **kwargs)


def test_a_record_holds_actor_action_target_changed_fields_and_reason(shop: OMS) -> None:
    order = shop.orders.capture(order_payload(), actor="cara")
    shop.orders.hold(order.id, reason="customer called", actor="web-cs")
    (record,) = shop.admin.audit(target=f"order:{order.id}", actor="web-cs")
    assert (record.actor, record.action, record.permission) == (
        "web-cs",
        "orders.hold",
        "orders.hold",
    )
    assert record.before == {"on_hold": False, "hold_reason": ""} | {
        k: v for k, v in record.before.items() if k not in {"on_hold", "hold_reason"}
    }
    assert record.before["on_hold"] is False
    assert record.after["on_hold"] is True
    assert record.after["hold_reason"] == "customer called"
    assert record.reason == "customer called"
    assert "lines" not in record.after  # only the fields that changed


@pytest.mark.no_audit(
    reason="counts the records made after the audit is switched on in a built shop"
)
def test_stock_changes_show_the_level_before_and_after(shop: OMS) -> None:
    shop.inventory.adjust("TEE-M", location="BER", delta=-3, reason="damaged", actor="wes")
    (record,) = shop.admin.audit(target="stock:BER/TEE-M")
    assert (record.before, record.after) == ({"on_hand": 40}, {"on_hand": 37})


def test_query_by_actor_and_by_target(shop: OMS) -> None:
    a = shop.orders.capture(order_payload("W-1"), actor="cara")
    b = shop.orders.capture(order_payload("W-2"), actor="web-cs")
    shop.orders.hold(a.id, reason="x", actor="web-cs")
    assert [r.target for r in shop.admin.audit(actor="web-cs")] == [
        f"order:{b.id}",
        f"order:{a.id}",
    ]
    assert [r.actor for r in shop.admin.audit(target=f"order:{a.id}")] == ["cara", "web-cs"]
    assert shop.admin.audit(target=f"order:{b.id}", actor="cara") == []


@pytest.mark.no_audit(
    reason="counts the records made after the audit is switched on in a built shop"
)
def test_export_is_json_lines(shop: OMS) -> None:
    shop.orders.capture(order_payload(), actor="cara")
    shop.inventory.adjust("TEE-M", location="BER", delta=1, reason="found", actor="wes")
    lines = shop.admin.export_audit().splitlines()
    rows = [json.loads(line) for line in lines][1:]  # after the owner's "admin.enable"
    assert [r["action"] for r in rows] == ["orders.capture", "inventory.adjust"]
    assert set(rows[1]) >= {"at", "actor", "action", "target", "before", "after", "reason"}


def test_card_numbers_and_secrets_are_never_recorded(shop: OMS) -> None:
    order = shop.orders.capture(order_payload(), actor="cara")  # pays with "tok_visa"
    shop.orders.hold(order.id, reason=f"customer read out {CARD}", actor="cara")
    text = shop.admin.export_audit()
    for secret in ("4242 4242 4242 4242", "4242424242424242", "tok_visa"):
        assert secret not in text
    assert REDACTED in text


@given(st.sampled_from(["password", "api_key", "card_number", "cvv", "auth_token",
                        "client_secret", "iban", "webhook_signature"]),
       st.text(min_size=1, max_size=30))  # fmt: skip
def test_secret_fields_are_redacted_whatever_they_hold(name: str, value: str) -> None:
    assert is_secret_field(name)
    assert plain({name: value, "note": "ok"}) == {name: REDACTED, "note": "ok"}


CARDS = ["4242424242424242", "4111 1111 1111 1111", "5555-5555-5555-4444", "378282246310005"]
WORDS = st.text(alphabet="abc xyz.", max_size=10)


@given(st.sampled_from(CARDS), WORDS, WORDS)
def test_card_numbers_inside_text_are_redacted(card: str, left: str, right: str) -> None:
    text = plain(f"{left} {card} {right}")
    assert card not in text
    assert card.replace(" ", "").replace("-", "") not in text


@pytest.mark.no_audit(
    reason="counts the records made after the audit is switched on in a built shop"
)
def test_the_audit_collection_is_append_only(shop: OMS) -> None:
    assert AUDIT.append_only
    shop.orders.capture(order_payload(), actor="cara")
    (_enabled, record) = shop.admin.audit()
    record.actor = "someone else"

    def rewrite(uow: Any) -> None:
        uow.repo(AUDIT).save(record)

    with pytest.raises(OmskitError):
        shop.runtime.run(rewrite)


@pytest.mark.no_audit(
    reason="counts the records made after the audit is switched on in a built shop"
)
def test_a_replayed_capture_records_nothing_new(shop: OMS) -> None:
    shop.orders.capture(order_payload(), actor="cara")
    shop.orders.capture(order_payload(), actor="cara")
    assert [r.action for r in shop.admin.audit()] == ["admin.enable", "orders.capture"]


def test_audit_alone_records_without_checking(clock: Any) -> None:
    oms = OMS.in_memory({"admin": {"audit": True}}, clock=clock, autoload=False)
    assert oms.admin.auditing
    assert not oms.admin.enforcing
    oms.catalog.add_product("TEE-M", name="Tee", price="19.90", currency="EUR")
    (record,) = oms.admin.audit(target="product:TEE-M")
    assert isinstance(record, AuditRecord)
    assert record.actor == "system"
    assert record.before == {}
    assert record.after["name"] == "Tee"
