"""How long each test took, per pass of `make test`, so the next run starts the longest first.

Each run's controller records every test's seconds (setup to teardown) into
`.test-durations.json` at the repository root (git ignores it). Before a clone has
run the suite, the scheduler reads `tests/durations.json` instead: the tests of one
second or more, as measured here, committed. Both are only an order: a test missing
from them, or a figure gone stale, changes when a test starts, never whether it runs.
Refresh the committed one after a full `make test` with `python -m tests.durations`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

LOCAL = Path(__file__).resolve().parent.parent / ".test-durations.json"
COMMITTED = Path(__file__).resolve().parent / "durations.json"
COMMITTED_FROM_SECONDS = 1.0

_this_run: dict[str, float] = {}


def _read(path: Path) -> dict[str, dict[str, float]]:
    try:
        recorded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in recorded.items() if isinstance(v, dict)} if isinstance(recorded, dict) else {}


def recorded(pass_name: str) -> dict[str, float]:
    """Seconds per test id for this pass: this checkout's last runs, else the committed figures."""
    return _read(LOCAL).get(pass_name) or _read(COMMITTED).get(pass_name, {})


def longest_first(workqueue: dict[str, dict], durations: dict[str, float]) -> dict[str, dict]:
    """xdist's work units (scope -> its tests), groups of several tests first, then by their recorded
    seconds, longest first (units never timed keep their place among themselves, after the timed ones)."""
    def weight(item):
        _scope, tests = item
        return (len(tests) == 1, -sum(durations.get(nodeid, 0.0) for nodeid in tests))

    return dict(sorted(workqueue.items(), key=weight))


def add(nodeid: str, seconds: float) -> None:
    _this_run[nodeid] = _this_run.get(nodeid, 0.0) + seconds


def save(pass_name: str) -> None:
    """This run's figures over the earlier ones (a partial run keeps the others' figures)."""
    if not _this_run:
        return
    everything = _read(LOCAL)
    everything[pass_name] = {**recorded(pass_name), **{k: round(v, 2) for k, v in _this_run.items()}}
    _write(LOCAL, everything)


def _write(path: Path, content: dict) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(json.dumps(content, indent=0, sort_keys=True) + "\n")
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)  # a read-only checkout: the next run keeps the committed order


if __name__ == "__main__":
    local = _read(LOCAL)
    if not local:
        raise SystemExit(f"{LOCAL} is missing: run `make test` first")
    _write(COMMITTED, {
        name: {k: round(v, 1) for k, v in figures.items() if v >= COMMITTED_FROM_SECONDS}
        for name, figures in local.items() if name != "all"
    })
    print(f"wrote {COMMITTED}: " + ", ".join(f"{n} {len(f)} tests" for n, f in _read(COMMITTED).items()))
