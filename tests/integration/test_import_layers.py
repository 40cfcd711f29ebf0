"""The import graph of ``src/omskit`` keeps the declared layer order and gains no circles.

The layer order is the one written in docs/architecture.md (and ../shared/ARCHITECTURE.md
section 3): the kernel at the bottom, then catalog/customers/channels, pricing/inventory/
carriers, routing/payments, orders, fulfillment, returns, and at the top the capabilities
that only subscribe and read (notifications, reporting, admin, integrations) and the
facade. An import may point down or sideways within its own layer's capability, never up.
Imports made only for type checking count too: a type hint that names a higher layer is
the same coupling.

Import circles inside a capability are tracked in ``KNOWN_CYCLES`` (issue 11 removes them);
the test fails when a new circle appears or a known one grows, so the list only shrinks.
"""

from __future__ import annotations

from collections.abc import Iterator

import grimp
import pytest

#: Capability (second part of the module path) -> layer; higher numbers sit higher.
LAYER_OF: dict[str, int] = {
    # kernel: the plugin machinery (plugins) and the kernel's built-in plugins among it
    **dict.fromkeys(
        [
            "errors",
            "money",
            "money_plugin",
            "events",
            "validation",
            "storage",
            "plugins",
            "clock",
            "ids",
            "config",
            "paging",
            "runtime",
        ],
        0,
    ),
    **dict.fromkeys(["catalog", "customers", "channels"], 1),
    **dict.fromkeys(["pricing", "inventory", "carriers"], 2),
    **dict.fromkeys(["routing", "payments"], 3),
    "orders": 4,
    "fulfillment": 5,
    "returns": 6,
    **dict.fromkeys(["notifications", "reporting", "admin", "integrations"], 7),
    # the facade and what is built on it: the package itself, the demo, the CLI, testing
    **dict.fromkeys(["oms", "demo", "__main__", "testing", "__init__"], 8),
}

#: Import circles that exist today, each a set of modules (none left: issue 11 removed them).
KNOWN_CYCLES: list[frozenset[str]] = []


Graph = dict[str, set[str]]  # module -> the modules it imports directly


@pytest.fixture(scope="module")
def graph() -> Graph:
    built = grimp.build_graph("omskit")
    return {m: set(built.find_modules_directly_imported_by(m)) for m in built.modules}


def capability(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_capability_has_a_layer(graph: Graph) -> None:
    missing = sorted({capability(m) for m in graph} - set(LAYER_OF))
    assert not missing, f"give these a layer in LAYER_OF (and in docs/architecture.md): {missing}"


def upward_imports(graph: Graph) -> list[str]:
    """Every import whose target sits in a higher layer than its importer."""
    upward = []
    for importer in sorted(graph):
        for imported in sorted(graph[importer]):
            low, high = LAYER_OF[capability(importer)], LAYER_OF[capability(imported)]
            if high > low:
                upward.append(f"{importer} (layer {low}) imports {imported} (layer {high})")
    return upward


def test_no_import_points_up_the_layers(graph: Graph) -> None:
    upward = upward_imports(graph)
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_the_layer_check_sees_an_upward_import() -> None:
    """A kernel module importing orders is flagged; orders importing the kernel is not."""
    planted: Graph = {
        "omskit.plugins.spec": {"omskit.orders.model"},
        "omskit.orders.model": {"omskit.money"},
        "omskit.money": set(),
    }
    assert upward_imports(planted) == [
        "omskit.plugins.spec (layer 0) imports omskit.orders.model (layer 4)"
    ]


def test_nothing_in_the_package_uses_the_deprecated_builtin_plugin_paths(graph: Graph) -> None:
    """``omskit.plugins.builtin`` is only an alias for hosts: the machinery holds no provider.

    The built-ins live beside what they provide (``omskit.storage.plugin``,
    ``omskit.money_plugin``, ``omskit.<capability>.plugin``); a module of the package that
    still imported the old home would pull the warning and the detour back in.
    """
    old = "omskit.plugins.builtin"
    users = sorted(
        f"{importer} imports {imported}"
        for importer, imports in graph.items()
        if not importer.startswith(old)
        for imported in imports
        if imported == old or imported.startswith(f"{old}.")
    )
    assert not users, "import the new homes instead:\n" + "\n".join(users)


def test_the_registered_modules_exist_and_sit_beside_what_they_provide(graph: Graph) -> None:
    """Every module the manager names as text is real, and none lives in ``omskit.plugins``."""
    from omskit.plugins.manager import DEFAULT_PLUGINS, HOOKSPEC_MODULES

    named = [*DEFAULT_PLUGINS, *HOOKSPEC_MODULES]
    assert not [m for m in named if m not in graph], named
    misplaced = [m for m in DEFAULT_PLUGINS if capability(m) == "plugins"]
    assert not misplaced, f"move these beside the capability they provide: {misplaced}"


def strongly_connected(graph: Graph) -> Iterator[frozenset[str]]:
    """Tarjan's algorithm, iteratively: the module sets that import each other in a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    yield frozenset(component)


def test_no_new_import_circles(graph: Graph) -> None:
    found = list(strongly_connected(graph))
    new = [sorted(c) for c in found if not any(c <= known for known in KNOWN_CYCLES)]
    assert not new, f"new or grown import circles (break them, do not list them): {new}"


def test_known_cycles_are_still_real(graph: Graph) -> None:
    """A circle that was broken leaves KNOWN_CYCLES, so the list only ever shrinks."""
    found = list(strongly_connected(graph))
    stale = [sorted(k) for k in KNOWN_CYCLES if not any(c == k for c in found)]
    assert not stale, f"these circles are gone or smaller now; update KNOWN_CYCLES: {stale}"


def test_tarjan_finds_a_planted_circle() -> None:
    """The circle finder itself, on a graph with one planted circle and one chain."""
    planted: Graph = {
        "pkg.a": {"pkg.b"},
        "pkg.b": {"pkg.c"},
        "pkg.c": {"pkg.a", "pkg.d"},
        "pkg.d": set(),
    }
    assert list(strongly_connected(planted)) == [frozenset({"pkg.a", "pkg.b", "pkg.c"})]
