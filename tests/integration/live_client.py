"""A raw `/ws/live/` client for tests that talk to real daphne processes.

It speaks the wire protocol of `realtime/consumers.py` (hello / welcome /
update / state / resync) the way the browser glue does, from a background
thread, so synchronous tests can use the ORM and the socket side by side:

    client = LiveClient(server.ws_url, wedding_id=w.pk, cookie=session_key,
                        regions=[{"name": "guestbook_wall", "params": {}}])
    client.connect(version=w.version)
    ...
    client.wait_for(lambda c: "Hello" in c.html("live-guestbook_wall"), timeout=5)

With `reconnect=True` it behaves like the glue after a close other than 4xxx:
it reconnects (short backoff) and says hello with the last version it saw;
on a `state: live` after `degraded` it asks for a resync.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import websockets


class LiveClient:
    def __init__(
        self,
        ws_url: str,
        *,
        wedding_id: int,
        cookie: str | None = None,
        origin: str | None = None,
        regions: list[dict] | None = None,
        reconnect: bool = False,
        cookie_name: str = "sessionid",
    ) -> None:
        self.base_url = ws_url
        self.wedding_id = wedding_id
        self.cookie = cookie
        self.cookie_name = cookie_name
        self.origin = origin or ws_url.replace("ws://", "http://").replace("wss://", "https://")
        self.regions = regions or []
        self.reconnect = reconnect
        self.version = 0
        self.state = "connecting"
        self.frames: list[tuple[float, dict]] = []  # (monotonic time received, frame)
        self.region_html: dict[str, str] = {}
        self.region_updated_at: dict[str, float] = {}
        self.closes: list[int | None] = []
        self.connects = 0
        self.rejected: Exception | None = None
        self._cond = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._ws = None
        self._task: asyncio.Future | None = None
        self._stopping = False

    # -- sync API (test thread) -------------------------------------------------------
    @property
    def url(self) -> str:
        return f"{self.base_url}/ws/live/?wedding={self.wedding_id}"

    def connect(self, *, version: int = 0, timeout: float = 10.0) -> dict | None:
        """Open the socket, say hello, and return the welcome (None if refused/closed)."""
        self.version = version
        self._task = asyncio.run_coroutine_threadsafe(self._run(), self._loop)
        return self.wait_for(lambda c: c.welcomes() or c.closes or c.rejected, timeout=timeout) and (
            self.welcomes()[-1] if self.welcomes() else None
        )

    def send(self, frame: dict) -> None:
        asyncio.run_coroutine_threadsafe(self._send(frame), self._loop).result(timeout=5)

    def resync(self) -> None:
        self.send({"t": "resync"})

    def close(self) -> None:
        self._stopping = True
        if self._ws is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._ws.close(), self._loop).result(timeout=5)
            except Exception:  # noqa: BLE001 - already closed
                pass
        if self._task is not None:
            self._task.cancel()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def wait_for(self, predicate: Callable[[LiveClient], Any], timeout: float = 10.0) -> Any:
        """Wait until predicate(self) is truthy; return its value, or raise TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate(self)
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"condition not met within {timeout}s; state={self.state} v={self.version} "
                        f"closes={self.closes} last frames={[f for _, f in self.frames[-5:]]!r:.2000}"
                    )
                self._cond.wait(min(remaining, 0.1))

    def welcomes(self) -> list[dict]:
        return [f for _, f in self.frames if f.get("t") == "welcome"]

    def updates(self) -> list[dict]:
        return [f for _, f in self.frames if f.get("t") == "update"]

    def html(self, dom_id: str) -> str:
        with self._cond:
            return self.region_html.get(dom_id, "")

    def all_text(self) -> str:
        """Every frame received, as text (for privacy / escaping checks)."""
        with self._cond:
            return "\n".join(json.dumps(f) for _, f in self.frames)

    def first_time_containing(self, needle: str) -> float | None:
        with self._cond:
            for at, frame in self.frames:
                if frame.get("t") == "update" and any(needle in r.get("html", "") for r in frame.get("regions", [])):
                    return at
        return None

    # -- the socket (background loop) ----------------------------------------------------
    async def _send(self, frame: dict) -> None:
        if self._ws is None:
            raise ConnectionError("not connected")
        await self._ws.send(json.dumps(frame))

    async def _run(self) -> None:
        backoff = 0.2
        while not self._stopping:
            headers = {"Origin": self.origin}
            if self.cookie:
                headers["Cookie"] = f"{self.cookie_name}={self.cookie}"
            try:
                async with websockets.connect(
                    self.url, additional_headers=headers, open_timeout=5, max_size=8 * 1024 * 1024,
                    ping_interval=None,
                ) as ws:
                    self._ws = ws
                    backoff = 0.2
                    with self._cond:
                        self.connects += 1
                    await ws.send(json.dumps({"t": "hello", "v": self.version, "regions": self.regions}))
                    async for raw in ws:
                        self._on_frame(json.loads(raw))
                    code = ws.close_code
            except websockets.InvalidStatus as error:  # refused at the handshake (e.g. Origin)
                with self._cond:
                    self.rejected = error
                    self._cond.notify_all()
                code = None
                if not self.reconnect:
                    return
            except websockets.ConnectionClosed as closed:  # e.g. closed while we said hello
                code = closed.rcvd.code if closed.rcvd is not None else 1006
            except (TimeoutError, OSError, websockets.InvalidHandshake):
                code = 1006
            self._ws = None
            with self._cond:
                self.closes.append(code)
                self.state = "closed"
                self._cond.notify_all()
            if not self.reconnect or self._stopping or (code is not None and 4000 <= code < 5000):
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    def _on_frame(self, frame: dict) -> None:
        now = time.monotonic()
        resync = False
        with self._cond:
            self.frames.append((now, frame))
            kind = frame.get("t")
            if kind == "welcome":
                self.state = frame.get("state", "live")
                # A newer version than ours: the server sends an update; just track it.
            elif kind == "update":
                for region in frame.get("regions", []):
                    self.region_html[region["id"]] = region.get("html", "")
                    self.region_updated_at[region["id"]] = now
                since = frame.get("since")
                if since is not None and since != self.version and not frame.get("resync"):
                    resync = True  # a frame went missing
                self.version = max(self.version, int(frame.get("v") or 0))
            elif kind == "state":
                was = self.state
                self.state = frame.get("state", self.state)
                resync = was == "degraded" and self.state == "live"
            self._cond.notify_all()
        if resync and self._ws is not None:
            asyncio.ensure_future(self._ws.send(json.dumps({"t": "resync"})))
