"""Settings of the payments capability, from the ``payments`` configuration section."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from omskit.validation import Problems, check_quantity

__all__ = ["CAPTURE_MODES", "FAILURE_POLICIES", "PaymentSettings"]

#: When money is taken: at order capture, at shipment (of what shipped), or only by hand.
CAPTURE_MODES = ("order", "shipment", "manual")
#: What a failed authorization does to the order being captured.
FAILURE_POLICIES = ("hold", "cancel")


@attrs.frozen
class PaymentSettings:
    """How payments behave.

    Attributes:
        capture: ``"order"`` (take the money when the order is captured), ``"shipment"``
            (authorize at capture, take each shipment's value as it ships; the default)
            or ``"manual"`` (only [`PaymentService.capture`][] takes money).
        on_failure: a declined or failed authorization puts the order ``"hold"`` (the
            default: stock stays reserved while the customer pays another way) or
            ``"cancel"`` s it.
        transient_retries: how many times a transiently failing gateway call is retried
            (with the same idempotency key) before giving up.
    """

    capture: Literal["order", "shipment", "manual"] = "shipment"
    on_failure: Literal["hold", "cancel"] = "hold"
    transient_retries: int = 2

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PaymentSettings:
        """Read the ``payments`` section, reporting every problem at once."""
        problems = Problems()
        for key in sorted(set(data) - {"capture", "on_failure", "transient_retries"}):
            problems.add(f"payments.{key}", "unknown setting; allowed: capture, on_failure, "
                         "transient_retries")  # fmt: skip
        capture = data.get("capture", "shipment")
        if capture not in CAPTURE_MODES:
            problems.add("payments.capture", f"expected one of {', '.join(CAPTURE_MODES)}",
                         capture)  # fmt: skip
        on_failure = data.get("on_failure", "hold")
        if on_failure not in FAILURE_POLICIES:
            problems.add("payments.on_failure",
                         f"expected one of {', '.join(FAILURE_POLICIES)}", on_failure)  # fmt: skip
        retries = problems.check(
            "payments.transient_retries", check_quantity, data.get("transient_retries", 2),
            minimum=0, maximum=10,
        )  # fmt: skip
        problems.raise_if_any()
        return cls(capture=capture, on_failure=on_failure, transient_retries=retries or 0)
