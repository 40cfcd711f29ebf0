"""The lifecycle diagrams in the docs are the code's transition tables, edge for edge.

Each ```mermaid block carries a ``%% omskit: <name>`` marker. The order, line and
payment diagrams must equal what their tables allow (a failure prints the block to
paste); the fulfillment, shipment and capture diagrams are checked against the tables
and code they describe, so none of them can drift.
"""

from __future__ import annotations

import inspect
import itertools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from omskit.carriers import EXCEPTION_STATUSES, STATUSES, TERMINAL_STATUSES
from omskit.fulfillment.model import FO_ACTIONS
from omskit.orders import capture
from omskit.orders.lifecycle import LINE_MOVES, LINE_STATUSES, ORDER_MOVES, ORDER_STATUSES
from omskit.payments.model import PAYMENT_STATUSES, PAYMENT_TRANSITIONS
from omskit.returns.lifecycle import RMA_STATUSES, RMA_TRANSITIONS

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"^```mermaid\n(?P<body>.*?)^```$", re.M | re.S)
_MARKER = re.compile(r"^\s*%% omskit: (?P<name>[\w-]+)\s*$", re.M)
_EDGE = re.compile(r"^\s*(?P<src>\[\*\]|\w+) --> (?P<dst>\[\*\]|\w+)(?: : (?P<label>.+?))?\s*$")

Edge = tuple[str, str, str]


def diagrams() -> dict[str, tuple[Path, str]]:
    """Every marked mermaid block in the docs: name -> (page, body)."""
    found: dict[str, tuple[Path, str]] = {}
    for page in sorted((ROOT / "docs").glob("*.md")):
        for block in _BLOCK.finditer(page.read_text(encoding="utf-8")):
            marker = _MARKER.search(block["body"])
            if marker:
                assert marker["name"] not in found, f"{marker['name']} is drawn twice"
                found[marker["name"]] = (page, block["body"])
    return found


def edges(body: str) -> set[Edge]:
    """The ``a --> b : label`` lines of a state diagram."""
    result = set()
    for line in body.splitlines():
        match = _EDGE.match(line)
        if match:
            result.add((match["src"], match["dst"], match["label"] or ""))
    return result


def drawn(name: str) -> set[Edge]:
    page, body = diagrams()[name]
    assert body.startswith("stateDiagram-v2\n"), f"{page.name}: {name} is not a state diagram"
    return edges(body)


def render(name: str, found: Sequence[Edge]) -> str:
    """The block to paste into the page when the table changed."""
    lines = ["```mermaid", "stateDiagram-v2", f"    %% omskit: {name}"]
    for src, dst, label in found:
        lines.append(f"    {src} --> {dst}" + (f" : {label}" if label else ""))
    return "\n".join([*lines, "```"])


def moves_edges(moves: Mapping[str, frozenset[str]], order: Sequence[str]) -> list[Edge]:
    """Start, every move to another status, and the final statuses."""
    found = [("[*]", "placed", "")]
    found += [(a, b, "") for a in order for b in order if b != a and b in moves[a]]
    found += [(a, "[*]", "") for a in order if moves[a] <= {a}]
    return found


def payment_edges() -> list[Edge]:
    found = [("[*]", "pending", "")]
    for a in PAYMENT_STATUSES:
        for b in PAYMENT_STATUSES:
            acts = sorted(act for act, to in PAYMENT_TRANSITIONS[a].items() if b in to)
            if b != a and acts:
                found.append((a, b, ", ".join(acts)))
    found += [(a, "[*]", "") for a in PAYMENT_STATUSES if not PAYMENT_TRANSITIONS[a]]
    return found


def rma_edges() -> list[Edge]:
    """Start, every action of the RMA table (labelled), and the final statuses."""
    found = [("[*]", "requested", "")]
    for a in RMA_STATUSES:
        for b in RMA_STATUSES:
            acts = sorted(act for act, to in RMA_TRANSITIONS[a].items() if to == b)
            if acts:
                found.append((a, b, ", ".join(acts)))
    found += [(a, "[*]", "") for a in RMA_STATUSES if not RMA_TRANSITIONS[a]]
    return found


def test_every_lifecycle_and_the_capture_flow_is_drawn_once() -> None:
    assert set(diagrams()) == {
        "order-lifecycle",
        "line-lifecycle",
        "payment-lifecycle",
        "fulfillment-order-lifecycle",
        "shipment-lifecycle",
        "capture-flow",
        "rma-lifecycle",
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("order-lifecycle", moves_edges(ORDER_MOVES, ORDER_STATUSES)),
        ("line-lifecycle", moves_edges(LINE_MOVES, LINE_STATUSES)),
        ("payment-lifecycle", payment_edges()),
        ("rma-lifecycle", rma_edges()),
    ],
)
def test_the_diagram_draws_exactly_the_moves_of_its_table(name: str, expected: list[Edge]) -> None:
    assert drawn(name) == set(expected), f"paste into the docs:\n{render(name, expected)}"


def test_the_fulfillment_order_diagram_draws_every_allowed_action_and_no_other() -> None:
    found = drawn("fulfillment-order-lifecycle")
    states = {s for edge in found for s in edge[:2]} - {"[*]"}
    assert states == set(FO_ACTIONS)
    actions: set[tuple[str, str]] = set()
    for src, dst, label in found:
        if src == "[*]" or dst == "[*]" or label.startswith("("):  # start, end, an event
            continue
        for action in label.split(", "):
            assert action in FO_ACTIONS[src], f"{src} --> {dst}: {action} is not allowed"
            actions.add((src, action))
    assert actions == {(s, a) for s, allowed in FO_ACTIONS.items() for a in allowed}
    finals = {src for src, dst, _ in found if dst == "[*]"}
    assert finals == {s for s, allowed in FO_ACTIONS.items() if not allowed} - {"confirmed"}


def test_the_shipment_diagram_follows_the_tracking_statuses() -> None:
    found = drawn("shipment-lifecycle")
    states = {s for edge in found for s in edge[:2]} - {"[*]"}
    assert states == set(STATUSES)
    assert ("[*]", STATUSES[0], "") in found
    assert {src for src, dst, _ in found if dst == "[*]"} == set(TERMINAL_STATUSES)
    leaving = {src for src, dst, _ in found if "[*]" not in (src, dst)}
    assert leaving == set(STATUSES) - set(TERMINAL_STATUSES)  # only terminal ones end
    happy = [s for s in STATUSES if s not in EXCEPTION_STATUSES]
    path = [(a, b) for a, b, _ in found if a in happy and b in happy]
    assert sorted(path) == sorted(itertools.pairwise(happy))
    assert all((a, b, "") in found for a, b in path)
    assert all(any(dst == s for _, dst, _ in found) for s in EXCEPTION_STATUSES)


def test_the_capture_flow_names_its_steps_in_the_order_the_code_runs_them() -> None:
    _, body = diagrams()["capture-flow"]
    assert body.startswith("flowchart TD\n")
    steps = re.findall(r'\["(\w+):', body)
    assert len(steps) >= 8
    code = inspect.getsource(capture.capture_order) + inspect.getsource(capture.capture)
    at = 0
    for step in steps:  # each step is found after the one before it
        found = code.find(step, at)
        assert found != -1, f"{step} is not called after {steps[: steps.index(step)]}"
        at = found
