"""Subscribers for the relay tests, loaded by ``python -m omskit relay --subscriber``.

Each appends one line ``<subscriber> <event id> <pid>`` per delivery to the file named
by ``OMSKIT_TEST_RELAY_LOG`` (``O_APPEND`` writes: lines from several processes never
interleave), so a test counts what every relay process delivered.
"""

from __future__ import annotations

import os
import time

from omskit.events import Event

__all__ = ["erp", "mailer"]


def _log(name: str, event: Event) -> None:
    line = f"{name} {event.event_id} {os.getpid()}\n".encode()
    fd = os.open(os.environ["OMSKIT_TEST_RELAY_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    delay = float(os.environ.get("OMSKIT_TEST_RELAY_DELAY", "0"))
    if delay:
        time.sleep(delay)


def erp(event: Event) -> None:
    """Subscriber ``erp``: logs the delivery."""
    _log("erp", event)


def mailer(event: Event) -> None:
    """Subscriber ``mailer``: logs the delivery."""
    _log("mailer", event)
