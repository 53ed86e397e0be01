"""Soak run: 500 guest sockets + 5 planner sockets on ONE daphne for a while, steady writes.

    .venv/bin/python bench/soak.py                      # 10 minutes (issue 8)
    .venv/bin/python bench/soak.py --seconds 60         # a short run
    .venv/bin/python bench/soak.py --redis              # through a private redis-server layer
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/confetti_soak .venv/bin/python bench/soak.py

Sets up a fresh database (a temporary SQLite file unless DATABASE_URL names a
scratch database: it is migrated and gets one more wedding), starts daphne
serving the product's own application, connects the sockets (guests watch the
guestbook wall, the song queue and their own songs; planners watch the DJ
queue and the activity feed), then makes writes at a steady rate through the
product's HTTP endpoints, as people do:

* 60%: a guest signs the guestbook            → every guest socket must show it
* 20%: a guest requests a song                → that household's socket and every planner socket
* 20%: a planner approves the oldest request  → every guest socket (song queue)

Printed at the end:
* server memory (RSS of the daphne process) after warm-up and at the end,
  its growth, and whether it stayed under the stated bound (--rss-bound-mb);
* lost updates: (socket, write) pairs whose write never showed on that
  socket, and sockets whose final version is not the wedding's version;
* request-to-frame latency p50/p95/p99 over all (socket, write) pairs (from
  just before the write's HTTP request to the first frame showing it).

Not part of the test suite. The clients run in this process on the same
(shared) cores as the server, so the figures are pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import string
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# Every benchmark socket comes from one address (and here often one session): lift the
# per-principal and per-address socket caps (realtime/limits.py) for the servers it starts.
os.environ.setdefault("REALTIME_MAX_SOCKETS_PER_PRINCIPAL", "1000000")
os.environ.setdefault("REALTIME_MAX_SOCKETS_PER_ADDRESS", "1000000")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GUEST_REGIONS = [
    {"name": "guestbook_wall", "params": {}},
    {"name": "song_queue", "params": {}},
    {"name": "my_songs", "params": {}},
]
PLANNER_REGIONS = [{"name": "dj_queue", "params": {}}, {"name": "dash_activity", "params": {}}]
WAVE = 25  # sockets opened together
CSRF = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(32))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def cpu_seconds(pid: int) -> float:
    """user + system CPU time of a process."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Socket:
    kind: str  # "guest" | "planner"
    session: str
    household_id: int | None
    unseen: dict[str, float] = field(default_factory=dict)  # token -> when its write was sent
    latencies: list[float] = field(default_factory=list)
    version: int = 0
    frames: int = 0
    closes: int = 0
    welcomed: bool = False
    ws: object = None


def setup(database_url: str, guests: int, planners: int) -> tuple[int, list[tuple[int, str]], list[str]]:
    """Migrate, then one wedding with `guests` households (one guest each) and `planners` planners."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wedding.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from tests import factories
    from tests.integration.helpers import household_session_key, planner_session_key

    users = [factories.UserFactory(username=f"soak-planner-{secrets.token_hex(4)}") for _ in range(planners)]
    wedding = factories.WeddingFactory(guestbook_moderation=False, planners=users)
    households = []
    for _ in range(guests):
        household = factories.HouseholdFactory(wedding=wedding)
        factories.GuestFactory(household=household)
        households.append((household.pk, household_session_key(household)))
    return wedding.pk, households, [planner_session_key(u) for u in users]


def wedding_version(wedding_id: int) -> int:
    from wedding.core.models import Wedding

    return Wedding.objects.get(pk=wedding_id).version


def first_guest(household_id: int) -> int:
    from guests.models import Guest

    return Guest.objects.filter(household_id=household_id).values_list("pk", flat=True).first()


def oldest_requested_song(wedding_id: int) -> int | None:
    from wedding.songs.models import SongRequest

    return (
        SongRequest.objects.filter(wedding_id=wedding_id, status=SongRequest.Status.REQUESTED)
        .order_by("created_at")
        .values_list("pk", flat=True)
        .first()
    )


def song_title(song_id: int) -> str:
    from wedding.songs.models import SongRequest

    return SongRequest.objects.get(pk=song_id).title


async def run_socket(sock: Socket, url: str, regions: list[dict], stop: asyncio.Event) -> None:
    import websockets

    headers = {"Origin": url.replace("ws://", "http://").split("/ws/")[0], "Cookie": f"sessionid={sock.session}"}
    attempts = 0
    while not stop.is_set():
        try:
            async with websockets.connect(
                url, additional_headers=headers, open_timeout=30, max_size=16 * 1024 * 1024, ping_interval=None
            ) as ws:
                sock.ws = ws
                await ws.send(json.dumps({"t": "hello", "v": sock.version, "regions": regions}))
                async for raw in ws:
                    now = time.monotonic()
                    frame = json.loads(raw)
                    sock.frames += 1
                    if frame.get("t") == "welcome":
                        sock.welcomed, attempts = True, 0
                    if frame.get("t") != "update":
                        continue
                    sock.version = max(sock.version, int(frame.get("v") or 0))
                    html = "".join(r.get("html", "") for r in frame.get("regions", []))
                    for token in [t for t in sock.unseen if t in html]:
                        sock.latencies.append(now - sock.unseen.pop(token))
        except Exception:  # noqa: BLE001 - a soak counts closes and reconnects like the glue does
            pass
        sock.ws, sock.welcomed = None, False
        sock.closes += 1
        if not stop.is_set():
            # The browser glue's backoff: 0.5 s doubling to 30 s, jittered.
            attempts += 1
            base = min(30.0, 0.5 * 2 ** (attempts - 1))
            await asyncio.sleep(base / 2 + random.random() * base / 2)


async def soak(args: argparse.Namespace) -> dict:
    from tests.e2e.servers import PRODUCT_ASGI_APP, DaphneServer, RedisServer

    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='confetti-soak-')}/soak.sqlite3"
    redis = None
    if args.redis:
        redis = RedisServer()
        redis.start()
    print(f"setting up {args.guests} households and {args.planners} planners on {database_url.split('@')[-1]} …")
    wedding_id, households, planner_sessions = await asyncio.to_thread(
        setup, database_url, args.guests, args.planners
    )
    server = DaphneServer(database_url=database_url, redis_url=redis.url if redis else None, app=PRODUCT_ASGI_APP)
    server.start()
    print(f"daphne pid {server.pid} on {server.url} (log {server.log_path})")
    stop = asyncio.Event()
    url = f"{server.ws_url}/ws/live/?wedding={wedding_id}"
    guests = [Socket("guest", key, pk) for pk, key in households]
    planners = [Socket("planner", key, None) for key in planner_sessions]
    by_household = {s.household_id: s for s in guests}
    guest_regions = [r for r in GUEST_REGIONS if not (args.no_household_regions and r["name"] == "my_songs")]
    tasks = []
    everyone = [*guests, *planners]
    opening = time.monotonic()
    for start in range(0, len(everyone), WAVE):
        wave = everyone[start:start + WAVE]
        for sock in wave:
            regions = guest_regions if sock.kind == "guest" else PLANNER_REGIONS
            tasks.append(asyncio.create_task(run_socket(sock, url, regions, stop)))
        # Pages open in waves (as guests arrive), each wave welcomed before the next.
        deadline = time.monotonic() + 30
        while not all(s.welcomed for s in wave) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    await asyncio.sleep(2)
    connected = sum(1 for s in everyone if s.welcomed)
    print(f"opened in {time.monotonic() - opening:.1f} s")
    rss_start = rss_mb(server.pid)
    print(f"{connected} sockets open; server RSS {rss_start:.1f} MB; writing {args.rate}/s for {args.seconds}s …")

    import httpx

    guest_clients: dict[int, httpx.AsyncClient] = {}

    def guest_client(household_id: int, session: str) -> httpx.AsyncClient:
        if household_id not in guest_clients:
            guest_clients[household_id] = httpx.AsyncClient(
                base_url=server.url, cookies={"sessionid": session, "csrftoken": CSRF}, timeout=30
            )
        return guest_clients[household_id]

    planner_http = httpx.AsyncClient(
        base_url=server.url, cookies={"sessionid": planner_sessions[0], "csrftoken": CSRF}, timeout=30
    )
    writes = {"guestbook": 0, "song": 0, "approve": 0, "failed": 0}
    rss_samples = [rss_start]
    server_cpu_start, client_cpu_start = cpu_seconds(server.pid), time.process_time()
    started = time.monotonic()
    next_write = started
    next_sample = started + 10
    counter = 0
    while time.monotonic() - started < args.seconds:
        now = time.monotonic()
        if now >= next_sample:
            rss_samples.append(rss_mb(server.pid))
            next_sample += 10
        if now < next_write:
            await asyncio.sleep(min(next_write - now, 0.05))
            continue
        next_write += 1 / args.rate
        counter += 1
        token = f"soak{counter:06d}x{secrets.token_hex(3)}"
        roll = random.random()
        household_id, session = random.choice(households)
        client = guest_client(household_id, session)
        headers = {"X-CSRFToken": CSRF}
        sent = time.monotonic()
        try:
            if roll < 0.6:
                for sock in guests:
                    sock.unseen[token] = sent
                response = await client.post(
                    "/guestbook/", data={"author_name": "Soak", "message": token}, headers=headers
                )
                kind = "guestbook"
            elif roll < 0.8:
                guest_id = await asyncio.to_thread(first_guest, household_id)
                if any(r["name"] == "my_songs" for r in guest_regions):
                    by_household[household_id].unseen[token] = sent
                for sock in planners:
                    sock.unseen[token] = sent
                response = await client.post(
                    "/songs/", data={"guest": guest_id, "title": token, "artist": "Soak"}, headers=headers
                )
                kind = "song"
            else:
                song_id = await asyncio.to_thread(oldest_requested_song, wedding_id)
                if song_id is None:
                    continue
                title = await asyncio.to_thread(song_title, song_id)
                for sock in guests:
                    sock.unseen[title] = sent
                response = await planner_http.post(
                    f"/admin/songs/songrequest/{song_id}/set-status/", data={"status": "approved"}, headers=headers
                )
                kind = "approve"
            if response.status_code >= 400:
                raise RuntimeError(f"{kind}: HTTP {response.status_code}")
            writes[kind] += 1
        except Exception as error:  # noqa: BLE001 - counted and reported
            writes["failed"] += 1
            print(f"  write failed: {error}")
    elapsed = time.monotonic() - started
    server_cpu = cpu_seconds(server.pid) - server_cpu_start
    client_cpu = time.process_time() - client_cpu_start
    print("writes done; draining 10 s …")
    await asyncio.sleep(10)
    final_version = await asyncio.to_thread(wedding_version, wedding_id)
    rss_end = rss_mb(server.pid)
    rss_samples.append(rss_end)
    stop.set()
    for sock in [*guests, *planners]:
        if sock.ws is not None:
            await sock.ws.close()
    for task in tasks:
        task.cancel()
    for client in [*guest_clients.values(), planner_http]:
        await client.aclose()
    server.stop()
    if redis:
        redis.stop()

    latencies = [lat for s in everyone for lat in s.latencies]
    lost = sum(len(s.unseen) for s in everyone)
    behind = sum(1 for s in everyone if s.version != final_version)
    result = {
        "seconds": round(elapsed, 1),
        "sockets": {"guest": len(guests), "planner": len(planners), "connected_after_warmup": connected},
        "layer": "redis" if args.redis else "in-memory",
        "writes": writes,
        "write_rate": round(sum(v for k, v in writes.items() if k != "failed") / elapsed, 2),
        "deliveries": len(latencies),
        "lost_updates": lost,
        "sockets_not_at_final_version": behind,
        "reconnects": sum(max(s.closes - 1, 0) for s in everyone),
        "latency_ms": {q: round(percentile(latencies, q) * 1000) for q in (50, 95, 99)},
        "latency_max_ms": round(max(latencies) * 1000) if latencies else None,
        "rss_mb": {"after_warmup": round(rss_start, 1), "end": round(rss_end, 1), "max": round(max(rss_samples), 1)},
        "rss_growth_mb": round(rss_end - rss_start, 1),
        "rss_bound_mb": args.rss_bound_mb,
        "rss_within_bound": (rss_end - rss_start) <= args.rss_bound_mb,
        "frames": sum(s.frames for s in everyone),
        "guest_regions": [r["name"] for r in guest_regions],
        "server_cpu_percent": round(100 * server_cpu / elapsed),
        "client_cpu_percent": round(100 * client_cpu / elapsed),
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="how long to write (default 600)")
    parser.add_argument("--guests", type=int, default=500, help="guest sockets (one household each)")
    parser.add_argument("--planners", type=int, default=5, help="planner sockets")
    parser.add_argument("--rate", type=float, default=2.0, help="writes per second (default 2)")
    parser.add_argument("--redis", action="store_true", help="run daphne on a private redis-server layer")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="scratch database (default: temp SQLite)")
    parser.add_argument(
        "--no-household-regions", action="store_true",
        help="guests watch only the shared regions (not my_songs, rendered once per household)",
    )
    parser.add_argument("--rss-bound-mb", type=float, default=50.0, help="allowed server RSS growth (default 50 MB)")
    args = parser.parse_args()
    result = asyncio.run(soak(args))
    print()
    print(f"duration            {result['seconds']} s, layer {result['layer']}; guests watch {result['guest_regions']}")
    print(f"CPU                 server {result['server_cpu_percent']}% of a core, "
          f"clients {result['client_cpu_percent']}% (same machine)")
    print(f"sockets             {result['sockets']}")
    print(f"writes              {result['writes']} ({result['write_rate']}/s)")
    print(f"deliveries          {result['deliveries']} (socket, write) pairs; frames {result['frames']}")
    print(f"lost updates        {result['lost_updates']}; sockets behind the final version: "
          f"{result['sockets_not_at_final_version']}; reconnects {result['reconnects']}")
    lat = result["latency_ms"]
    print(f"request-to-frame    p50 {lat[50]} ms, p95 {lat[95]} ms, p99 {lat[99]} ms, max {result['latency_max_ms']} ms")
    rss = result["rss_mb"]
    print(f"server RSS          {rss['after_warmup']} → {rss['end']} MB (max {rss['max']}), growth "
          f"{result['rss_growth_mb']} MB, bound {result['rss_bound_mb']} MB: "
          f"{'OK' if result['rss_within_bound'] else 'EXCEEDED'}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
