"""Customer preferences: opt-in/out per topic and channel, locale, time zone, quiet hours.

Rules ([`allows`][]): ``transactional`` and ``staff`` messages always go; ``updates`` go
unless the customer opted out (of the topic on that channel, of the topic everywhere
``topic:*``, or of the whole channel ``*:channel``, an SMS "STOP"); ``marketing`` needs an
opt-in and is stopped by any opt-out. Quiet hours defer, never drop ([`quiet_until`][]).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
from zoneinfo import ZoneInfo

import attrs

from omskit.notifications.errors import UnsubscribeTokenInvalid
from omskit.storage.ports import Aggregate, Collection

__all__ = [
    "PREFERENCES",
    "Preferences",
    "allows",
    "quiet_until",
    "read_unsubscribe_token",
    "unsubscribe_token",
]


@attrs.define(eq=False)
class Preferences(Aggregate):
    """What one customer (``id``: their customer id or email) wants to receive.

    ``opted_out`` and ``opted_in`` hold ``"topic:channel"`` entries, ``*`` matching any.
    ``channel``, when set, is the one channel the customer wants messages on when a
    trigger offers it. ``quiet_hours`` is ``(start, end)`` local wall-clock times in
    ``time_zone``, as ``"HH:MM"`` text; a window may wrap midnight (22:00-07:00).
    ``update_cap`` is the customer's own frequency cap on status updates, ``(limit,
    hours)``, in place of the ``notifications.frequency_cap`` setting's.
    """

    locale: str = ""
    time_zone: str = ""
    channel: str = ""
    quiet_hours: tuple[str, str] | None = None
    update_cap: tuple[int, int] | None = None
    opted_out: frozenset[str] = frozenset()
    opted_in: frozenset[str] = frozenset()
    history: list[tuple[dt.datetime, str, str]] = attrs.field(factory=list)

    @property
    def quiet_window(self) -> tuple[dt.time, dt.time] | None:
        """``quiet_hours`` as times, or ``None``."""
        if self.quiet_hours is None:
            return None
        start, end = self.quiet_hours
        return dt.time.fromisoformat(start), dt.time.fromisoformat(end)

    def change(self, at: dt.datetime, what: str, actor: str) -> None:
        """Record a change in the history with who made it."""
        self.history.append((at, what, actor))


PREFERENCES: Collection[Preferences] = Collection(
    "notification_preferences", Preferences, label="notification preferences"
)


def _hit(entries: frozenset[str], topic: str, channel: str) -> bool:
    return bool(entries & {f"{topic}:{channel}", f"{topic}:*", f"*:{channel}", "*:*"})


def allows(prefs: Preferences | None, kind: str, topic: str, channel: str) -> tuple[bool, str]:
    """Whether a ``kind`` message on ``topic`` may go on ``channel``, and if not, why."""
    if kind in ("transactional", "staff"):
        return True, ""
    out = prefs.opted_out if prefs else frozenset()
    if _hit(out, topic, channel):
        return False, f"the customer opted out of {topic!r} on {channel!r}"
    if kind == "marketing":
        ins = prefs.opted_in if prefs else frozenset()
        if not (ins & {f"{topic}:{channel}", f"{topic}:*"}):
            return False, f"marketing topic {topic!r} needs an opt-in on {channel!r}"
    return True, ""


def quiet_until(
    now: dt.datetime, time_zone: str, window: tuple[dt.time, dt.time] | None
) -> dt.datetime | None:
    """When the quiet window around ``now`` ends (UTC), or ``None`` outside quiet hours.

    Computed in the customer's ``time_zone`` with its daylight-saving rules, so 07:00
    local is 07:00 on the wall clock whether the night had 23 or 25 hours.
    """
    if window is None:
        return None
    start, end = window
    if start == end:
        return None
    zone = ZoneInfo(time_zone or "UTC")
    local = now.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    if start < end:
        inside, day = start <= t < end, local.date()
    else:
        inside = t >= start or t < end
        day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    if not inside:
        return None
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)


def _sign(secret: bytes, payload: bytes) -> str:
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()[:32]


def unsubscribe_token(secret: bytes, customer: str, topic: str, channel: str) -> str:
    """A token that opts ``customer`` out of ``topic`` on ``channel`` (HMAC-signed)."""
    payload = "\x1f".join((customer, topic, channel)).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _sign(secret, payload)


def read_unsubscribe_token(secret: bytes, token: object) -> tuple[str, str, str]:
    """``(customer, topic, channel)`` from a token this secret signed.

    Raises:
        UnsubscribeTokenInvalid: the token is malformed or its signature does not match.
    """
    if isinstance(token, str) and token.count(".") == 1:
        data, signature = token.split(".")
        try:
            payload = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        except (binascii.Error, ValueError):
            payload = b""
        parts = payload.decode("utf-8", "replace").split("\x1f")
        if len(parts) == 3 and hmac.compare_digest(_sign(secret, payload), signature):
            return parts[0], parts[1], parts[2]
    raise UnsubscribeTokenInvalid(
        "token", token, "expected a token from unsubscribe_token(), unaltered"
    )
