"""Demo section: the messages the demo's orders produced, and a back-in-stock request."""

from __future__ import annotations

from collections.abc import Callable

from omskit.oms import OMS


def run(oms: OMS, say: Callable[[str], None]) -> None:
    """Print every message the earlier sections' orders produced, then one in full."""
    say("== Notifications ==")
    messages = oms.notifications.messages()
    width = max((len(m.trigger) for m in messages), default=0)
    for message in messages:
        order = oms.orders.get(message.order_id).external_id if message.order_id else "-"
        say(f"  {message.status:<10} {message.channel:<5} {order:<24} "
            f"{message.trigger:<{width}} {message.subject}")  # fmt: skip
    shipped = [m for m in messages if m.trigger == "shipped"]
    if shipped:
        say(f"  the shipping notice to {shipped[0].recipient}, as sent:")
        for row in shipped[0].text.splitlines():
            say(f"    | {row}".rstrip())
        hebrew = oms.notifications.preview("shipped", shipped[0].order_id, "he")
        say(f"  the same notice in Hebrew ({hebrew.direction}): {hebrew.subject}")
    sku = "FF-TV"
    left = oms.inventory.available(sku, "LEJ")
    if left:
        oms.inventory.adjust(sku, location="LEJ", delta=-left, reason="demo: sold out")
    ask = oms.notifications.subscribe_back_in_stock(sku, email="eli@example.com")
    oms.inventory.receive(sku, location="LEJ", quantity=2, reference="goods-in")
    (told,) = oms.notifications.messages(trigger="back_in_stock")
    asked = oms.notifications.back_in_stock_subscriptions(email="eli@example.com")[0]
    say(f"  {ask.email} asked about {sku} while it was sold out; back in stock: "
        f"{told.status} '{told.subject}', subscription {asked.status}")  # fmt: skip
