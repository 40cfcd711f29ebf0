"""Instructions per call under callgrind: the capture benchmark's ratios, free of noise.

On a shared or loaded machine wall-clock ratios swing with whatever else runs (a long
capture is preempted far more often than a short bare loop). The number of instructions
a call executes does not: ``valgrind --tool=callgrind`` counts them, and counts them the
same on every run. This script runs each subject of `capture.py` in its own callgrind
process, counting only the timed loop (it runs inside ``functools.reduce``, and callgrind
collects only inside that function), after setup and warm-up, and prints instructions per
call and each omskit subject's ratio to its bare counterpart.

    python benchmarks/instructions.py            # every subject (a few minutes)
    python benchmarks/instructions.py --calls 50 capture-realistic bare-capture

Instructions are not time (a cache miss costs more than an add), so this complements the
timed ratios of `capture.py`; it does not replace them. Needs ``valgrind`` on the PATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import baseline
import capture

from omskit.inventory import Allocation

PAIRS = {  # omskit subject -> its bare counterpart
    "capture-realistic": "bare-capture",
    "capture-lowest_cost": "bare-capture",
    "capture-minimal": "bare-capture-minimal",
    "reserve-1": "bare-reserve-1",
    "reserve-3": "bare-reserve-3",
    "quote": "bare-quote",
}
WARM = 300


def subject(name: str) -> Callable[[int], object]:
    """A callable doing the ``i``-th call of subject ``name``, set up and warmed up."""
    if name.startswith("bare-capture"):
        shape = "minimal" if name.endswith("minimal") else "realistic"
        shop = baseline.BareShop(300, baseline.LOCATIONS)

        def bare_capture(i: int) -> object:
            return shop.capture(capture.payload(i, shape), 52.5, 13.4)

        return _warm(bare_capture)
    if name.startswith("bare-reserve"):
        shop = baseline.BareShop(300, baseline.LOCATIONS)
        pairs = [(f"SKU-{k:04d}", 1) for k in range(int(name[-1]))]
        return _warm(lambda i: shop.reserve("BER", pairs))
    if name == "bare-quote":
        prices = {
            sku: Decimal(f"{5 + k % 40}.90") for k, (sku, _, _) in enumerate(capture.QUOTE_LINES)
        }
        return _warm(lambda i: baseline.bare_quote(prices, capture.QUOTE_LINES))

    if name.startswith("capture-"):
        shape = name.removeprefix("capture-")
        oms, clock = capture.build(shape)

        def one(i: int) -> object:
            clock.advance(seconds=1)
            return oms.orders.capture(capture.payload(i, shape))

        return _warm(one)
    if name.startswith("reserve-"):
        oms, _ = capture.build()
        allocations = [Allocation("BER", f"SKU-{k:04d}", 1, str(k)) for k in range(int(name[-1]))]
        return _warm(lambda i: oms.inventory.reserve(reference=f"R-{i}", allocations=allocations))
    if name == "quote":
        return _warm(capture.quote_subject())
    raise SystemExit(f"unknown subject {name!r}; subjects: {sorted({*PAIRS, *PAIRS.values()})}")


def _warm(fn: Callable[[int], object]) -> Callable[[int], object]:
    for i in range(WARM):
        fn(i)
    return fn


def child(name: str, calls: int) -> None:
    """Run ``calls`` calls of ``name`` inside ``functools.reduce`` (what callgrind counts)."""
    fn = subject(name)
    functools.reduce(lambda acc, i: fn(i) and acc, range(WARM, WARM + calls), 0)


def count(name: str, calls: int) -> float:
    """Instructions per call of ``name``, from one callgrind run."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--collect-atstart=no",
             "--toggle-collect=functools_reduce", f"--callgrind-out-file={out}",
             sys.executable, __file__, "--child", name, "--calls", str(calls)],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
            check=False,
        )  # fmt: skip
        found = re.search(r"Collected : (\d+)", run.stderr)
        if run.returncode != 0 or found is None:
            raise SystemExit(f"callgrind failed for {name}:\n{run.stderr[-2000:]}")
        return int(found.group(1)) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("subjects", nargs="*", help="subjects to count (default: all)")
    parser.add_argument("--calls", type=int, default=100, help="calls counted per subject")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.calls)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not on the PATH")
    names = args.subjects or [n for pair in PAIRS.items() for n in pair]
    names = list(dict.fromkeys(names))
    per_call = {}
    print(f"instructions per call (callgrind, {args.calls} calls after {WARM} warm-up calls; "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)")  # fmt: skip
    for name in names:
        per_call[name] = count(name, args.calls)
        bare = PAIRS.get(name)
        ratio = (f"   {per_call[name] / per_call[bare]:6.1f}x {bare}"
                 if bare in per_call else "")  # fmt: skip
        print(f"{name:>22}: {per_call[name]:14,.0f}{ratio}", flush=True)
    for name, bare in PAIRS.items():
        if name in per_call and bare in per_call and names.index(name) < names.index(bare):
            print(f"{name:>22}: {per_call[name] / per_call[bare]:6.1f}x {bare}")


if __name__ == "__main__":
    main()
