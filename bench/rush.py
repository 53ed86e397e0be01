"""Invitation rush (issue 19): N households RSVP within minutes while guests and planners watch.

    .venv/bin/python bench/rush.py                                  # 1,000 households over 120 s
    .venv/bin/python bench/rush.py --households 100 --seconds 60 --guest-sockets 200
    .venv/bin/python bench/rush.py --profile /tmp/rush.svg           # + py-spy of the server (pip install py-spy)

A fresh SQLite file (or --database-url, a scratch database that gets migrated) with
--weddings weddings on ONE daphne process (the product's application, DEBUG off, statics
collected, throttles on behind a pretend proxy so each household has its own address).
Each wedding has a ceremony and a dinner with two meals, published seating, and its share
of the households (two guests each, seated). Before the rush, --guest-sockets households
that are not rushing keep their home page open (the regions of the real /home/ page, read
from it) and --planner-sockets planners keep the dashboard open (regions of the real
/admin/dashboard/<id>/ page), spread over the weddings.

Then locust (bench/rush_locust.py, headless, bounded) plays the households, arriving
evenly over --seconds: entry link → home → RSVP form → submit → done → table page, with a
think time between steps; one more locust user fetches the plain entry page `/` all along
(the floor, same server, same run).

Printed: per step count, errors, p50/p95/max ms and p95 ÷ the floor's p95; "RSVP on the
planner's socket": for every (planner socket of the wedding, RSVP) pair, the time from the
guest pressing submit (and from the submit's answer) to the first frame on that planner's
socket whose version covers the RSVP's change (the versions of the household's own change
rows, read from the database after the run); pairs never covered; server CPU and RSS; the
machine's load (`uptime`) before and after.

--servers N (default 1): N daphne processes of the same application sharing the database and a
private redis-server (REDIS_URL: the channel layer and the cache, as deployed behind nginx),
the load spread as a sticky balancer would: household i of the plan (its locust user, or its
guest socket) and planner i go to server i mod N; the floor user stays on server 0. A planner's
socket then sees RSVPs made on the other processes through Redis. CPU and RSS per server, summed.

Not part of the test suite. Locust, the sockets and the server share the machine's cores,
so the figures are pessimistic.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET_KEY = "rush-bench-" + "k" * 50
WAVE = 25  # sockets opened together
FRAME_RE = re.compile(r'^\{"t": ?"(\w+)", ?"v": ?(\d+)')  # welcome frames are json.dumps'd, updates compact


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def pct(values: list[float], q: float, scale: float = 1.0) -> int | None:
    """The q-th percentile of values × scale, rounded; None when there are no values."""
    return round(percentile(values, q) * scale) if values else None


def cpu_ms_per_request(cpu_seconds_used: float, requests: int) -> float | None:
    """The server's CPU over the rush divided by the requests it answered (its live work included)."""
    return round(1000 * cpu_seconds_used / requests, 1) if requests else None


def assign_servers(items: list[dict], servers: int) -> list[dict]:
    """A sticky balancer's spread: item i of the list (a household or a planner) goes to server i mod N."""
    for i, item in enumerate(items):
        item["server"] = i % servers
    return items


def server_figures(cpu_used: list[float], rss: list[dict[str, float]], elapsed: float) -> dict:
    """Per server (CPU % of a core over `elapsed`, RSS start/peak/end MB) and their sums."""
    per_server = [
        {"cpu_percent": round(100 * cpu / elapsed), **{k: round(v, 1) for k, v in r.items()}}
        for cpu, r in zip(cpu_used, rss, strict=True)
    ]
    return {
        "server_cpu_percent": round(100 * sum(cpu_used) / elapsed),
        "rss_mb": {k: round(sum(r[k] for r in rss), 1) for k in ("start", "peak", "end")},
        "per_server": per_server,
    }


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU of every PostgreSQL process on this machine (its backends included): the database's
    share of a run, on the same cores as the servers."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/comm") as handle:
                if handle.read().strip() == "postgres":
                    total += cpu_seconds(int(entry.name))
        except OSError:  # ended meanwhile
            continue
    return total


def children_cpu_seconds() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# --- the database -------------------------------------------------------------------------


def setup(database_url: str, args) -> dict:
    """Migrate; the weddings, their households (rushing and watching) and planners. Returns the plan."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["SECRET_KEY"] = SECRET_KEY  # the server's: the sessions made here must be readable there
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wedding.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from guests.codes import new_code, new_household_key
    from guests.models import Guest, Household
    from rsvp.models import Invitation
    from seating.models import Seat
    from tests import factories
    from tests.integration.helpers import household_session_key, planner_session_key

    tag = f"{random.randrange(16**6):06x}"
    weddings = []
    for w in range(args.weddings):
        wedding = factories.WeddingFactory(
            name=f"Rush wedding {w} {tag}", slug=f"rush-{tag}-{w}", guestbook_moderation=False, seating_published=True,
        )
        ceremony = factories.EventFactory(wedding=wedding, name="Ceremony", order=1)
        dinner = factories.EventFactory(wedding=wedding, name="Dinner", order=2)
        factories.MealOptionFactory(event=dinner, name="Fish")
        factories.MealOptionFactory(event=dinner, name="Vegetables", is_vegetarian=True)
        weddings.append((wedding, [ceremony, dinner]))

    rushing, watching, tables = [], [], {}
    total = args.households + args.guest_sockets
    for n in range(total):
        wedding, events = weddings[n % len(weddings)]
        household = Household.objects.create(
            wedding=wedding, name=f"The Rush{n} family", invitation_code=new_code(), key=new_household_key(),
        )
        guests = Guest.objects.bulk_create([
            Guest(wedding=wedding, household=household, first_name=f"Rush{n}", last_name=who)
            for who in ("Adult", "Partner")
        ])
        Invitation.objects.bulk_create([
            Invitation(wedding=wedding, guest=g, event=e) for g in guests for e in events
        ])
        table_no = n // len(weddings) // 4  # four households a table
        table = tables.get((wedding.pk, table_no))
        if table is None:
            table = factories.TableFactory(event=events[1], wedding=wedding, name=f"Table {table_no + 1}", capacity=8)
            tables[(wedding.pk, table_no)] = table
        Seat.objects.bulk_create([Seat(wedding=wedding, event=events[1], table=table, guest=g) for g in guests])
        item = {"id": household.pk, "code": household.invitation_code, "wedding": wedding.pk}
        if n < args.households:
            rushing.append(item)
        else:
            item["session"] = household_session_key(household)
            watching.append(item)
    planners = []
    for p in range(args.planner_sockets):
        wedding, _ = weddings[p % len(weddings)]
        user = factories.UserFactory(username=f"rush-planner-{tag}-{p}")
        wedding.planners.add(user)
        planners.append({"wedding": wedding.pk, "session": planner_session_key(user)})
    random.shuffle(rushing)  # weddings' invitations go out together: households interleave
    return {"rushing": rushing, "watching": watching, "planners": planners, "weddings": [w.pk for w, _ in weddings]}


def rsvp_versions(household_ids: list[int]) -> dict[int, int]:
    """Per household, the highest version among its own RSVP change rows (what its submit committed)."""
    from django.db.models import Max

    from realtime.models import Change

    rows = (
        Change.objects.filter(actor_household_id__in=household_ids, topic="rsvp")
        .values("actor_household_id").annotate(v=Max("version"))
    )
    return {row["actor_household_id"]: row["v"] for row in rows}


class RsvpFormParser(HTMLParser):
    """The page's RSVP form (the POST form with answer fields), filled as a guest who accepts everything."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._form: dict[str, str] | None = None
        self._select: str | None = None

    @property
    def data(self) -> dict[str, str]:
        return next((f for f in self.forms if any(k.endswith("_status") for k in f)), {})

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "hidden":
                self._form[name] = a.get("value", "")
            elif kind == "radio" and name.endswith("_status") and a.get("value") == "attending":
                self._form[name] = "attending"
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value") and self._select not in self._form:
            self._form[self._select] = a["value"]  # the first meal on the menu

    def handle_endtag(self, tag) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


# --- the sockets --------------------------------------------------------------------------


class LivePageParser(HTMLParser):
    """What live.js reads from a page: the socket path, the version and the regions' names and params."""

    def __init__(self) -> None:
        super().__init__()
        self.socket = ""
        self.version = 0
        self.regions: list[dict] = []

    def handle_starttag(self, tag, attrs) -> None:
        from urllib.parse import parse_qsl

        a = dict(attrs)
        if a.get("id") == "live-page":
            self.socket, self.version = a.get("data-live-socket", ""), int(a.get("data-live-version") or 0)
        if "data-live-region" in a:
            params = dict(parse_qsl(a.get("data-live-params") or ""))
            self.regions.append({"name": a["data-live-region"], "params": params})


async def live_page(base_url: str, path: str, session: str) -> LivePageParser:
    import httpx

    async with httpx.AsyncClient(base_url=base_url, cookies={"sessionid": session}, timeout=30) as http:
        response = await http.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: HTTP {response.status_code}")
    parser = LivePageParser()
    parser.feed(response.text)
    if not parser.socket or not parser.regions:
        raise SystemExit(f"GET {path}: no live page or no regions on it")
    return parser


@dataclass
class Socket:
    kind: str  # "guest" | "planner"
    wedding: int
    session: str
    path: str
    regions: list[dict]
    version: int = 0
    frames: list[tuple[float, int]] = field(default_factory=list)  # (time.time(), v) of update frames
    closes: int = 0
    welcomed: bool = False
    ws: object = None
    error: str = ""  # how the last connection ended, if it failed
    server: int = 0  # which of the --servers it is connected to


async def run_socket(sock: Socket, base_ws: str, origin: str, stop: asyncio.Event) -> None:
    import websockets

    headers = {"Origin": origin, "Cookie": f"sessionid={sock.session}"}
    attempts = 0
    while not stop.is_set():
        try:
            async with websockets.connect(
                base_ws + sock.path, additional_headers=headers, open_timeout=30, max_size=None,
                ping_interval=None, compression=None,
            ) as ws:
                sock.ws = ws
                await ws.send(json.dumps({"t": "hello", "v": sock.version, "regions": sock.regions}))
                async for raw in ws:
                    now = time.time()
                    head = FRAME_RE.match(raw[:80] if isinstance(raw, str) else raw[:80].decode(errors="replace"))
                    if head and head.group(1) == "welcome":
                        sock.welcomed, attempts = True, 0
                    elif head and head.group(1) == "update":
                        v = int(head.group(2))
                        sock.frames.append((now, v))
                        sock.version = max(sock.version, v)
        except Exception as error:  # noqa: BLE001 - counted like the glue counts closes
            sock.error = repr(error)[:200]
        sock.ws, sock.welcomed = None, False
        sock.closes += 1
        if not stop.is_set():
            attempts += 1
            await asyncio.sleep(random.random() * min(1.5, 0.25 * 2 ** (attempts - 1)))  # live.js's ladder


def covered_at(frames: list[tuple[float, int]], version: int) -> float | None:
    for when, v in frames:  # in arrival order
        if v >= version:
            return when
    return None


# --- the run ------------------------------------------------------------------------------


def deployed_env(secret_key: str, static_root: str) -> dict[str, str]:
    """A server's settings as a host runs it (DEBUG off: no query log, collected and hashed statics),
    behind no TLS (127.0.0.1). Shared by the benchmarks that start servers."""
    return {
        "DEBUG": "false", "SECRET_KEY": secret_key, "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": static_root, "LOG_LEVEL": "WARNING",
        # Every bench socket comes from 127.0.0.1: lift the per-address socket cap (realtime/limits.py).
        "REALTIME_MAX_SOCKETS_PER_ADDRESS": "1000000",
    }


def collect_static(env: dict[str, str], database_url: str) -> None:
    """`collectstatic` into env's STATIC_ROOT: with DEBUG off the pages link the hashed names it writes."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True,
        env={**os.environ, **env, "DATABASE_URL": database_url},
    )


def start_server(
    database_url: str, *, conn_max_age: str = "0", pool_max_size: str = "10", redis_url: str | None = None,
    static_root: str | None = None,
):
    """One daphne process serving the product (DEBUG off, statics collected, throttles on behind a
    pretend proxy) on `database_url`; started. Also used by bench/rush_steps.py. With `redis_url`
    its channel layer (and cache) is that Redis; `static_root` already collected: not collected again."""
    from tests.e2e.servers import PRODUCT_ASGI_APP, DaphneServer

    server_env = {
        **deployed_env(SECRET_KEY, static_root or tempfile.mkdtemp(prefix="confetti-rush-static-")),
        "CONN_MAX_AGE": conn_max_age, "DATABASE_POOL_MAX_SIZE": pool_max_size, "RATELIMIT_ENABLE": "true",
        "BEHIND_PROXY": "true",
    }
    if static_root is None:
        collect_static(server_env, database_url)
    server = DaphneServer(database_url=database_url, app=PRODUCT_ASGI_APP, extra_env=server_env, redis_url=redis_url)
    server.start()
    return server


async def rush(args) -> dict:
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='confetti-rush-')}/rush.sqlite3"
    print(f"uptime before setup: {uptime()}")
    print(f"setting up {args.weddings} weddings, {args.households} rushing + {args.guest_sockets} watching "
          f"households, {args.planner_sockets} planners on {database_url.split('@')[-1]} …", flush=True)
    plan = await asyncio.to_thread(setup, database_url, args)
    for items in (plan["rushing"], plan["watching"], plan["planners"]):
        assign_servers(items, args.servers)
    redis = None
    if args.servers > 1:
        from tests.e2e.servers import RedisServer

        redis = RedisServer()
        redis.start()
        print(f"redis-server pid {redis.pid} on {redis.url}", flush=True)
    servers = []
    try:
        for _ in range(args.servers):
            servers.append(start_server(
                database_url, conn_max_age=args.conn_max_age, pool_max_size=args.pool_max_size,
                redis_url=redis.url if redis else None, static_root=servers[0].extra_env["STATIC_ROOT"] if servers else None,
            ))
            print(f"daphne pid {servers[-1].pid} on {servers[-1].url} (log {servers[-1].log_path})", flush=True)
        return await rush_on(args, plan, servers)
    finally:
        for server in servers:
            server.stop()
        if redis is not None:
            redis.stop()


async def rush_on(args, plan: dict, servers: list) -> dict:
    server = servers[0]  # the pages the sockets read their regions from; the floor; the profile
    stop = asyncio.Event()
    tasks: list[asyncio.Task] = []
    sockets: list[Socket] = []
    locust = profiler = None
    try:
        guest_page = await live_page(server.url, "/home/", plan["watching"][0]["session"]) if plan["watching"] else None
        planner_pages = {}
        for p in plan["planners"]:
            if p["wedding"] not in planner_pages:
                planner_pages[p["wedding"]] = await live_page(server.url, f"/admin/dashboard/{p['wedding']}/", p["session"])
        sockets = []
        for p in plan["planners"]:
            page = planner_pages[p["wedding"]]
            sockets.append(Socket(
                "planner", p["wedding"], p["session"], page.socket, page.regions, page.version, server=p["server"],
            ))
        for h in plan["watching"]:
            path = re.sub(r"wedding=\d+", f"wedding={h['wedding']}", guest_page.socket)
            sockets.append(Socket("guest", h["wedding"], h["session"], path, guest_page.regions, 0, server=h["server"]))
        if sockets:
            print(f"guest regions {[r['name'] for r in guest_page.regions] if guest_page else []}; planner regions "
                  f"{[r['name'] for r in next(iter(planner_pages.values())).regions] if planner_pages else []}")
        opening = time.monotonic()
        for start in range(0, len(sockets), WAVE):
            wave = sockets[start:start + WAVE]
            for sock in wave:
                on = servers[sock.server]
                tasks.append(asyncio.create_task(run_socket(sock, on.ws_url, on.url, stop)))
            deadline = time.monotonic() + 30
            while not all(s.welcomed for s in wave) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        await asyncio.sleep(2)
        welcomed = sum(1 for s in sockets if s.welcomed)
        print(f"{welcomed} of {len(sockets)} sockets open in {time.monotonic() - opening:.1f} s; "
              f"server RSS {' + '.join(f'{rss_mb(s.pid):.1f}' for s in servers)} MB", flush=True)
        failed = [s.error for s in sockets if not s.welcomed and s.error]
        if failed:
            print(f"  not open, e.g.: {failed[0]}")

        out = Path(tempfile.mkdtemp(prefix="confetti-rush-locust-"))
        plan_file = out / "plan.json"
        plan_file.write_text(json.dumps({
            "households": plan["rushing"], "think": args.think, "floor_interval": args.floor_interval,
            "out": str(out / "result.json"), **({"servers": [s.url for s in servers]} if len(servers) > 1 else {}),
        }))
        run_time = int(args.seconds + 6 * args.think * 1.5 + args.tail)
        print(f"uptime before the rush: {uptime()}")
        print(f"locust: {args.households} households over {args.seconds:.0f} s "
              f"(think {args.think} s ×0.5–1.5 between steps), run time {run_time} s …", flush=True)
        if args.profile:
            profiler = subprocess.Popen([
                str(Path(sys.executable).parent / "py-spy"), "record", "-o", args.profile, "-p", str(server.pid),
                "-r", "50", "--nonblocking", "-d", str(run_time), *(["--gil"] if args.profile_gil else []),
                "-f", "raw" if args.profile.endswith((".txt", ".raw")) else "flamegraph",
            ], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        cpu_start = [cpu_seconds(s.pid) for s in servers]
        rss = [{"start": rss_mb(s.pid)} for s in servers]
        for r in rss:
            r["peak"] = r["start"]
        driver_cpu_start, locust_cpu_start = time.process_time(), children_cpu_seconds()
        postgres = (args.database_url or "").startswith("postgres")
        database_cpu_start = postgres_cpu_seconds() if postgres else 0.0
        started = time.monotonic()
        locust_log = open(out / "locust.log", "wb")  # noqa: SIM115 - closed below; a pipe would fill and stall locust
        locust = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "rush_locust.py"), "--headless",
            "-u", str(args.households + 1), "-r", f"{(args.households + 1) / args.seconds:.4f}",
            "-t", f"{run_time}s", "--stop-timeout", "5", "--host", server.url, "--only-summary",
            "--loglevel", "WARNING", "--exit-code-on-error", "0",
            cwd=ROOT, env={**os.environ, "RUSH_PLAN": str(plan_file), "PYTHONPATH": str(ROOT)},
            stdout=locust_log, stderr=asyncio.subprocess.STDOUT,
        )
        while locust.returncode is None:
            try:
                await asyncio.wait_for(locust.wait(), 2)
            except TimeoutError:
                for s, r in zip(servers, rss, strict=True):
                    r["peak"] = max(r["peak"], rss_mb(s.pid))
        locust_log.close()
        locust_output = (out / "locust.log").read_text(errors="replace")
        print(f"locust's log: {out / 'locust.log'}")
        elapsed = time.monotonic() - started
        cpu_used = [cpu_seconds(s.pid) - start for s, start in zip(servers, cpu_start, strict=True)]
        locust_cpu = children_cpu_seconds() - locust_cpu_start  # locust (and collectstatic, done before)
        driver_cpu = time.process_time() - driver_cpu_start
        database_cpu = postgres_cpu_seconds() - database_cpu_start if postgres else None
        await asyncio.sleep(args.drain)
        for s, r in zip(servers, rss, strict=True):
            r["end"] = rss_mb(s.pid)
        hubs = await asyncio.to_thread(hub_counters, servers[0].redis_url)
        print(f"uptime after the rush: {uptime()}")
        if profiler is not None:
            profiler.wait(timeout=60)
        result_file = out / "result.json"
        if not result_file.exists():
            raise SystemExit(f"locust wrote no results; its output:\n{locust_output[-3000:]}")
        results = json.loads(result_file.read_text())
        versions = await asyncio.to_thread(rsvp_versions, [s["household"] for s in results["submits"]])
        return summarize(args, results, versions, sockets, {
            "elapsed_s": round(elapsed, 1), **server_figures(cpu_used, rss, elapsed),
            "locust_cpu_percent": round(100 * locust_cpu / elapsed),
            "sockets_cpu_percent": round(100 * driver_cpu / elapsed),
            "postgres_cpu_percent": None if database_cpu is None else round(100 * database_cpu / elapsed),
            "server_cpu_ms_per_request": cpu_ms_per_request(sum(cpu_used), len(results["requests"])),
            "sockets_welcomed": welcomed, "households_left": results["households_left"],
            "hubs": hubs,
        })
    finally:
        stop.set()
        for sock in sockets:
            if sock.ws is not None:
                await sock.ws.close()
        for task in tasks:
            task.cancel()
        if locust is not None and locust.returncode is None:
            locust.kill()
        if profiler is not None and profiler.poll() is None:
            profiler.terminate()


HUB_COUNTERS = ("messages_in", "duplicates", "gaps", "filled", "resyncs", "renders", "frames_out")


def hub_counters(redis_url: str | None) -> dict | None:
    """The processes' hub counters, summed (realtime.stats: written to Redis every few seconds;
    read after the next write). None without Redis (one process, in-memory layer)."""
    if not redis_url:
        return None
    import redis as redis_py

    from realtime.stats import STATS_INTERVAL, STATS_KEY

    time.sleep(STATS_INTERVAL + 1)
    client = redis_py.Redis.from_url(redis_url)
    try:
        rows = [json.loads(raw) for raw in client.hgetall(STATS_KEY).values()]
    finally:
        client.close()
    return {name: sum(row.get(name, 0) for row in rows) for name in HUB_COUNTERS}


def summarize(args, results: dict, versions: dict[int, int], sockets: list[Socket], extra: dict) -> dict:
    steps: dict[str, dict] = {}
    for name, _start, ms, status, error in results["requests"]:
        step = steps.setdefault(name, {"times": [], "errors": 0, "statuses": {}})
        step["times"].append(ms)
        if error:
            step["errors"] += 1
            step["statuses"][str(status)] = step["statuses"].get(str(status), 0) + 1
    floor_p95 = percentile(steps.get("0 floor /", {"times": []})["times"], 95)
    table = {}
    for name in sorted(steps):
        times = steps[name]["times"]
        table[name] = {
            "count": len(times), "errors": steps[name]["errors"], "error_statuses": steps[name]["statuses"],
            "p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "max_ms": round(max(times)),
            "ratio_to_floor": round(percentile(times, 95) / floor_p95, 1) if floor_p95 == floor_p95 else None,
        }
    # RSVP -> planner socket: every (planner socket of the RSVP's wedding, accepted submit) pair.
    from_press, from_answer, lost, unknown, across = [], [], 0, 0, 0
    planners = [s for s in sockets if s.kind == "planner"]
    for submit in results["submits"]:
        if not submit["ok"]:
            continue
        version = versions.get(submit["household"])
        if version is None:
            unknown += 1
            continue
        for sock in planners:
            if sock.wedding != submit["wedding"]:
                continue
            seen = covered_at(sock.frames, version)
            if seen is None:
                lost += 1
                continue
            from_press.append(seen - submit["start"])
            across += sock.server != submit.get("server", 0)  # made on another process: came through Redis
            from_answer.append(seen - submit["end"])
    guests = [s for s in sockets if s.kind == "guest"]
    return {
        "steps": table,
        "submits": len(results["submits"]), "submits_ok": sum(1 for s in results["submits"] if s["ok"]),
        "rsvp_to_planner_ms": {
            "pairs": len(from_press), "lost": lost, "no_change_row": unknown, "across_servers": across,
            "from_press": {q: pct(from_press, q, 1000) for q in (50, 95, 99)},
            "from_press_max": round(max(from_press) * 1000) if from_press else None,
            "from_answer": {q: pct(from_answer, q, 1000) for q in (50, 95, 99)},
            "within_1s": round(100 * sum(1 for t in from_press if t <= 1.0) / len(from_press), 1) if from_press else None,
        },
        "guest_socket_frames": sum(len(s.frames) for s in guests),
        "planner_socket_frames": sum(len(s.frames) for s in planners),
        "reconnects": sum(max(s.closes - 1, 0) for s in sockets),
        **extra,
    }


def print_summary(args, result: dict) -> None:
    print()
    print(f"{args.households} households over {args.seconds:.0f} s on {args.weddings} weddings; "
          f"{result['sockets_welcomed']} sockets open ({args.guest_sockets} guests, {args.planner_sockets} planners)")
    print(f"{'step':14} {'count':>6} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'p95/floor':>9}")
    for name, row in result["steps"].items():
        print(f"{name:14} {row['count']:6d} {row['errors']:6d} {row['p50_ms']!s:>7} {row['p95_ms']!s:>7} "
              f"{row['max_ms']:7d} {row['ratio_to_floor']!s:>9}" + (f"  {row['error_statuses']}" if row["errors"] else ""))
    r = result["rsvp_to_planner_ms"]
    finished = result["steps"].get("6 table", {}).get("count", 0)
    print(f"submits accepted {result['submits_ok']} of {result['submits']}; households never started "
          f"{result['households_left']}; not through all six steps when locust stopped "
          f"{args.households - result['households_left'] - finished} (an overloaded server: their later steps are "
          f"missing from the table, not counted as errors)")
    print(f"RSVP on the planner's socket ({r['pairs']} pairs, lost {r['lost']}, no change row {r['no_change_row']}): "
          f"from pressing submit p50 {r['from_press'][50]} / p95 {r['from_press'][95]} / p99 {r['from_press'][99]} "
          f"/ max {r['from_press_max']} ms ({r['within_1s']} % within 1 s); from the submit's answer p95 "
          f"{r['from_answer'][95]} ms" + (f"; {r['across_servers']} of the pairs across processes (RSVP on one, "
          "planner's socket on another)" if args.servers > 1 else ""))
    print(f"frames: guests {result['guest_socket_frames']}, planners {result['planner_socket_frames']}; "
          f"reconnects {result['reconnects']}")
    if result.get("hubs"):
        print("hubs (summed): " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result["hubs"].items())
              + " (a gap: a version from another process missed for over realtime.hub.GAP_GRACE; filled: such versions "
              "read from the change log; resyncs: sockets sent every region again)")
    print(f"CPU over {result['elapsed_s']} s: server {result['server_cpu_percent']}% of a core, locust "
          f"{result['locust_cpu_percent']}%, sockets {result['sockets_cpu_percent']}%"
          + (f", PostgreSQL {result['postgres_cpu_percent']}%" if result.get("postgres_cpu_percent") is not None else "")
          + "; server RSS "
          f"{result['rss_mb']['start']} → peak {result['rss_mb']['peak']} → {result['rss_mb']['end']} MB")
    if len(result.get("per_server", [])) > 1:
        print("per server: " + "; ".join(
            f"{i}: CPU {s['cpu_percent']}%, RSS {s['start']} → peak {s['peak']} → {s['end']} MB"
            for i, s in enumerate(result["per_server"])
        ) + " (CPU and RSS above: their sums)")
    print(f"server CPU per request {result['server_cpu_ms_per_request']} ms (all its CPU over the rush, the "
          f"sockets' and live renders' included, ÷ {sum(r['count'] for r in result['steps'].values())} requests)")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1000, help="households that RSVP (default 1000)")
    parser.add_argument("--seconds", type=float, default=120.0, help="over how long they arrive (default 120)")
    parser.add_argument("--weddings", type=int, default=5, help="weddings on the host (default 5)")
    parser.add_argument("--guest-sockets", type=int, default=500, help="other households with /home/ open")
    parser.add_argument("--planner-sockets", type=int, default=5, help="planners with the dashboard open")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between a household's steps")
    parser.add_argument("--floor-interval", type=float, default=0.5, help="seconds between floor requests of /")
    parser.add_argument("--tail", type=float, default=10.0, help="extra locust run time for the last households")
    parser.add_argument("--drain", type=float, default=3.0, help="seconds to wait for the last frames")
    parser.add_argument("--conn-max-age", default="0", help="the server's CONN_MAX_AGE (default 0, as .env.example)")
    parser.add_argument(
        "--pool-max-size", default="10",
        help="the server's DATABASE_POOL_MAX_SIZE on PostgreSQL (default 10, as .env.example; 0: no pool)",
    )
    parser.add_argument(
        "--profile", help="py-spy profile of the server during the rush: a flame graph (SVG), or collapsed "
        "stacks if the name ends in .txt or .raw",
    )
    parser.add_argument(
        "--profile-gil", action="store_true",
        help="with --profile: only the thread holding the GIL (the server's CPU, not its waits on PostgreSQL)",
    )
    parser.add_argument(
        "--servers", type=int, default=1,
        help="daphne processes sharing the database and a private redis-server, households sticking to one "
        "(default 1: one process, no Redis)",
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args(argv)
    if args.households < 1 or args.seconds <= 0 or args.weddings < 1 or args.servers < 1:
        parser.error("--households, --weddings and --servers must be at least 1, --seconds positive")
    return args


def main() -> None:
    args = parse_args()
    result = asyncio.run(rush(args))
    print_summary(args, result)
    print(json.dumps(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
