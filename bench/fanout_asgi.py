"""Confetti's ASGI app for bench/fanout.py, plus one benchmark-only HTTP endpoint.

    daphne bench.fanout_asgi:application

`POST /bench/write?count=K&rate=R&wedding=ID` makes K real writes through the
product's write path (`wedding.services.guestbook_sign`, captured, versioned
and published after commit like any guest's) at R per second (0: as fast as
possible), in this process, and answers with each write's version and commit
time (`time.time()` taken by an on_commit callback registered before the
write's own, i.e. right after COMMIT). The region the sockets watch,
`bench_wall`, shows the latest 20 guestbook entries (about 2 KB of HTML).
`GET /bench/gc`: the process's garbage-collector pauses (`bench.gcpauses`).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wedding.settings")

import wedding.settings as project_settings  # noqa: E402

# The bench region's template lives beside this file (before Django reads TEMPLATES).
project_settings.TEMPLATES[0]["DIRS"] = [*project_settings.TEMPLATES[0]["DIRS"], BENCH_DIR]
# BENCH_DIRECT=0: every frame through the ASGI send (realtime.transport off), for comparison.
if os.environ.get("BENCH_DIRECT") == "0":
    project_settings.REALTIME_DIRECT_WRITES = False
# BENCH_PUBLIC=1: prepared frames through autobahn's public sendPreparedMessage() (one
# Twisted transport.write per socket) instead of the raw socket.send() (realtime.transport).
PUBLIC = os.environ.get("BENCH_PUBLIC") == "1"
# BENCH_ONE_TO_ONE=1: no coalescing, one frame per write per socket even in a burst (the
# hub's raw delivery capacity; the product coalesces bursts, see realtime.hub.DEBOUNCE).
ONE_TO_ONE = os.environ.get("BENCH_ONE_TO_ONE") == "1"

REGION = "bench_wall"


def wall_context(viewer) -> dict:
    from wedding.core.models import Moderation
    from wedding.guestbook.models import GuestbookEntry

    entries = GuestbookEntry.objects.for_wedding(viewer.wedding).filter(status=Moderation.APPROVED)
    return {"entries": list(entries.order_by("-pk")[:20])}


def register_region() -> None:
    from realtime import regions

    regions.register(
        REGION, audience=regions.Audience.GUESTS, topics={"guestbook"},
        template="fanout_region.html", context=wall_context,
    )


def one_write(*, wedding_id: int, n: int, after_commit=None) -> tuple[int, float]:
    """One guestbook entry through the product's service: (version, commit time)."""
    from django.db import transaction

    from guests.models import Household
    from realtime.models import Change
    from wedding.core.models import Wedding
    from wedding.guestbook import services

    wedding = Wedding.objects.get(pk=wedding_id)
    household = Household.objects.filter(wedding=wedding).first()
    stamp: dict[str, float] = {}
    with transaction.atomic():
        transaction.on_commit(lambda: stamp.__setitem__("t", time.time()))
        entry = services.guestbook_sign(
            wedding=wedding, household=household, author_name=f"Bench guest {n}",
            message=f"Congratulations number {n}! " + "x" * 40,
        )
    version = (
        Change.objects.filter(wedding=wedding, object_id=str(entry.pk), model="guestbook.guestbookentry")
        .values_list("version", flat=True).first()
    )
    if after_commit is not None:
        after_commit(version)
    return version, stamp["t"]


def write_endpoint(after_commit=None):
    """ASGI handler for POST /bench/write: K writes at R/s, each like its own request.

    Each write runs in Django's sync thread on its own (as a view would), and
    the pacing waits on the event loop, so sockets are served between writes.
    """
    from asgiref.sync import sync_to_async

    write = sync_to_async(one_write, thread_sensitive=True)

    async def handle(scope, receive, send) -> None:
        while (await receive())["type"] != "http.request":
            pass
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        wedding_id, count, rate = int(query["wedding"]), int(query.get("count", 10)), float(query.get("rate", 5))
        interval = 1.0 / rate if rate > 0 else 0.0
        profile_to = os.environ.get("BENCH_PROFILE")  # profile the event loop thread during writes
        profiler = None
        if profile_to:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        result = []
        for n in range(count):
            if interval:
                delay = started + n * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            result.append(await write(wedding_id=wedding_id, n=n, after_commit=after_commit))
        if profiler is not None:
            await asyncio.sleep(2)  # the last fan-outs
            profiler.disable()
            profiler.dump_stats(f"{profile_to}.{count}")
        body = json.dumps(result).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    return handle


from bench import gcpauses  # noqa: E402
from wedding.asgi import application as confetti  # noqa: E402

register_region()
_write = write_endpoint()
if PUBLIC:
    from realtime import transport as _transport

    _transport.PUBLIC_BROADCAST = True
if ONE_TO_ONE:
    from realtime import hub as _hub

    _hub.LEADING_FRAMES = 10**9  # never "bursting": every change is flushed at once
    _hub.MAX_BACKLOG = 10**9


gcpauses.install()


async def application(scope, receive, send) -> None:
    if scope["type"] == "http" and scope["path"] == "/bench/write":
        await _write(scope, receive, send)
    elif scope["type"] == "http" and scope["path"] == "/bench/gc":
        await gcpauses.endpoint(scope, receive, send)
    else:
        await confetti(scope, receive, send)
