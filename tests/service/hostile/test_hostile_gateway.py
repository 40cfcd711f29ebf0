"""A payment gateway raising a raw TimeoutError comes out as GatewayUnavailable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from omskit import OMS, hookimpl
from omskit.payments import GatewayUnavailable, SandboxGateway

from .conftest import order_payload, store_state


class TimingOut(SandboxGateway):
    """A sandbox gateway whose HTTP call times out on ``operation``."""

    def __init__(self, operation: str) -> None:
        super().__init__("timing-out")
        self.operation = operation

    def authorize(self, **call: Any) -> Any:
        if self.operation == "authorize":
            raise TimeoutError("read timed out after 30 s")
        return super().authorize(**call)

    def capture(self, **call: Any) -> Any:
        if self.operation == "capture":
            raise TimeoutError("read timed out after 30 s")
        return super().capture(**call)


class GatewayPlugin:
    def __init__(self, gateway: SandboxGateway) -> None:
        self.gateway = gateway

    @hookimpl
    def omskit_register_payment_gateways(self) -> list[Any]:
        return [self.gateway]


def shop_paying_through(make_shop: Callable[..., OMS], operation: str) -> OMS:
    oms = make_shop(plugins=[GatewayPlugin(TimingOut(operation))])
    oms.channels.update("web", payment_gateway="timing-out")
    return oms


@pytest.mark.parametrize("operation", ["authorize", "capture"])
def test_a_gateway_timing_out_is_wrapped_naming_it_and_the_operation(
    make_shop: Callable[..., OMS], operation: str
) -> None:
    oms = shop_paying_through(make_shop, operation)
    unpaid = order_payload("W-1")
    del unpaid["payment"]
    order = oms.orders.capture(unpaid)
    if operation == "capture":
        oms.orders.pay(order.id, "tok_visa")
    call: Callable[[], object] = (
        (lambda: oms.orders.pay(order.id, "tok_visa"))
        if operation == "authorize"
        else (lambda: oms.orders.capture_payment(order.id))
    )
    before = store_state(oms)
    with pytest.raises(GatewayUnavailable) as info:
        call()
    assert isinstance(info.value.__cause__, TimeoutError)
    assert "'timing-out'" in str(info.value)
    assert operation in str(info.value)
    # the timed-out call's outcome is unknown: it is kept for retry, and nothing else moves
    [pending] = oms.payments.pending_compensations()
    assert pending.reference == order.id
    assert without_compensations(store_state(oms)) == without_compensations(before)


def without_compensations(state: tuple[Any, ...]) -> tuple[Any, ...]:
    rows, *rest = state
    return (tuple(r for r in rows if r[0] != "payment_compensations"), *rest)
