"""Configuration of an [`OMS`][].

Core settings are fields of [`OMSConfig`][]; every capability (``pricing``,
``orders``, ``inventory``...) and every third-party plugin reads its own *section*, a
plain mapping under its name, and validates it itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from omskit.errors import ValidationError
from omskit.events import RetryPolicy
from omskit.money import ROUNDING_MODES, RoundingPolicy, check_currency

__all__ = ["OMSConfig"]

_DEFAULT_ROUNDING = RoundingPolicy()


_MODES = "|".join(repr(m) for m in ROUNDING_MODES)


def _check_rounding_keys(currency: str, policy: Mapping[str, Any]) -> None:
    """Name the key of a rounding policy that is wrong, its value and what is allowed."""
    allowed = {"mode": ROUNDING_MODES, "tax_mode": ROUNDING_MODES, "scope": ("line", "total")}
    for key, value in policy.items():
        if key not in allowed:
            raise ValidationError(
                f"rounding.{currency}", key, "unknown key; allowed: mode, scope, tax_mode"
            )
        if value not in allowed[key] and not (key == "tax_mode" and value is None):
            choices = ", ".join(repr(v) for v in allowed[key])
            raise ValidationError(
                f"rounding.{currency}", value, f"{key}: expected one of {choices}"
            )


def _rounding_map(value: Mapping[str, Any]) -> dict[str, RoundingPolicy]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            "rounding", value, "expected a mapping of currency codes to rounding policies"
        )
    result: dict[str, RoundingPolicy] = {}
    for code, policy in value.items():
        currency = check_currency(code, f"rounding.{code}")
        if isinstance(policy, RoundingPolicy):
            result[currency] = policy
        elif isinstance(policy, Mapping):
            _check_rounding_keys(currency, policy)
            try:
                result[currency] = RoundingPolicy(**policy)
            except (TypeError, ValueError) as exc:
                raise ValidationError(
                    f"rounding.{currency}",
                    dict(policy),
                    f"expected {{'mode': {_MODES}, 'scope': 'line'|'total', "
                    f"'tax_mode'?: {_MODES}}}",
                ) from exc
        else:
            raise ValidationError(
                f"rounding.{currency}", policy, "expected a RoundingPolicy or a mapping"
            )
    return result


def _retry(value: RetryPolicy | Mapping[str, Any]) -> RetryPolicy:
    if isinstance(value, RetryPolicy):
        return value
    if not isinstance(value, Mapping):
        raise ValidationError(
            "events",
            value,
            "expected a mapping of max_attempts, backoff_seconds, max_backoff_seconds",
        )
    try:
        return RetryPolicy(**value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            "events", dict(value), "expected max_attempts, backoff_seconds, max_backoff_seconds"
        ) from exc


@attrs.frozen
class OMSConfig:
    """Settings for one OMS instance.

    Attributes:
        storage: name of the storage backend (``"memory"`` is built in).
        default_currency: currency used when a caller gives none.
        rounding: a [`RoundingPolicy`][] per currency code.
        exchange_rates: a fixed rate table ``{"EUR": {"USD": "1.08"}}`` for the built-in
            exchange-rate provider.
        exchange_rates_as_of: the date that table is valid for.
        events: the retry policy for failed event deliveries.
        sections: per-capability and per-plugin settings, by section name.
    """

    storage: str = "memory"
    default_currency: str = attrs.field(default="EUR", converter=check_currency)
    rounding: Mapping[str, RoundingPolicy] = attrs.field(factory=dict, converter=_rounding_map)
    exchange_rates: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    exchange_rates_as_of: dt.date = dt.date(2026, 1, 1)
    events: RetryPolicy = attrs.field(factory=RetryPolicy, converter=_retry)
    sections: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> OMSConfig:
        """Build a config from plain data; keys that are not core fields become sections."""
        core = {f.name for f in attrs.fields(cls)} - {"sections"}
        sections = dict(data.get("sections", {}))
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key in core:
                kwargs[key] = value
            elif key != "sections":
                if not isinstance(value, Mapping):
                    raise ValidationError(
                        key,
                        value,
                        f"unknown setting; core settings are {sorted(core)}, "
                        "anything else must be a section (a mapping)",
                    )
                sections[key] = value
        return cls(**kwargs, sections=sections)

    @classmethod
    def coerce(cls, value: OMSConfig | Mapping[str, Any] | None) -> OMSConfig:
        """Accept an ``OMSConfig``, a mapping or ``None`` (all defaults)."""
        if value is None:
            return cls()
        if isinstance(value, OMSConfig):
            return value
        return cls.from_mapping(value)

    def rounding_for(self, currency: str) -> RoundingPolicy:
        """The rounding policy for ``currency`` (half-up, per line, unless configured)."""
        return self.rounding.get(currency, _DEFAULT_ROUNDING)

    def section(self, name: str) -> Mapping[str, Any]:
        """The settings section ``name``; empty when not configured."""
        return self.sections.get(name, {})
