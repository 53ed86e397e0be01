"""The invitation rush's steps one at a time: the server's CPU per step, without contention.

    .venv/bin/python bench/rush_steps.py --database-url postgres://postgres@127.0.0.1:5432/confetti_bench_rush
    .venv/bin/python bench/rush_steps.py --households 200

bench/rush.py plays the rush at full size, where the server's CPU per request also carries
the contention of hundreds of threads for one GIL and the pool. Here the same daphne
(`rush.start_server`) answers one household at a time, the same steps as the locust
households (entry link → home → RSVP form → submit → done → table, and the floor `/`), and
each step's server CPU (/proc/<pid>/stat before and after) is summed over the households: an
A/B figure that is steadier on a loaded machine than the rush's latencies. No sockets are open,
so an RSVP's live work is not in it. On PostgreSQL the CPU of its processes (the backends serving the
server) is counted per step too. CPU is counted in clock ticks (10 ms): a mean over many
households is what means something.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rush import (  # noqa: E402
    RsvpFormParser,
    cpu_seconds,
    postgres_cpu_seconds,
    setup,
    start_server,
    uptime,
)

STEPS = ("0 floor /", "1 entry link", "2 home", "3 rsvp form", "4 submit", "5 done", "6 table")
WARM_UP = 10  # households played before counting (templates compiled, pool filled)


def play(server, household: dict, n: int, step) -> None:
    """One household's way through the rush; `step(name, call)` runs and measures each request."""
    import httpx

    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Forwarded-For": f"10.2.{n >> 8 & 255}.{n & 255}"}) as http:
        def send(method: str, path: str, expect: int, **kwargs) -> httpx.Response:
            # The server's cookies are Secure (DEBUG off): send them back as a browser behind TLS would.
            cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
            response = http.request(method, path, headers={"Cookie": cookie, **kwargs.pop("headers", {})}, **kwargs)
            if response.status_code != expect:
                raise SystemExit(f"{method} {path}: HTTP {response.status_code}, expected {expect}")
            return response

        step("0 floor /", lambda: httpx.get(server.url + "/", headers={"X-Forwarded-For": "10.255.255.254"}))
        step("1 entry link", lambda: send("GET", f"/i/{household['code']}/", 302))
        step("2 home", lambda: send("GET", "/home/", 200))
        form = RsvpFormParser()
        form.feed(step("3 rsvp form", lambda: send("GET", "/rsvp/", 200)).text)
        step("4 submit", lambda: send("POST", "/rsvp/", 302, data=form.data,
                                      headers={"Origin": server.url, "Referer": f"{server.url}/rsvp/"}))
        step("5 done", lambda: send("GET", "/rsvp/done/", 200))
        step("6 table", lambda: send("GET", "/home/", 200))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=120, help="households counted (default 120)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='confetti-rush-')}/rush.sqlite3"
    plan = setup(database_url, SimpleNamespace(
        weddings=5, households=args.households + WARM_UP, guest_sockets=0, planner_sockets=0,
    ))
    server = start_server(database_url)
    cpu: dict[str, float] = collections.defaultdict(float)
    database_cpu: dict[str, float] = collections.defaultdict(float)
    postgres = database_url.startswith("postgres")
    try:
        print(f"uptime before: {uptime()}")
        for n, household in enumerate(plan["rushing"]):
            counted = n >= WARM_UP

            def step(name, call, counted=counted):
                before, database_before = cpu_seconds(server.pid), postgres_cpu_seconds() if postgres else 0
                response = call()
                if counted:
                    cpu[name] += cpu_seconds(server.pid) - before
                    if postgres:
                        database_cpu[name] += postgres_cpu_seconds() - database_before
                return response

            play(server, household, n, step)
        print(f"uptime after: {uptime()}")
    finally:
        server.stop()
    per = 1000 / args.households
    for name in STEPS:
        database = f", PostgreSQL {per * database_cpu[name]:5.1f} ms" if postgres else ""
        print(f"{name:14} {per * cpu[name]:6.1f} ms server CPU per request{database}")
    database = f", PostgreSQL {per * sum(database_cpu.values()):.1f} ms" if postgres else ""
    print(f"{'a household':14} {per * sum(cpu.values()):6.1f} ms{database} (its six requests and one floor)")


if __name__ == "__main__":
    main()
