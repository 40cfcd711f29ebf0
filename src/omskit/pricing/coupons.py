"""Coupon codes: validity windows, usage limits in total and per customer, redemption."""

from __future__ import annotations

import datetime as dt

import attrs

from omskit.pricing.errors import (
    CouponError,
    CouponExhausted,
    CouponExpired,
    CouponLimitReached,
    CouponNotValidYet,
)
from omskit.storage.ports import Aggregate, Collection

__all__ = ["COUPONS", "Coupon"]


@attrs.define(eq=False)
class Coupon(Aggregate):
    """A code that unlocks a promotion. Its id is the code in upper case.

    ``uses`` counts redemptions; ``by_customer`` counts them per customer key;
    ``redemptions`` maps each redeeming order to its customer, so redeeming again for the
    same order is a no-op and cancelling the order can give the use back.
    """

    promotion: str
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    max_uses: int | None = None
    max_uses_per_customer: int | None = None
    uses: int = 0
    by_customer: dict[str, int] = attrs.field(factory=dict)
    redemptions: dict[str, str] = attrs.field(factory=dict)
    active: bool = True

    @property
    def code(self) -> str:
        """The coupon code (its id)."""
        return self.id

    def check(self, now: dt.datetime, customer_key: str = "", field: str = "coupons") -> None:
        """Raise the specific [`CouponError`][] if the coupon cannot be used now."""
        code = self.id
        if not self.active:
            raise CouponError(code, "this coupon has been withdrawn", field)
        if self.valid_from is not None and now < self.valid_from:
            raise CouponNotValidYet(
                code, f"valid from {self.valid_from:%Y-%m-%d %H:%M %Z}; not yet", field
            )
        if self.valid_to is not None and now >= self.valid_to:
            raise CouponExpired(code, f"expired at {self.valid_to:%Y-%m-%d %H:%M %Z}", field)
        if self.max_uses is not None and self.uses >= self.max_uses:
            raise CouponExhausted(
                code, f"all {self.max_uses} uses of this coupon have been redeemed", field
            )
        limit = self.max_uses_per_customer
        if limit is not None and customer_key and self.by_customer.get(customer_key, 0) >= limit:
            raise CouponLimitReached(
                code, f"this customer has used it {limit} time(s), the most allowed", field
            )

    def redeem(self, order_id: str, customer_key: str, now: dt.datetime) -> bool:
        """Count one use by ``order_id``; ``False`` if that order already redeemed it.

        Raises:
            CouponError: a subclass naming why the coupon cannot be used.
        """
        if order_id in self.redemptions:
            return False
        if self.max_uses_per_customer is not None and not customer_key:
            raise CouponError(self.id, "this coupon is limited per customer; name the customer")
        self.check(now, customer_key)
        self.uses += 1
        if customer_key:
            self.by_customer[customer_key] = self.by_customer.get(customer_key, 0) + 1
        self.redemptions[order_id] = customer_key
        return True

    def release(self, order_id: str) -> bool:
        """Give back the use of ``order_id``; ``False`` if it had none."""
        customer_key = self.redemptions.pop(order_id, None)
        if customer_key is None:
            return False
        self.uses -= 1
        if customer_key:
            left = self.by_customer.get(customer_key, 1) - 1
            if left > 0:
                self.by_customer[customer_key] = left
            else:
                self.by_customer.pop(customer_key, None)
        return True

    def clone(self) -> Coupon:
        """A copy with its own counters."""
        copy = attrs.evolve(
            self, by_customer=dict(self.by_customer), redemptions=dict(self.redemptions)
        )
        copy.version = self.version
        return copy


COUPONS: Collection[Coupon] = Collection(
    "coupons", Coupon, indexes={"promotion": lambda c: c.promotion}, label="coupon"
)
