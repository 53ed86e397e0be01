"""Admission control for WebSocket handshakes: say "come back in N ms" instead of timing out.

A restart (or a Wi-Fi blip at the reception) brings every open page back at
once. A process that starts more handshakes than it can finish lets all of
them time out (daphne drops a handshake not done in 5 s), the clients retry,
and the herd never gets in (issue 14). So each process admits at most
`limit` handshakes in flight — from the connect to the welcome frame — and
answers the others at once, before any database work (`AdmissionMiddleware`
sits outside `realtime.handshake.LiveAuthMiddleware`, which reads the
session: a refusal must not wait for a read): accepted, a frame
`{"t": "retry", "ms": N}` (`retry_frame`; daphne drops close reasons), then
close code `CLOSE_RETRY_AFTER` with the delay also in the close reason
(`retry_after_reason`, for servers that pass it on).

The delay spreads the herd over time rather than postponing it as a block:
every refused client is handed its own slot in a virtual queue that drains
at the rate the process has been finishing handshakes, so the n-th refused
client waits about n / rate seconds. The more clients wait, the longer the
delay handed out (it grows with the backlog), and those that come back
arrive roughly as fast as they can be served.

The core (`Admission`) is pure: a clock is injected, there is no I/O, and
`tests/realtime/test_admission.py` drives it without sockets.
"""

from __future__ import annotations

import asyncio
import collections
import json
import time
from collections.abc import Callable
from typing import Any

__all__ = ["AdmissionMiddleware", "SCOPE_KEY", "Admission", "Ticket", "retry_after_reason", "retry_frame", "parse_retry_after", "admission", "CLOSE_RETRY_AFTER"]

CLOSE_RETRY_AFTER = 4429  # the browser retries after the delay in the reason (live.js)
REASON_PREFIX = "retry-after="

LIMIT = 256  # handshakes in flight per process; beyond, clients are told when to come back
MIN_RATE = 200.0  # handshakes/s assumed while too few have finished to measure
RATE_WINDOW = 2.0  # seconds of finished handshakes the rate is measured over
MIN_DELAY_MS = 200
MAX_DELAY_MS = 5_000  # never longer: a mis-measured rate must not park a page for long
SCOPE_KEY = "confetti.admission"  # the handshake's Ticket in the scope; the consumer releases it at the welcome
HOLD_MAX = 10.0  # seconds a slot is held at most (a client that opens and never says hello)


class Ticket:
    """One admitted handshake; `release()` it once (later calls do nothing)."""

    __slots__ = ("_admission", "released")

    def __init__(self, admission: Admission):
        self._admission = admission
        self.released = False

    def release(self, finished: bool = False) -> None:
        """Frees the slot: `finished` when the handshake was answered (welcome, 4403), else abandoned."""
        if not self.released:
            self.released = True
            self._admission._left(finished)


class Admission:
    """Counts handshakes in flight and hands out spread retry delays when full."""

    def __init__(
        self, *, limit: int = LIMIT, clock: Callable[[], float] = time.monotonic,
        min_rate: float = MIN_RATE, window: float = RATE_WINDOW,
        min_delay_ms: int = MIN_DELAY_MS, max_delay_ms: int = MAX_DELAY_MS,
    ):
        self.limit = limit
        self.clock = clock
        self.min_rate = min_rate
        self.window = window
        self.min_delay_ms = min_delay_ms
        self.max_delay_ms = max_delay_ms
        self.in_flight = 0
        self.refused = 0
        self._finished: collections.deque[float] = collections.deque()
        self._next_slot = 0.0  # clock time the virtual queue of refused clients drains to

    def enter(self) -> Ticket | int:
        """A Ticket when the handshake may go on, else the milliseconds the client should wait."""
        now = self.clock()
        if self.in_flight < self.limit:
            self.in_flight += 1
            return Ticket(self)
        self.refused += 1
        rate = self.rate(now)
        # Slot for this client: after everybody already told to come back, one service time apart.
        slot = max(self._next_slot, now + self.limit / rate)
        self._next_slot = slot + 1.0 / rate
        delay_ms = int((slot - now) * 1000)
        return max(self.min_delay_ms, min(self.max_delay_ms, delay_ms))

    def rate(self, now: float | None = None) -> float:
        """Handshakes finished per second lately (never below `min_rate`)."""
        now = self.clock() if now is None else now
        while self._finished and self._finished[0] < now - self.window:
            self._finished.popleft()
        return max(self.min_rate, len(self._finished) / self.window)

    def _left(self, finished: bool) -> None:
        self.in_flight -= 1
        if finished:
            self._finished.append(self.clock())


def retry_after_reason(delay_ms: int) -> str:
    """The close reason that carries the delay: `retry-after=<ms>`."""
    return f"{REASON_PREFIX}{int(delay_ms)}"


def retry_frame(delay_ms: int) -> str:
    """The frame sent just before the 4429 close: `{"t": "retry", "ms": <delay>}`.

    The delay travels in a frame too because daphne drops the close reason.
    """
    return json.dumps({"t": "retry", "ms": int(delay_ms)})


def parse_retry_after(reason: str | None) -> int | None:
    """The delay in a `retry_after_reason`, or None when the reason is not one."""
    if not reason or not reason.startswith(REASON_PREFIX):
        return None
    try:
        value = int(reason[len(REASON_PREFIX):])
    except ValueError:
        return None
    return value if value >= 0 else None


_admission: Admission | None = None


def admission() -> Admission:
    """This process's admission (one per process; the event loop is single-threaded)."""
    global _admission
    if _admission is None:
        _admission = Admission()
    return _admission


class AdmissionMiddleware:
    """ASGI middleware for the WebSocket route: admit the handshake or answer "retry after N ms".

    Put it outside `realtime.handshake.LiveAuthMiddleware`, so a refusal costs
    no session or database read. The admitted handshake's `Ticket` is in `scope[SCOPE_KEY]`:
    the consumer releases it once the socket is welcomed; it is released here
    anyway when the socket ends, and after `HOLD_MAX` seconds at the latest.
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        admitted = admission().enter()
        if not isinstance(admitted, Ticket):
            await _refuse(receive, send, admitted)
            return
        timer = asyncio.get_running_loop().call_later(HOLD_MAX, admitted.release)
        try:
            await self.app({**scope, SCOPE_KEY: admitted}, receive, send)
        finally:
            timer.cancel()
            admitted.release()


async def _refuse(receive: Callable, send: Callable, delay_ms: int) -> None:
    message = await receive()
    if message.get("type") != "websocket.connect":
        return  # the client left before its handshake reached us
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": retry_frame(delay_ms)})
    await send({"type": "websocket.close", "code": CLOSE_RETRY_AFTER, "reason": retry_after_reason(delay_ms)})
