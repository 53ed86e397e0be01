"""The hub's own CPU per delivery, without sockets: N watchers, K changes, no system calls.

    .venv/bin/python bench/fanout_hub.py --sockets 5000 --writes 50

What bench/fanout.py's `us/del` holds besides the `send()` itself: judging a change,
marking and scheduling each socket, planning the flush, deciding its frame. Every watcher
is a guest of its own household watching one public region (as in bench/fanout.py), its
prepared-frame writer only counts, renders are a fixed string, and coalescing is off (one
frame per change per socket, like the paced writes on an idle server). Not part of the suite.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wedding.settings")


class CountingWriter:
    """Stands in for `realtime.transport.DirectSocket`: every write succeeds, nothing is sent."""

    __slots__ = ("frames",)

    def __init__(self) -> None:
        self.frames = 0

    def write(self, data: bytes) -> bool:
        self.frames += 1
        return True


async def run(sockets: int, writes: int) -> tuple[float, list[int]]:
    from realtime import hub as hub_module
    from realtime import regions
    from realtime.regions import Audience, Viewer

    async def render(name, viewer, params) -> str:
        return f'<div id="live-{name}">' + "x" * 2000 + "</div>"

    async def nothing(*args) -> None:
        pass

    hub_module._render_in_thread = render
    hub_module.LEADING_FRAMES = 10**9  # never bursting: one frame per change per socket
    region = regions.register("bench_hub_wall", audience=Audience.GUESTS, topics={"guestbook"}, template="-",
                              context=dict)
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    wedding = SimpleNamespace(pk=1, time_zone="UTC")
    watchers = []
    for n in range(sockets):
        viewer = Viewer(wedding=wedding, audience=Audience.HOUSEHOLD, household=SimpleNamespace(pk=n), language="en")
        watcher = hub_module.Watcher(viewer=viewer, send=nothing, close=nothing, household_id=n, direct=CountingWriter())
        hub.watch(watcher, [hub_module.Watched(region=region, params=(), dom_id="live-bench_hub_wall")])
        await hub.attach(watcher)
        watchers.append(watcher)
    hub.note_version(1, 0)
    first, last = watchers[0], watchers[-1]
    gc.collect()
    collections_before = [g["collections"] for g in gc.get_stats()]
    started = time.process_time()
    for version in range(1, writes + 1):
        hub.on_message({"wedding": 1, "version": version, "topics": ["guestbook"]})
        while first.version < version or last.version < version or hub._due or last.flushing:
            await asyncio.sleep(0)
    cpu = time.process_time() - started
    collections = [g["collections"] - n for g, n in zip(gc.get_stats(), collections_before, strict=True)]
    assert all(w.version == writes and w.direct.frames == writes for w in watchers)
    await hub.shutdown()
    return cpu / (sockets * writes) * 1e6, collections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=5000)
    parser.add_argument("--writes", type=int, default=50)
    args = parser.parse_args()
    import django

    django.setup()
    per_delivery, collections = asyncio.run(run(args.sockets, args.writes))
    print(
        f"{args.sockets} sockets, {args.writes} changes: {per_delivery:.2f} us of hub CPU per delivery (no send); "
        f"garbage collections by generation {collections}"
    )


if __name__ == "__main__":
    main()
