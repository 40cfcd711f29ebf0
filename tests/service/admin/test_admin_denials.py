"""A denied call changes nothing: the whole store is the same before and after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omskit import OMS
from omskit.admin import AccessDenied
from omskit.admin.audit import snapshot
from omskit.storage.memory import MemoryStore
from omskit.testing import FakeClock

from ...conftest import STORAGE  # noqa: TID252 - the suite's backend switch
from .conftest import START, make_shop, order_payload

#: The snapshot reads the in-memory store's tables; on a SQL store the same guarantee
#: comes from its transactions, and the guard logic under test is the same.
memory_only = pytest.mark.skipif(
    STORAGE != "memory", reason="snapshots the in-memory store's tables row by row"
)

Call = Callable[[OMS, str, dict[str, str]], object]


def store_state(oms: OMS) -> dict[str, Any]:
    """Every committed row of every table, and the outbox, as plain data."""
    store = oms.runtime.storage
    assert isinstance(store, MemoryStore)
    tables = {
        name: {row_id: (row.version, snapshot(row)) for row_id, row in table.rows.items()}
        for name, table in store._tables.items()
    }
    return {"tables": tables, "outbox": len(store.outbox.pending())}


#: State-changing calls, each given the shop, an actor and the ids made in setup.
CALLS: dict[str, Call] = {
    "capture": lambda s, a, ids: s.orders.capture(order_payload("W-9"), actor=a),
    "capture_market": lambda s, a, ids: s.orders.capture(
        order_payload("A-9", channel="amazon-de"), actor=a),
    "hold": lambda s, a, ids: s.orders.hold(ids["market"], reason="x", actor=a),
    "cancel": lambda s, a, ids: s.orders.cancel(ids["market"], reason="x", actor=a),
    "edit": lambda s, a, ids: s.orders.edit(ids["market"], {"quantities": {"L1": 1}},
                                            actor=a),
    "refund": lambda s, a, ids: s.orders.refund(ids["market"], "1.00", reason="x", actor=a),
    "capture_payment": lambda s, a, ids: s.orders.capture_payment(ids["market"], actor=a),
    "payments.void": lambda s, a, ids: _acting(s, a, s.payments.void, ids["market"]),
    "adjust": lambda s, a, ids: s.inventory.adjust("TEE-M", location="BER", delta=-1,
                                                  reason="x", actor=a),
    "receive": lambda s, a, ids: s.inventory.receive("TEE-M", location="BER", quantity=5,
                                                    actor=a),
    "transfer": lambda s, a, ids: s.inventory.transfer("TEE-M", from_location="BER",
                                                      to_location="TLV", quantity=1, actor=a),
    "add_product": lambda s, a, ids: _acting(s, a, s.catalog.add_product, "NEW-1", name="N",
                                             price="1.00", currency="EUR"),
    "add_price_list": lambda s, a, ids: _acting(s, a, s.pricing.add_price_list, "vip", "EUR",
                                                includes_tax=True),
    "release": lambda s, a, ids: _acting(s, a, s.fulfillment.release, ids["market"]),
    "add_user": lambda s, a, ids: s.admin.add_user("eve", roles=["owner"], actor=a),
    "grant": lambda s, a, ids: s.admin.grant(a, "owner", actor=a),
    "define_role": lambda s, a, ids: s.admin.define_role("all", ["*"], actor=a),
    "disable": lambda s, a, ids: s.admin.disable(actor=a),
}  # fmt: skip


def _acting(shop: OMS, actor: str, method: Any, *args: Any, **kwargs: Any) -> Any:
    with shop.admin.acting_as(actor):
        return method(*args, **kwargs)


#: Principals who may not make any call above (in the market channel, at BER).
DENIED = ["rita", "tal", "web-cs", "ghost", "gone"]


def prepared() -> tuple[OMS, dict[str, str]]:
    shop = make_shop(FakeClock(START))
    market = shop.orders.capture(order_payload("A-1", channel="amazon-de"), actor="cara")
    shop.orders.capture_payment(market.id, "10.00", actor="fin")
    shop.admin.add_user("gone", roles=["owner"], actor="root")
    shop.admin.deactivate("gone", reason="left", actor="root")
    return shop, {"market": market.id}


@memory_only
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.sampled_from(sorted(CALLS)), st.sampled_from(DENIED))
def test_a_denied_call_changes_nothing(call: str, actor: str) -> None:
    shop, ids = prepared()
    if actor == "web-cs" and call in {"capture", "receive", "adjust", "transfer"}:
        actor = "rita"  # web-cs may capture in web; warehouse calls: rita is denied too
    before = store_state(shop)
    with pytest.raises(AccessDenied) as caught:
        CALLS[call](shop, actor, ids)
    assert caught.value.actor == actor
    assert store_state(shop) == before


@memory_only
def test_every_call_in_the_list_is_allowed_to_an_owner() -> None:
    """The calls really change something when allowed, so the denial test can fail."""
    for name, call in CALLS.items():
        if name in {"disable", "grant"}:
            continue
        shop, ids = prepared()
        before = store_state(shop)
        call(shop, "root", ids)
        assert store_state(shop) != before, name
