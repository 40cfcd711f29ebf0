"""The effective configuration, as plain data a host can inspect."""

from __future__ import annotations

import json
from typing import Any

from omskit import OMS
from omskit.admin import GUARDS, PERMISSIONS


def test_config_is_plain_data_with_every_part(clock: Any) -> None:
    oms = OMS.in_memory(
        {"orders": {"backorders": True},
         "admin": {"audit": True, "approvals": {"refund_above": {"EUR": "200"}}}},
        clock=clock, autoload=False,
    )  # fmt: skip
    config = oms.admin.config()
    json.dumps(config)  # plain data all the way down
    assert config["core"]["storage"] == oms.config.storage  # "memory", or the test store
    assert config["core"]["sections"]["orders"] == {"backorders": True}
    assert {"orders", "inventory", "payments", "admin"} <= set(config["capabilities"])
    assert config["capabilities"]["admin"]["audit"] is True
    assert "omskit.carriers.plugin" in config["plugins"]
    assert "omskit_storage" in config["hooks"]
    assert config["hooks"]["omskit_storage"]
    assert config["roles"]["owner"] == sorted(PERMISSIONS)
    assert config["roles"]["read_only"] == []
    assert config["permissions"] == dict(sorted(PERMISSIONS.items()))
    assert config["approval_rules"] == {"refund_above": {"EUR": "200"}}
    assert config["guarded_methods"] == sorted(GUARDS)
    assert (config["access_control"], config["audit"]) == (False, True)


def test_custom_roles_and_plugins_show_up(clock: Any) -> None:
    class HostPlugin:
        pass

    oms = OMS.in_memory(plugins=[HostPlugin()], clock=clock, autoload=False)
    oms.admin.define_role("desk", ["orders.hold"])
    config = oms.admin.config()
    assert config["roles"]["desk"] == ["orders.hold"]
    assert len(config["plugins"]) >= 4
