"""Store credit: a ledger per customer and currency, spent in capture, given back on cancel."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from omskit import OMS
from omskit.errors import IdempotencyConflict, ValidationError
from omskit.money import Money
from omskit.orders.storage import ORDERS
from omskit.payments.credit import InsufficientStoreCredit
from omskit.payments.model import PAYMENTS

from ...stores import store_url  # noqa: TID252 - shared test helpers

HOME = {"country": "DE", "name": "Dana Levi", "line1": "Invalidenstr. 117",
        "city": "Berlin", "postal_code": "10115"}  # fmt: skip
EMAIL = "dana@example.com"


@pytest.fixture
def shop(oms: OMS) -> OMS:
    oms.catalog.add_product("TEE", name="Tee", price="19.99", currency="EUR", weight_grams=180)
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
    oms.inventory.receive("TEE", location="BER", quantity=100)
    return oms


def order(n: int, credit: Any = None, quantity: int = 1) -> dict[str, Any]:
    payment: dict[str, Any] = {"method": "tok_visa"}
    if credit is not None:
        payment["store_credit"] = credit
    return {
        "channel": "web",
        "external_id": f"SC-{n}",
        "customer": {"email": EMAIL},
        "ship_to": HOME,
        "lines": [{"sku": "TEE", "quantity": quantity}],
        "payment": payment,
    }


def test_issued_credit_is_a_ledger_with_an_exact_balance(shop: OMS) -> None:
    pay = shop.payments
    pay.issue_credit(EMAIL, "10.005", currency="KWD", reason="goodwill", actor="agent")
    pay.issue_credit(EMAIL.upper(), Money("0.001", "KWD"), reason="more", idempotency_key="k")
    again = pay.issue_credit(EMAIL, Money("0.001", "KWD"), reason="more", idempotency_key="k")
    assert again.balance == Money("10.006", "KWD")
    assert pay.store_credit(EMAIL, "KWD") == Money("10.006", "KWD")
    assert pay.store_credit(EMAIL, "EUR").is_zero  # one balance per currency
    account = pay.credit_account(EMAIL, "KWD")
    assert [str(e.amount) for e in account.entries] == ["10.005 KWD", "0.001 KWD"]
    assert account.entries[0].actor == "agent"
    with pytest.raises(IdempotencyConflict):
        pay.issue_credit(EMAIL, Money("0.002", "KWD"), reason="more", idempotency_key="k")
    with pytest.raises(ValidationError, match="amount"):
        pay.issue_credit(EMAIL, "-1", currency="EUR", reason="no")
    with pytest.raises(ValidationError, match="customer"):
        pay.issue_credit("  ", "1", currency="EUR", reason="no")
    with pytest.raises(ValidationError, match="reason"):
        pay.issue_credit(EMAIL, "1", currency="EUR", reason="")


def test_an_order_pays_partly_with_store_credit_and_partly_by_card(shop: OMS) -> None:
    shop.payments.issue_credit(EMAIL, "25.00", currency="EUR", reason="gift card")
    placed = shop.orders.capture(order(1, "25.00", quantity=2))  # 39.98
    payment = shop.payments.get(placed.id)
    assert payment.adjusted("store_credit") == Money("25.00", "EUR")
    assert payment.authorized == Money("14.98", "EUR")  # the card carries the rest
    assert payment.refundable == Money("25.00", "EUR")  # the card is not captured yet
    assert shop.payments.store_credit(EMAIL, "EUR").is_zero
    entry = shop.payments.credit_account(EMAIL, "EUR").entries[-1]
    assert (entry.amount, entry.reference) == (Money("-25.00", "EUR"), placed.id)
    assert "store credit 25.00" in payment.explain()


def test_cancelling_gives_the_credit_back_and_releases_the_card(shop: OMS) -> None:
    shop.payments.issue_credit(EMAIL, "30.00", currency="EUR", reason="gift card")
    placed = shop.orders.capture(order(1, "30.00", quantity=2))
    shop.orders.cancel(placed.id, reason="changed mind", actor="dana")
    assert shop.payments.store_credit(EMAIL, "EUR") == Money("30.00", "EUR")
    payment = shop.payments.get(placed.id)
    assert payment.adjusted("store_credit").is_zero
    assert payment.open_amount.is_zero


def test_a_partial_cancel_refunds_the_card_before_the_credit(shop: OMS) -> None:
    shop.payments.issue_credit(EMAIL, "25.00", currency="EUR", reason="gift card")
    placed = shop.orders.capture(order(1, "25.00", quantity=2))  # 39.98, card 14.98
    shop.orders.cancel_lines(placed.id, {"L1": 1}, reason="out of size", actor="dana")
    payment = shop.payments.get(placed.id)
    # due 19.99: credit keeps 19.99 of its 25.00, the card carries nothing
    assert shop.payments.store_credit(EMAIL, "EUR") == Money("5.01", "EUR")
    assert payment.adjusted("store_credit") == Money("19.99", "EUR")
    assert payment.covered.is_zero


def test_spending_more_than_the_balance_stores_nothing(shop: OMS) -> None:
    shop.payments.issue_credit(EMAIL, "5.00", currency="EUR", reason="gift card")
    with pytest.raises(InsufficientStoreCredit, match=r"store_credit.*5\.00 EUR") as caught:
        shop.orders.capture(order(1, "6.00"))
    assert caught.value.available == Money("5.00", "EUR")
    assert shop.payments.store_credit(EMAIL, "EUR") == Money("5.00", "EUR")
    with shop.runtime.storage.unit_of_work() as uow:
        assert uow.repo(ORDERS).count() == 0
        assert uow.repo(PAYMENTS).count() == 0
    with pytest.raises(ValidationError, match=r"payment\.store_credit"):
        shop.orders.capture(order(2, "-1"))
    with pytest.raises(ValidationError, match=r"payment\.store_credit"):
        shop.orders.capture(order(3, "19.999"))  # more digits than EUR has
    with pytest.raises(ValidationError, match="at most the order's total"):
        shop.orders.capture(order(4, "25.00"))  # more than the order costs
    assert shop.payments.store_credit(EMAIL, "EUR") == Money("5.00", "EUR")


def durable_shop(kind: str, directory: Path) -> OMS:
    oms = OMS.open(store_url(kind, directory), autoload=False)
    oms.catalog.add_product("TEE", name="Tee", price="19.99", currency="EUR", weight_grams=180)
    oms.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
    oms.inventory.receive("TEE", location="BER", quantity=100)
    return oms


@pytest.mark.parametrize("kind", ["memory", "sqlite", "postgres"])
def test_two_captures_racing_for_the_same_credit_cannot_overspend(
    kind: str, shop: OMS, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind != "memory":
        shop = durable_shop(kind, tmp_path)
        request.addfinalizer(shop.close)
    shop.payments.issue_credit(EMAIL, "39.98", currency="EUR", reason="gift card")
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def buy(n: int) -> None:
        barrier.wait()
        try:
            shop.orders.capture(order(n, "19.99"))
            outcomes.append("paid")
        except InsufficientStoreCredit:
            outcomes.append("refused")

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(1, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["paid"] * 2 + ["refused"] * 4
    account = shop.payments.credit_account(EMAIL, "EUR")
    assert account.balance.is_zero
    assert [str(e.amount) for e in account.entries] == ["39.98 EUR"] + ["-19.99 EUR"] * 2


def test_a_declined_card_cancels_the_order_and_returns_the_credit(oms: OMS) -> None:
    shop = OMS.in_memory({"payments": {"on_failure": "cancel"}}, autoload=False)
    shop.catalog.add_product("TEE", name="Tee", price="19.99", currency="EUR", weight_grams=180)
    shop.inventory.add_location("BER", name="Berlin", country="DE", lat=52.5, lon=13.4)
    shop.inventory.receive("TEE", location="BER", quantity=10)
    shop.payments.issue_credit(EMAIL, "10.00", currency="EUR", reason="gift card")
    payload = order(1, "10.00")
    payload["payment"]["method"] = "tok_declined"
    placed = shop.orders.capture(payload)
    assert placed.status == "cancelled"
    assert shop.payments.store_credit(EMAIL, "EUR") == Money("10.00", "EUR")
    assert shop.payments.get(placed.id).adjusted("store_credit").is_zero


def test_an_order_paid_wholly_with_credit_authorizes_nothing(shop: OMS) -> None:
    shop.payments.issue_credit(EMAIL, "19.99", currency="EUR", reason="gift card")
    placed = shop.orders.capture(order(1, "19.99"))
    payment = shop.payments.get(placed.id)
    assert payment.transactions == []
    assert payment.owed(placed.total.gross).is_zero
    shop.orders.cancel(placed.id, reason="changed mind")
    assert shop.payments.store_credit(EMAIL, "EUR") == Money("19.99", "EUR")


def test_a_held_order_with_a_failed_card_gives_the_credit_back_when_cancelled(
    shop: OMS,
) -> None:
    shop.payments.issue_credit(EMAIL, "10.00", currency="EUR", reason="gift card")
    payload = order(1, "10.00")
    payload["payment"]["method"] = "tok_declined"
    placed = shop.orders.capture(payload)
    assert placed.on_hold
    assert shop.payments.store_credit(EMAIL, "EUR").is_zero  # still spent, awaiting a card
    shop.orders.cancel(placed.id, reason="no valid card", actor="agent")
    assert shop.payments.store_credit(EMAIL, "EUR") == Money("10.00", "EUR")
