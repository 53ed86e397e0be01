"""`manage.py realtime_status` says which send path each process's frames take."""

from __future__ import annotations

import io
import tempfile
import time

from django.core.management import call_command

from realtime import stats


def _status() -> str:
    out = io.StringIO()
    call_command("realtime_status", stdout=out)
    return out.getvalue()


def test_status_names_each_processs_send_path(db, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    now = time.time()
    stats.write_counters({
        "process": "direct1", "pid": 101, "state": "live", "send_path": "direct prepared frames",
        "frames_out": 80, "direct_frames": 78, "updated_at": now,
    })
    stats.write_counters({
        "process": "asgi1", "pid": 102, "state": "live", "send_path": "ASGI send",
        "frames_out": 5, "direct_frames": 0, "updated_at": now,
    })
    stats.write_counters({
        "process": "public1", "pid": 103, "state": "live", "send_path": "public autobahn broadcast",
        "frames_out": 0, "direct_frames": 0, "updated_at": now,
    })

    lines = _status().splitlines()

    def send_path_of(pid: int) -> str:
        index = next(i for i, line in enumerate(lines) if f"pid {pid} " in line)
        return lines[index + 1].strip()

    assert send_path_of(101) == "send path: direct prepared frames (78 of 80 frames; the rest through the ASGI send)"
    assert send_path_of(102) == "send path: ASGI send"
    assert send_path_of(103) == "send path: public autobahn broadcast"
