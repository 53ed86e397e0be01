"""The server's garbage-collector pauses, for bench/fanout.py (a benchmark-only endpoint).

    GET /bench/gc  →  [[ended (time.time()), generation, ms, collected], ...]
    GET /bench/gc?collect=1  →  the same, after a full collection made now (timed like any other)

Every full collection (generation 2) and any other of 5 ms or more since the process
started. A full collection walks every object the process tracks: about 830,000 with
5,000 sockets open, 280–450 ms on the session 18 machine, during which no frame goes out.
Growing the heap by a quarter triggers one, so the connection storm leaves one due, and
the first activity after it (the first write) pays it: the fan-out's figures then depend
on whether it lands in the measured writes (bench/README.md, "The 5,000-socket spread").
"""

from __future__ import annotations

import gc
import json
import time

PAUSES: list[tuple[float, int, float, int]] = []
_started = [0.0]


def _record(phase: str, info: dict) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    ms = (time.perf_counter() - _started[0]) * 1000
    if info["generation"] == 2 or ms >= 5:
        PAUSES.append((time.time(), info["generation"], round(ms, 1), info["collected"]))


def install() -> None:
    if _record not in gc.callbacks:
        gc.callbacks.append(_record)


async def endpoint(scope, receive, send) -> None:
    if b"collect=1" in scope.get("query_string", b""):  # what a full collection costs now (recorded like any)
        gc.collect()
    body = json.dumps(PAUSES).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def full_collections(pauses: list, since: float, until: float) -> list[float]:
    """The durations (ms) of the full collections that ended in [since, until]."""
    return [ms for ended, generation, ms, _collected in pauses if generation == 2 and since <= ended <= until]
