"""``python -m omskit demo --store URL``: the walk-through on a durable store, twice.

The first run on an empty store runs every section on it, as the in-memory demo does,
and leaves its orders in the file (or database). A later run finds them there, lists
them, and replays every capture the walk-through makes (same channel and external id,
same payload): each replay returns the stored order, and nothing new is written.

The payloads replayed are the ones the walk-through itself sends: a later run runs it
once more on a scratch in-memory OMS, quietly, and records what it captures. The
replacement orders an exchange captures are left out: they belong to their RMA, whose
id the scratch run does not share with the store.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, TextIO

from omskit.demo import _CONFIG, _T0, run_sections
from omskit.oms import OMS
from omskit.orders import ORDERS, Order
from omskit.orders.commands import CaptureOrder
from omskit.testing import FakeClock

__all__ = ["demo_captures", "run_on_store"]


def run_on_store(out: TextIO, url: str) -> OMS:
    """Run the demo on the store at ``url`` (or show and replay an earlier run's orders)."""
    oms = OMS.open(url, config=_CONFIG, clock=FakeClock(_T0), autoload=False)
    try:
        before = _stored(oms)
        if not before:
            run_sections(oms, out)
            out.write(f"\n== Stored in {url} ==\n")
            out.write(f"  {len(_stored(oms))} orders written; run the same command again: "
                      "they are still there\n")  # fmt: skip
            return oms
        _replay(oms, out, url, before)
    except BaseException:
        oms.close()
        raise
    return oms


def _stored(oms: OMS) -> list[Order]:
    with oms.runtime.storage.unit_of_work() as uow:
        return list(uow.repo(ORDERS).scan_view())


def _replay(oms: OMS, out: TextIO, url: str, before: list[Order]) -> None:
    say = out.write
    say(f"== {url} already holds {len(before)} orders: an earlier run's, still there ==\n")
    for order in before:
        say(f"  {order.id}  {order.channel:<10} {order.external_id or '-':<22} {order.status}\n")
    say("\n== Replaying the walk-through's captures (same channel and external id) ==\n")
    known = {o.id for o in before}
    for payload, actor in demo_captures():
        replayed = oms.orders.capture(payload, actor=actor)
        verdict = "the stored order" if replayed.id in known else "NEW (not a replay)"
        say(f"  {payload['channel']:<10} {payload['external_id']:<22} -> {replayed.id} "
            f"({verdict})\n")  # fmt: skip
    after = _stored(oms)
    say(f"  orders stored before: {len(before)}, after: {len(after)}\n")


def demo_captures() -> list[tuple[Mapping[str, Any], str]]:
    """``(payload, actor)`` of every successful capture the walk-through makes, in order."""
    scratch = OMS.in_memory(config=_CONFIG, clock=FakeClock(_T0), autoload=False)
    captured: list[tuple[Mapping[str, Any], str]] = []
    capture = scratch.orders.capture
    inside = [0]  # > 0 while a returns call runs: its replacement orders are its own

    def nested(method: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            inside[0] += 1
            try:
                return method(*args, **kwargs)
            finally:
                inside[0] -= 1

        return call

    for name in dir(scratch.returns):
        method = getattr(scratch.returns, name)
        if not name.startswith("_") and callable(method):
            setattr(scratch.returns, name, nested(method))

    def recording(
        payload: Mapping[str, Any] | CaptureOrder | None = None,
        /,
        *,
        actor: str = "system",
        **fields: Any,
    ) -> Order:
        order = capture(payload, actor=actor, **fields)
        given = fields if payload is None else payload
        if isinstance(given, Mapping) and not inside[0]:  # the walk-through's own captures
            captured.append((given, actor))
        return order

    scratch.orders.capture = recording  # type: ignore[method-assign]
    run_sections(scratch, io.StringIO())
    return [(p, a) for p, a in captured if p.get("external_id")]
