"""Locust users for bench/rush.py: households following their invitation link, and the floor.

Started by `bench/rush.py` (headless, bounded run time); not meant to be run alone. The
plan (households, think time, where to write the results) comes from the JSON file named
by RUSH_PLAN. Each `Household` user takes the next household of the plan and goes once
through what a guest does after the invitation email:

    1 entry link   GET  /i/<code>/        (302 to /home/, sets the session)
    2 home         GET  /home/
    3 rsvp form    GET  /rsvp/
    4 submit       POST /rsvp/            (every guest attending, first meal; 302 to /rsvp/done/)
    5 done         GET  /rsvp/done/
    6 table        GET  /home/            (the "Your table" reveal, seating published)

with a think time between steps, then idles. One `Floor` user fetches the plain entry page
`/` (no session) at a steady pace all along: the same server's floor in the same run.
With `bench/rush.py --servers N` each household goes to the server the plan gives it (its
`server`, an index into the plan's `servers`); the floor stays on server 0 (locust's --host).

Every request is recorded (step, start, duration, status, error) and written to the plan's
`out` file when locust quits; so is each submit's household, start and end (the driver
matches them with the planners' socket frames).
"""

from __future__ import annotations

import json
import os
import random
import time

from locust import FastHttpUser, User, constant, constant_pacing, events, task

# The form parser is plain Python in bench/rush.py (importing locust patches the process with gevent).
from bench.rush import RsvpFormParser

PLAN = json.loads(open(os.environ["RUSH_PLAN"]).read()) if os.environ.get("RUSH_PLAN") else {
    "households": [], "think": 0.0, "floor_interval": 0.5, "out": os.devnull,
}
_queue = list(PLAN["households"])
REQUESTS: list[list] = []  # [step, start (epoch s), duration ms, status, error]
SUBMITS: list[dict] = []  # {"household", "wedding", "server", "start", "end", "ok"}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None,
            start_time=None, **_kw) -> None:
    status = getattr(response, "status_code", 0) or 0
    REQUESTS.append([name, start_time, response_time, status, repr(exception) if exception else ""])


@events.quitting.add_listener
def _dump(environment, **_kw) -> None:
    with open(PLAN["out"], "w") as handle:
        json.dump({"requests": REQUESTS, "submits": SUBMITS, "households_left": len(_queue)}, handle)


class Household(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.household = _queue.pop(0) if _queue else None
        # Behind a proxy (BEHIND_PROXY=true on the server): each household from its own address,
        # so the per-address entry throttle runs as in production without refusing the bench.
        n = self.household["id"] if self.household else 0
        # --servers N: the household sticks to its server (its index in the plan mod N), as behind a balancer.
        servers = PLAN.get("servers")
        if servers and self.household:
            self.host = self.client.base_url = servers[self.household["server"]]
        self.address = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        self.done = False

    def headers(self, **extra: str) -> dict[str, str]:
        # The server runs with DEBUG off, so its cookies are Secure; over the bench's plain HTTP the
        # client's cookie jar keeps them but would not send them back: send them as a browser
        # behind TLS would.
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.client.cookiejar)
        return {"X-Forwarded-For": self.address, **({"Cookie": cookies} if cookies else {}), **extra}

    def think(self) -> None:
        time.sleep(PLAN["think"] * (0.5 + random.random()))  # gevent-patched: yields

    def get(self, path: str, name: str, expect: int = 200, contains: str | None = None):
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True,
                             headers=self.headers()) as response:
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code}, expected {expect}")
            elif contains and contains not in (response.text or ""):
                response.failure(f"{contains!r} not on the page")
            return response

    @task
    def rsvp(self) -> None:
        if self.done or self.household is None:
            time.sleep(3600)  # this household is done (or there was none left): idle until the end
            return
        self.done = True
        h = self.household
        self.get(f"/i/{h['code']}/", "1 entry link", expect=302)
        self.think()
        self.get("/home/", "2 home", contains="Your table")
        self.think()
        form = self.get("/rsvp/", "3 rsvp form", contains="csrfmiddlewaretoken")
        parser = RsvpFormParser()
        parser.feed(form.text or "")
        if not parser.data:
            raise RuntimeError(f"household {h['id']}: no RSVP form with answers on /rsvp/")  # locust logs it
        self.think()
        started = time.time()
        with self.client.post(
            "/rsvp/", name="4 submit", data=parser.data, allow_redirects=False, catch_response=True,
            headers=self.headers(Origin=self.host, Referer=f"{self.host}/rsvp/"),
        ) as response:
            ok = response.status_code == 302 and "/rsvp/done/" in (response.headers.get("Location") or "")
            if not ok:
                response.failure(f"HTTP {response.status_code}: the answers were not accepted")
        SUBMITS.append({
            "household": h["id"], "wedding": h["wedding"], "server": h.get("server", 0), "start": started,
            "end": time.time(), "ok": ok,
        })
        self.get("/rsvp/done/", "5 done")
        self.think()
        self.get("/home/", "6 table", contains="table-reveal")


class Floor(FastHttpUser):
    """The plain entry page, no session: what the same server answers with nothing to look up."""

    fixed_count = 1
    wait_time = constant_pacing(PLAN.get("floor_interval", 0.5))

    @task
    def entry(self) -> None:
        with self.client.get("/", name="0 floor /", catch_response=True,
                             headers={"X-Forwarded-For": "10.255.255.254"}) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


__all__ = ["Household", "Floor", "User"]
