"""A host's type checker catches a plugin whose hook returns the wrong kind of object.

pluggy never compares an implementation with its hookspec, so each capability's ``hooks``
module carries a typing Protocol for plugins. This test runs ``mypy --strict`` (the
development dependency) over two small host modules, one right and one wrong, exactly as
a host's CI would.
"""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
from collections.abc import Iterable, Mapping
from typing import Any

from omskit import Problem, hookimpl
from omskit.carriers import Carrier
from omskit.carriers.hooks import CarrierPlugin
from omskit.carriers.sandbox import SandboxCarrier
from omskit.orders.hooks import OrderValidationPlugin, RiskChecksPlugin, RiskSignalLike
from omskit.orders.model import Order
from omskit.orders.risk import RiskSignal


class Carriers:
    @hookimpl
    def omskit_register_carriers(self) -> Iterable[Carrier]:
        return [SandboxCarrier.create(name="express")]


class Checks:
    @hookimpl
    def omskit_risk_checks(
        self, order: Order, context: Mapping[str, Any]
    ) -> Iterable[RiskSignalLike]:
        return [RiskSignal("vip", -10, "known customer")]

    @hookimpl
    def omskit_validate_order(self, order: Order) -> Iterable[Problem]:
        return []


carriers: CarrierPlugin = Carriers()
risk: RiskChecksPlugin = Checks()
validation: OrderValidationPlugin = Checks()
"""

BAD = """
from collections.abc import Iterable

from omskit import hookimpl
from omskit.carriers.hooks import CarrierPlugin
from omskit.payments.sandbox import SandboxGateway


class Carriers:
    @hookimpl
    def omskit_register_carriers(self) -> Iterable[SandboxGateway]:
        return [SandboxGateway()]  # a gateway where a carrier belongs


carriers: CarrierPlugin = Carriers()
"""


def test_mypy_accepts_typed_plugins_and_rejects_a_wrong_one(tmp_path: Path) -> None:
    # fresh module names: mypy's cache remembers a module by name, not by path
    run = uuid.uuid4().hex[:12]
    good, bad = tmp_path / f"host_good_{run}.py", tmp_path / f"host_bad_{run}.py"
    good.write_text(textwrap.dedent(GOOD), encoding="utf-8")
    bad.write_text(textwrap.dedent(BAD), encoding="utf-8")
    cache = str(ROOT / ".mypy_cache")
    out, err, status = api.run(
        ["--strict", "--no-error-summary", "--cache-dir", cache, str(good), str(bad)]
    )
    lines = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1, (out, err)
    assert lines, out
    assert all(line.startswith(str(bad)) for line in lines), out
    assert any("CarrierPlugin" in line for line in lines), out
