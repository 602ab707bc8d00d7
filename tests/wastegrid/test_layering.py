"""The layering of the apps, read from their imports (AST; no app is imported to check it).

Every `import` and `from … import` of the apps' modules counts, migrations and tests aside: at module level,
inside functions (a lazy import is still a dependency) and under `if TYPE_CHECKING:` (simpler, and stricter).

The floors (docs/architecture.md, "Layers"):
- `lib` imports no app (it has no tables: helpers any app may use);
- `accounts` imports only `lib` and `audit` (access is infrastructure: roles, request types, tokens);
- `grid` imports only `lib`, `accounts`, `audit` (the grid is the ground floor the domain apps build on);
- `guide` imports no other domain app;
- `supervision` imports nothing of `enforcement` or `points` (they build on its records);
- no domain app imports `assessment` or `reports` (the top floor reads the others, never the reverse; the two
  may read each other), nor does infrastructure or `jobs`;
- the project package `wastegrid` (settings, urls, the commands that compose every app) may import anything.
And no cycle between apps.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

INFRASTRUCTURE = {"lib", "accounts", "audit"}
DOMAIN = {
    "grid",
    "guide",
    "supervision",
    "points",
    "enforcement",
    "tonnage",
    "party",
    "contests",
    "units",
    "activities",
}
TOP = {"assessment", "reports"}  # read the domain apps; may read each other
JOBS = "jobs"  # background jobs and the standing schedule: runs other apps' tasks, imported by none
PROJECT = "wastegrid"
APPS = INFRASTRUCTURE | DOMAIN | TOP | {JOBS, PROJECT}

# app → the only apps it may import. Apps not listed may import any app not forbidden to them below.
ONLY: dict[str, set[str]] = {
    "lib": set(),
    "accounts": {"lib"},
    "grid": {"lib", "accounts", "audit"},
}
# app → apps it must not import.
FORBIDDEN: dict[str, set[str]] = {app: set(TOP) for app in DOMAIN | INFRASTRUCTURE | {JOBS}}
FORBIDDEN["guide"] |= DOMAIN - {"guide"}
FORBIDDEN["supervision"] |= {"enforcement", "points"}


def _modules(app: str) -> Iterator[Path]:
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "migrations" in parts or "tests" in parts:
            continue
        yield path


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, top-level package) of every absolute import in the module, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def _edges() -> list[tuple[str, str, str]]:
    """(app, imported app, "module.py:line") for every import of one app by another."""
    edges = []
    for app in sorted(APPS):
        for path in _modules(app):
            for line, target in _imports(path):
                if target in APPS and target != app:
                    edges.append((app, target, f"{path.relative_to(ROOT)}:{line}"))
    return edges


def _allowed(app: str, target: str) -> bool:
    if app in ONLY and target not in ONLY[app]:
        return False
    return target not in FORBIDDEN.get(app, set())


def test_every_app_is_checked() -> None:
    """A new app must be placed on a floor here before it can slip past the rules."""
    ours = {p.parent.name for p in ROOT.glob("*/apps.py")} | {PROJECT}
    assert ours <= APPS, (
        f"apps not placed on a floor in tests/wastegrid/test_layering.py: {sorted(ours - APPS)}"
    )


def test_apps_import_only_the_floors_below() -> None:
    offending = [f"{where} → {target}" for app, target, where in _edges() if not _allowed(app, target)]
    assert not offending, "imports against the layering (docs/architecture.md, Layers):\n" + "\n".join(
        offending
    )


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, …, a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _tangles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per group of apps that import each other round (strongly connected, two or more apps)."""

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reaches = {node: reach(node) for node in graph}
    groups = {frozenset(n for n in reaches if n in reaches[node] and node in reaches[n]) for node in graph}
    cycles = []
    for group in sorted((g for g in groups if len(g) > 1), key=sorted):
        cycle = _cycle({n: graph[n] & group for n in group})
        assert cycle is not None
        cycles.append(cycle)
    return cycles


def test_no_import_cycle_between_apps() -> None:
    edges = _edges()
    graph: dict[str, set[str]] = {}
    for app, target, _where in edges:
        graph.setdefault(app, set()).add(target)
    lines = []
    for cycle in _tangles(graph):
        lines.append(" → ".join(cycle))
        for a, b in zip(cycle, cycle[1:], strict=False):
            lines.append(f"  {a} → {b}: " + ", ".join(w for app, t, w in edges if (app, t) == (a, b)))
    assert not lines, "import cycles between apps:\n" + "\n".join(lines)


def test_the_checker_sees_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    """The reader counts imports inside functions and under `if TYPE_CHECKING:` too."""
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from reports.models import ReportJob\n"
        "def f():\n    import assessment.scoring\n    from grid import models\n"
    )
    assert sorted(_imports(module)) == [(1, "typing"), (3, "reports"), (5, "assessment"), (6, "grid")]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None
    assert _tangles({"a": {"b"}, "b": {"a", "c"}, "c": {"d"}, "d": {"c"}}) == [
        ["a", "b", "a"],
        ["c", "d", "c"],
    ]
