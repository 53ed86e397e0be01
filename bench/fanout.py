"""Fan-out benchmark: N sockets on ONE daphne process watching a live region, K real writes.

    .venv/bin/python bench/fanout.py --sockets 100 500 1000 2000 --writes 50 --rate 5

For each N and each app of --apps it starts daphne (a subprocess on
127.0.0.1) — Confetti (`bench.fanout_asgi`: as shipped, `conf-asgi` with
prepared-frame writes off, `conf-1to1` with coalescing off) or a bare Channels
group_send app (`bench.fanout_baseline`) — connects N WebSocket clients, makes
K writes through the product's write path at R writes/s inside the server
process, then a burst of --burst writes as fast as the writer can go.

Measured per run:
* commit-to-frame latency p50/p95/p99: for every (socket, write) pair, the
  time from the write's COMMIT (server clock) to the first frame on that
  socket whose version is >= the write's (client clock; same machine). With
  Confetti's debounce one frame may carry several writes: each pair counts;
* lost: (socket, write) pairs never covered by any frame before the timeout;
* deliveries/s: covered pairs per second, from the first commit to the last
  frame (paced phase and burst phase; "max" is the burst phase);
* frames/s: frames actually received per second in the burst;
* server CPU per write: daphne's user+system CPU over the paced phase / K
  (and "cli ms": this client process's CPU per write, for context);
* the server's full garbage collections (`bench.gcpauses`) that ended during
  the paced writes, and before them. `--warmup K` makes K unmeasured writes
  first, so that the collection the connection storm leaves due is paid
  before the measured ones (the steady state; 0, the default: as before);
  and what one full collection costs with the N sockets open (made after
  the measurement).

Not part of the test suite. The client runs in this process and competes for
the same cores, so absolute numbers are pessimistic; both apps pay the same.
The sockets are read by a lean reader by default (`--client raw`: the
WebSocket handshake and frame headers parsed by hand, only the version prefix
of each frame looked at, pings answered), so the client takes less CPU from
the server; `--client websockets` reads them with the websockets library as
the figures before 2026-11-30 (session 5) did. Both time a frame when it has
been read whole. `BENCH_DAPHNE_ARGS` (environment) adds options to the daphne
command line, e.g. `--ping-interval 1000` to leave out daphne's keep-alive
pings (one per socket every 20 s by default; see bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import bisect
import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import gcpauses  # noqa: E402

VERSION_RE = re.compile(rb'"v":(\d+)')
SAMPLE_FRAME: dict[str, bytes] = {}  # the largest update frame's payload received, for the send() floor
CLK_TCK = os.sysconf("SC_CLK_TCK")
KINDS = ["confetti", "conf-public", "conf-asgi", "conf-1to1", "baseline"]
WARM_SOCKETS = 20  # opened before the measured N, so the RSS delta is the sockets' own


@dataclass
class Client:
    times: list[float] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    ws: object = None
    task: asyncio.Task | None = None

    def reset(self) -> None:
        self.times, self.versions = [], []

    def frame(self, data: bytes) -> None:
        """One text frame's payload arrived (whole): note the time and version of an update."""
        found = VERSION_RE.search(data, 0, 80)
        if found and data.startswith(b'{"t":"update"'):
            if len(data) > len(SAMPLE_FRAME.get("payload", b"")):
                SAMPLE_FRAME["payload"] = bytes(data)
            self.times.append(time.time())
            self.versions.append(int(found.group(1)))

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.ws is not None:
            await self.ws.close()


class RawSocket(asyncio.Protocol):
    """A lean WebSocket client for the measurement (`--client raw`): handshake and frame
    headers by hand, each text frame handed to `Client.frame` as bytes; pings answered.

    Client frames are masked (RFC 6455 requires it) with a zero key: the payload is unchanged.
    """

    def __init__(self, client: Client, request: bytes):
        self.client, self.request = client, request
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        self.opened = asyncio.get_running_loop().create_future()
        self.first_text: asyncio.Future = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc) -> None:
        for future in (self.opened, self.first_text, self.closed):
            if not future.done():
                future.set_result(None) if future is self.closed else future.set_exception(
                    ConnectionError("closed")
                )

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[:12])
            del buffer[:end + 4]
            if not status.startswith(b"HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(f"handshake refused: {status!r}"))
                self.transport.close()
                return
            self.upgraded = True
            self.opened.set_result(None)
        offset, size = 0, len(buffer)
        while size - offset >= 2:
            first, length = buffer[offset], buffer[offset + 1] & 0x7F
            start = offset + 2
            if length == 126:
                if size - start < 2:
                    break
                length, start = int.from_bytes(buffer[start:start + 2]), start + 2
            elif length == 127:
                if size - start < 8:
                    break
                length, start = int.from_bytes(buffer[start:start + 8]), start + 8
            if size - start < length:
                break
            opcode = first & 0x0F
            payload = buffer[start:start + length]
            offset = start + length
            if opcode == 0x1:
                if not self.first_text.done():
                    self.first_text.set_result(bytes(payload))
                else:
                    self.client.frame(payload)
            elif opcode == 0x9:  # ping: pong with the same payload
                self.send(bytes(payload), opcode=0xA)
            elif opcode == 0x8:
                self.transport.close()
        if offset:
            del buffer[:offset]

    def send(self, payload: bytes, *, opcode: int = 0x1) -> None:
        size = len(payload)
        if size < 126:
            header = bytes([0x80 | opcode, 0x80 | size])
        elif size < 1 << 16:
            header = bytes([0x80 | opcode, 0x80 | 126]) + size.to_bytes(2, "big")
        else:
            header = bytes([0x80 | opcode, 0x80 | 127]) + size.to_bytes(8, "big")
        self.transport.write(header + b"\0\0\0\0" + payload)

    async def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.send(b"\x03\xe8", opcode=0x8)
            self.transport.close()
        await asyncio.wait_for(asyncio.shield(self.closed), 5)


async def raw_connect(client: Client, url: str, headers: list) -> RawSocket:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    ).encode()
    loop = asyncio.get_running_loop()
    _transport, raw = await loop.create_connection(lambda: RawSocket(client, request), parts.hostname, parts.port)
    await asyncio.wait_for(raw.opened, 30)
    return raw


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def raise_open_files_limit() -> int:
    """Sockets are file descriptors: lift the soft limit to the hard one (daphne inherits it)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def setup_data() -> tuple[int, str]:
    """A wedding whose guestbook shows entries at once, and a guest session for the sockets."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from guests.models import Household
    from guests.session import SESSION_KEY
    from wedding.core.models import Wedding

    call_command("migrate", verbosity=0, interactive=False)
    wedding = Wedding.objects.filter(slug="bench-fanout").first()
    if wedding is None:
        import datetime

        from django.utils import timezone

        wedding = Wedding.objects.create(
            name="Bench wedding", slug="bench-fanout", date=(timezone.now() + datetime.timedelta(days=90)).date(),
            rsvp_deadline=timezone.now() + datetime.timedelta(days=60), guestbook_moderation=False,
        )
    household = Household.objects.filter(wedding=wedding).first() or Household.objects.create(
        wedding=wedding, name="The Bench family"
    )
    session = SessionStore()
    session[SESSION_KEY] = {"id": household.pk, "code": household.invitation_code}
    session.create()
    return wedding.pk, session.session_key


def current_version(wedding_id: int) -> int:
    from wedding.core.models import Wedding

    return Wedding.objects.values_list("version", flat=True).get(pk=wedding_id)


class Server:
    def __init__(self, app: str, env: dict):
        self.port = free_port()
        self.app = app
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "daphne", *os.environ.get("BENCH_DAPHNE_ARGS", "").split(),
                "-b", "127.0.0.1", "-p", str(self.port), app,
            ],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("daphne did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def connect_clients(
    n: int, url: str, headers: list, hello: dict | None, *, kind: str = "raw"
) -> list[Client]:
    import websockets

    clients = [Client() for _ in range(n)]
    gate = asyncio.Semaphore(50)

    async def reader(client: Client) -> None:
        try:
            async for message in client.ws:
                client.frame(message if isinstance(message, bytes) else message.encode())
        except Exception:
            pass

    async def connect(client: Client) -> None:
        if kind == "raw":
            client.ws = await raw_connect(client, url, headers)
        else:
            client.ws = await websockets.connect(
                url, additional_headers=headers, compression=None, ping_interval=None,
                max_size=None, open_timeout=30,
            )

    async def one(client: Client) -> None:
        async with gate:
            for attempt in range(5):
                try:
                    await connect(client)
                    break
                except Exception:
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.5)
            if kind == "raw":
                if hello is not None:
                    client.ws.send(json.dumps(hello).encode())
                    await asyncio.wait_for(client.ws.first_text, 30)  # the welcome
                else:  # no welcome to wait for: every text frame is the client's
                    client.ws.first_text.set_result(None)
                return
            if hello is not None:
                await client.ws.send(json.dumps(hello))
                await asyncio.wait_for(client.ws.recv(), 30)  # the welcome
            client.task = asyncio.create_task(reader(client))

    await asyncio.gather(*(one(c) for c in clients))
    return clients


def coverage(clients: list[Client], writes: list[tuple[int, float]]) -> tuple[list[float], int, float]:
    """Latencies of covered (socket, write) pairs, lost pairs, and the last covering frame's time."""
    latencies, lost, last = [], 0, 0.0
    for client in clients:
        running, best = [], 0
        for version in client.versions:
            best = max(best, version)
            running.append(best)
        for version, committed in writes:
            index = bisect.bisect_left(running, version)
            if index == len(running):
                lost += 1
                continue
            latencies.append(client.times[index] - committed)
            last = max(last, client.times[index])
    return latencies, lost, last


async def wait_delivered(clients: list[Client], version: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(c.versions and max(c.versions) >= version for c in clients):
            return
        await asyncio.sleep(0.05)


async def run_writes(port: int, wedding_id: int, count: int, rate: float) -> list[tuple[int, float]]:
    import httpx

    async with httpx.AsyncClient(timeout=600) as http:
        response = await http.post(
            f"http://127.0.0.1:{port}/bench/write", params={"wedding": wedding_id, "count": count, "rate": rate}
        )
        response.raise_for_status()
        return [tuple(item) for item in response.json()]


async def gc_pauses(port: int, *, collect: bool = False) -> list:
    """The server's garbage-collector pauses (`bench.gcpauses`); `collect`: after one full collection made now."""
    import httpx

    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.get(f"http://127.0.0.1:{port}/bench/gc", params={"collect": 1} if collect else {})
        response.raise_for_status()
        return response.json()


async def measure(kind: str, n: int, args, env: dict, wedding_id: int, session_key: str) -> dict:
    confetti = kind != "baseline"
    app = "bench.fanout_asgi:application" if confetti else "bench.fanout_baseline:application"
    server = Server(app, {
        **env, "BENCH_DIRECT": "0" if kind == "conf-asgi" else "1",
        "BENCH_PUBLIC": "1" if kind == "conf-public" else "0",
        "BENCH_ONE_TO_ONE": "1" if kind == "conf-1to1" else "0",
    })
    origin = f"http://127.0.0.1:{server.port}"
    try:
        if confetti:
            url = f"ws://127.0.0.1:{server.port}/ws/live/?wedding={wedding_id}"
            hello = {"t": "hello", "v": current_version(wedding_id), "regions": [{"name": "bench_wall", "params": {}}]}
        else:
            url = f"ws://127.0.0.1:{server.port}/ws/baseline/"
            hello = None
        headers = [("Origin", origin), ("Cookie", f"sessionid={session_key}")]
        # Memory per idle socket: a few sockets first (code paths, caches and thread pools warmed),
        # then RSS before and after the N, settled, all idle.
        warm = await connect_clients(WARM_SOCKETS, url, headers, hello, kind=args.client)
        await asyncio.sleep(1.0)
        rss_before = rss_kb(server.process.pid)
        started = time.monotonic()
        clients = await connect_clients(n, url, headers, hello, kind=args.client)
        connect_s = time.monotonic() - started
        await asyncio.sleep(2.0)  # let the server settle after the connection storm
        rss_after = rss_kb(server.process.pid)
        await asyncio.gather(*(c.close() for c in warm), return_exceptions=True)
        for client in clients:
            client.reset()

        if args.warmup:  # not measured: the writes that pay what the connection storm left due
            warmup = await run_writes(server.port, wedding_id, args.warmup, args.rate)
            await wait_delivered(clients, warmup[-1][0], args.timeout)
            await asyncio.sleep(1.0)  # quiet (realtime.hub.DEBOUNCE): the measured writes start no burst
            for client in clients:
                client.reset()

        cpu_before, client_before = cpu_seconds(server.process.pid), time.process_time()
        writes = await run_writes(server.port, wedding_id, args.writes, args.rate)
        await wait_delivered(clients, writes[-1][0], args.timeout)
        cpu = cpu_seconds(server.process.pid) - cpu_before
        client_cpu = time.process_time() - client_before
        latencies, lost, last = coverage(clients, writes)
        paced_frames = sum(len(c.versions) for c in clients)
        paced_rate = len(latencies) / max(last - writes[0][1], 1e-6) if latencies else 0.0
        # Full collections that ended while the paced writes were going out (a frame waits for them),
        # and before them; the last one is made now: what one costs with the N sockets open.
        pauses = await gc_pauses(server.port, collect=True)
        full_gc_now = pauses[-1][2]
        paced_gcs = gcpauses.full_collections(pauses[:-1], writes[0][1], max(last, writes[-1][1]))
        earlier_gcs = gcpauses.full_collections(pauses[:-1], 0, writes[0][1])

        for client in clients:
            client.reset()
        burst = await run_writes(server.port, wedding_id, args.burst, 0) if args.burst else []
        if burst:
            await wait_delivered(clients, burst[-1][0], args.timeout)
        b_latencies, b_lost, b_last = coverage(clients, burst)
        b_frames = sum(len(c.versions) for c in clients)
        b_span = max(b_last - burst[0][1], 1e-6) if burst else float("nan")
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        return {
            "kind": kind, "sockets": n, "connect_s": round(connect_s, 1),
            "p50_ms": percentile(latencies, 50) * 1000, "p95_ms": percentile(latencies, 95) * 1000,
            "p99_ms": percentile(latencies, 99) * 1000, "lost": lost, "pairs": n * len(writes),
            "frames": paced_frames, "deliveries_s": paced_rate, "cpu_ms_per_write": cpu / len(writes) * 1000,
            "cpu_us_per_frame": cpu / max(paced_frames, 1) * 1e6,  # per frame sent (coalesced frames count once)
            "cpu_us_per_delivery": cpu / max(len(latencies), 1) * 1e6,  # per covered (socket, write) pair
            "rss_kb_per_socket": (rss_after - rss_before) / n, "rss_mb": rss_after / 1024,
            "warmup_writes": args.warmup, "full_gcs_paced_ms": paced_gcs, "full_gcs_before_ms": earlier_gcs,
            "full_gc_ms": full_gc_now,
            "client_cpu_ms_per_write": client_cpu / len(writes) * 1000,
            "burst_writes": len(burst),
            "burst_write_s": len(burst) / max(burst[-1][1] - burst[0][1], 1e-6) if burst else float("nan"),
            "max_deliveries_s": len(b_latencies) / b_span, "burst_frames_s": b_frames / b_span,
            "burst_lost": b_lost, "burst_p95_ms": percentile(b_latencies, 95) * 1000,
        }
    finally:
        server.stop()


def _pauses(durations: list[float]) -> str:
    return f"{len(durations)}" + (f" (longest {max(durations):.0f} ms)" if durations else "")


# --- the floor: a bare send() of the same frame ---------------------------------------------


def _drain(listener: socket.socket, n: int, ready) -> None:
    """Child process: accept n connections and read (and drop) everything sent on them."""
    import selectors

    selector = selectors.DefaultSelector()
    for _ in range(n):
        conn, _addr = listener.accept()
        conn.setblocking(False)
        selector.register(conn, selectors.EVENT_READ)
    ready.set()
    while True:
        for key, _mask in selector.select():
            try:
                if not key.fileobj.recv(1 << 20):
                    selector.unregister(key.fileobj)
                    key.fileobj.close()
            except BlockingIOError:
                pass
        if not selector.get_map():
            return


def websocket_frame(payload: bytes) -> bytes:
    """A server-to-client (unmasked) text frame, as the prepared frames are."""
    size = len(payload)
    if size < 126:
        header = bytes([0x81, size])
    elif size < 1 << 16:
        header = bytes([0x81, 126]) + size.to_bytes(2, "big")
    else:
        header = bytes([0x81, 127]) + size.to_bytes(8, "big")
    return header + payload


def send_floor(n: int, payload: bytes, writes: int, rate: float) -> dict:
    """CPU per bare `socket.send()` of one frame to each of n loopback TCP sockets, paced like the writes.

    What the server cannot go below per delivered frame on this machine: one system call
    with the frame's bytes, the kernel's loopback delivery charged to the sender, nothing
    else (no Python object per socket beyond the call). A child process reads and drops.
    """
    import multiprocessing

    frame = websocket_frame(payload)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    child = context.Process(target=_drain, args=(listener, n, ready), daemon=True)
    child.start()
    socks = []
    for _ in range(n):
        sock = socket.create_connection(listener.getsockname())
        sock.setblocking(False)
        socks.append(sock)
    ready.wait(60)
    interval = 1.0 / rate if rate > 0 else 0.0
    cpu, wall, short, started = 0.0, [], 0, time.perf_counter()
    for k in range(writes):
        delay = started + k * interval - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        t0, c0 = time.perf_counter(), time.process_time()
        for sock in socks:
            try:
                if sock.send(frame) < len(frame):
                    short += 1
            except BlockingIOError:
                short += 1
        cpu += time.process_time() - c0
        wall.append(time.perf_counter() - t0)
    for sock in socks:
        sock.close()
    child.join(30)
    listener.close()
    return {
        "sockets": n, "frame_bytes": len(frame), "sends": n * writes, "short_sends": short,
        "cpu_us_per_send": cpu / (n * writes) * 1e6, "round_ms_p50": percentile(wall, 50) * 1000,
        "round_ms_p95": percentile(wall, 95) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, nargs="+", default=[100, 500, 1000, 2000])
    parser.add_argument("--writes", type=int, default=50, help="paced writes per run (default 50)")
    parser.add_argument("--rate", type=float, default=5.0, help="paced writes per second (default 5)")
    parser.add_argument(
        "--warmup", type=int, default=0,
        help="writes at --rate before the measured ones, not measured (the steady state: the full garbage "
             "collection that the connection storm leaves due is paid in them; see bench.gcpauses)",
    )
    parser.add_argument("--burst", type=int, default=200, help="writes as fast as possible, for max deliveries/s")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for the last frames")
    parser.add_argument("--layer", choices=["memory", "redis"], default="memory")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--database-url", default="sqlite:////tmp/confetti-bench.sqlite3")
    parser.add_argument(
        "--apps", nargs="+", choices=KINDS, default=["confetti", "baseline"],
        help="apps to measure: confetti (as shipped), conf-public (prepared frames through autobahn's public "
        "sendPreparedMessage instead of the raw socket.send), conf-asgi (every frame through the ASGI send "
        "instead of prepared-frame writes), conf-1to1 (no coalescing: one frame per write per socket), "
        "baseline (bare Channels group_send)",
    )
    parser.add_argument("--only", choices=KINDS, help="measure one app only (same as --apps X)")
    parser.add_argument(
        "--rounds", type=int, default=1,
        help="measure the apps this many times, interleaved (a shared machine's load drifts; default 1)",
    )
    parser.add_argument(
        "--floor", action="store_true",
        help="after each N, the CPU of a bare socket.send() of the same frame to N loopback sockets "
        "(paced like the writes): the per-frame floor on this machine",
    )
    parser.add_argument(
        "--client", choices=["raw", "websockets"], default="raw",
        help="how the N sockets are read: raw (a lean reader that parses frame headers and the version "
        "prefix only; default) or websockets (the websockets library, as the figures before session 5)",
    )
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    limit = raise_open_files_limit()
    if max(args.sockets) + WARM_SOCKETS + 100 > limit:
        parser.error(f"{max(args.sockets)} sockets need more open files than this machine's hard limit ({limit})")

    # Every benchmark socket comes from one address (and here one session): lift the per-principal
    # and per-address socket caps (realtime/limits.py) for the servers it starts. (Here, not at
    # import: the suite's smoke test imports this module.)
    os.environ.setdefault("REALTIME_MAX_SOCKETS_PER_PRINCIPAL", "1000000")
    os.environ.setdefault("REALTIME_MAX_SOCKETS_PER_ADDRESS", "1000000")
    env = {**os.environ, "DATABASE_URL": args.database_url, "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    if args.layer == "redis":
        env["REDIS_URL"] = args.redis_url
    os.environ.update({k: v for k, v in env.items() if k in ("DATABASE_URL", "REDIS_URL", "LOG_LEVEL")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wedding.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # this driver only reads a version between runs
    import django

    django.setup()
    wedding_id, session_key = setup_data()

    kinds = [args.only] if args.only else args.apps
    results = []
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(
        f"layer={args.layer} writes={args.writes}@{args.rate}/s burst={args.burst} db={args.database_url} "
        f"client={args.client}"
    )
    header = (
        f"{'app':11} {'N':>5} {'p50ms':>7} {'p95ms':>7} {'p99ms':>7} {'lost':>6} {'deliv/s':>8} "
        f"{'cpu/wr ms':>9} {'us/frame':>8} {'us/del':>6} {'cli ms':>6} {'KB/sock':>7} | {'max deliv/s':>11} {'frames/s':>9} "
        f"{'b.lost':>7} {'b.p95ms':>8} {'wr/s':>6}"
    )
    print(header)
    for n in args.sockets:
        for kind in kinds * args.rounds:
            result = asyncio.run(measure(kind, n, args, env, wedding_id, session_key))
            results.append(result)
            print(
                f"{kind:11} {n:5d} {result['p50_ms']:7.0f} {result['p95_ms']:7.0f} {result['p99_ms']:7.0f} "
                f"{result['lost']:6d} {result['deliveries_s']:8.0f} {result['cpu_ms_per_write']:9.1f} "
                f"{result['cpu_us_per_frame']:8.1f} {result['cpu_us_per_delivery']:6.1f} "
                f"{result['client_cpu_ms_per_write']:6.1f} "
                f"{result['rss_kb_per_socket']:7.1f} | "
                f"{result['max_deliveries_s']:11.0f} {result['burst_frames_s']:9.0f} {result['burst_lost']:7d} "
                f"{result['burst_p95_ms']:8.0f} {result['burst_write_s']:6.0f}  "
                f"(connect {result['connect_s']} s, RSS {result['rss_mb']:.0f} MB; full GCs in the writes: "
                f"{_pauses(result['full_gcs_paced_ms'])}, before them: {_pauses(result['full_gcs_before_ms'])}; "
                f"one now {result['full_gc_ms']:.0f} ms)",
                flush=True,
            )
        if args.floor and SAMPLE_FRAME:
            floor = send_floor(n, SAMPLE_FRAME["payload"], args.writes, args.rate)
            results.append({"kind": "floor", **floor})
            print(
                f"{'send() floor':11} {n:5d}  bare socket.send() of the same {floor['frame_bytes']}-byte frame to "
                f"{n} sockets, {args.writes}@{args.rate}/s: {floor['cpu_us_per_send']:.1f} us CPU per send "
                f"(round p50 {floor['round_ms_p50']:.1f} ms, p95 {floor['round_ms_p95']:.1f} ms; "
                f"short sends {floor['short_sends']})",
                flush=True,
            )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
