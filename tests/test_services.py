"""The service-address helper skips on a bare machine and fails where services are required."""

from __future__ import annotations

import pytest

from .services import service_address, tool_path


def test_a_set_address_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMSKIT_TEST_REDIS_URL", " redis://127.0.0.1:6379/0 ")
    assert service_address("redis") == "redis://127.0.0.1:6379/0"


def test_a_missing_address_skips_and_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMSKIT_TEST_NATS_URL", raising=False)
    monkeypatch.delenv("OMSKIT_REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="OMSKIT_TEST_NATS_URL"):
        service_address("nats")


def test_a_missing_address_fails_when_services_are_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OMSKIT_TEST_POSTGRES_DSN", raising=False)
    monkeypatch.setenv("OMSKIT_REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="OMSKIT_TEST_POSTGRES_DSN"):
        service_address("postgres")


def test_a_missing_tool_skips_and_fails_when_services_are_required(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("OMSKIT_REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium is not installed"):
        tool_path("chromium")
    monkeypatch.setenv("OMSKIT_REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        tool_path("chromium")
