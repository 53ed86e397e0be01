"""Prepared-frame writes: one WebSocket frame built once, written to many sockets.

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
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return settings.REALTIME_DIRECT_WRITES


def frame(text: str) -> bytes:
    """The complete server-to-client WebSocket text frame for `text` (unmasked, uncompressed)."""
    from autobahn.websocket.protocol import PreparedMessage

    return PreparedMessage(text.encode("utf-8"), isBinary=False, applyMask=False, doNotCompress=True).payloadHybi


class DirectSocket:
    """Writes prepared frames to one daphne WebSocket connection (see the module docstring)."""

    __slots__ = ("server", "protocol", "transport", "raw")

    def __init__(self, server, protocol, *, raw: bool):
        self.server = server
        self.protocol = protocol
        self.transport = protocol.transport
        self.raw = raw  # may call socket.send() itself when Twisted has nothing queued

    def is_open(self) -> bool:
        protocol = self.protocol
        connection = self.server.connections.get(protocol)
        return (
            connection is not None and not connection.get("disconnected")
            and protocol.state == protocol.STATE_OPEN
        )

    def write(self, data: bytes) -> bool:
        """Send one prepared frame. False: the socket is closing or gone (nothing sent)."""
        if not self.is_open():
            return False
        transport = self.transport
        if not transport.connected or transport.disconnecting or transport._writeDisconnected:
            return False
        if self.raw and not self._queued():
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

    def _queued(self) -> bool:
        transport = self.transport
        # (A registered producer — twisted.web's HTTP channel always is one — only
        # matters once data is buffered, and then transport.write() is used.)
        return bool(transport._tempDataLen or len(transport.dataBuffer) > transport.offset or self.protocol.send_queue)


def direct_socket(send) -> DirectSocket | None:
    """A DirectSocket for the connection behind an ASGI `send`, or None (use `send`).

    `send` must be daphne's own callable (`partial(Server.handle_reply,
    protocol)`), i.e. already unwrapped from middleware wrappers, and the
    socket must be accepted.
    """
    if not enabled() or not isinstance(send, functools.partial) or len(send.args) != 1:
        return None
    try:
        from daphne.server import Server
        from twisted.internet import tcp
    except ImportError:  # pragma: no cover - daphne is a dependency
        return None
    server = getattr(send.func, "__self__", None)
    if not isinstance(server, Server) or send.func.__func__ is not Server.handle_reply:
        return None
    protocol = send.args[0]
    transport = getattr(protocol, "transport", None)
    if transport is None or getattr(protocol, "_perMessageCompress", None) is not None:
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
    return DirectSocket(server, protocol, raw=raw)
