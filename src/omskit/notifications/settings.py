"""Settings of notifications: the ``notifications`` section of the configuration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from omskit.errors import ValidationError
from omskit.notifications.smtp import SmtpSettings
from omskit.validation import Problems, check_locale, check_quantity

__all__ = ["CAP_SCOPES", "FrequencyCap", "NotificationSettings", "check_time_zone"]


@attrs.frozen
class FrequencyCap:
    """At most ``limit`` capped messages per ``per`` and channel in any ``window``.

    The window is a sliding one: a message stored at ``t`` counts until ``t + window``
    (excluded).
    """

    limit: int
    window: dt.timedelta
    per: str = "order"

    @property
    def hours(self) -> float:
        """The window in hours."""
        return self.window / dt.timedelta(hours=1)


def check_frequency_cap(value: Any, field: str = "frequency_cap") -> FrequencyCap:
    """``{"limit": 3, "hours": 24, "per": "order"}`` as a [`FrequencyCap`][]."""
    if (
        not isinstance(value, Mapping)
        or not {"limit", "hours"} <= set(value)
        or not (set(value) <= {"limit", "hours", "per"})
    ):
        raise ValidationError(field, value, "expected {'limit': N, 'hours': H, 'per': "
                              "'order' or 'customer'}")  # fmt: skip
    limit = check_quantity(value["limit"], f"{field}.limit", maximum=10_000)
    hours = check_quantity(value["hours"], f"{field}.hours", maximum=24 * 366)
    per = value.get("per", "order")
    if per not in CAP_SCOPES:
        raise ValidationError(f"{field}.per", per, f"expected one of {', '.join(CAP_SCOPES)}")
    return FrequencyCap(limit, dt.timedelta(hours=hours), str(per))


_KNOWN = (
    "default_locale", "default_time_zone", "providers", "staff", "max_attempts",
    "backoff_seconds", "max_backoff_seconds", "secret", "tracking_urls", "shop_name",
    "pickup_reminder_hours", "delay_grace_hours", "send_immediately", "unsubscribe_url",
    "triggers", "smtp", "frequency_cap",
)  # fmt: skip

#: What a frequency cap counts per: one order's messages, or all of one customer's.
CAP_SCOPES: tuple[str, ...] = ("order", "customer")


@attrs.frozen
class NotificationSettings:
    """How notifications behave.

    Attributes:
        default_locale: the last locale of every fallback chain (``"en"``).
        default_time_zone: for recipients who set none (``"UTC"``).
        providers: channel -> provider name (every channel defaults to ``recording``).
        staff: channel -> addresses that staff messages (on hold, low stock) go to.
        max_attempts: sends before a message is a dead letter (5).
        backoff_seconds: the first retry's wait; it doubles per attempt, with jitter (60).
        max_backoff_seconds: the longest wait between attempts (3600).
        secret: signs unsubscribe tokens (a random one per OMS when empty).
        tracking_urls: carrier -> URL with ``{tracking_number}``, for tracking links.
        shop_name: what templates call the shop.
        pickup_reminder_hours: how long before a pickup expires the reminder goes (24).
        delay_grace_hours: hours after the promised day before a delay is reported (0).
        send_immediately: deliver right after a message is stored (default yes); when
            off, only ``deliver()`` sends.
        unsubscribe_url: a URL with ``{token}`` put into marketing messages.
        triggers: trigger name -> ``{"enabled": bool, "channels": [...]}``.
        smtp: the SMTP sender, from its one-line URL setting (see
            [`SmtpSettings`][omskit.notifications.smtp.SmtpSettings]); when set, an
            ``smtp`` provider is registered and carries ``email`` unless ``providers``
            names another.
        frequency_cap: the cap on status updates, ``{"limit": 3, "hours": 24,
            "per": "order"}`` (``None``: no cap); see [`FrequencyCap`][].
    """

    default_locale: str = "en"
    default_time_zone: str = "UTC"
    providers: Mapping[str, str] = attrs.field(
        factory=lambda: dict.fromkeys(("email", "sms", "push", "webhook"), "recording")
    )
    staff: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    max_attempts: int = 5
    backoff_seconds: int = 60
    max_backoff_seconds: int = 3600
    secret: str = ""
    tracking_urls: Mapping[str, str] = attrs.field(factory=dict)
    shop_name: str = "omskit shop"
    pickup_reminder: dt.timedelta = dt.timedelta(hours=24)
    delay_grace: dt.timedelta = dt.timedelta(0)
    send_immediately: bool = True
    unsubscribe_url: str = ""
    triggers: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    smtp: SmtpSettings | None = None
    frequency_cap: FrequencyCap | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> NotificationSettings:
        """Parse the ``notifications`` section, reporting every problem at once."""
        problems = Problems()
        for key in sorted(set(data) - set(_KNOWN)):
            problems.add(f"notifications.{key}", f"unknown setting; known: {', '.join(_KNOWN)}")
        out: dict[str, Any] = {}
        if "default_locale" in data:
            out["default_locale"] = problems.check(
                "notifications.default_locale", check_locale, data["default_locale"]
            )
        if "default_time_zone" in data:
            out["default_time_zone"] = problems.check(
                "notifications.default_time_zone", check_time_zone, data["default_time_zone"]
            )
        for key in ("max_attempts", "backoff_seconds", "max_backoff_seconds"):
            if key in data:
                out[key] = problems.check(f"notifications.{key}", check_quantity, data[key],
                                          maximum=10**6)  # fmt: skip
        for key, target in (("pickup_reminder_hours", "pickup_reminder"),
                            ("delay_grace_hours", "delay_grace")):  # fmt: skip
            if key in data:
                hours = problems.check(f"notifications.{key}", check_quantity, data[key],
                                       minimum=0, maximum=24 * 60)  # fmt: skip
                if hours is not None:
                    out[target] = dt.timedelta(hours=hours)
        _parse_mappings(data, problems, out)
        if data.get("frequency_cap") is not None:
            out["frequency_cap"] = problems.check(
                "notifications.frequency_cap", check_frequency_cap, data["frequency_cap"]
            )
        if data.get("smtp"):
            out["smtp"] = problems.check("notifications.smtp", _smtp, data["smtp"])
            chosen = data.get("providers")
            if not (isinstance(chosen, Mapping) and "email" in chosen):
                out["providers"] = {**out.get("providers", cls().providers), "email": "smtp"}
        problems.raise_if_any()
        return cls(**out)


def _parse_mappings(data: Mapping[str, Any], problems: Problems, out: dict[str, Any]) -> None:
    """Parse the mapping, text and flag settings into ``out``."""
    for key in ("providers", "tracking_urls", "triggers"):
        if key in data:
            if isinstance(data[key], Mapping):
                out[key] = dict(data[key])
            else:
                problems.add(f"notifications.{key}", "expected a mapping", data[key])
    if "providers" in out:
        out["providers"] = {**NotificationSettings().providers, **out["providers"]}
    if "staff" in data:
        staff = data["staff"]
        if isinstance(staff, Mapping) and all(isinstance(v, list | tuple) for v in staff.values()):
            out["staff"] = {str(k): tuple(str(a) for a in v) for k, v in staff.items()}
        else:
            problems.add("notifications.staff", "expected channel -> list of addresses",
                         staff)  # fmt: skip
    for key in ("secret", "shop_name", "unsubscribe_url"):
        if key in data:
            if isinstance(data[key], str):
                out[key] = data[key]
            else:
                problems.add(f"notifications.{key}", "expected text", data[key])
    if "send_immediately" in data:
        if isinstance(data["send_immediately"], bool):
            out["send_immediately"] = data["send_immediately"]
        else:
            problems.add("notifications.send_immediately", "expected true or false",
                         data["send_immediately"])  # fmt: skip


def _smtp(value: Any, field: str = "notifications.smtp") -> SmtpSettings:
    return SmtpSettings.from_url(value)


def check_time_zone(value: Any, field: str = "time_zone") -> str:
    """An IANA time zone name the system knows (``"Asia/Jerusalem"``)."""
    if isinstance(value, str) and value and ".." not in value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return value
    raise ValidationError(field, value, "expected an IANA time zone such as 'Europe/Berlin'")
