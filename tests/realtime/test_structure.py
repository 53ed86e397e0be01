"""The realtime package's shape (issue 12): imports point one way, server internals stay in one
file, and the decision cores are plain code."""

from __future__ import annotations

import ast
from pathlib import Path

import realtime

PACKAGE = Path(realtime.__file__).parent
# Server internals: only realtime/transport.py may import these.
SERVER_INTERNALS = ("daphne", "twisted", "autobahn", "channels.sessions", "channels.consumer")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "realtime":  # `from realtime import hub`
                found.update(f"realtime.{alias.name}" for alias in node.names)
    return found


def _realtime_modules() -> dict[str, Path]:
    return {f"realtime.{path.stem}": path for path in PACKAGE.glob("*.py") if path.stem != "__init__"}


def test_the_realtime_modules_import_each_other_without_a_cycle():
    modules = _realtime_modules()
    graph = {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            name, trail = stack.pop()
            for target in graph[name]:
                if target == start:
                    return [*trail, start]
                if target not in trail:
                    stack.append((target, [*trail, target]))
        return None

    cycles = [cycle for name in sorted(graph) if (cycle := cycle_from(name))]
    assert cycles == [], f"import cycles: {cycles}"
    assert "realtime.hub" in graph["realtime.publish"]  # publishing hands changes to the hub …
    assert "realtime.publish" not in graph["realtime.hub"]  # … and never the other way round


def test_only_transport_touches_server_internals():
    offenders = {
        name: sorted(m for m in _imports(path) if m.startswith(SERVER_INTERNALS))
        for name, path in _realtime_modules().items()
        if name != "realtime.transport"
    }
    assert {name: found for name, found in offenders.items() if found} == {}
    assert _imports(PACKAGE / "transport.py") & {"daphne.server", "autobahn.websocket.protocol"}


def test_the_ledger_and_the_debounce_policy_are_plain_code():
    for name in ("ledger", "debounce", "protocol"):
        imported = _imports(PACKAGE / f"{name}.py")
        assert not {m for m in imported if m.split(".")[0] in {"asyncio", "socket", "django", "channels"}}, name
