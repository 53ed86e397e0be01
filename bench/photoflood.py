"""Photo flood (issue 19): 100 phone photos uploaded at once to ONE daphne process + the task worker,
while 300 sockets watch the gallery and the song queue.

    .venv/bin/python bench/photoflood.py                                  # the issue's sizes
    .venv/bin/python bench/photoflood.py --uploads 100 --heic 10 --sockets 300 --workers 2
    .venv/bin/python bench/photoflood.py --database-url postgres://postgres@127.0.0.1:5432/confetti_photoflood  # a fresh database
    # as deploy/ runs it: uploads on a niced daphne process of their own, niced workers
    .venv/bin/python bench/photoflood.py --workers 2 --upload-servers 1 --upload-nice 10 --worker-nice 10

What runs, all on 127.0.0.1: a private redis-server (the channel layer a worker
needs to reach daphne's sockets), one daphne process (the product's ASGI app),
`--upload-servers` more that take the uploads (as deploy/nginx routes POST /photos/),
`--workers` × `manage.py messaging_worker`, and this process: `--sockets` guest
sockets watching `photo_gallery` + `song_queue`, a prober (a process of its own)
that GETs two other
guest pages (`/songs/`, `/home/`) in a loop, and a song vote written every
`--vote-every` seconds through the product's service (commit → frame on every
socket). First `--idle` seconds of probes and votes with no uploads, then the
flood: `--uploads` households each POST one photo to `/photos/` at the same
moment (`--heic` of them HEIC, the rest ~5 MB noise JPEGs made here: noise
does not compress, so quality 95 gives phone-sized files). The HEIC carries a
320 × 240 embedded thumbnail, as phones' files carry one (`--heic-thumbnail 0`:
none, the worst case: the worker decodes the whole picture before it is live).

Printed: upload success (HTTP 302 and the photo shown: the worker made its
thumbnail), when every photo was live and every full-size image made, the other
pages' p95 idle vs during the flood (target ≤ 2×), song-vote commit→frame p95
idle vs flood, and upload-complete → live-in-gallery latency (target ≤ 5 s):
from each upload's response to the first socket whose frame shows it, and over
every (socket, photo) pair. The clients share the machine's cores with the
servers, so figures are pessimistic; `uptime` is printed before the run.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# Every benchmark socket comes from one address: lift the per-principal and per-address
# socket caps (realtime/limits.py) for the servers this starts.
os.environ.setdefault("REALTIME_MAX_SOCKETS_PER_PRINCIPAL", "1000000")
os.environ.setdefault("REALTIME_MAX_SOCKETS_PER_ADDRESS", "1000000")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REGIONS = [{"name": "photo_gallery", "params": {}}, {"name": "song_queue", "params": {}}]
CSRF = "PhotoFloodBenchCsrfSecretXXXXXXX"  # 32 characters: a valid csrftoken cookie
SECRET_KEY = "photoflood-bench-" + "k" * 50
CAPTION = re.compile(r"flood-(\d+)\b")
PAGES = ("/songs/", "/home/")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def cpu_seconds(pid: int | None) -> float:
    if not pid:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


# --- images ----------------------------------------------------------------------------------


def noise_photos(jpegs: int, heic: bool, size: tuple[int, int], heic_thumbnail: int = 0) -> tuple[list[bytes], bytes | None]:
    """Distinct noise JPEGs at quality 95 (~5 MB at 2400 × 1800), and one HEIC (pillow-heif's encoder)
    embedding a thumbnail that fits `heic_thumbnail` pixels (0: none)."""
    from PIL import Image
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = []
    for _ in range(jpegs):
        buffer = io.BytesIO()
        Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, "JPEG", quality=95)
        out.append(buffer.getvalue())
    heic_bytes = None
    if heic:
        # A phone's HEIC is a few MB for 12 Mpx; noise at this size encodes to a few MB too.
        buffer = io.BytesIO()
        thumbnails = [heic_thumbnail] if heic_thumbnail else []
        Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, "HEIF", quality=90,
                                                                            thumbnails=thumbnails)
        heic_bytes = buffer.getvalue()
    return out, heic_bytes


# --- the database ----------------------------------------------------------------------------


def setup(database_url: str, households: int) -> tuple[int, list[str], int, list[int]]:
    """Migrate; one wedding (photos unmoderated), `households` households with a guest each, one
    approved song. Returns (wedding id, session keys, song id, guest ids)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["SECRET_KEY"] = SECRET_KEY  # the servers': sessions made here must be readable there
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wedding.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from tests import factories
    from tests.integration.helpers import household_session_key
    from wedding.songs.models import SongRequest

    wedding = factories.WeddingFactory(photo_moderation=False)
    keys, guests = [], []
    for _ in range(households):
        household = factories.HouseholdFactory(wedding=wedding)
        guests.append(factories.GuestFactory(household=household).pk)
        keys.append(household_session_key(household))
    song = factories.SongRequestFactory(wedding=wedding, title="Bailando", status=SongRequest.Status.APPROVED)
    return wedding.pk, keys, song.pk, guests


def vote(song_id: int, guest_id: int) -> int:
    """One guest's vote through the product's service; the wedding's version after the commit."""
    from guests.models import Guest
    from wedding.core.models import Wedding
    from wedding.songs import services
    from wedding.songs.models import SongRequest

    song = SongRequest.objects.get(pk=song_id)
    services.song_vote(song=song, guest=Guest.objects.get(pk=guest_id))
    return Wedding.objects.get(pk=song.wedding_id).version


def photos_made(wedding_id: int) -> tuple[int, int, int]:
    """(photos stored, photos shown: the worker made their thumbnail, photos with their full-size image)."""
    from wedding.photos.models import Photo

    photos = Photo.objects.filter(wedding_id=wedding_id)
    return photos.count(), photos.shown().count(), photos.ready().count()


# --- clients ---------------------------------------------------------------------------------


@dataclass
class Watcher:
    session: str
    version: int = 0
    welcomed: bool = False
    frames: list[tuple[float, int]] = field(default_factory=list)  # (arrived, version)
    seen: dict[int, float] = field(default_factory=dict)  # photo number -> first frame showing it


async def watch(watcher: Watcher, url: str, origin: str, stop: asyncio.Event) -> None:
    import websockets

    headers = {"Origin": origin, "Cookie": f"sessionid={watcher.session}"}
    async with websockets.connect(url, additional_headers=headers, open_timeout=60, max_size=None,
                                  ping_interval=None) as ws:
        await ws.send(json.dumps({"t": "hello", "v": watcher.version, "regions": REGIONS}))
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            arrived = time.monotonic()
            frame = json.loads(raw)
            if frame.get("t") == "welcome":
                watcher.welcomed = True
                watcher.version = int(frame.get("v") or 0)
            elif frame.get("t") == "update":
                watcher.version = max(watcher.version, int(frame.get("v") or 0))
                watcher.frames.append((arrived, watcher.version))
                for region in frame.get("regions", []):
                    for number in CAPTION.findall(region.get("html", "")):
                        watcher.seen.setdefault(int(number), arrived)


def probe_pages(base_url: str, session: str, stop, samples) -> None:
    """GET the other guest pages one after another (a guest browsing), putting (started, page,
    seconds, status) on `samples` (a multiprocessing queue).

    Runs in a process of its own (before session 10, `36a9d13`, it ran in the benchmark's event
    loop): the loop that reads 300 sockets' frames lags by hundreds of milliseconds during
    the flood, and a probe timed in it counts that lag as the server's. CLOCK_MONOTONIC is the
    same clock in every process, so its times line up with the flood's.
    """
    import httpx

    with httpx.Client(base_url=base_url, cookies={"sessionid": session}, timeout=60) as client:
        turn = 0
        while not stop.is_set():
            page = PAGES[turn % len(PAGES)]
            turn += 1
            started = time.monotonic()
            response = client.get(page)
            samples.put((started, page, time.monotonic() - started, response.status_code))
            time.sleep(0.1)


def drain(queue, into: list, wait: float) -> None:
    """Move what `queue` holds into `into`, waiting up to `wait` seconds for the first item."""
    import queue as queues

    try:
        into.append(queue.get(timeout=wait) if wait else queue.get_nowait())
        while True:
            into.append(queue.get_nowait())
    except queues.Empty:
        pass


async def write_votes(song_id: int, guests: list[int], every: float, stop: asyncio.Event, writes: list) -> None:
    """A song vote every `every` seconds (each by another guest): (committed at, version)."""
    for guest_id in guests:
        if stop.is_set():
            return
        version = await asyncio.to_thread(vote, song_id, guest_id)
        writes.append((time.monotonic(), version))
        await asyncio.sleep(every)


async def upload(base_url: str, session: str, number: int, body: bytes, name: str, ctype: str) -> tuple[bool, float, float]:
    """POST one photo as the household's phone does; (accepted, response arrived at, seconds)."""
    import httpx

    cookies = {"sessionid": session, "csrftoken": CSRF}
    async with httpx.AsyncClient(base_url=base_url, cookies=cookies, timeout=300) as client:
        started = time.monotonic()
        try:
            response = await client.post(
                "/photos/", headers={"X-CSRFToken": CSRF}, data={"caption": f"flood-{number}"},
                files={"photos": (name, body, ctype)},
            )
            ok = response.status_code == 302
        except httpx.HTTPError:
            ok = False
        done = time.monotonic()
    return ok, done, done - started


def vote_latencies(writes: list[tuple[float, int]], watchers: list[Watcher], since: float, until: float) -> list[float]:
    """Commit → first frame covering it (version ≥ the vote's), per (socket, vote) written in [since, until)."""
    latencies = []
    for committed, version in writes:
        if not since <= committed < until:
            continue
        for watcher in watchers:
            arrived = next((t for t, v in watcher.frames if v >= version and t >= committed - 0.05), None)
            if arrived is not None:
                latencies.append(max(0.0, arrived - committed))
    return latencies


def page_stats(samples: list, since: float, until: float) -> dict[str, tuple[int, float, int]]:
    """Per page: (count, p95 ms, non-200 answers) for probes started in [since, until)."""
    out = {}
    for page in PAGES:
        rows = [(s, status) for started, p, s, status in samples if p == page and since <= started < until]
        out[page] = (len(rows), percentile([s for s, _ in rows], 95) * 1000, sum(1 for _, st in rows if st != 200))
    return out


# --- the run ---------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> None:
    from bench.rush import collect_static, deployed_env
    from tests.e2e.servers import PRODUCT_ASGI_APP, DaphneServer, RedisServer, TaskWorker

    print(f"load before the run: {uptime()}")
    tmp = Path(tempfile.mkdtemp(prefix="confetti-photoflood-"))
    database_url = args.database_url or f"sqlite:///{tmp}/photoflood.sqlite3"
    redis = RedisServer(log_dir=str(tmp))
    processes: list = [redis]  # stopped in reverse order however the run ends (SIGTERM included)
    stop = asyncio.Event()
    tasks: list[asyncio.Task] = []
    prober = None  # the page probe's process
    try:
        redis.start()
        os.environ["REDIS_URL"] = redis.url  # this process's votes are published through it too
        households = max(args.uploads, args.sockets) + 1
        print(f"setting up {households} households on {database_url.split('@')[-1]} …")
        wedding_id, sessions, song_id, guests = await asyncio.to_thread(setup, database_url, households)
        print("making the photos …")
        jpegs, heic = await asyncio.to_thread(noise_photos, args.distinct, args.heic > 0, tuple(args.size),
                                              args.heic_thumbnail)
        print(f"  JPEG {len(jpegs[0]) / 1e6:.1f} MB ({args.size[0]}×{args.size[1]} noise, q95)"
              + (f"; HEIC {len(heic) / 1e6:.1f} MB, embedded thumbnail "
                 + (f"within {args.heic_thumbnail} px" if args.heic_thumbnail else "none") if heic else ""))

        # As a host runs them (DEBUG off: no query log in the servers and workers, collected statics);
        # the rate limits stay on, as deployed.
        env = {"PHOTO_ROOT": str(tmp / "photos"), "MEDIA_ROOT": str(tmp / "media")}
        if args.debug:  # the old way, exactly
            env["DEBUG"] = "true"
        else:
            env.update(deployed_env(SECRET_KEY, str(tmp / "static")))
            await asyncio.to_thread(collect_static, env, database_url)
        server = DaphneServer(database_url=database_url, redis_url=redis.url, app=PRODUCT_ASGI_APP, extra_env=env,
                              log_dir=str(tmp))
        processes.append(server)
        server.start()
        workers = [TaskWorker(database_url=database_url, redis_url=redis.url, extra_env=env, log_dir=str(tmp))
                   for _ in range(args.workers)]
        processes += workers
        for worker in workers:
            worker.start()
            if args.worker_nice:  # as the systemd unit's Nice=: page views and frames first
                os.setpriority(os.PRIO_PROCESS, worker.pid, args.worker_nice)
        # deploy/nginx's `location = /photos/` sends uploads (POST) to daphne processes of their own:
        # the page process keeps its core for page views and live frames.
        uploaders = [DaphneServer(database_url=database_url, redis_url=redis.url, app=PRODUCT_ASGI_APP,
                                  extra_env=env, log_dir=str(tmp)) for _ in range(args.upload_servers)]
        processes += uploaders
        for uploader in uploaders:
            uploader.start()
            if args.upload_nice:  # as confetti-upload@.service's Nice=
                os.setpriority(os.PRIO_PROCESS, uploader.pid, args.upload_nice)
        upload_urls = [u.url for u in uploaders] or [server.url]
        print(f"daphne pid {server.pid}, {len(workers)} worker(s) {[w.pid for w in workers]}"
              + (f", upload daphne {[u.pid for u in uploaders]}" if uploaders else "") + f"; logs in {tmp}")
        watchers = [Watcher(session) for session in sessions[: args.sockets]]
        url = f"{server.ws_url}/ws/live/?wedding={wedding_id}"
        for start in range(0, len(watchers), 50):
            wave = watchers[start:start + 50]
            tasks += [asyncio.create_task(watch(w, url, server.url, stop)) for w in wave]
            deadline = time.monotonic() + 60
            while not all(w.welcomed for w in wave) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        print(f"{sum(w.welcomed for w in watchers)} of {len(watchers)} sockets open")

        samples: list = []
        spawn = multiprocessing.get_context("spawn")
        probe_stop, probe_samples = spawn.Event(), spawn.Queue()
        prober = spawn.Process(target=probe_pages, args=(server.url, sessions[-1], probe_stop, probe_samples),
                               daemon=True)
        prober.start()
        deadline = time.monotonic() + 60
        while not samples and time.monotonic() < deadline:  # its first page answered: it runs
            await asyncio.to_thread(drain, probe_samples, samples, 0.5)
        if args.client_nice:
            # The phones are not on the server: from here on this process (the uploads and the 300
            # sockets) takes only the CPU the servers leave. The probe process and the servers keep theirs.
            os.setpriority(os.PRIO_PROCESS, 0, args.client_nice)
        writes: list = []
        tasks.append(asyncio.create_task(write_votes(song_id, guests[::-1], args.vote_every, stop, writes)))
        idle_from = time.monotonic()
        await asyncio.sleep(args.idle)
        flood_from = time.monotonic()
        def cpu_now() -> dict[str, float]:
            return {"daphne": cpu_seconds(server.pid),
                    **{f"upload daphne{i}": cpu_seconds(u.pid) for i, u in enumerate(uploaders)},
                    **{f"worker{i}": cpu_seconds(w.pid) for i, w in enumerate(workers)},
                    "this benchmark's clients": cpu_seconds(os.getpid())}

        cpu_before = cpu_now()

        def photo(number: int) -> tuple[bytes, str, str]:
            if number < args.heic:
                return heic, f"IMG_{number:04d}.HEIC", "image/heic"
            return jpegs[number % len(jpegs)], f"IMG_{number:04d}.JPG", "image/jpeg"

        results = await asyncio.gather(*(
            upload(upload_urls[number % len(upload_urls)], sessions[number], number, *photo(number))
            for number in range(args.uploads)
        ))
        uploads_done = time.monotonic()
        accepted = [n for n, (ok, _, _) in enumerate(results) if ok]
        print(f"uploads answered in {uploads_done - flood_from:.1f} s "
              f"(response p50 {percentile([s for _, _, s in results], 50):.1f} s, max {max(s for _, _, s in results):.1f} s)")
        deadline = time.monotonic() + args.wait
        while time.monotonic() < deadline:
            if watchers and all(any(n in w.seen for w in watchers) for n in accepted):
                break
            if not watchers and (await asyncio.to_thread(photos_made, wedding_id))[1] >= len(accepted):
                break
            await asyncio.sleep(0.2)
        flood_until = time.monotonic()
        workers_live = sum(cpu_seconds(w.pid) for w in workers) - sum(v for k, v in cpu_before.items() if k.startswith("worker"))
        await asyncio.sleep(1)  # the last frames reach the slowest sockets
        # Then the full-size images (made after every waiting thumbnail): the worker's whole job.
        while time.monotonic() < deadline and (await asyncio.to_thread(photos_made, wedding_id))[2] < len(accepted):
            await asyncio.sleep(0.2)
        images_until = time.monotonic()
        cpu_after = cpu_now()
        stop.set()
        probe_stop.set()
        # It exits once its last GET is answered (60 s timeout) and the queue has taken its samples.
        until = time.monotonic() + 70
        while prober.is_alive() and time.monotonic() < until:
            await asyncio.to_thread(drain, probe_samples, samples, 0.2)
        await asyncio.to_thread(drain, probe_samples, samples, 0.0)
        total, shown, ready = await asyncio.to_thread(photos_made, wedding_id)
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if prober and prober.is_alive():
            prober.terminate()
        for process in reversed(processes):
            process.stop()

    # --- report ---
    first_seen = {n: min((w.seen[n] for w in watchers if n in w.seen), default=None) for n in accepted}
    live = [first_seen[n] - results[n][1] for n in accepted if first_seen[n] is not None]
    pairs = [w.seen[n] - results[n][1] for n in accepted for w in watchers if n in w.seen]
    made_ok = sum(1 for n in accepted if first_seen[n] is not None)
    print()
    success = min(len(accepted), shown) / args.uploads
    print(f"uploads: {args.uploads} ({args.heic} HEIC), {len(accepted)} answered 302, {shown} of {total} photos shown "
          f"(thumbnail made), {ready} with their full-size image: success {100 * success:.0f} %; "
          f"{made_ok} seen live on a socket")
    print(f"every photo live {flood_until - flood_from:.1f} s after the flood began; every full-size image "
          f"{images_until - flood_from:.1f} s after")
    idle, flood = page_stats(samples, idle_from, flood_from), page_stats(samples, flood_from, flood_until)
    print("other pages (one guest browsing, GET after GET, in a process of its own):")
    for page in PAGES:
        (n0, p0, e0), (n1, p1, e1) = idle[page], flood[page]
        print(f"  {page:<8} idle p95 {p0:7.0f} ms (n={n0}, errors {e0})   flood p95 {p1:7.0f} ms (n={n1}, errors {e1})"
              f"   ratio {p1 / p0:.1f}×")
    v0 = vote_latencies(writes, watchers, idle_from, flood_from)
    v1 = vote_latencies(writes, watchers, flood_from, flood_until)
    print(f"song vote commit→frame, {len(watchers)} sockets: idle p95 {percentile(v0, 95) * 1000:.0f} ms (n={len(v0)})"
          f"   flood p95 {percentile(v1, 95) * 1000:.0f} ms (n={len(v1)})")
    print(f"upload complete → live in the gallery: first socket p50 {percentile(live, 50):.1f} s, p95 "
          f"{percentile(live, 95):.1f} s, max {max(live, default=float('nan')):.1f} s; every (socket, photo) pair p95 "
          f"{percentile(pairs, 95):.1f} s")
    spent = {name: cpu_after[name] - cpu_before[name] for name in cpu_before}
    print(f"CPU from the flood to the last full-size image ({images_until - flood_from:.1f} s): "
          + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in spent.items())
          + (f"; worker CPU per photo {sum(v for k, v in spent.items() if k.startswith('worker')) / max(ready, 1) * 1000:.0f} ms"
             f" ({workers_live:.1f} s of the workers' until every photo was live)"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=100)
    parser.add_argument("--heic", type=int, default=10, help="how many of the uploads are HEIC")
    parser.add_argument("--heic-thumbnail", type=int, default=320,
                        help="box (px) of the thumbnail embedded in the HEIC, as phones embed one; 0: none")
    parser.add_argument("--sockets", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1, help="messaging_worker processes")
    parser.add_argument("--worker-nice", type=int, default=0, help="nice value for the workers (deploy's Nice=)")
    parser.add_argument("--upload-servers", type=int, default=0,
                        help="daphne processes of their own for the uploads (deploy/nginx's /photos/ POST route); "
                             "0: the page process takes them")
    parser.add_argument("--upload-nice", type=int, default=0, help="nice value for the upload daphne processes")
    parser.add_argument("--debug", action="store_true",
                        help="run the servers and workers with DEBUG on (every run before session 17 did)")
    parser.add_argument("--client-nice", type=int, default=0,
                        help="nice value for this process's uploads and sockets once the servers and the "
                             "page probe run (the phones are not on the server)")
    parser.add_argument("--size", type=int, nargs=2, default=(2400, 1800), help="photo pixels (noise)")
    parser.add_argument("--distinct", type=int, default=8, help="distinct JPEGs made (reused round-robin)")
    parser.add_argument("--idle", type=float, default=10.0, help="seconds measured before the flood")
    parser.add_argument("--vote-every", type=float, default=0.5)
    parser.add_argument("--wait", type=float, default=120.0, help="seconds to wait for every photo to show")
    parser.add_argument("--database-url", default="")
    # A `kill` ends the run through its `finally`: the servers it started stop with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
