"""Finding an order by its external id without naming the channel, when that is unique."""

from __future__ import annotations

from typing import Any

import pytest

from omskit import OMS, AmbiguousExternalId, ValidationError


def test_an_external_id_alone_finds_the_one_order_with_it(shop: OMS, order_payload: Any) -> None:
    order = shop.orders.capture(order_payload("W-1001"))
    shop.orders.capture(order_payload("W-1002"))
    assert shop.orders.find_by_external(external_id="W-1001").id == order.id
    assert shop.orders.find_by_external(None, "W-1001").id == order.id
    assert shop.orders.find_by_external("web", "W-1001").id == order.id  # as before
    assert shop.orders.find_by_external(external_id="W-9999") is None
    assert shop.orders.find_by_external("amazon-de", "W-1001") is None


def test_an_external_id_two_channels_share_is_refused_naming_both(
    shop: OMS, order_payload: Any
) -> None:
    web = shop.orders.capture(order_payload("A-7"))
    market = shop.orders.capture(order_payload("A-7", channel="amazon-de"))
    with pytest.raises(AmbiguousExternalId) as info:
        shop.orders.find_by_external(external_id="A-7")
    assert (info.value.external_id, info.value.channels) == ("A-7", ("amazon-de", "web"))
    assert info.value.field == "channel"
    assert "'amazon-de', 'web'" in str(info.value)
    assert "give the channel" in str(info.value)
    assert shop.orders.find_by_external("web", "A-7").id == web.id
    assert shop.orders.find_by_external("amazon-de", "A-7").id == market.id
    listed = shop.orders.list(external_id="A-7")
    assert [o.id for o in listed.items] == [web.id, market.id]


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("web",), {}, "external_id"),
        ((), {}, "external_id"),
        ((), {"external_id": ""}, "external_id"),
        ((), {"external_id": 7}, "external_id"),
        ((), {"channel": "", "external_id": "W-1"}, "channel"),
    ],
)
def test_a_malformed_external_lookup_names_the_field(
    shop: OMS, args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        shop.orders.find_by_external(*args, **kwargs)
    assert info.value.field == field
