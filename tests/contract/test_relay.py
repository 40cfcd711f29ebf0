"""``python -m omskit relay``: several relay processes over one store, stops and kills.

Every test runs on every durable backend. The subscribers are
``tests/contract/relay_subscriber.py``'s, which log each delivery with the relay's pid.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from omskit import OMS
from omskit.testing import FakeClock

from ..stores import BACKENDS, outbox_column, store_url  # noqa: TID252 - shared test helpers

DURABLE = [kind for kind in BACKENDS if kind != "memory"]
ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = ["erp", "mailer"]
T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=DURABLE)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return store_url(request.param, tmp_path)


def relayed(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}outbox=relay"


def commit_events(url: str, products: int, first: int = 0) -> list[str]:
    """``products`` new products (one event each) left for the relay; the outbox's ids."""
    with OMS.open(relayed(url), clock=FakeClock(T0), autoload=False) as oms:
        for n in range(first, first + products):
            oms.catalog.add_product(f"SKU-{n}", name="Tee", price="10", currency="EUR")
    return outbox_ids(url)


def outbox_ids(url: str) -> list[str]:
    """The event ids waiting in the outbox, oldest first."""
    return outbox_column(url, "event_id")


def relay(url: str, log: Path, *args: str, delay: float = 0.0) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "omskit", "relay", "--store", url, *args]
    for name in SUBSCRIBERS:
        command += ["--subscriber", f"{name}=tests.contract.relay_subscriber:{name}"]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "OMSKIT_DISABLE_PLUGIN_AUTOLOAD": "1",
        "OMSKIT_TEST_RELAY_LOG": str(log),
        "OMSKIT_TEST_RELAY_DELAY": str(delay),
    }
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def deliveries(log: Path) -> list[tuple[str, str, str]]:
    """``(subscriber, event id, pid)`` per delivery logged, in order."""
    if not log.exists():
        return []
    return [tuple(line.split()) for line in log.read_text().splitlines()]  # type: ignore[misc]


def wait_for(check: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def finish(process: subprocess.Popen[str], timeout: float = 60.0) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def test_once_drains_the_outbox_and_exits(url: str, tmp_path: Path) -> None:
    ids = commit_events(url, 4)
    log = tmp_path / "deliveries.log"
    code, out, err = finish(relay(url, log, "--once"))
    assert (code, err) == (0, "")
    assert f"{len(ids)} events, {len(ids) * 3} deliveries, drained" in out
    assert "delivering to erp, mailer" in out
    assert Counter((s, e) for s, e, _ in deliveries(log)) == {
        (s, e): 1 for s in SUBSCRIBERS for e in ids
    }
    assert outbox_ids(url) == []


def test_three_relays_at_once_deliver_every_event_once_to_each_subscriber(
    url: str, tmp_path: Path
) -> None:
    assert len(commit_events(url, 0)) == 1  # the store and its "web" channel
    log = tmp_path / "deliveries.log"
    relays = [relay(url, log, "--batch", "3", "--interval", "0.05", delay=0.01) for _ in range(3)]
    for process in relays:  # every relay is up and polling before the events come
        assert process.stdout is not None
        assert "delivering to" in process.stdout.readline()
    commit_events(url, 60, first=1)
    wait_for(lambda: len(deliveries(log)) >= 2 * 61 and not outbox_ids(url))
    for process in relays:
        process.send_signal(signal.SIGTERM)
    for process in relays:
        code, _out, err = finish(process)
        assert (code, err) == (0, "")
    found = deliveries(log)
    ids = {e for _, e, _ in found}
    assert len(ids) == 61  # every event the store committed (the relays cleared it)
    assert Counter((s, e) for s, e, _ in found) == {(s, e): 1 for s in SUBSCRIBERS for e in ids}
    assert len({pid for _, _, pid in found}) >= 2  # they really shared the work


def test_sigterm_finishes_the_batch_in_hand_and_the_next_relay_does_the_rest(
    url: str, tmp_path: Path
) -> None:
    ids = commit_events(url, 20)
    log = tmp_path / "deliveries.log"
    first = relay(url, log, "--batch", "5", delay=0.05)
    wait_for(lambda: len(deliveries(log)) >= 1)
    first.send_signal(signal.SIGTERM)
    code, out, err = finish(first)
    assert (code, err) == (0, "")
    assert "stopped" in out
    done = len(deliveries(log))
    assert done % (5 * len(SUBSCRIBERS)) == 0  # whole batches, never half of one
    assert done < 20 * len(SUBSCRIBERS)  # and it did stop early
    code, _out, err = finish(relay(url, log, "--once"))
    assert (code, err) == (0, "")
    assert Counter((s, e) for s, e, _ in deliveries(log)) == {
        (s, e): 1 for s in SUBSCRIBERS for e in ids
    }


@pytest.mark.slow
def test_a_relay_killed_mid_run_loses_nothing_and_repeats_at_most_the_event_in_flight(
    url: str, tmp_path: Path
) -> None:
    ids = commit_events(url, 30)
    log = tmp_path / "deliveries.log"
    kills = 0
    for _ in range(3):
        victim = relay(url, log, "--batch", "4", "--lease", "0.5", delay=0.03)
        before = len(deliveries(log))
        wait_for(lambda: len(deliveries(log)) > before + 3)  # noqa: B023 - used at once
        victim.kill()  # SIGKILL: no handler, no cleanup, claims left behind
        victim.communicate(timeout=30)
        kills += 1
    time.sleep(0.6)  # the dead relays' leases run out
    code, _out, err = finish(relay(url, log, "--once", "--lease", "0.5"))
    assert (code, err) == (0, "")
    assert outbox_ids(url) == []
    counts = Counter((s, e) for s, e, _ in deliveries(log))
    assert set(counts) == {(s, e) for s in SUBSCRIBERS for e in ids}  # nothing lost
    repeated = {e for (_s, e), n in counts.items() if n > 1}
    # a delivery is recorded event by event: a kill can only repeat the event whose
    # subscribers had been called but not yet recorded, one per kill and never more
    assert max(counts.values()) <= 2
    assert len(repeated) <= kills


def test_bad_relay_arguments_name_the_argument(url: str, tmp_path: Path) -> None:
    code, _out, err = finish(relay(url, tmp_path / "log", "--batch", "0"))
    assert code == 2
    assert "--batch" in err
    command = [sys.executable, "-m", "omskit", "relay", "--store", url, "--once"]
    command += ["--subscriber", "erp=no_such_module_here:erp"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "--subscriber" in done.stderr
    assert "no_such_module_here" in done.stderr
