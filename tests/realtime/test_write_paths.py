"""Every write path of the product is captured (DESIGN §4.1).

Signal-firing writes (save, delete, m2m) are captured for every tracked
model; this module proves (1) every domain model is tracked and (2) every
write that fires no signal — QuerySet.update/delete, bulk_create,
bulk_update, raw SQL — sits in a function that records the change
explicitly (capture.bulk_change / record_bulk / record_change).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

from realtime.tracking import TRACKED

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_DIRS = ["wedding", "guests", "rsvp", "seating", "realtime"]
# Every installed app that lives in this repository (the wedding package holds several).
PRODUCT_APPS = [
    config.label for config in apps.get_app_configs()
    if any(Path(config.path).is_relative_to(ROOT / folder) for folder in PRODUCT_DIRS)
]
# QuerySet.delete() is not here: it sends pre/post_delete for every row once a
# receiver is connected (ours are), so signals capture it.
SILENT_WRITES = {"update", "bulk_create", "bulk_update", "raw", "execute", "_raw_delete"}
QUERYSET_HINTS = {"objects", "filter", "exclude", "all", "select_for_update", "_default_manager", "order_by"}
CAPTURE_CALLS = {"bulk_change", "record_bulk", "record_change"}
# Modules that implement capture itself, or write only what is not a wedding's state.
EXEMPT = {
    "realtime/capture.py",  # the version bump itself
    "wedding/core/db_rules.py",  # install triggers after migrate
    "rsvp/db_rules.py",
    "seating/db_rules.py",
}


def test_every_domain_model_is_tracked():
    untracked = [
        model._meta.label_lower
        for app in PRODUCT_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.label_lower not in TRACKED and model._meta.label_lower != "realtime.change"
    ]
    assert untracked == [], f"models whose changes would never reach a page: {untracked}"


def _chain_names(node: ast.AST) -> set[str]:
    names = set()
    while True:
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            names.add(node.id)
            return names
        else:
            return names


def _captured_functions(functions: list[ast.FunctionDef | ast.AsyncFunctionDef]) -> set[str]:
    """Names of functions that record their change: directly, or because every call of
    them in the module happens inside a function that does (a private `_write()`
    helper called from within `capture.bulk_change`)."""
    def records(func) -> bool:
        return any(
            (isinstance(n, ast.Attribute) and n.attr in CAPTURE_CALLS)
            or (isinstance(n, ast.Name) and n.id in CAPTURE_CALLS)
            for n in ast.walk(func)
        )

    captured = {f.name for f in functions if records(f)}
    callers: dict[str, set[str]] = {}
    for func in functions:
        for node in ast.walk(func):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name and name != func.name:
                    callers.setdefault(name, set()).add(func.name)
    changed = True
    while changed:
        changed = False
        for func in functions:
            calls = callers.get(func.name)
            if func.name not in captured and calls and calls <= captured:
                captured.add(func.name)
                changed = True
    return captured


def _silent_writes(tree: ast.AST):
    """(function, line, call, captured) for every signal-less write in a module."""
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    captured_names = _captured_functions(functions)
    for func in functions:
        calls = [n for n in ast.walk(func) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
        for call in calls:
            name = call.func.attr
            if name not in SILENT_WRITES:
                continue
            receiver = _chain_names(call.func.value)
            if name == "update" and not (receiver & QUERYSET_HINTS):
                continue  # dict.update(), set.update() …
            if name == "execute" and "cursor" not in receiver:
                continue
            yield func, call.lineno, name, func.name in captured_names


def _product_modules():
    for folder in PRODUCT_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel in EXEMPT:
                continue
            yield rel, ast.parse(path.read_text(), filename=rel)


def test_writes_that_fire_no_signal_record_their_change():
    uncaptured = [
        f"{rel}:{line} {func.name}() calls .{name}() without capture.bulk_change/record_bulk"
        for rel, tree in _product_modules()
        for func, line, name, captured in _silent_writes(tree)
        if not captured
    ]
    assert uncaptured == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("def f(qs):\n    Guest.objects.filter(x=1).update(y=2)\n", False),
        ("def f(qs):\n    with capture.bulk_change(**k) as ids:\n        Guest.objects.filter(x=1).update(y=2)\n", True),
        ("def f(d):\n    d.update(x=1)\n", None),
        (  # a private helper only ever called inside a captured function
            "def _w():\n    Guest.objects.bulk_create([])\n"
            "def f():\n    with capture.bulk_change(**k):\n        _w()\n",
            True,
        ),
        (  # … but not when something else calls it too
            "def _w():\n    Guest.objects.bulk_create([])\n"
            "def f():\n    with capture.bulk_change(**k):\n        _w()\n"
            "def g():\n    _w()\n",
            False,
        ),
    ],
)
def test_the_write_path_scan_itself(source, expected):
    """The scan finds an uncaptured update, accepts a captured one, ignores dict.update."""
    found = [captured for _f, _l, _n, captured in _silent_writes(ast.parse(source))]
    assert found == ([] if expected is None else [expected])
