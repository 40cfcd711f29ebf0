"""Claims against the carrier: filed with the customer's claim or from a lost scan, decided."""

from __future__ import annotations

import datetime as dt

import pytest

from omskit import OMS, InvalidTransition, ValidationError
from omskit.carriers import SandboxCarrier
from omskit.carriers.model import Label
from omskit.money import Money

from .returns_helpers import Sell, build_world, make_seller


def ship_for_real(oms: OMS, order_id: str, scenario: str | None = None) -> list[str]:
    """Release, pack and ship with the sandbox carrier; play ``scenario``'s webhooks."""
    sandbox = oms.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    numbers: list[str] = []
    for fo in oms.fulfillment.release(order_id):
        oms.fulfillment.accept(fo.id)
        oms.fulfillment.confirm_pick(fo.id)
        oms.fulfillment.pack(fo.id)
        shipment = oms.fulfillment.ship(fo.id, objective="fastest")
        for number in shipment.tracking_numbers:
            numbers.append(number)
            label = oms.carriers.label(number).label
            for hook in sandbox.webhook_deliveries(label, scenario, now=oms.clock.now()):
                oms.carriers.handle_webhook("sandbox", hook.body, hook.headers)
    return numbers


def test_a_customer_claim_files_a_claim_against_the_carrier(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 2}, deliver=False)
    [number] = ship_for_real(world, order.id)
    rma = world.returns.claim(order.id, {"L1": 1}, kind="damaged", actor="dana")
    claim = rma.carrier_claim
    assert claim is not None
    assert (claim.carrier, claim.tracking_number, claim.status) == ("sandbox", number, "open")
    assert claim.amount == Money("19.99", "EUR")  # what the customer paid for the unit
    assert claim.source == "dana"
    assert [r.id for r in world.returns.carrier_claims()] == [rma.id]
    settled = world.returns.settle_carrier_claim(rma.id, "15.00", note="depreciated", actor="ops")
    assert settled.carrier_claim is not None
    assert (settled.carrier_claim.status, str(settled.carrier_claim.settled)) == (
        "settled",
        "15.00 EUR",
    )
    assert world.returns.carrier_claims() == []
    assert [r.id for r in world.returns.carrier_claims("settled")] == [rma.id]
    with pytest.raises(InvalidTransition):
        world.returns.deny_carrier_claim(rma.id, reason="late")


def test_deciding_a_claim_checks_the_amount_and_changes_nothing_when_refused(
    world: OMS, sell: Sell
) -> None:
    order = sell({"TEE": 2}, deliver=False)
    ship_for_real(world, order.id)
    rma = world.returns.claim(order.id, {"L1": 1}, kind="lost")
    for bad in ("20.00", "0", "-1", "1.001"):
        with pytest.raises(ValidationError, match="amount"):
            world.returns.settle_carrier_claim(rma.id, bad)
    assert world.returns.get(rma.id).carrier_claim.status == "open"  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="reason"):
        world.returns.deny_carrier_claim(rma.id, reason="")
    denied = world.returns.deny_carrier_claim(rma.id, reason="no proof of value")
    assert denied.carrier_claim is not None
    assert (denied.carrier_claim.status, denied.carrier_claim.reason) == (
        "denied",
        "no proof of value",
    )
    with pytest.raises(ValidationError, match="tracking_number"):
        world.returns.claim(order.id, {"L1": 1}, kind="lost", tracking_number="NOPE")
    assert len(world.returns.for_order(order.id)) == 1  # the refused claim left nothing
    assert world.payments.get(order.id).refunded == Money("19.99", "EUR")
    with pytest.raises(ValidationError, match="status"):
        world.returns.carrier_claims("maybe")


def test_a_claim_without_a_carrier_parcel_files_nothing_against_a_carrier(
    world: OMS, sell: Sell
) -> None:
    order = sell({"TEE": 1})  # shipped and delivered without a carrier label
    rma = world.returns.claim(order.id, {"L1": 1}, kind="damaged")
    assert rma.carrier_claim is None
    assert any("no carrier parcel" in e.note for e in rma.history)
    with pytest.raises(ValidationError, match="no claim against a carrier"):
        world.returns.settle_carrier_claim(rma.id)


def test_a_lost_scan_opens_a_claim_an_agent_resolves(world: OMS, sell: Sell) -> None:
    order = sell({"TEE": 2, "MUG": 1}, deliver=False)
    [number] = ship_for_real(world, order.id, "lost")
    [rma] = world.returns.for_order(order.id)
    assert (rma.kind, rma.status, rma.actor) == ("claim_lost", "authorized", "carrier")
    assert rma.expires_at is None
    assert {(x.line_id, x.quantity) for x in rma.lines} == {("L1", 2), ("L2", 1)}
    assert rma.carrier_claim is not None
    assert (rma.carrier_claim.tracking_number, rma.carrier_claim.source) == (number, "carrier")
    assert rma.carrier_claim.amount == Money("52.48", "EUR")
    assert world.payments.get(order.id).refunded.is_zero  # no money from a webhook
    assert world.carriers.label(number).tracking_status == "lost"
    world.clock.advance(days=60)  # type: ignore[attr-defined]
    assert world.returns.expire_due() == []  # a claim waits for its agent
    resolved = world.returns.resolve_claim(rma.id, resolution="replace", actor="agent")
    assert (resolved.status, resolved.resolution) == ("closed", "replace")
    replacement = world.orders.get(resolved.replacement_order_id)
    assert [(x.sku, x.quantity) for x in replacement.lines] == [("TEE", 2), ("MUG", 1)]
    with pytest.raises(InvalidTransition):
        world.returns.resolve_claim(rma.id, resolution="refund")


def test_a_lost_scan_can_be_left_to_the_customer() -> None:
    oms = OMS.in_memory({"returns": {"lost_parcels": "ignore"}}, autoload=False)
    build_world(oms)
    order = make_seller(oms)({"TEE": 1}, deliver=False)
    ship_for_real(oms, order.id, "lost")
    assert oms.returns.for_order(order.id) == []
    with pytest.raises(ValidationError, match="lost_parcels"):
        OMS.in_memory({"returns": {"lost_parcels": "panic"}}, autoload=False)


def test_a_return_label_takes_the_carriers_purchase_path(
    world: OMS, sell: Sell, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = world.carriers.get("sandbox")
    assert isinstance(sandbox, SandboxCarrier)
    order = sell({"TEE": 2}, deliver=False)
    ship_for_real(world, order.id)
    rma = world.returns.request(order.id, {"L1": 1}, authorize=True)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the RMA could not be recorded")

    issued: list[str] = []
    real = SandboxCarrier.return_label

    def recording(
        self: SandboxCarrier, original: Label, *, reference: str, now: dt.datetime
    ) -> Label:
        label = real(self, original, reference=reference, now=now)
        issued.append(label.tracking_number)
        return label

    with monkeypatch.context() as patch:  # the label is bought, then the transaction fails
        patch.setattr("omskit.returns.labels.RmaLabelIssued", broken)
        patch.setattr(SandboxCarrier, "return_label", recording)
        with pytest.raises(RuntimeError):
            world.returns.issue_label(rma.id)
    assert world.returns.get(rma.id).status == "authorized"
    assert issued
    assert all(sandbox.is_voided(n) for n in issued)  # voided at the carrier
    assert world.carriers.unsettled_purchases() == []  # and nothing left unknown
    rma = world.returns.issue_label(rma.id)  # the next attempt buys under the next key
    assert not sandbox.is_voided(rma.label_tracking)
    record = world.carriers.label(rma.label_tracking)
    assert (record.owner, record.reference, record.external) == ("returns", rma.id, False)
    assert record.label.is_return
    again = world.returns.issue_label  # a label per RMA: asking again is refused
    with pytest.raises(InvalidTransition):
        again(rma.id)
    with world.runtime.transaction() as uow:  # voidable like an outbound label
        stored = world.carriers.find_in(uow, rma.label_tracking, None)
        assert world.carriers.void_label_in(uow, stored).status == "voided"
    assert sandbox.is_voided(rma.label_tracking)
