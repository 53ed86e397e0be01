"""What one client may cost the server: open sockets, unsent bytes, expensive frames (DESIGN §4.13).

Pure decisions, no I/O (the hub, the consumer and `realtime.transport` apply them):

* `SocketCounts` — open sockets per principal (a planner user or a guest
  household) and per client address, each capped. A socket over a cap is
  accepted and closed at once with `CLOSE_TRY_LATER` (1013, the standard
  "try again later"; the browser reconnects with its backoff instead of
  hammering, and does not give up as after a 4xxx). Counted per process:
  with N daphne processes behind a balancer the caps apply per process.
* `Throttle` — at most one run of an expensive client frame (a resync; a
  repeated hello, on a shorter interval) per interval per socket; requests inside the interval are
  coalesced into one run at its end, the latest frame winning. So a flood of
  14-byte resyncs costs one render set per interval, whatever its rate.
* `send_buffer_max()` — the unsent bytes a socket may have queued in the
  server before it is dropped (`realtime.transport` measures and enforces
  it, on the direct path and the ASGI path alike).

The limits are settings (environment variables, see `.env.example`), read
when a hub is created (caps) or when used (intervals, buffer).
"""

from __future__ import annotations

import collections
from collections.abc import Callable

from django.conf import settings

CLOSE_TRY_LATER = 1013  # RFC 6455 "Try Again Later": not a 4xxx, so the client retries, with backoff

DEFAULT_PER_PRINCIPAL = 20
DEFAULT_PER_ADDRESS = 100
DEFAULT_SEND_BUFFER = 4 * 1024 * 1024
DEFAULT_RESYNC_INTERVAL = 2.0

PRINCIPAL, ADDRESS = "principal", "address"


def sockets_per_principal() -> int:
    return int(getattr(settings, "REALTIME_MAX_SOCKETS_PER_PRINCIPAL", DEFAULT_PER_PRINCIPAL))


def sockets_per_address() -> int:
    return int(getattr(settings, "REALTIME_MAX_SOCKETS_PER_ADDRESS", DEFAULT_PER_ADDRESS))


def send_buffer_max() -> int:
    """Bytes a socket may have waiting in the server (not yet taken by the kernel)."""
    return int(getattr(settings, "REALTIME_SEND_BUFFER_MAX", DEFAULT_SEND_BUFFER))


def resync_interval() -> float:
    """Seconds between two runs of one socket's resyncs."""
    return float(getattr(settings, "REALTIME_RESYNC_INTERVAL", DEFAULT_RESYNC_INTERVAL))


HELLO_INTERVAL_MAX = 0.5


def hello_interval() -> float:
    """Seconds between two runs of one socket's hellos: shorter than a resync's, since the page
    says hello again whenever an htmx swap changes its regions (and waits for it to get their
    updates); a hello re-renders only what changed since the version it names."""
    return min(resync_interval(), HELLO_INTERVAL_MAX)


class SocketCounts:
    """Open sockets per principal and per address, with their caps."""

    def __init__(self, *, per_principal: int, per_address: int) -> None:
        self.per_principal = per_principal
        self.per_address = per_address
        self.by_principal: collections.Counter = collections.Counter()
        self.by_address: collections.Counter = collections.Counter()

    def admit(self, principal: tuple, address: str | None) -> str | None:
        """Count one more socket, or say which cap refuses it (PRINCIPAL or ADDRESS; nothing counted)."""
        if self.by_principal[principal] >= self.per_principal:
            return PRINCIPAL
        if address is not None and self.by_address[address] >= self.per_address:
            return ADDRESS
        self.by_principal[principal] += 1
        if address is not None:
            self.by_address[address] += 1
        return None

    def release(self, principal: tuple, address: str | None) -> None:
        """One admitted socket ended (call once per successful `admit`)."""
        _decrement(self.by_principal, principal)
        if address is not None:
            _decrement(self.by_address, address)


def _decrement(counter: collections.Counter, key) -> None:
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]


NOW, COALESCED = 0.0, None


class Throttle:
    """One run per `interval`: `ask()` says when the requested run happens.

    `NOW` (0.0): run it now. A positive number: run it that many seconds from
    now (the caller schedules it). `COALESCED` (None): a run is already
    scheduled and will serve this request too.
    """

    def __init__(self, *, interval: float, clock: Callable[[], float]) -> None:
        self.interval = interval
        self.clock = clock
        self.last: float | None = None
        self.scheduled = False

    def ask(self) -> float | None:
        if self.scheduled:
            return COALESCED
        now = self.clock()
        if self.last is None or now - self.last >= self.interval:
            self.last = now
            return NOW
        self.scheduled = True
        return self.last + self.interval - now

    def ran(self) -> None:
        """The scheduled run happened (call from it)."""
        self.scheduled = False
        self.last = self.clock()


def client_address(scope: dict) -> str | None:
    """The client's address for the per-address cap.

    Behind the reverse proxy (`SECURE_PROXY_SSL_HEADER` set, i.e.
    BEHIND_PROXY=true) every socket comes from the proxy: the right-most
    X-Forwarded-For entry is the address the proxy saw (entries to its left
    are the client's own words), as for the HTTP throttles.
    """
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        for name, value in scope.get("headers") or ():
            if name == b"x-forwarded-for":
                hops = [hop.strip() for hop in value.decode("latin-1").split(",") if hop.strip()]
                if hops:
                    return hops[-1]
    client = scope.get("client")
    return str(client[0]) if client else None
