"""Reconnect storm (issue 14): connect rate, and a restart under 2,000 sockets, on ONE daphne.

    .venv/bin/python bench/storm.py                       # everything below, default sizes
    .venv/bin/python bench/storm.py --only rate           # connect rate only (bare Channels beside)
    .venv/bin/python bench/storm.py --only ladder --sockets 2000
    .venv/bin/python bench/storm.py --only herd --herd-sockets 1000

Three parts, each bounded in time and sockets, 127.0.0.1 only:

* **rate**: guest sockets with one region each (`guestbook_wall`) opened
  `--concurrency` at a time against Confetti (connect, hello, welcome), and the
  same number against a bare Channels consumer (connect, one frame, its echo)
  on another daphne in the same run, with and without the autobahn fix Confetti
  applies to itself (`realtime.transport.lazy_handshake_debug`); connects/s and
  the server's CPU per connect for each, `--rounds` times interleaved.
* **ladder**: `--sockets` guest sockets open, daphne killed (SIGKILL), a
  guestbook entry written while it is down, daphne restarted. Clients follow
  `live.js`'s reconnect ladder, read from the file (LADDER_FIRST_MS,
  LADDER_FACTOR, LADDER_CAP_MS: full jitter), and honour the server's
  retry-after (frame `{"t": "retry"}` + close 4429) as `live.js` does.
  Printed, from the server's first HTTP answer: when 50/95/100 % were back
  (welcomed) and converged (got the entry written while down); handshakes
  that failed without a retry-after; retry-after closes; sockets never back.
* **herd**: the same with clients that ignore the ladder: every client retries
  every 100 ms while the server is down, so all arrive the moment it answers
  (they still honour the retry-after: ignoring it is a flood, not a herd).

The clients run in this process on the same (shared) cores as the server, so
figures are pessimistic; `uptime` is printed with them.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import re
import subprocess
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

LIVE_JS = ROOT / "realtime" / "static" / "realtime" / "live.js"
REGIONS = [{"name": "guestbook_wall", "params": {}}]
CLOSE_RETRY_AFTER = 4429
HERD_RETRY = 0.1  # seconds between attempts of a client that ignores the ladder
SECRET_KEY = "storm-bench-" + "k" * 50
OUTCOMES: collections.Counter = collections.Counter()  # how connections ended (close code or error)
SERVER_ANSWERED_AT = 0.0  # monotonic time of the restarted server's first HTTP answer (0: not yet)


def ladder() -> dict[str, float]:
    """live.js's reconnect ladder constants, read from the file (the bench cannot drift from the browser)."""
    text = LIVE_JS.read_text()
    found = {
        name: float(value)
        for name, value in re.findall(r"var (LADDER_[A-Z_]+) = ([0-9.]+);", text)
    }
    missing = {"LADDER_FIRST_MS", "LADDER_FACTOR", "LADDER_CAP_MS"} - set(found)
    if missing:
        raise SystemExit(f"live.js no longer declares {sorted(missing)} as `var NAME = <number>;`")
    return found


def ladder_delay(constants: dict[str, float], attempts: int) -> float:
    """Seconds before attempt `attempts` (1-based), as live.js's scheduleReconnect: full jitter."""
    ceiling = min(constants["LADDER_CAP_MS"], constants["LADDER_FIRST_MS"] * constants["LADDER_FACTOR"] ** (attempts - 1))
    return random.random() * ceiling / 1000


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


# --- the bare Channels consumer (another daphne in the same run) -----------------------------


def __getattr__(name: str):
    if name == "BARE":  # daphne's application path for the bare consumer: bench.storm:BARE
        return bare_application()
    if name == "BARE_LAZY":  # the same with Confetti's fix to autobahn's per-connection debug text
        from realtime.transport import lazy_handshake_debug

        application = bare_application()
        lazy_handshake_debug()
        return application
    raise AttributeError(name)


def bare_application():
    """A bare Channels consumer: accept, echo one frame. What a connect costs with no Confetti in it."""
    import django

    django.setup()
    from channels.generic.websocket import AsyncWebsocketConsumer

    class Bare(AsyncWebsocketConsumer):
        async def receive(self, text_data=None, bytes_data=None):
            await self.send(text_data='{"t":"welcome"}')

    return Bare.as_asgi()


# --- the database --------------------------------------------------------------------------


def setup(database_url: str, households: int) -> tuple[int, list[str]]:
    """Migrate, then one wedding with `households` households (one guest each); their session keys."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["SECRET_KEY"] = SECRET_KEY  # the server's: the sessions made here must be readable there
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wedding.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from tests import factories
    from tests.integration.helpers import household_session_key

    wedding = factories.WeddingFactory(guestbook_moderation=False)
    keys = []
    for _ in range(households):
        household = factories.HouseholdFactory(wedding=wedding)
        factories.GuestFactory(household=household)
        keys.append(household_session_key(household))
    return wedding.pk, keys


def write_while_down(wedding_id: int, message: str) -> int:
    """A guestbook entry (the change every page must show after the restart); the new version."""
    from guests.models import Household
    from wedding.core.models import Wedding
    from wedding.guestbook import services

    wedding = Wedding.objects.get(pk=wedding_id)
    household = Household.objects.filter(wedding=wedding).first()
    services.guestbook_sign(wedding=wedding, household=household, author_name="Storm", message=message)
    return Wedding.objects.get(pk=wedding_id).version


def wedding_version(wedding_id: int) -> int:
    from wedding.core.models import Wedding

    return Wedding.objects.get(pk=wedding_id).version


# --- clients ---------------------------------------------------------------------------------


@dataclass
class Client:
    session: str
    version: int = 0
    welcomed_at: float | None = None  # last welcome (monotonic)
    converged_at: float | None = None  # first frame showing `token`
    token: str = ""
    failed: int = 0  # handshakes that failed without a retry-after
    retry_after: int = 0  # 4429 closes honoured
    refused: int | None = None  # a 4xxx close other than 4429 (a bench set-up error)
    connected: bool = False
    ws: object = None
    welcomed: asyncio.Event = field(default_factory=asyncio.Event)


async def run_client(client: Client, url: str, origin: str, stop: asyncio.Event, *, mode: str, constants: dict) -> None:
    """One page: connect, hello, follow frames; on any close reconnect like live.js (or like a herd)."""
    import websockets

    headers = {"Origin": origin, "Cookie": f"sessionid={client.session}"}
    attempts = 0
    while not stop.is_set():
        server_delay_ms = None
        try:
            async with websockets.connect(
                url, additional_headers=headers, open_timeout=30, max_size=16 * 1024 * 1024, ping_interval=None
            ) as ws:
                client.ws = ws
                try:
                    await ws.send(json.dumps({"t": "hello", "v": client.version, "regions": REGIONS}))
                except websockets.exceptions.ConnectionClosed:
                    pass  # a full server may close first: its retry frame is still to be read below
                async for raw in ws:
                    frame = json.loads(raw)
                    kind = frame.get("t")
                    if kind == "retry":
                        server_delay_ms = int(frame["ms"])
                    elif kind == "welcome":
                        attempts = 0
                        client.connected = True
                        client.welcomed_at = time.monotonic()
                        client.version = max(client.version, int(frame.get("v") or 0))
                        client.welcomed.set()
                    elif kind == "update":
                        client.version = max(client.version, int(frame.get("v") or 0))
                        html = "".join(r.get("html", "") for r in frame.get("regions", []))
                        if client.token and client.token in html and client.converged_at is None:
                            client.converged_at = time.monotonic()
                code = ws.close_code
            OUTCOMES[f"close {code}"] += 1
            if code is not None and 4000 <= code < 5000 and code != CLOSE_RETRY_AFTER:
                client.refused = code  # not allowed: live.js stops here, so does the bench
                client.welcomed.set()
                return
        except (TimeoutError, OSError, websockets.exceptions.WebSocketException) as error:
            rcvd = getattr(error, "rcvd", None)
            cause = f" ({type(error.__cause__).__name__})" if error.__cause__ is not None else ""
            status = getattr(getattr(error, "response", None), "status_code", "")
            name = f"{type(error).__name__} {rcvd.code if rcvd else status}{cause}".strip()
            OUTCOMES[name if SERVER_ANSWERED_AT else "while down"] += 1
        client.ws, client.connected = None, False
        if stop.is_set():
            return
        if server_delay_ms is not None:  # closed 4429: come back when told (plus up to 10 %, as live.js)
            client.retry_after += 1
            await asyncio.sleep(server_delay_ms / 1000 * (1 + random.random() / 10))
            continue
        if SERVER_ANSWERED_AT and time.monotonic() > SERVER_ANSWERED_AT:
            client.failed += 1  # the server answers HTTP, yet this handshake failed with no retry-after
        attempts += 1
        await asyncio.sleep(HERD_RETRY if mode == "herd" else ladder_delay(constants, attempts))


async def open_all(clients: list[Client], tasks: list, url: str, origin: str, stop, *, mode, constants, concurrency):
    """Open every client, `concurrency` handshakes at a time; seconds it took."""
    started = time.monotonic()
    for start in range(0, len(clients), concurrency):
        batch = clients[start:start + concurrency]
        for client in batch:
            tasks.append(asyncio.create_task(run_client(client, url, origin, stop, mode=mode, constants=constants)))
        await asyncio.wait_for(asyncio.gather(*(c.welcomed.wait() for c in batch)), timeout=120)
    return time.monotonic() - started


async def close_all(clients: list[Client], tasks: list, stop: asyncio.Event) -> None:
    stop.set()
    for client in clients:
        if client.ws is not None:
            try:
                await asyncio.wait_for(client.ws.close(), timeout=1)
            except Exception:  # noqa: BLE001 - the run is over
                pass
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def percentile_time(times: list[float | None], share: float) -> float | None:
    """Seconds by which `share` of the clients had the event (None: never that many)."""
    done = sorted(t for t in times if t is not None)
    needed = max(1, int(round(share * len(times))))
    return done[needed - 1] if len(done) >= needed else None


def fmt(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.2f} s"


# --- the parts -----------------------------------------------------------------------------


def daphne(args, database_url: str, app: str):
    """A daphne subprocess (tests/e2e/servers.py) listening with `--backlog` (0: daphne's own, Twisted's 50)."""
    from tests.e2e.servers import DaphneServer

    class Daphne(DaphneServer):
        def command(self) -> list[str]:
            if not args.backlog:
                return super().command()
            endpoint = f"tcp:port={self.port}:interface=127.0.0.1:backlog={args.backlog}"
            return [sys.executable, "-m", "daphne", "-e", endpoint, self.app]

    return Daphne(database_url=database_url, app=app, extra_env=args.server_env)


async def connect_rate(args, database_url: str, wedding_id: int, sessions: list[str]) -> dict:
    from tests.e2e.servers import PRODUCT_ASGI_APP

    results: dict[str, list] = {}
    apps = [  # interleaved; "bare + lazy" is bare Channels with the autobahn fix Confetti applies to itself
        ("bare Channels", "bench.storm:BARE"), ("bare + lazy", "bench.storm:BARE_LAZY"), ("Confetti", PRODUCT_ASGI_APP),
    ] * args.rounds
    for name, app in apps:
        server = daphne(args, database_url, app)
        if name.startswith("bare"):  # no HTTP to answer: ready when the port is
            server.ready = lambda s=server: _port_ready(s.port)
        server.start()
        profiler = None
        if args.profile and name == "Confetti":  # py-spy (pip install py-spy): where the connect time goes
            profiler = subprocess.Popen([
                str(Path(sys.executable).parent / "py-spy"), "record", "-o", args.profile, "-f", "raw",
                "-p", str(server.pid), "-r", "200", "--nonblocking",
            ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            await asyncio.sleep(1)
        try:
            version = await asyncio.to_thread(wedding_version, wedding_id)  # pages embed it
            clients = [Client(session=key, version=version) for key in sessions[: args.rate_sockets]]
            stop, tasks = asyncio.Event(), []
            url = f"{server.ws_url}/ws/live/?wedding={wedding_id}"
            cpu_start = _cpu(server.pid)
            seconds = await open_all(
                clients, tasks, url, server.url, stop, mode="ladder", constants=args.ladder,
                concurrency=args.concurrency,
            )
            cpu_ms = (_cpu(server.pid) - cpu_start) * 1000 / len(clients)
            refused = sum(1 for c in clients if c.refused)
            if refused:
                raise SystemExit(f"{refused} sockets were refused (4xxx): the bench's sessions do not work")
            results.setdefault(name, []).append(
                {"connects_per_s": round(len(clients) / seconds), "server_cpu_ms_per_connect": round(cpu_ms, 2)}
            )
            print(f"  {name:14} {len(clients)} sockets in {seconds:.2f} s: {len(clients) / seconds:.0f} connects/s, "
                  f"server CPU {cpu_ms:.2f} ms per connect")
            await close_all(clients, tasks, stop)
        finally:
            if profiler is not None:
                profiler.send_signal(2)
                profiler.wait(timeout=30)
            server.stop()
    return results


def _port_ready(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def restart(args, mode: str, database_url: str, wedding_id: int, sessions: list[str]) -> dict:
    from tests.e2e.servers import PRODUCT_ASGI_APP

    server = daphne(args, database_url, PRODUCT_ASGI_APP)
    server.start()
    count = args.herd_sockets if mode == "herd" else args.sockets
    clients = [Client(session=key) for key in sessions[:count]]
    for client in clients:
        client.version = await asyncio.to_thread(wedding_version, wedding_id)
    stop, tasks = asyncio.Event(), []
    url = f"{server.ws_url}/ws/live/?wedding={wedding_id}"
    try:
        opened = await open_all(
            clients, tasks, url, server.url, stop, mode=mode, constants=args.ladder, concurrency=args.concurrency,
        )
        print(f"  {len(clients)} sockets open in {opened:.1f} s ({len(clients) / opened:.0f}/s); killing daphne")
        server.kill()
        token = f"storm{random.randrange(10**9):09d}"
        version = await asyncio.to_thread(write_while_down, wedding_id, token)
        for client in clients:
            client.token, client.converged_at, client.failed, client.retry_after = token, None, 0, 0
            client.welcomed_at = None
        await asyncio.sleep(args.down)
        OUTCOMES.clear()
        log_mark = server.log_size()
        global SERVER_ANSWERED_AT
        # Returns at the server's first HTTP answer. In a thread: the clients go on retrying on
        # their ladder meanwhile (a blocked loop would fire every client's timer at once after it).
        await asyncio.to_thread(server.start)
        answered = SERVER_ANSWERED_AT = time.monotonic()
        cpu_start = _cpu(server.pid)
        deadline = answered + args.timeout
        while time.monotonic() < deadline and not all(c.converged_at for c in clients):
            await asyncio.sleep(0.1)
        cpu = _cpu(server.pid) - cpu_start
        print(f"    connections ended (after the restart): {dict(OUTCOMES.most_common(8))}")
        elapsed = time.monotonic() - answered
        back = [c.welcomed_at - answered if c.welcomed_at else None for c in clients]
        converged = [c.converged_at - answered if c.converged_at else None for c in clients]
        killed = server.log_tail(log_mark).count("took too long to shut down")
        result = {
            "mode": mode, "sockets": len(clients), "version_written_while_down": version,
            "back_50": percentile_time(back, 0.5), "back_95": percentile_time(back, 0.95),
            "back_100": percentile_time(back, 1.0),
            "converged_95": percentile_time(converged, 0.95), "converged_100": percentile_time(converged, 1.0),
            "never_back": sum(1 for t in back if t is None),
            "never_converged": sum(1 for t in converged if t is None),
            "retry_after_closes": sum(c.retry_after for c in clients),
            "failed_without_retry_after": sum(c.failed for c in clients),
            "killed_app_instances_logged": killed,
            "server_cpu_percent": round(100 * cpu / elapsed),
        }
        return result
    finally:
        SERVER_ANSWERED_AT = 0.0
        await close_all(clients, tasks, stop)
        server.stop()


def _cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def print_restart(result: dict) -> None:
    print(f"  from the server's first HTTP answer ({result['mode']}, {result['sockets']} sockets):")
    print(f"    back (welcomed)     50% {fmt(result['back_50'])}, 95% {fmt(result['back_95'])}, "
          f"100% {fmt(result['back_100'])}; never back {result['never_back']}")
    print(f"    converged (v{result['version_written_while_down']})  95% {fmt(result['converged_95'])}, "
          f"100% {fmt(result['converged_100'])}; never {result['never_converged']}")
    print(f"    retry-after closes {result['retry_after_closes']}; handshakes failed without one "
          f"{result['failed_without_retry_after']}; 'took too long' kills logged "
          f"{result['killed_app_instances_logged']}; server CPU {result['server_cpu_percent']}%")


async def main_async(args) -> None:
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='confetti-storm-')}/storm.sqlite3"
    needed = max(
        args.sockets if args.only in (None, "ladder") else 0,
        args.herd_sockets if args.only in (None, "herd") else 0,
        args.rate_sockets if args.only in (None, "rate") else 0,
    )
    print(f"uptime: {uptime()}")
    print(f"ladder from live.js: {args.ladder}")
    print(f"setting up {needed} households on {database_url.split('@')[-1]} …")
    wedding_id, sessions = await asyncio.to_thread(setup, database_url, needed)
    print("collectstatic for DEBUG off …")
    args.server_env["STATIC_ROOT"] = tempfile.mkdtemp(prefix="confetti-storm-static-")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True,
        env={**os.environ, **args.server_env, "DATABASE_URL": database_url},
    )
    results = {}
    if args.only in (None, "rate"):
        print("connect rate (one daphne each, guest sockets with one region, "
              f"{args.concurrency} handshakes at a time):")
        results["rate"] = await connect_rate(args, database_url, wedding_id, sessions)
    for mode in ("ladder", "herd"):
        if args.only in (None, mode):
            print(f"restart, {mode}:")
            results[mode] = await restart(args, mode, database_url, wedding_id, sessions)
            print_restart(results[mode])
    print(f"uptime: {uptime()}")
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["rate", "ladder", "herd"])
    parser.add_argument("--sockets", type=int, default=2000, help="sockets in a restart (default 2000)")
    parser.add_argument("--herd-sockets", type=int, default=1000, help="sockets in the herd restart (default 1000)")
    parser.add_argument("--rate-sockets", type=int, default=1000, help="sockets opened to measure the connect rate")
    parser.add_argument("--rounds", type=int, default=1, help="connect-rate rounds (bare and Confetti interleaved)")
    parser.add_argument("--concurrency", type=int, default=50, help="handshakes in flight while opening")
    parser.add_argument("--down", type=float, default=2.0, help="seconds the server stays down")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for convergence")
    parser.add_argument("--conn-max-age", default="60", help="the server's CONN_MAX_AGE (0: a connection per hop)")
    parser.add_argument("--backlog", type=int, default=0,
                        help="daphne's listen backlog (-e tcp:...:backlog=N; default 0: daphne's -b/-p, Twisted's 50)")
    parser.add_argument("--profile", help="py-spy raw profile of Confetti's daphne during the connect rate")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    args.ladder = ladder()
    args.server_env = {
        "DEBUG": "false", "SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": args.conn_max_age,
    }
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
