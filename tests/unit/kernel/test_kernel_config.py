"""OMSConfig: core fields, per-capability sections, rounding and retry validation."""

from __future__ import annotations

import pytest

from omskit.config import OMSConfig
from omskit.errors import UnknownCurrency, ValidationError
from omskit.events import RetryPolicy
from omskit.money import RoundingPolicy


def test_defaults_are_memory_storage_euro_and_half_up_per_line() -> None:
    config = OMSConfig()
    assert config.storage == "memory"
    assert config.default_currency == "EUR"
    assert config.rounding_for("JPY") == RoundingPolicy("half_up", "line")
    assert config.events == RetryPolicy()
    assert config.section("orders") == {}


def test_from_mapping_puts_unknown_mapping_keys_into_sections() -> None:
    config = OMSConfig.from_mapping(
        {
            "default_currency": "usd",
            "orders": {"capture_payment": "on_shipment"},
            "sections": {"acme_erp": {"url": "https://erp.example"}},
        }
    )
    assert config.default_currency == "USD"
    assert config.section("orders") == {"capture_payment": "on_shipment"}
    assert config.section("acme_erp") == {"url": "https://erp.example"}
    assert config.section("pricing") == {}


def test_a_scalar_that_is_not_a_core_setting_is_refused_naming_the_core_settings() -> None:
    with pytest.raises(ValidationError) as info:
        OMSConfig.from_mapping({"defualt_currency": "EUR"})
    assert info.value.field == "defualt_currency"
    assert "default_currency" in str(info.value)


def test_coerce_accepts_a_config_a_mapping_or_nothing() -> None:
    config = OMSConfig(default_currency="GBP")
    assert OMSConfig.coerce(config) is config
    assert OMSConfig.coerce(None) == OMSConfig()
    assert OMSConfig.coerce({"default_currency": "JPY"}).default_currency == "JPY"


def test_an_unknown_default_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        OMSConfig(default_currency="EURO")


def test_rounding_accepts_policies_or_mappings_per_currency() -> None:
    config = OMSConfig.from_mapping(
        {
            "rounding": {
                "chf": {"mode": "half_even", "scope": "total"},
                "JPY": RoundingPolicy("half_up", "total"),
            }
        }
    )
    assert config.rounding_for("CHF") == RoundingPolicy("half_even", "total")
    assert config.rounding_for("JPY").scope == "total"
    assert config.rounding_for("EUR") == RoundingPolicy()


@pytest.mark.parametrize(
    ("rounding", "field"),
    [
        ({"EUR": {"mode": "bankers"}}, "rounding.EUR"),
        ({"EUR": {"scope": "order"}}, "rounding.EUR"),
        ({"EUR": {"mode": "half_up", "digits": 2}}, "rounding.EUR"),
        ({"EUR": "half_up"}, "rounding.EUR"),
        ({"NOPE": {"mode": "half_up"}}, "rounding.NOPE"),
        (["EUR"], "rounding"),
    ],
)
def test_bad_rounding_settings_are_refused_naming_the_currency(
    rounding: object, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        OMSConfig.from_mapping({"rounding": rounding})
    assert info.value.field == field


def test_the_retry_policy_comes_from_a_mapping_or_a_policy() -> None:
    config = OMSConfig.from_mapping({"events": {"max_attempts": 3, "backoff_seconds": 10}})
    assert config.events == RetryPolicy(max_attempts=3, backoff_seconds=10)
    policy = RetryPolicy(max_attempts=2)
    assert OMSConfig(events=policy).events is policy


@pytest.mark.parametrize(
    "events",
    [{"max_attempts": 0}, {"backoff_seconds": -1}, {"retries": 3}, {"max_attempts": "3"}, 5],
)
def test_bad_retry_settings_are_refused_naming_the_events_section(events: object) -> None:
    with pytest.raises(ValidationError) as info:
        OMSConfig.from_mapping({"events": events})
    assert info.value.field == "events"
    assert "max_attempts" in str(info.value)
