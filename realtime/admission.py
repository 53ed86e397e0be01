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

How many may be in flight grows with how fast the process finishes them:
`limit` is a floor, and a process that has been finishing R handshakes a
second admits up to R × `admit_within` (what it can finish within that many
seconds; the process's own admission uses `ADMIT_WITHIN`). A refusal costs
the server nearly a whole handshake (upgrade, frame, close) and the client a
wait, so a process that can serve the herd in a few seconds serves it rather
than sending it away. The handshake's own reads are batched
(`realtime.handshake`), so the socket is accepted long before daphne's
handshake timeout even with many in flight.

The rate is measured over the last `window` seconds, or over the current
busy spell when that is younger (a restarted process facing its herd knows
its pace after a fraction of a second instead of two).

The delay spreads the herd over time rather than postponing it as a block:
every refused client is handed its own slot in a virtual queue that drains
at the rate the process has been finishing handshakes, so the n-th refused
client waits about n / rate seconds. The more clients wait, the longer the
delay handed out (it grows with the backlog), and those that come back
arrive roughly as fast as they can be served.

Cheaper still than a refusal: not taking the connection yet. A refusal costs
the process a whole WebSocket handshake (parsed by Twisted and autobahn, then
accepted, a frame, a close), and a restart's herd is thousands of them: the
loop spent its time refusing while the admitted handshakes timed out. So when
the process is full the middleware also stops accepting new TCP connections
(`AcceptPause`, on daphne's listening port: `realtime.transport.listening_port`)
and resumes when a quarter of the slots are free again, or after `PAUSE_MAX`
seconds at most (so plain HTTP waits no longer than that): meanwhile clients
wait in the kernel's listen queue (Twisted's default backlog, 50) or, beyond
it, their SYNs are dropped and retried by their own TCP stack — at no cost to
the process. Connections already taken when the pause begins still get the
retry-after close. (A larger listen backlog made storms worse in
bench/storm.py: every connection in it is taken at once on resume and may
outlive daphne's 5 s handshake timeout.)

The core (`Admission`) is pure: a clock is injected, there is no I/O, and
`tests/realtime/test_admission.py` drives it without sockets.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import time
from collections.abc import Callable
from typing import Any

__all__ = ["AdmissionMiddleware", "SCOPE_KEY", "Admission", "Ticket", "retry_after_reason", "retry_frame", "parse_retry_after", "admission", "accept_pause", "AcceptPause", "CLOSE_RETRY_AFTER"]

logger = logging.getLogger(__name__)

CLOSE_RETRY_AFTER = 4429  # the browser retries after the delay in the reason (live.js)
REASON_PREFIX = "retry-after="

LIMIT = 256  # handshakes in flight per process at least; beyond the limit, clients are told when to come back
ADMIT_WITHIN = 1.5  # ... and as many as the process finishes in this many seconds at its measured rate
MAX_LIMIT = 4096  # never more in flight than this, whatever the rate says
MIN_RATE = 200.0  # handshakes/s assumed while too few have finished to measure
RATE_WINDOW = 2.0  # seconds of finished handshakes the rate is measured over
MIN_SPAN = 0.25  # a busy spell younger than this is measured as this long
MIN_DELAY_MS = 200
MAX_DELAY_MS = 5_000  # never longer: a mis-measured rate must not park a page for long
RESUME_AT = 0.75  # accepting resumes once in-flight handshakes fall below this share of the limit
PAUSE_MAX = 1.0  # seconds the listening port stays paused at most (HTTP waits that long at worst)
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
        admit_within: float = 0.0, max_limit: int = MAX_LIMIT,
    ):
        self.limit = limit
        self.admit_within = admit_within  # 0: `limit` is fixed
        self.max_limit = max_limit
        self.clock = clock
        self.min_rate = min_rate
        self.window = window
        self.min_delay_ms = min_delay_ms
        self.max_delay_ms = max_delay_ms
        self.in_flight = 0
        self.refused = 0
        self._finished: collections.deque[float] = collections.deque()
        self._next_slot = 0.0  # clock time the virtual queue of refused clients drains to
        self._busy_since = self.clock()  # start of the current busy spell (rate measured over it)
        self.on_room: Callable[[], None] | None = None  # called when a released slot leaves room (`roomy`)

    def enter(self) -> Ticket | int:
        """A Ticket when the handshake may go on, else the milliseconds the client should wait."""
        now = self.clock()
        rate = self.rate(now)
        if self.in_flight == 0 and not self._finished:
            self._busy_since = now  # idle until now: a new spell
        if self.in_flight < self.current_limit(rate):
            self.in_flight += 1
            return Ticket(self)
        self.refused += 1
        # Slot for this client: after everybody already told to come back, one service time apart.
        slot = max(self._next_slot, now + self.in_flight / rate)
        self._next_slot = slot + 1.0 / rate
        delay_ms = int((slot - now) * 1000)
        return max(self.min_delay_ms, min(self.max_delay_ms, delay_ms))

    def rate(self, now: float | None = None) -> float:
        """Handshakes finished per second lately (never below `min_rate`)."""
        now = self.clock() if now is None else now
        while self._finished and self._finished[0] < now - self.window:
            self._finished.popleft()
        span = max(MIN_SPAN, min(self.window, now - self._busy_since))
        return max(self.min_rate, len(self._finished) / span)

    def current_limit(self, rate: float | None = None) -> int:
        """Handshakes admitted in flight now: `limit`, or what the measured rate finishes in `admit_within`."""
        if not self.admit_within:
            return self.limit
        rate = self.rate() if rate is None else rate
        return max(self.limit, min(self.max_limit, int(rate * self.admit_within)))

    def full(self) -> bool:
        """No room for another handshake now (the listening port may pause)."""
        return self.in_flight >= self.current_limit()

    def roomy(self) -> bool:
        """Room again for a good share of the limit (a paused port may resume)."""
        return self.in_flight < RESUME_AT * self.current_limit()

    def _left(self, finished: bool) -> None:
        self.in_flight -= 1
        if finished:
            self._finished.append(self.clock())
        if self.on_room is not None and self.roomy():
            self.on_room()


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


class AcceptPause:
    """Listening ports not accepting connections while the process is full (see the module docstring).

    `pause(port)` stops the port reading (Twisted's `stopReading`) until
    `resume()`, which the admission calls when slots free up, or a timer after
    `PAUSE_MAX` seconds. `port` is anything with `stopReading()` and
    `startReading()`; None (not daphne over TCP) pauses nothing.
    """

    def __init__(self, *, call_later: Callable[[float, Callable[[], None]], Any], pause_max: float = PAUSE_MAX):
        self.call_later = call_later
        self.pause_max = pause_max
        self.paused: set = set()
        self.pauses = 0  # times a port was paused (counters, tests)
        self._timer: Any = None

    def pause(self, port: Any) -> None:
        if port is None or port in self.paused:
            return
        port.stopReading()
        self.paused.add(port)
        self.pauses += 1
        logger.info("realtime: handshakes at the admission limit; not accepting connections for up to %.1f s", self.pause_max)
        if self._timer is None:
            self._timer = self.call_later(self.pause_max, self.resume)

    def resume(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        paused, self.paused = self.paused, set()
        for port in paused:
            try:
                port.startReading()
            except Exception:  # the port was closed (shutdown): nothing to resume  # noqa: BLE001
                pass


_admission: Admission | None = None
_accepts: AcceptPause | None = None


def admission() -> Admission:
    """This process's admission (one per process; the event loop is single-threaded)."""
    global _admission
    if _admission is None:
        _admission = Admission(admit_within=ADMIT_WITHIN)
    return _admission


def accept_pause() -> AcceptPause:
    """This process's paused listening ports, resumed when its admission has room again."""
    global _accepts
    if _accepts is None:
        loop = asyncio.get_running_loop()
        _accepts = AcceptPause(call_later=loop.call_later)
        admission().on_room = lambda: _accepts.resume() if _accepts.paused else None
    return _accepts


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
        gate = admission()
        admitted = gate.enter()
        if not isinstance(admitted, Ticket):
            await _refuse(receive, send, admitted)
            return
        if gate.full():  # the last slot: take no more connections until there is room again
            from realtime.transport import listening_port

            accept_pause().pause(listening_port(send))
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
