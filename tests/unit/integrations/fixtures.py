"""Reading the recorded service payloads under tests/fixtures/integrations/."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "integrations"


def load(service: str, name: str) -> Any:
    """The JSON fixture ``name`` of ``service``, numbers with a fraction as Decimal."""
    return json.loads((ROOT / service / name).read_text(encoding="utf-8"), parse_float=Decimal)


def raw(service: str, name: str) -> bytes:
    """The fixture's bytes as recorded."""
    return (ROOT / service / name).read_bytes()
