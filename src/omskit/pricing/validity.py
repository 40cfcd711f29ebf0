"""Validity spans shared by tax rates and import rules."""

from __future__ import annotations

import datetime as dt

__all__ = ["within"]


def within(day: dt.date, valid_from: dt.date | None, valid_to: dt.date | None) -> bool:
    """Whether ``day`` lies in the inclusive span ``valid_from..valid_to`` (``None``: open)."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)
