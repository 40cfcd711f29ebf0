"""JSON with exact numbers: ``Decimal`` written as its digits, never through a float."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["dumps_exact"]


def dumps_exact(value: Any) -> bytes:
    """``value`` (dicts, lists, text, ints, bools, ``None``, ``Decimal``) as UTF-8 JSON.

    ``Decimal("19.90")`` is written ``19.90``: the ledger reads the number omskit computed.

    Raises:
        TypeError: a value of another type (a float included).
    """
    return "".join(_parts(value)).encode()


def _parts(value: Any) -> Any:
    if isinstance(value, Mapping):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield ("," if i else "") + json.dumps(str(key)) + ":"
            yield from _parts(item)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ","
            yield from _parts(item)
        yield "]"
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"{value} has no JSON form")
        yield f"{value:f}"
    elif value is None or isinstance(value, bool | int | str):
        yield json.dumps(value)
    else:
        raise TypeError(f"{type(value).__name__} {value!r} is not written as exact JSON")
