"""The command line as a new user meets it: help, version and the demo's wording."""

from __future__ import annotations

import re

import pytest

import omskit
from omskit.__main__ import main

MARKUP = re.compile(r"``|:(class|meth|func|mod|attr):`|\[`[^`]+`\]\[")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int | str | None, str]:
    """Run ``main(argv)``; the exit code (from SystemExit too) and what it printed."""
    try:
        code: int | str | None = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("argv", [["--help"], ["demo", "--help"]])
def test_help_is_plain_text_without_docstring_markup(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out = _run(capsys, *argv)
    assert code == 0
    assert "usage:" in out
    assert "demo" in out
    assert not MARKUP.search(out), out


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"omskit {omskit.__version__}"


def test_help_mentions_the_version_option(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = _run(capsys, "--help")
    assert "--version" in out


def test_the_demo_says_what_free_shipping_took_off(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "demo")
    assert code == 0
    line = next(ln for ln in out.splitlines() if "SHIP50" in ln and "free shipping" in ln)
    assert line.strip().endswith("free shipping: -4.90 on shipping")
    assert "and shipping" not in out
    coupon = next(ln for ln in out.splitlines() if "AUTUMN10 'Autumn coupon'" in ln)
    assert ": -6.73 on lines #0, #1, #2 [coupon AUTUMN10]" in coupon
