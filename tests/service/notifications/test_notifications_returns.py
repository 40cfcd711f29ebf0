"""A return's messages: authorized, received, refunded, one each per RMA."""

from __future__ import annotations

from omskit import OMS
from omskit.events import Event

from .conftest import Capture, deliver_and_return


def test_a_return_is_acknowledged_received_and_refunded_once_each(
    world: OMS, capture: Capture
) -> None:
    seen: list[Event] = []
    world.events.subscribe("probe", seen.append)
    order = capture({"TEE-M": 2})
    rma_id = deliver_and_return(world, order.id)
    returns = [
        m
        for m in world.notifications.messages(order_id=order.id)
        if m.trigger in ("return_authorized", "return_received", "refund_issued")
    ]
    assert [m.trigger for m in returns] == ["return_authorized", "return_received", "refund_issued"]
    assert all(m.status == "sent" for m in returns)
    assert rma_id in returns[0].subject
    assert rma_id in returns[1].text
    for event in seen:  # replaying the whole history adds nothing
        world.notifications.handle(event)
    assert len(world.notifications.messages(order_id=order.id)) == 4 + 3
