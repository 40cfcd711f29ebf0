"""On the SQLite store, principals, approvals and the audit log survive a reopen."""

from __future__ import annotations

from pathlib import Path

import pytest

from omskit import OMS
from omskit.admin import AccessDenied, ApprovalRequired

from .conftest import build, order_payload


def test_admin_state_survives_reopening_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    admin = {"owner": "root", "approvals": {"price_override_above_percent": "10"}}
    oms = build(OMS.open(url, {"admin": admin}, autoload=False))
    oms.admin.enable(actor="root")
    order = oms.orders.capture(order_payload(), actor="cara")
    line = {"sku": "LAMP-1", "quantity": 1, "unit_price": "100.00"}
    cheap = order_payload("A-1", channel="amazon-de", lines=[line])
    with pytest.raises(ApprovalRequired) as caught:
        oms.orders.capture(cheap, actor="cara")
    request_id = caught.value.request_id

    again = OMS.open(url, {"admin": {**admin, "access_control": True}}, autoload=False)
    assert again.admin.approval(request_id).status == "pending"
    assert again.admin.principal("wes").grants[0].locations == frozenset({"BER"})
    with pytest.raises(AccessDenied):
        again.orders.hold(order.id, reason="x", actor="rita")
    captured = again.admin.approve(request_id, actor="mia", reason="promo agreed")
    assert again.orders.find_by_external("amazon-de", "A-1").id == captured.id
    (record,) = again.admin.audit(target=f"order:{captured.id}")
    assert (record.actor, record.approval_id) == ("cara", request_id)
    assert [r.action for r in again.admin.audit(target=f"order:{order.id}")] == ["orders.capture"]
