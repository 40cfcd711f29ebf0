"""The demo's returns section: store credit, a split refund, an advance exchange, a claim."""

from __future__ import annotations

import io

from omskit.demo import SECTIONS, run_demo


def test_the_demo_walks_through_returns() -> None:
    out = io.StringIO()
    run_demo(out)
    text = out.getvalue()
    assert "returns" in SECTIONS
    assert "== Returns, store credit and claims ==" in text
    assert "at most the balance of 30.00 EUR can be spent" in text
    assert "30.00 EUR from store credit, 57.00 EUR authorized on the card" in text
    assert "14.00 EUR to the card and 10.00 EUR to store credit" in text
    assert "hold released, closed" in text
    assert "claim of 24.00 EUR against sandbox" in text
    assert "VAT 7% (DE): sold 48.00 EUR, returned 24.00 EUR" in text
    assert "net sales 24.00 EUR" in text
