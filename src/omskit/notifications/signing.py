"""Signing outbound webhooks: the same HMAC-SHA256 scheme omskit verifies carriers with.

Header ``Omskit-Signature: t=<unix seconds>,v1=<hex>`` where ``hex`` is HMAC-SHA256 of
``f"{t}."`` followed by the raw body, under the shared secret (see
[`omskit.carriers.webhooks`][], whose ``sign`` and ``verify`` this module reuses). A
receiver recomputes the digest over the raw bytes it received, compares in constant time,
and refuses a timestamp more than 300 s away from its clock (a replayed request).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from omskit.carriers.webhooks import DEFAULT_TOLERANCE_SECONDS, signature_header, verify

__all__ = ["SIGNATURE_HEADER", "sign_payload", "verify_payload"]

#: The header the signature travels in.
SIGNATURE_HEADER = "Omskit-Signature"


def sign_payload(secret: str, body: bytes, at: dt.datetime) -> str:
    """The ``Omskit-Signature`` value for ``body`` sent at ``at``."""
    return signature_header(body, secret.encode(), at)


def verify_payload(
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    now: dt.datetime,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Check a received webhook's signature (what a receiver written in Python does).

    Raises:
        WebhookSignatureInvalid: a missing or malformed header, a mismatch, or a
            timestamp outside the window.
    """
    verify("omskit-notifications", body, headers, header_name=SIGNATURE_HEADER,
           secrets=[secret.encode()], now=now, tolerance_seconds=tolerance_seconds)  # fmt: skip
