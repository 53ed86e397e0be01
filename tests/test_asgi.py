"""wedding/asgi.py, as a server process loads it."""

from __future__ import annotations

from tests.conftest import run_with_settings


def test_what_the_server_loads_at_start_is_left_out_of_every_garbage_collection():
    """A full collection walks every tracked object (a quarter of a second with 5,000 sockets open);
    the modules, classes and settings loaded at start never become garbage, so they are frozen."""
    script = (
        "import gc\n"
        "before = len(gc.get_objects())\n"
        "import wedding.asgi\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()), before)\n"
    )
    out = run_with_settings(script)
    assert out.returncode == 0, out.stderr
    frozen, walked, before = map(int, out.stdout.split())
    assert frozen > 50_000 > before  # Django and the apps, not just the interpreter's own
    assert walked < frozen / 10  # what a collection still walks: what was made after start
