"""Server CPU per request under daphne: Django's stock ASGI handler against the product's one-hop handler.

    .venv/bin/python bench/handler_ab.py --database-url postgres://postgres@127.0.0.1:5432/confetti_bench_rush
    .venv/bin/python bench/handler_ab.py /home/ /rsvp/ --requests 40 --rounds 6

Two daphne processes (`rush.start_server`, the rush's settings) on one database: one serves
`bench.asgi_stock_handler` (Django's handler: a thread hop per middleware method), the other
the product's `wedding.asgi`. The same requests, one at a time, alternate between them in
rounds (the order flips each round, so the machine's drift falls on both), and each server's
CPU (/proc/<pid>/stat) per request is printed: min and median over the rounds. A guest's pages
are asked with a household's session (its entry link first); `/` without one (the floor).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rush import cpu_seconds, setup, start_server, uptime  # noqa: E402

APPS = {"django": "bench.asgi_stock_handler:application", "one hop": None}  # None: the product's


def main() -> None:
    import httpx

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["/", "/home/", "/rsvp/", "/rsvp/done/"])
    parser.add_argument("--requests", type=int, default=40, help="requests per path, server and round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='confetti-hop-')}/hop.sqlite3"
    plan = setup(database_url, SimpleNamespace(weddings=1, households=len(APPS), guest_sockets=0, planner_sockets=0))
    servers: dict = {}
    try:
        for name, app in APPS.items():
            static_root = next(iter(servers.values())).extra_env["STATIC_ROOT"] if servers else None
            servers[name] = start_server(database_url, app=app, static_root=static_root)
        clients = {}
        for n, (name, server) in enumerate(servers.items()):
            client = httpx.Client(base_url=server.url, timeout=30, headers={"X-Forwarded-For": f"10.3.0.{n}"})
            entry = client.get(f"/i/{plan['rushing'][n]['code']}/")
            if entry.status_code != 302:
                raise SystemExit(f"{name}: entry link answered {entry.status_code}")
            # The cookies are Secure (DEBUG off): sent back as a browser behind TLS would.
            clients[name] = (client, "; ".join(f"{k}={v}" for k, v in client.cookies.items()))
        print(f"uptime before: {uptime()}")
        for path in args.paths:
            cpu: dict[str, list[float]] = {name: [] for name in servers}
            for round_ in range(args.rounds):
                for name in list(servers)[:: 1 if round_ % 2 else -1]:
                    client, cookie = clients[name]
                    before = cpu_seconds(servers[name].pid)
                    for _ in range(args.requests):
                        response = client.get(path, headers={} if path == "/" else {"Cookie": cookie})
                        if response.status_code != 200:
                            raise SystemExit(f"{name} {path}: HTTP {response.status_code}")
                    cpu[name].append(1000 * (cpu_seconds(servers[name].pid) - before) / args.requests)
            print(f"{path:12}", "  ".join(
                f"{name}: min {min(v):5.1f} median {sorted(v)[len(v) // 2]:5.1f} ms" for name, v in cpu.items()
            ), flush=True)
        print(f"uptime after: {uptime()}")
    finally:
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()
