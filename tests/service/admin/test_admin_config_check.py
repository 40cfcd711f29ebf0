"""The configuration validated as a whole (``config --check``), and run-time changes audited."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from omskit import OMS
from omskit.__main__ import main
from omskit.admin import ConfigCheck
from omskit.testing import FakeClock

NOW = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)


_OPENED: list[OMS] = []


@pytest.fixture(autouse=True)
def _close_stores() -> Any:
    """Close every OMS a test opened (a durable test store holds connections)."""
    yield
    while _OPENED:
        _OPENED.pop().close()


def _oms(config: dict[str, Any] | None = None) -> OMS:
    _OPENED.append(OMS.in_memory(config, clock=FakeClock(NOW), autoload=False))
    return _OPENED[-1]


def test_a_fresh_oms_passes_and_warns_about_an_old_builtin_tax_table() -> None:
    result = _oms().admin.check_config()
    assert result.ok
    assert result.problems == ()
    [warning] = result.warnings
    assert "pricing.builtin_rates" in warning
    assert "2025-09-01" in warning
    assert _oms({"pricing": {"builtin_rates": False}}).admin.check_config() == ConfigCheck()


def test_every_problem_is_named_where_it_is() -> None:
    oms = _oms({"notifications": {"providers": {"email": "smtp"}},
                "fulfillment": {"default_carrier": "dhl"}})  # fmt: skip
    oms.catalog.add_product("TEE", name="Tee", price="19.90", currency="EUR")
    oms.channels.add("us", name="US shop", currencies=["USD"])
    oms.channels.update("web", payment_gateway="nopay")
    oms.pricing.add_tax_rate("DE", "standard", "19", valid_to="2026-06-30")
    problems = oms.admin.check_config().problems
    assert any(p.startswith("fulfillment.default_carrier: 'dhl'") for p in problems)
    assert any(p.startswith("notifications.providers.email:") and "smtp" in p for p in problems)
    assert any(p.startswith("channels.web.payment_gateway: 'nopay'") for p in problems)
    assert any(p.startswith("channels.us.currencies: sells in USD") for p in problems)
    assert any(p.startswith("pricing.tax_rates:") and "2026-06-30" in p for p in problems)
    assert len(problems) == 5
    oms.pricing.add_tax_rate("DE", "standard", "19", valid_from="2026-07-01")
    oms.pricing.add_price_list("default", "USD", includes_tax=False)
    left = oms.admin.check_config().problems
    assert not any(p.startswith(("pricing.tax_rates", "channels.us")) for p in left)


def test_access_control_with_nobody_to_configure_it_is_a_problem() -> None:
    oms = _oms({"admin": {"owner": "root"}})
    oms.admin.enable(actor="root")
    assert oms.admin.check_config().ok
    oms.admin.add_user("boss", roles=["owner"], actor="root")
    oms.admin.deactivate("root", reason="left", actor="boss")
    assert oms.admin.check_config().ok
    oms.admin.revoke("boss", "owner", actor="boss")
    assert oms.admin.check_config().problems == (
        "admin.access_control: on, but no active principal holds 'admin.configure'",
    )


def test_config_lists_the_tax_tables_dates() -> None:
    oms = _oms()
    oms.pricing.add_tax_rate("FR", "standard", "20", valid_from="2026-01-01",
                             valid_to="2026-12-31")  # fmt: skip
    tables = oms.admin.config()["tax_tables"]
    assert tables == {"builtin": True, "builtin_as_of": "2025-09-01", "stored_rates": 1,
                      "stored_from": "2026-01-01", "stored_until": "2026-12-31"}  # fmt: skip


def test_the_cli_prints_the_configuration_and_passes(capsys: Any) -> None:
    assert main(["config"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["access_control"] is False  # the embedded default
    assert printed["core"]["storage"]  # "memory" (a test store when OMSKIT_TEST_STORAGE says)
    assert main(["config", "--check"]) == 0
    assert "configuration: ok" in capsys.readouterr().err


def test_the_cli_exits_1_naming_every_problem(tmp_path: Path, capsys: Any) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"notifications": {"providers": {"sms": "pigeon"}},
                               "fulfillment": {"default_carrier": "dhl"}}))  # fmt: skip
    assert main(["config", "--check", "--config", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "problem: fulfillment.default_carrier: 'dhl' is not a registered carrier" in err
    assert "problem: notifications.providers.sms:" in err
    assert "configuration: 2 problem(s)" in err


def test_the_cli_reads_toml_and_a_store(tmp_path: Path, capsys: Any) -> None:
    good = tmp_path / "shop.toml"
    good.write_text("[admin]\naudit = true\n[pricing]\nbuiltin_rates = false\n")
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert main(["config", "--check", "--config", str(good), "--store", url]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["audit"] is True
    assert json.loads(out)["core"]["storage"] == url
    assert err.strip() == "configuration: ok"


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json", "error:"), ('{"routing": {"strategy": "teleport"}}', "teleport")],
)
def test_a_configuration_that_cannot_start_exits_1(
    tmp_path: Path, capsys: Any, text: str, message: str
) -> None:
    path = tmp_path / "c.json"
    path.write_text(text)
    assert main(["config", "--check", "--config", str(path)]) == 1
    assert message in capsys.readouterr().err


def test_a_missing_file_exits_1(capsys: Any) -> None:
    assert main(["config", "--config", "/nonexistent/omskit.json"]) == 1
    assert "error:" in capsys.readouterr().err


#: Run-time settings changes, each with who may make it; every one must be audited.
SETTINGS: dict[str, Any] = {
    "admin.set_approval_rule": lambda o: o.admin.set_approval_rule(
        "refund_above", {"EUR": "100"}, actor="root"),
    "admin.disable": lambda o: o.admin.disable(actor="root"),
    "notifications.configure_trigger": lambda o: o.notifications.configure_trigger(
        "order_confirmed", enabled=False, actor="root"),
    "channels.update": lambda o: o.channels.update("web", name="Web", actor="root"),
    "pricing.set_jurisdiction": lambda o: o.pricing.set_jurisdiction(
        "US-CA", shipping_taxable=False, actor="root"),
    "events.subscribe": lambda o: _acting(o, o.events.subscribe, "x", lambda e: None),
    "payments.observe": lambda o: _acting(o, o.payments.observe, lambda *a, **k: None),
    "carriers.add_tracking_listener": lambda o: _acting(
        o, o.carriers.add_tracking_listener, lambda *a, **k: None),
    "inventory.set_backorder_policy": lambda o: o.inventory.set_backorder_policy(
        "TEE", "backorder", actor="root"),
}  # fmt: skip


def _acting(oms: OMS, method: Any, *args: Any, **kwargs: Any) -> Any:
    with oms.admin.acting_as("root"):
        return method(*args, **kwargs)


@pytest.mark.no_audit(reason="it proves the switch from an audit that was off is recorded")
def test_turning_access_control_on_from_off_is_audited() -> None:
    oms = _oms({"admin": {"owner": "root"}})
    oms.admin.enable(actor="root")
    [record] = oms.admin.audit()
    assert (record.action, record.actor) == ("admin.enable", "root")
    assert (record.before, record.after) == (
        {"access_control": False, "audit": False}, {"access_control": True, "audit": True},
    )  # fmt: skip


@pytest.mark.parametrize("action", sorted(SETTINGS))
def test_every_run_time_settings_change_is_audited(action: str) -> None:
    oms = _oms({"admin": {"owner": "root"}})
    oms.catalog.add_product("TEE", name="Tee", price="19.90", currency="EUR")
    oms.admin.enable(actor="root")
    before = len(oms.admin.audit())
    SETTINGS[action](oms)
    records = oms.admin.audit()[before:]
    assert [(r.action, r.actor) for r in records] == [(action, "root")]
