"""Every piece of knowledge about the server's internals: daphne, Twisted, autobahn, Channels.

Nothing else in `realtime` touches a private attribute or a server class;
if daphne, Twisted, autobahn or Channels change, this is the one file to
read (their versions are pinned below the next major in pyproject.toml).
What lives here:

* prepared-frame writes (`frame()`, `DirectSocket`, `direct_socket()`),
* reaching the server's own `send` beneath middleware wrappers (`server_send()`),
* the listening port behind a connection, paused by admission control (`listening_port()`),
* the consumer's lean message dispatch and disconnect (`LeanDispatch`),
* no debug text built for a log line nobody reads at each handshake (`lazy_handshake_debug()`),
* which send path this process uses (`send_path()`, for `realtime_status`),
* the bound on a socket's unsent bytes (`SendBuffer`, `send_buffer()`),
* letting go of the HTTP request a socket was opened with (`release_http_request()`).

Bounded send buffers (DESIGN §4.13). Neither daphne nor autobahn applies
back-pressure: a frame for a client that does not read is appended to
Twisted's write buffer for ever (the security review grew one by 130 MB).
Before every frame — a prepared write (`DirectSocket.write`) or an ASGI send
(the consumer asks `SendBuffer.over_limit()`) — the bytes still waiting in
the connection's buffers (not yet taken by the kernel) are compared with
`realtime.limits.send_buffer_max()`; over it, the connection is aborted
(`abortConnection()`: the buffer is freed at once, since a client that does
not read would never read a close frame either) and the frame is not sent.
The browser reconnects and resyncs by version. Sockets of another server
(or TLS terminated in daphne) have no `SendBuffer` and are not bounded here.

Prepared-frame writes: one WebSocket frame built once, written to many sockets.

A fan-out sends the *same* text to hundreds of sockets. Through ASGI each
send walks channels' consumer, daphne's `Server.handle_reply`, its protocol's
`handle_reply`/`serverSend` (UTF-8 encoding), autobahn's `sendMessage`
(framing) and Twisted's `FileDescriptor.write`, which registers the socket
with the event loop's selector to write it on the next iteration and
unregisters it afterwards. Profiled at 1,000 sockets (bench/README.md) that
path was about two thirds of the server's CPU per write.

When the socket is served by daphne (the product's server), the hub instead:

* frames the text once per distinct frame (`frame()`: autobahn's
  `PreparedMessage`, the library's own broadcast helper), and
* hands the bytes to each socket's `DirectSocket.write()`: straight to the
  kernel with one `send()` when nothing is queued on that connection (the
  common case), else appended to Twisted's own write buffer
  (`transport.write`, public API) so ordering with frames sent through ASGI
  (welcome, pong, close) is kept. A partial `send()` queues the rest the
  same way.

Anything unexpected — another ASGI server, channels' test communicator, TLS
terminated in daphne, permessage-deflate negotiated, a Twisted without the
attributes relied on here — gives no `DirectSocket` (or a transport-only
one), and the hub uses the ordinary ASGI send for that socket.
`REALTIME_DIRECT_WRITES=false` (environment) turns the whole thing off; the
benchmark measures both in one run.

autobahn's public broadcast API, `protocol.sendPreparedMessage(prepared)`,
is the same framing with a `transport.write()` per socket: Twisted then
registers every socket with the selector and writes it on the next loop
iteration. Measured against the raw `send()` above at 1,000 sockets
(bench/README.md, "Send paths", 2026-11-30) it cost 51.6–60.0 ms of server
CPU per write against 29.2–30.4 ms (+75–100 %, the issue allowed 15 %) —
about what the plain ASGI send costs — so the raw path stays the default;
`PUBLIC_BROADCAST = True` (the benchmark's `conf-public`) selects it.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable

from django.conf import settings

logger = logging.getLogger(__name__)

# Prepared frames through autobahn's public sendPreparedMessage() instead of the raw
# socket.send() (see the module docstring; the benchmark switches it to compare).
PUBLIC_BROADCAST = False

DIRECT, PUBLIC, ASGI = "direct prepared frames", "public autobahn broadcast", "ASGI send"


def enabled() -> bool:
    return settings.REALTIME_DIRECT_WRITES


def send_path() -> str:
    """How this process writes shared frames to the sockets daphne serves (DIRECT, PUBLIC or ASGI).

    Sockets of another server (or a test communicator) always use the ASGI
    send; the hub's counters say how many frames took the direct path.
    """
    if not enabled():
        return ASGI
    return PUBLIC if PUBLIC_BROADCAST else DIRECT


class PreparedFrame(bytes):
    """The frame's bytes (what a raw write sends), remembering autobahn's `PreparedMessage`
    (what the public `sendPreparedMessage()` takes)."""

    message: object = None


def frame(text: str) -> bytes:
    """The complete server-to-client WebSocket text frame for `text` (unmasked, uncompressed)."""
    from autobahn.websocket.protocol import PreparedMessage

    message = PreparedMessage(text.encode("utf-8"), isBinary=False, applyMask=False, doNotCompress=True)
    data = PreparedFrame(message.payloadHybi)
    data.message = message
    return data


class SlowReader(Exception):
    """The socket's unsent bytes passed the limit: its connection was aborted, nothing sent."""


class SendBuffer:
    """The unsent bytes of one daphne WebSocket connection, and what to do when they are too many."""

    __slots__ = ("protocol", "transport", "limit")

    def __init__(self, protocol, *, limit: int):
        self.protocol = protocol
        self.transport = protocol.transport
        self.limit = limit

    def unsent(self) -> int:
        """Bytes queued in Twisted and autobahn for this connection, not yet taken by the kernel."""
        transport = self.transport
        queued = transport._tempDataLen + len(transport.dataBuffer) - transport.offset
        return queued + sum(len(item[0]) for item in self.protocol.send_queue)

    def over_limit(self) -> bool:
        """True (and the connection aborted) when the client has left more than `limit` bytes unread."""
        unsent = self.unsent()
        if unsent <= self.limit:
            return False
        logger.warning("realtime: dropping a socket that does not read (%d bytes unsent)", unsent)
        self.transport.abortConnection()
        return True


def _daphne_protocol(send):
    """The daphne WebSocket protocol behind `send` (daphne's own send, unwrapped), or None."""
    if not isinstance(send, functools.partial) or len(send.args) != 1:
        return None
    try:
        from daphne.server import Server
    except ImportError:  # pragma: no cover - daphne is a dependency
        return None
    server = getattr(send.func, "__self__", None)
    if not isinstance(server, Server) or send.func.__func__ is not Server.handle_reply:
        return None
    protocol = send.args[0]
    return protocol if getattr(protocol, "transport", None) is not None else None


def listening_port(send):
    """The Twisted port that accepted the connection behind daphne's `send` (to pause accepting), or None.

    `realtime.admission.AcceptPause` calls its `stopReading()` / `startReading()`
    (Twisted's FileDescriptor API): while it is not reading, new connections
    wait in the kernel's listen queue.
    """
    from twisted.internet import tcp

    protocol = _daphne_protocol(send)
    transport = getattr(protocol, "transport", None)
    port = getattr(transport, "server", None) if type(transport) is tcp.Server else None
    if port is None or not (hasattr(port, "stopReading") and hasattr(port, "startReading")):
        return None
    return port


def send_buffer(send) -> SendBuffer | None:
    """The bounded view of the connection behind daphne's `send`, or None (not daphne over plain TCP)."""
    from twisted.internet import tcp

    from realtime.limits import send_buffer_max

    protocol = _daphne_protocol(send)
    if protocol is None or not hasattr(protocol, "send_queue"):
        return None
    transport = protocol.transport
    if type(transport) is not tcp.Server or not all(
        hasattr(transport, name) for name in ("_tempDataLen", "dataBuffer", "offset", "abortConnection")
    ):
        return None
    return SendBuffer(protocol, limit=send_buffer_max())


class DirectSocket:
    """Writes prepared frames to one daphne WebSocket connection (see the module docstring)."""

    __slots__ = ("server", "protocol", "transport", "raw", "buffer")

    def __init__(self, server, protocol, *, raw: bool, buffer: SendBuffer | None = None):
        self.server = server
        self.protocol = protocol
        self.transport = protocol.transport
        self.raw = raw  # may call socket.send() itself when Twisted has nothing queued
        self.buffer = buffer  # None: unbounded (see SendBuffer)

    def is_open(self) -> bool:
        protocol = self.protocol
        connection = self.server.connections.get(protocol)
        return (
            connection is not None and not connection.get("disconnected")
            and protocol.state == protocol.STATE_OPEN
        )

    def write(self, data: bytes) -> bool:
        """Send one prepared frame. False: the socket is closing or gone (nothing sent).

        Raises SlowReader (nothing sent, connection aborted) when the client left
        too many bytes unread.
        """
        protocol = self.protocol  # (is_open(), inline: this runs once per socket per frame)
        connection = self.server.connections.get(protocol)
        if connection is None or connection.get("disconnected") or protocol.state != protocol.STATE_OPEN:
            return False
        # Nothing queued (the common case) is under any limit: the bytes are counted only
        # when some wait, i.e. for a socket that is behind, not for every socket.
        queued = self._queued() if self.raw or self.buffer is not None else True
        if queued and self.buffer is not None and self.buffer.over_limit():
            raise SlowReader()
        if PUBLIC_BROADCAST:
            return self._write_public(data)
        transport = self.transport
        if not transport.connected or transport.disconnecting or transport._writeDisconnected:
            return False
        if self.raw and not queued:
            try:
                sent = transport.socket.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:  # reset by the peer: Twisted notices on its next read and closes
                return False
            if sent == len(data):
                return True
            data = data[sent:]
        transport.write(data)
        return True

    def _write_public(self, data: bytes) -> bool:
        from autobahn.websocket.protocol import PreparedMessage

        message = getattr(data, "message", None)
        if not isinstance(message, PreparedMessage):  # the hub falls back to the ASGI send
            raise TypeError("the public broadcast path needs a frame() result")
        self.protocol.sendPreparedMessage(message)
        return True

    def _queued(self) -> bool:
        transport = self.transport
        # (A registered producer — twisted.web's HTTP channel always is one — only
        # matters once data is buffered, and then transport.write() is used.)
        return bool(transport._tempDataLen or len(transport.dataBuffer) > transport.offset or self.protocol.send_queue)


def release_http_request(send) -> bool:
    """Let the HTTP request that opened the socket behind daphne's `send` go; True if it did.

    twisted.web's HTTP channel registers itself as its connection's producer
    and daphne hands the connection to the WebSocket protocol without
    unregistering it, so the channel, its request, the request's two header
    tables and its body buffer (about 25 tracked objects) live as long as the
    socket, and every full garbage collection walks them (bench/README.md,
    "The 5,000-socket spread"). The channel's only use as the producer is to
    stop reading while writes back up; the hub bounds a socket's unsent bytes
    itself (`SendBuffer`).
    """
    from twisted.internet import tcp
    from twisted.web.http import HTTPChannel

    protocol = _daphne_protocol(send)
    transport = getattr(protocol, "transport", None)
    if type(transport) is not tcp.Server or not isinstance(getattr(transport, "producer", None), HTTPChannel):
        return False
    if getattr(transport, "producerPaused", True):
        return False  # the channel stopped the connection's reading until the writes drain: it must resume it
    transport.unregisterProducer()
    return True


def direct_socket(send) -> DirectSocket | None:
    """A DirectSocket for the connection behind an ASGI `send`, or None (use `send`).

    `send` must be daphne's own callable (`partial(Server.handle_reply,
    protocol)`), i.e. already unwrapped from middleware wrappers, and the
    socket must be accepted.
    """
    from twisted.internet import tcp

    protocol = _daphne_protocol(send) if enabled() else None
    if protocol is None:
        return None
    server = send.func.__self__
    transport = protocol.transport
    if getattr(protocol, "_perMessageCompress", None) is not None:
        return None  # compressed connections must be framed per socket
    if not all(hasattr(protocol, name) for name in ("state", "STATE_OPEN", "send_queue")):
        return None
    raw = (
        type(transport) is tcp.Server and not getattr(transport, "TLS", True)
        and all(hasattr(transport, name) for name in (
            "socket", "_tempDataLen", "dataBuffer", "offset", "_writeDisconnected",
        ))
    )
    if not raw and not all(hasattr(transport, name) for name in (
        "connected", "disconnecting", "_writeDisconnected",
    )):
        return None
    return DirectSocket(server, protocol, raw=raw, buffer=send_buffer(send))


def server_send(send: Callable[[dict], Awaitable[None]]) -> Callable[[dict], Awaitable[None]]:
    """The server's own `send` beneath middleware wrappers that frames do not need.

    Channels' SessionMiddleware wrapper only acts on `http.response.start`; for
    every other message it still reads the lazy session's `modified` and
    `is_empty()`, which in a 1,000-socket fan-out costs more than the send
    itself. Frames never touch the session (a live socket only reads it), so
    they go straight to the server — which also lets `direct_socket()`
    recognise daphne's send. A wrapper that declares what it wraps
    (`__wrapped__`, as `functools.wraps` does) is looked through the same way.
    """
    from channels.sessions import InstanceSessionWrapper

    while True:
        if isinstance(getattr(send, "__self__", None), InstanceSessionWrapper):
            send = send.__self__.real_send
        elif callable(getattr(send, "__wrapped__", None)):
            send = send.__wrapped__
        else:
            return send


class LeanDispatch:
    """Mixin for a Channels consumer: message dispatch without the per-message DB housekeeping.

    Channels' `dispatch` closes old database connections through a thread hop
    for every message, and its `websocket_disconnect` once more; a live socket's
    messages are rare client frames whose database work already runs inside
    `database_sync_to_async` (which does that housekeeping), so the hops are
    pure cost — one per socket that leaves, in a storm thousands at once.
    The consumer has no layer groups (it is fed by the hub), so the disconnect
    is only `disconnect()`.
    """

    async def websocket_disconnect(self, message: dict) -> None:
        from channels.exceptions import StopConsumer

        await self.disconnect(message.get("code", 1000))
        raise StopConsumer()

    async def dispatch(self, message: dict) -> None:
        from channels.consumer import get_handler_name

        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


# --- autobahn's handshake debug text ------------------------------------------------------


class _LazyPformat:
    """`pprint.pformat(value)`, computed only if a log observer formats it."""

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        self.value = value

    def __str__(self) -> str:
        import pprint

        return pprint.pformat(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def unparsed_form_bodies() -> bool:
    """Stop Twisted parsing every form body in daphne's event loop; True when applied.

    Twisted's `Request.requestReceived` parses a POSTed multipart or urlencoded
    body into `request.args` (with the `email` package) before daphne sees the
    request, and daphne never reads `request.args`: it hands the raw body to
    Django, which parses it again. Profiled (bench/photoflood.py, py-spy) that
    was about half of the event loop's time during a photo flood, every
    socket's frames waiting behind it. Twisted's own switch for it is the
    request's `parsePOSTFormSubmission` argument; daphne's requests get False.
    Applied once per process by `wedding/asgi.py`; a no-op if daphne or Twisted changed.
    """
    try:
        from daphne import http_protocol
        from twisted.web import http
    except ImportError:
        return False
    original = http_protocol.WebRequest.__init__
    if getattr(original, "unparsed_form_bodies", False):
        return True
    if "parsePOSTFormSubmission" not in inspect.signature(http.Request.__init__).parameters:
        return False

    @functools.wraps(original)
    def __init__(self, *args, **kwargs) -> None:  # noqa: N807
        kwargs.setdefault("parsePOSTFormSubmission", False)
        original(self, *args, **kwargs)

    __init__.unparsed_form_bodies = True
    http_protocol.WebRequest.__init__ = __init__
    return True


def lazy_handshake_debug() -> bool:
    """Stop autobahn pretty-printing its configuration for every connection; True when applied.

    `WebSocketProtocol._connectionMade` calls `pformat()` on its ~40 options
    and hands the text to a *debug* log call, which is a no-op below debug
    level: profiled (bench/storm.py --profile) that was 13–21 % of the event
    loop's time while sockets connect. The module's `pformat` becomes a lazy
    value (formatted when a debug observer formats the line); the one place
    that returns its text as a `str` (`Timings.__str__`) keeps the real one.
    Applied once per process by `wedding/asgi.py`; a no-op if autobahn changed.
    """
    try:
        from autobahn.websocket import protocol
    except ImportError:
        return False
    import pprint

    if protocol.__dict__.get("pformat") is not pprint.pformat or not hasattr(protocol, "Timings"):
        return protocol.__dict__.get("pformat") is _LazyPformat
    protocol.Timings.__str__ = lambda self: pprint.pformat(self._timings)
    protocol.pformat = _LazyPformat
    return True
