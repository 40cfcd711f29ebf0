"""``python -m omskit demo`` runs and walks through the foundation."""

from __future__ import annotations

import io

import pytest

from omskit.__main__ import main
from omskit.demo import SECTIONS, run_demo


def test_the_demo_prints_the_foundation_sections(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for heading in ("== Money is exact ==", "== Catalog ==", "== Customers =="):
        assert heading in out
    assert "10.00 EUR split three ways: 3.34 EUR, 3.33 EUR, 3.33 EUR (sum 10.00 EUR)" in out
    assert "a float is refused" in out
    assert "added TEE-M" in out
    assert "registered cus_000001: Dana Levi <dana@example.com>" in out
    assert "bad input is reported field by field" in out


def test_the_demo_is_deterministic() -> None:
    first, second = io.StringIO(), io.StringIO()
    run_demo(first)
    run_demo(second)
    assert first.getvalue() == second.getvalue()
    assert "foundation" in SECTIONS


def test_the_command_line_needs_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "demo" in capsys.readouterr().err
