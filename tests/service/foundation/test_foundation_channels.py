"""Sales channels: the default web channel, adding and changing channels, their rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest

from omskit import OMS
from omskit.channels import CHANNELS, load_channel
from omskit.errors import AlreadyExists, NotFound, UnknownCurrency, ValidationError
from omskit.testing import FakeClock


def snapshot(oms: OMS) -> list[dict[str, Any]]:
    with oms.runtime.storage.unit_of_work() as uow:
        return [attrs.asdict(c) for c in uow.repo(CHANNELS).scan()]


def test_a_new_oms_has_a_web_channel_in_the_default_currency(clock: FakeClock) -> None:
    oms = OMS.in_memory({"default_currency": "GBP"}, clock=clock, autoload=False)
    (web,) = oms.channels.list()
    assert (web.code, web.kind, web.currencies, web.default_currency) == (
        "web",
        "web",
        ("GBP",),
        "GBP",
    )


def test_a_marketplace_channel_is_added_with_its_rules(oms: OMS) -> None:
    amazon = oms.channels.add(
        "amazon-de",
        name="Amazon DE",
        kind="marketplace",
        currencies=["eur", "GBP", "EUR"],
        channel_prices="accept",
        price_tolerance="2.5",
        locale="de-DE",
        options={"seller_id": "A1", "nested": {"a": 1}},
    )
    assert amazon.currencies == ("EUR", "GBP")
    assert amazon.price_tolerance == Decimal("2.5")
    assert amazon.locale == "de_DE"
    assert oms.channels.get("amazon-de").channel_prices == "accept"
    assert [c.code for c in oms.channels.list()] == ["web", "amazon-de"]


def test_update_changes_settings_and_deactivation_hides_a_channel(oms: OMS) -> None:
    seen: list[str] = []
    oms.events.subscribe("seen", lambda e: seen.append(e.event_type))
    oms.channels.add("pos-berlin", kind="pos")
    changed = oms.channels.update("pos-berlin", allow_partial=True)
    assert (changed.allow_partial, changed.version) == (True, 2)
    oms.channels.update("pos-berlin", active=False)
    with pytest.raises(NotFound) as info:
        oms.channels.get("pos-berlin")
    assert "must be one of: web" in str(info.value)
    reactivated = oms.channels.update("pos-berlin", active=True)
    assert reactivated.active
    assert oms.channels.get("pos-berlin").kind == "pos"
    assert seen == ["ChannelAdded", "ChannelUpdated", "ChannelUpdated", "ChannelUpdated"]


def test_an_unknown_channel_raises_not_found_listing_the_active_ones(oms: OMS) -> None:
    oms.channels.add("phone", kind="phone")
    with pytest.raises(NotFound) as info:
        oms.channels.get("ebay")
    assert info.value.key == "ebay"
    assert "must be one of: phone, web" in str(info.value)
    with pytest.raises(NotFound):
        oms.channels.update("ebay", name="eBay")
    with (
        oms.runtime.storage.unit_of_work() as uow,
        pytest.raises(NotFound, match=r"order\.channel"),
    ):
        load_channel(uow.repo(CHANNELS), "ebay", field="order.channel")


def test_a_currency_not_sold_on_the_channel_is_refused_naming_the_ones_sold(oms: OMS) -> None:
    web = oms.channels.get("web")
    assert web.require_currency("eur") == "EUR"
    with pytest.raises(ValidationError) as info:
        web.require_currency("USD", "order.currency")
    assert info.value.field == "order.currency"
    assert "sells in EUR" in str(info.value)
    with pytest.raises(UnknownCurrency):
        web.require_currency("EURO")


BAD: list[tuple[dict[str, Any], str]] = [
    ({"kind": "shop"}, "kind"),
    ({"currencies": []}, "currencies"),
    ({"currencies": "EUR"}, "currencies"),
    ({"currencies": 5}, "currencies"),
    ({"currencies": ["EUR", "EURO"]}, "currencies[1]"),
    ({"channel_prices": "maybe"}, "channel_prices"),
    ({"price_tolerance": "150"}, "price_tolerance"),
    ({"price_tolerance": 1.5}, "price_tolerance"),
    ({"allow_split": "yes"}, "allow_split"),
    ({"locale": "xx_YY"}, "locale"),
    ({"options": ["a"]}, "options"),
    ({"colour": "blue"}, "colour"),
    ({"name": ""}, "name"),
]


@pytest.mark.parametrize(("fields", "field"), BAD)
def test_bad_channel_settings_raise_naming_the_field_and_store_nothing(
    oms: OMS, fields: dict[str, Any], field: str
) -> None:
    before = snapshot(oms)
    with pytest.raises(ValidationError) as info:
        oms.channels.add("new", **fields)
    assert info.value.field == field
    assert snapshot(oms) == before
    with pytest.raises(ValidationError):
        oms.channels.update("web", **fields)
    assert snapshot(oms) == before


def test_a_taken_code_raises_already_exists(oms: OMS) -> None:
    before = snapshot(oms)
    with pytest.raises(AlreadyExists, match="'web'"):
        oms.channels.add("web")
    assert snapshot(oms) == before


def test_an_empty_update_is_refused(oms: OMS) -> None:
    with pytest.raises(ValidationError, match="at least one setting"):
        oms.channels.update("web")


def test_mutating_returned_channel_options_does_not_change_the_store(oms: OMS) -> None:
    oms.channels.add("amazon-de", kind="marketplace", options={"nested": {"a": 1}})
    channel = oms.channels.get("amazon-de")
    channel.options["nested"]["a"] = 2
    channel.options["new"] = True
    assert oms.channels.get("amazon-de").options == {"nested": {"a": 1}}
