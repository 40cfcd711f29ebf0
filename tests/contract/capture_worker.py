"""A process that captures orders until it is killed (run by ``test_sigkill.py``).

``python capture_worker.py URL PREFIX LOG`` captures ``<PREFIX>-0``, ``<PREFIX>-1``...
(two SKUs at two locations each) on the store at ``URL``, appending ``start <n>`` to
``LOG`` before each capture and ``done <n>`` after it, so the test kills it mid-capture.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from omskit import OMS


def order(external_id: str) -> dict[str, Any]:
    return {
        "channel": "web",
        "external_id": external_id,
        "customer": {"email": "dana@example.com", "name": "Dana Levi"},
        "ship_to": {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
                    "postal_code": "10115"},
        "lines": [{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}],
    }  # fmt: skip


def note(log: str, text: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{text}\n".encode())
    finally:
        os.close(fd)


def main(url: str, prefix: str, log: str) -> None:
    with OMS.open(url, autoload=False) as oms:
        for n in range(100_000):
            note(log, f"start {n}")
            oms.orders.capture(order(f"{prefix}-{n}"))
            note(log, f"done {n}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
