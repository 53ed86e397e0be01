"""Each process's live counters, published for `manage.py realtime_status` (DESIGN §4.14).

A hub keeps a `Counter` (open sockets are counted from its watchers) and
writes a snapshot every `STATS_INTERVAL` seconds: to a Redis hash when
`REDIS_URL` is set (so the status command sees every process), else to a
file per process in the temp directory.
"""

from __future__ import annotations

import collections
import json
import os
import tempfile
import time

from django.conf import settings

STATS_INTERVAL = 5.0  # seconds between counter snapshots for realtime_status
STATS_KEY = "confetti:realtime:hubs"


def new_counters() -> collections.Counter:
    """A hub's event counters, all zero."""
    return collections.Counter(
        messages_in=0, duplicates=0, frames_out=0, direct_frames=0, renders=0, render_errors=0, resyncs=0,
        gaps=0, layer_errors=0, closed_by_server=0,
        filled=0,  # versions whose message never came, read from the change log instead (a gap, the audit)
        unchanged_skipped=0,  # frames sent without a region whose HTML had not changed (version only)
        # realtime.limits: sockets refused over a cap, dropped for not reading, frames throttled
        refused_principal_cap=0, refused_address_cap=0, closed_slow=0, throttled_frames=0,
    )


def _stats_folder() -> str:
    return os.path.join(tempfile.gettempdir(), "confetti-realtime")


def _stats_file(process: str) -> str:
    folder = _stats_folder()
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"{process}.json")


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def write_counters(counters: dict) -> None:
    """Publish this process's counters for realtime_status (Redis hash, else a temp file)."""
    if settings.REDIS_URL:
        client = _redis()
        try:
            client.hset(STATS_KEY, counters["process"], json.dumps(counters))
        finally:
            client.close()
        return
    path = _stats_file(counters["process"])
    with open(path + ".tmp", "w") as handle:
        json.dump(counters, handle)
    os.replace(path + ".tmp", path)


def read_counters(max_age: float = STATS_INTERVAL * 4) -> list[dict]:
    """Every live process's latest counters (stale entries are dropped)."""
    now = time.time()
    found = []
    if settings.REDIS_URL:
        client = _redis()
        try:
            for process, raw in client.hgetall(STATS_KEY).items():
                data = json.loads(raw)
                if now - data.get("updated_at", 0) > max_age:
                    client.hdel(STATS_KEY, process)
                else:
                    found.append(data)
        finally:
            client.close()
        return found
    folder = _stats_folder()
    if not os.path.isdir(folder):
        return []
    for name in os.listdir(folder):
        if not name.endswith(".json"):
            continue
        path = os.path.join(folder, name)
        try:
            with open(path) as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            continue
        if now - data.get("updated_at", 0) > max_age:
            try:
                os.remove(path)
            except OSError:
                pass
        else:
            found.append(data)
    return found
