"""The layout keeps its promises: no import cycles, and domain apps use realtime's one surface.

Both read the source (ast), so they hold for imports inside functions too.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("wedding", "guests", "rsvp", "seating", "realtime")
# The project configuration wires everything together: it sits on top of every app.
PROJECT_CONFIG = {"wedding", "wedding.settings", "wedding.urls", "wedding.asgi", "wedding.proxy"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an import names (a module, or the package whose attribute it takes)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
            for target in targets:
                resolved = _resolve(target)
                if resolved and resolved != module:
                    graph[module].add(resolved)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(graph) | {n for targets in graph.values() for n in targets}):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_modules():
    assert cycles(import_graph()) == []


def _app_of(module: str) -> str | None:
    if module in PROJECT_CONFIG:
        return None
    best = None
    for config in apps.get_app_configs():
        if (module == config.name or module.startswith(config.name + ".")) and (
            best is None or len(config.name) > len(best)
        ):
            best = config.name
    return best


def app_graph() -> dict[str, set[str]]:
    """Apps and the apps they import. An app's live.py is a declaration realtime discovers
    (as the admin discovers admin.py): it depends on realtime, never the other way round."""
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in import_graph().items():
        source = _app_of(module)
        if source is None:
            continue
        for target in targets:
            app = _app_of(target)
            if module.endswith(".live") and target == "realtime.live":
                continue  # a declaration realtime discovers, not a dependency of the app's code
            if app and app != source:
                graph[source].add(app)
    return graph


def test_no_import_cycle_between_apps():
    assert cycles(app_graph()) == []


def test_domain_apps_use_only_realtimes_public_surface():
    """Domain code imports `realtime.live` and nothing else of realtime (the project config may)."""
    offenders = []
    for module, targets in import_graph().items():
        if module.startswith("realtime") or module in PROJECT_CONFIG:
            continue
        for target in targets:
            if target.startswith("realtime") and target != "realtime.live":
                offenders.append(f"{module} -> {target}")
    assert offenders == []


def test_realtime_names_no_domain_model():
    """realtime knows the tenant (a wedding's version is its ledger) and nothing else of the domain."""
    offenders = [
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        if module.startswith("realtime")
        for target in targets
        if not target.startswith(("realtime", "wedding.core"))
    ]
    assert offenders == []
