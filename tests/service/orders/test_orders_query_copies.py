"""Queries copy only the page they hand back, however many orders match."""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS
from omskit.orders import Order

from ...conftest import STORAGE  # noqa: TID252 - the suite's backend switch
from .conftest import payload


def _distinct(n: int) -> dict[str, Any]:
    """Order ``n`` from its own customer, address and card (so velocity rules stay calm)."""
    return payload(
        f"W-{n}",
        customer={"email": f"buyer{n}@example.com"},
        ship_to={"country": "DE", "line1": f"Torstr. {n + 1}", "city": "Berlin",
                 "postal_code": "10119"},
        lines=[{"sku": "TEE-M", "quantity": 1}],
        payment={"method": "tok_visa", "fingerprint": f"card-{n}"},
    )  # fmt: skip


@pytest.mark.skipif(
    STORAGE != "memory", reason="counts the in-memory store's clones; SQL stores decode rows"
)
def test_a_page_of_a_large_channel_copies_only_the_page(
    shop: OMS, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [shop.orders.capture(_distinct(n)).id for n in range(40)]
    copies: list[str] = []
    original = Order.clone

    def counting_clone(self: Order) -> Any:
        copies.append(self.id)
        return original(self)

    monkeypatch.setattr(Order, "clone", counting_clone)
    page = shop.orders.list(channel="web", offset=10, limit=5)
    assert [o.id for o in page.items] == ids[10:15]
    assert page.total == 40
    assert page.has_more
    assert sorted(copies) == sorted(ids[10:15])  # 5 copies, not 40


def test_a_page_is_a_private_copy_that_leaves_the_store_untouched(shop: OMS) -> None:
    order_id = shop.orders.capture(payload("W-1")).id
    (listed,) = shop.orders.list(channel="web").items
    listed.lines[0].quantity = 99
    assert shop.orders.get(order_id).lines[0].quantity == 2
