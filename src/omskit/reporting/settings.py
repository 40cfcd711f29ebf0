"""Settings of the reporting capability: the ``reporting`` section of the configuration."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

import attrs

from omskit.errors import ValidationError
from omskit.money import check_currency
from omskit.validation import Problems, check_quantity

__all__ = ["ReportingSettings", "check_timezone"]

_UTC = zoneinfo.ZoneInfo("UTC")


def check_timezone(value: Any, field: str = "timezone") -> zoneinfo.ZoneInfo:
    """The IANA time zone ``value`` names (``"Europe/Berlin"``), else a `ValidationError`."""
    if isinstance(value, zoneinfo.ZoneInfo):
        return value
    if not isinstance(value, str) or not value:
        raise ValidationError(field, value, "expected an IANA time zone name such as 'UTC'")
    try:
        return zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            field, value, "unknown time zone; expected an IANA name such as 'Europe/Berlin'"
        ) from exc


@attrs.frozen
class ReportingSettings:
    """How reports are computed.

    Attributes:
        timezone: the store's time zone: days, weeks and months of every report are its
            local calendar (default UTC).
        currency: the currency reports are in unless a call names another (default: the
            OMS's default currency).
        ship_within: how long after placing an order a shipment counts as shipped on time
            (default 48 hours); omskit has no per-order ship-by promise.
    """

    timezone: zoneinfo.ZoneInfo = _UTC
    currency: str | None = None
    ship_within: dt.timedelta = dt.timedelta(hours=48)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ReportingSettings:
        """Parse the ``reporting`` section, reporting every problem at once.

        Keys: ``timezone`` (IANA name), ``currency`` (ISO 4217), ``ship_within_hours``.
        """
        problems = Problems()
        known = ("timezone", "currency", "ship_within_hours")
        for key in sorted(set(data) - set(known)):
            problems.add(f"reporting.{key}", f"unknown setting; known: {', '.join(known)}")
        out: dict[str, Any] = {}
        if "timezone" in data:
            tz = problems.check("reporting.timezone", check_timezone, data["timezone"])
            if tz is not None:
                out["timezone"] = tz
        if "currency" in data:
            code = problems.check("reporting.currency", check_currency, data["currency"])
            if code is not None:
                out["currency"] = code
        if "ship_within_hours" in data:
            hours = problems.check("reporting.ship_within_hours", check_quantity,
                                   data["ship_within_hours"], maximum=24 * 365)  # fmt: skip
            if hours is not None:
                out["ship_within"] = dt.timedelta(hours=hours)
        problems.raise_if_any()
        return cls(**out)
