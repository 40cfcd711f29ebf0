"""The demo prints the messages its orders produced."""

from __future__ import annotations

import io

from omskit.demo import run_demo


def test_the_demo_prints_every_message_its_orders_produced() -> None:
    out = io.StringIO()
    oms = run_demo(out)
    text = out.getvalue().split("== Notifications ==", 1)[1]
    messages = oms.notifications.messages(status="sent")
    assert len(messages) >= 9
    for message in messages:
        assert message.subject in text, message.trigger
    order = oms.orders.find_by_external("web", "W-FUL-1")
    assert order is not None
    ful = [m.trigger for m in messages if m.order_id == order.id]
    assert ful == ["order_confirmed", "shipped", "out_for_delivery", "delivered"]
    assert "the same notice in Hebrew (rtl):" in text
    assert "back in stock: sent 'Monitor 27 inch is back in stock', subscription notified" in text
