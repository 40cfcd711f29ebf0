from __future__ import annotations

import datetime as dt
import threading

import pytest

from omskit import ConcurrencyConflict, Money
from omskit.pricing import (
    CouponExhausted,
    CouponExpired,
    CouponLimitReached,
    CouponNotValidYet,
    UnknownCoupon,
    UnknownPromotion,
)

from .pricing_helpers import BERLIN, START, make_oms

LINES = [{"sku": "TEE-M", "quantity": 2}]


@pytest.fixture
def oms():
    oms = make_oms()
    oms.pricing.add_promotion("WELCOME", name="Welcome", kind="amount", amount={"EUR": "5.00"},
                              coupon_only=True)  # fmt: skip
    return oms


def _quote(oms, code="HELLO", customer="a@example.com"):
    return oms.pricing.quote(channel="web", lines=LINES, ship_to=BERLIN, coupons=[code],
                             customer={"email": customer})  # fmt: skip


def _redeem(oms, quote, order_id, customer_key="a@example.com"):
    return oms.runtime.run(lambda uow: oms.pricing.redeem_coupons_in(
        uow, quote, order_id=order_id, customer_key=customer_key))  # fmt: skip


def test_a_coupon_only_promotion_applies_only_with_its_code(oms):
    oms.pricing.add_coupon("hello", "WELCOME")
    without = oms.pricing.quote(channel="web", lines=LINES, ship_to=BERLIN)
    with_code = _quote(oms, "hello")
    assert without.discount_total.is_zero
    assert with_code.discount_total == Money("5.00", "EUR")
    assert with_code.coupons == ("HELLO",)
    assert with_code.promotions[0].coupon == "HELLO"


def test_quoting_never_consumes_a_coupon_use(oms):
    oms.pricing.add_coupon("HELLO", "WELCOME", max_uses=1)
    for _ in range(3):
        _quote(oms)
    assert oms.pricing.coupon("HELLO").uses == 0


def test_coupon_windows_are_enforced(oms):
    oms.pricing.add_coupon("SOON", "WELCOME", valid_from=START + dt.timedelta(days=1))
    oms.pricing.add_coupon("PAST", "WELCOME", valid_to=START - dt.timedelta(seconds=1))
    with pytest.raises(CouponNotValidYet):
        _quote(oms, "SOON")
    with pytest.raises(CouponExpired, match="expired"):
        _quote(oms, "PAST")
    with pytest.raises(UnknownCoupon):
        _quote(oms, "NOPE")


def test_total_and_per_customer_limits_are_enforced_at_quote_and_redeem(oms):
    oms.pricing.add_coupon("HELLO", "WELCOME", max_uses=2, max_uses_per_customer=1)
    quote = _quote(oms)
    assert _redeem(oms, quote, "O-1") == ["HELLO"]
    assert _redeem(oms, quote, "O-1") == []  # same order again: no second use
    with pytest.raises(CouponLimitReached):
        _quote(oms)
    with pytest.raises(CouponLimitReached):
        _redeem(oms, quote, "O-2")
    _redeem(oms, _quote(oms, customer="b@example.com"), "O-3", "b@example.com")
    with pytest.raises(CouponExhausted):
        _quote(oms, customer="c@example.com")
    assert oms.pricing.coupon("HELLO").uses == 2


def test_a_failed_redemption_consumes_nothing(oms):
    oms.pricing.add_coupon("HELLO", "WELCOME", max_uses=5)
    oms.pricing.add_promotion("OTHER", name="Other", kind="percent", percent="5",
                              coupon_only=True)  # fmt: skip
    oms.pricing.add_coupon("ONCE", "OTHER", max_uses=1)
    quote = oms.pricing.quote(channel="web", lines=LINES, ship_to=BERLIN,
                              coupons=["HELLO", "ONCE"])  # fmt: skip
    _redeem(oms, oms.pricing.quote(channel="web", lines=LINES, coupons=["ONCE"]), "O-0")
    with pytest.raises(CouponExhausted):
        _redeem(oms, quote, "O-1")
    assert oms.pricing.coupon("HELLO").uses == 0  # rolled back with the failed transaction


def test_released_uses_can_be_redeemed_again(oms):
    oms.pricing.add_coupon("HELLO", "WELCOME", max_uses=1)
    quote = _quote(oms)
    _redeem(oms, quote, "O-1")
    with oms.runtime.transaction() as uow:
        assert oms.pricing.release_coupons_in(uow, ["hello"], order_id="O-1") == 1
    assert oms.pricing.coupon("HELLO").uses == 0
    _redeem(oms, quote, "O-2")


def test_a_coupon_for_an_unknown_promotion_is_refused(oms):
    with pytest.raises(UnknownPromotion):
        oms.pricing.add_coupon("X", "NOPE")


def test_concurrent_redemptions_never_exceed_max_uses(oms):
    k, n = 3, 12
    oms.pricing.add_coupon("RUSH", "WELCOME", max_uses=k)
    quote = _quote(oms, "RUSH")
    start = threading.Barrier(n)
    results: list[str] = []

    def worker(i: int) -> None:
        start.wait()
        try:
            _redeem(oms, quote, f"O-{i}", f"c{i}@example.com")
            results.append("ok")
        except CouponExhausted:
            results.append("exhausted")
        except ConcurrencyConflict:  # more retries than run() allows: not a success either
            results.append("conflict")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == k
    assert len(results) == n
    coupon = oms.pricing.coupon("RUSH")
    assert coupon.uses == k
    assert len(coupon.redemptions) == k
