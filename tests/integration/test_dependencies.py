"""Runtime dependency bounds are explicit, and the lower bounds are the ones CI tests."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
# The architecture's four, plus the well-kept libraries that check what omskit would
# otherwise check by hand: ISO 3166-2 subdivisions, VAT ids, email and phone syntax.
RUNTIME = {
    "attrs",
    "babel",
    "pluggy",
    "py-moneyed",
    "pycountry",
    "python-stdnum",
    "email-validator",
    "phonenumbers",
}


def runtime_requirements() -> dict[str, SpecifierSet]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    return {r.name.lower(): r.specifier for r in found}


def lowest_pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / ".ci" / "lowest.txt").read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            name, _, version = text.partition("==")
            pins[name.strip().lower()] = Version(version.strip())
    return pins


def bound(spec: SpecifierSet, operator: str) -> Version:
    (found,) = [Version(s.version) for s in spec if s.operator == operator]
    return found


def test_the_runtime_dependencies_are_the_ones_the_project_chose() -> None:
    assert set(runtime_requirements()) == RUNTIME


def test_every_runtime_dependency_has_a_lower_and_a_next_major_upper_bound() -> None:
    for name, spec in runtime_requirements().items():
        lower, upper = bound(spec, ">="), bound(spec, "<")
        # "<3", never "<2.20": the bound is a whole major release above the lower one
        assert upper == Version(str(upper.major)), f"{name}: {spec}"
        assert upper.major > lower.major, f"{name}: {spec}"


def test_ci_pins_exactly_the_lower_bounds() -> None:
    pins = lowest_pins()
    assert set(pins) == RUNTIME
    for name, spec in runtime_requirements().items():
        assert pins[name] == bound(spec, ">="), f"{name}: pyproject {spec}, lowest {pins[name]}"
        assert pins[name] in spec


def test_ci_runs_the_suite_on_the_lowest_and_on_the_newest_releases() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-c .ci/lowest.txt" in script
    # the dev tools, plus whichever extras the suite's adapter tests need
    assert re.search(r"--upgrade --upgrade-strategy eager -e '\.\[dev[\w,-]*\]'", script)
    assert 'step "tests on the lowest allowed dependencies' in script
    assert 'step "tests on the newest dependency releases"' in script
