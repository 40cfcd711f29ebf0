"""The ports orders calls through say what they take and return (no ``Any``)."""

from __future__ import annotations

import inspect
import typing

import pytest

from omskit.orders import ports

PROTOCOLS = [ports.PricingPort, ports.InventoryPort, ports.RoutingPort, ports.FulfillmentPort,
             ports.HeldWork, ports.Services]  # fmt: skip


def _mentions_any(hint: object) -> bool:
    if hint is typing.Any:
        return True
    return any(_mentions_any(arg) for arg in typing.get_args(hint))


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_every_port_member_is_typed_without_any(protocol: type) -> None:
    members = [m for name, m in vars(protocol).items() if not name.startswith("_")]
    assert members
    for member in members:
        function = member.fget if isinstance(member, property) else member
        if not inspect.isfunction(function):
            continue
        hints = typing.get_type_hints(function, vars(ports))
        assert "return" in hints, function.__qualname__
        bad = [name for name, hint in hints.items() if _mentions_any(hint)]
        assert not bad, f"{function.__qualname__}: {bad} typed as Any"


def test_the_context_types_its_capabilities_by_their_ports() -> None:
    hints = {
        name: typing.get_type_hints(member.fget, vars(ports))["return"]
        for name, member in vars(ports.OrderContext).items()
        if isinstance(member, property)
    }
    assert hints["pricing"] is ports.PricingPort
    assert hints["inventory"] is ports.InventoryPort
    assert hints["routing"] is ports.RoutingPort
    assert not any(_mentions_any(h) for h in hints.values())
