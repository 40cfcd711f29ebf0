"""Bad input: each error names the field, the value and what is allowed; nothing changes."""

from __future__ import annotations

import pytest

from omskit import OMS, FloatNotAllowed, InvalidQuantity, InvalidTransition, ValidationError
from omskit.inventory.errors import UnknownLocation
from omskit.returns import ReturnNotEligible, ReturnSettings, UnknownReturn

from .returns_helpers import Sell


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ({"L1": 0}, "lines.L1: got 0; "),
        ({"L1": 1.0}, "lines.L1: got 1.0; expected a whole number"),
        ([{"line": "L1", "quantity": 1, "reason": "meh"}],
         "lines[0].reason: got 'meh'; unknown reason; allowed: unwanted, changed_mind"),
        ([{"line": "L1", "quantity": 1, "colour": "red"}],
         "lines[0].colour: got 'red'; unknown key; allowed: line, quantity, reason"),
        ([{"line": "L1", "quantity": 1}, {"line": "L1", "quantity": 1}],
         "lines[1]: got 'L1'; each line may appear once"),
        ([], "lines: got []; name at least one line"),
        ("L1", "lines: got 'L1'; expected {line_id: quantity} or a list of lines"),
    ],
)  # fmt: skip
def test_malformed_lines_are_refused_field_by_field(
    world: OMS, sell: Sell, lines: object, message: str
) -> None:
    order = sell({"TEE": 2})
    with pytest.raises(ValidationError) as caught:
        world.returns.request(order.id, lines)  # type: ignore[arg-type]
    assert message in str(caught.value)
    assert world.returns.for_order(order.id) == []


def test_a_float_quantity_is_the_float_error(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 2})
    with pytest.raises(FloatNotAllowed):
        world.returns.check(order.id, {"L1": 1.5})  # type: ignore[dict-item]


def test_returning_more_than_delivered_or_an_unknown_line_names_both(
    world: OMS, sell: Sell
) -> None:
    order = sell({"TEE": 2})
    with pytest.raises(ReturnNotEligible) as caught:
        world.returns.request(order.id, {"L1": 3, "L9": 1})
    message = str(caught.value)
    assert "lines.L1: got 3; only 2 unit(s) of line L1 can come back" in message
    assert "lines.L9: got 1; order ord_000001 has no line L9 (it has L1)" in message


def test_receiving_and_inspecting_wrong_quantities_change_nothing(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 2, "MUG": 1})
    rma = world.returns.request(order.id, {"L1": 2}, authorize=True)
    with pytest.raises(InvalidQuantity, match=r"quantities\.L1: got 3; at most 2 unit\(s\)"):
        world.returns.receive(rma.id, {"L1": 3})
    with pytest.raises(ValidationError, match=r"quantities\.L2: got 'L2'; not on return"):
        world.returns.receive(rma.id, {"L2": 1})
    with pytest.raises(UnknownLocation, match="no location 'NOPE'"):
        world.returns.receive(rma.id, location="NOPE")
    assert world.returns.get(rma.id).status == "authorized"
    world.returns.receive(rma.id)
    with pytest.raises(ValidationError, match=r"dispositions\.L1\.burn: got 'burn'; unknown "
                       "disposition; allowed: restock, quarantine, scrap, rejected"):  # fmt: skip
        world.returns.inspect(rma.id, {"L1": {"burn": 2}})
    wanted = r"dispositions\.L1: got \{'restock': 1\}; 1 unit\(s\); the dispositions must cover"
    with pytest.raises(ValidationError, match=wanted):
        world.returns.inspect(rma.id, {"L1": {"restock": 1}})
    assert world.returns.get(rma.id).status == "received"
    assert world.inventory.ledger(reference=rma.id) == []
    assert world.orders.get(order.id).line("L1").returned == 0


def test_actions_out_of_order_name_the_status_and_where_they_are_allowed(
    world: OMS, sell: Sell
) -> None:
    order = sell({"TEE": 1})
    rma = world.returns.request(order.id, {"L1": 1})
    with pytest.raises(InvalidTransition, match="cannot receive return rma_000001: status is "
                       "'requested'; receive is allowed from 'authorized', 'label_issued', "
                       "'in_transit'"):  # fmt: skip
        world.returns.receive(rma.id)
    with pytest.raises(InvalidTransition, match="refund is allowed from 'inspected'"):
        world.returns.refund(rma.id)
    world.returns.reject(rma.id, reason="worn", actor="agent")
    with pytest.raises(InvalidTransition, match="status is 'rejected'"):
        world.returns.authorize(rma.id)


def test_an_unknown_return_and_bad_text_are_named(world: OMS) -> None:
    with pytest.raises(UnknownReturn, match="no return 'rma_9'"):
        world.returns.get("rma_9")
    with pytest.raises(ValidationError, match="reason: got ''; must not be empty"):
        world.returns.reject("rma_9", reason="")
    with pytest.raises(ValidationError, match="actor: got 7; expected text"):
        world.returns.authorize("rma_9", actor=7)  # type: ignore[arg-type]


def test_bad_settings_are_all_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        ReturnSettings.from_mapping({
            "window_days": -1, "refund_shipping": "sometimes", "colour": "red",
            "restocking_fee_percent": "150", "channels": {"web": {"window": 3}},
            "reasons": [{"code": "x"}, {"code": "x"}],
        })  # fmt: skip
    fields = [p.field for p in caught.value.problems]
    assert fields == [
        "returns.colour", "returns.window_days", "returns.restocking_fee_percent",
        "returns.refund_shipping", "returns.channels.web.window", "returns.reasons[1].code",
    ]  # fmt: skip
    assert "returns.refund_shipping: got 'sometimes'; expected one of never, full_return" in str(
        caught.value
    )
