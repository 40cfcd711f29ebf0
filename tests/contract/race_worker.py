"""One racing process of the durable-store tests (run by ``test_contract_durable.py``).

It opens the OMS at ``URL`` (given in its globals), waits at ``BARRIER`` for the other
processes, then captures one-unit orders of ``LAST`` until the stock says no, and
captures the order ``SAME-1`` that every process captures. It puts what happened on
``RESULTS``: the ids of its own orders, the id it got for ``SAME-1``, and errors.
"""

from __future__ import annotations

from typing import Any

from omskit import OMS, AlreadyExists, ConcurrencyConflict, InsufficientStock

# set by the test through runpy's init_globals
URL: str = globals().get("URL", "")
NAME: str = globals().get("NAME", "")
BARRIER: Any = globals().get("BARRIER")
RESULTS: Any = globals().get("RESULTS")


def order(external_id: str, sku: str = "LAST") -> dict[str, Any]:
    return {
        "channel": "web",
        "external_id": external_id,
        "customer": {"email": "dana@example.com", "name": "Dana Levi"},
        "ship_to": {"country": "DE", "line1": "Invalidenstr. 117", "city": "Berlin",
                    "postal_code": "10115"},
        "lines": [{"sku": sku, "quantity": 1}],
    }  # fmt: skip


def race() -> dict[str, Any]:
    won: list[str] = []
    errors: list[str] = []
    same = ""
    with OMS.open(URL, autoload=False) as oms:
        BARRIER.wait(timeout=120)
        for n in range(6):
            for _ in range(50):  # a host retries a conflict that outlived run()'s attempts
                try:
                    won.append(oms.orders.capture(order(f"{NAME}-{n}")).id)
                except ConcurrencyConflict:
                    continue
                except InsufficientStock:
                    pass
                except Exception as exc:  # reported to the test
                    errors.append(f"{type(exc).__name__}: {exc}")
                break
        for _ in range(50):
            try:
                same = oms.orders.capture(order("SAME-1", "PLENTY")).id
            except (ConcurrencyConflict, AlreadyExists):  # lost the race: replay it
                continue
            except Exception as exc:  # reported to the test
                errors.append(f"{type(exc).__name__}: {exc}")
            break
    return {"name": NAME, "won": won, "same": same, "errors": errors}


if __name__ == "__main__":
    try:
        RESULTS.put(race())
    except BaseException as exc:
        RESULTS.put({"name": NAME, "won": [], "same": "", "errors": [repr(exc)]})
        raise
