"""Prepared-frame writes (realtime.transport): the frame bytes, the write decisions, the hub's use.

The real daphne path is proven end to end in tests/integration/test_direct_writes.py;
here each decision of `DirectSocket.write` is checked over a real socket pair.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import json
import socket
import struct
from types import SimpleNamespace

import pytest

import tests.realtime.conftest  # noqa: F401  (registers the test regions)
from realtime import hub as hub_module
from realtime import regions, transport
from realtime.regions import Audience, Viewer


def parse_frame(data: bytes) -> tuple[int, bytes, bytes]:
    """(first byte, payload, rest) of one unmasked server frame."""
    first, second = data[0], data[1]
    assert not second & 0x80, "server frames are never masked"
    length, offset = second & 0x7F, 2
    if length == 126:
        (length,), offset = struct.unpack("!H", data[2:4]), 4
    elif length == 127:
        (length,), offset = struct.unpack("!Q", data[2:10]), 10
    return first, data[offset:offset + length], data[offset + length:]


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536, 300_000])
def test_a_frame_is_one_final_text_frame_of_the_utf8_payload(size):
    text = ("é" * size)[:size] if size % 2 else "x" * size
    first, payload, rest = parse_frame(transport.frame(text))
    assert first == 0x81  # FIN + text opcode
    assert payload.decode("utf-8") == text and rest == b""


# --- DirectSocket.write over a real socket pair -----------------------------------------------


class FakeTransport:
    """The attributes of twisted.internet.tcp.Server that DirectSocket reads, over a real socket."""

    def __init__(self, sock: socket.socket):
        self.socket = sock
        self.connected, self.disconnecting, self._writeDisconnected = True, False, False
        self._tempDataLen, self.dataBuffer, self.offset = 0, b"", 0
        self.queued: list[bytes] = []  # what went through transport.write()

    def write(self, data: bytes) -> None:
        self.queued.append(bytes(data))
        self._tempDataLen += len(data)


class FakeProtocol:
    STATE_OPEN, STATE_CLOSING = 3, 4

    def __init__(self, transport_: FakeTransport):
        self.transport = transport_
        self.state = self.STATE_OPEN
        self.send_queue = collections.deque()


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    theirs.setblocking(False)
    fake = FakeTransport(ours)
    protocol = FakeProtocol(fake)
    server = SimpleNamespace(connections={protocol: {"connected": True}})
    yield transport.DirectSocket(server, protocol, raw=True), fake, protocol, server, theirs
    ours.close()
    theirs.close()


def received(peer: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = peer.recv(1 << 20)
        except BlockingIOError:
            return b"".join(chunks)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def test_an_idle_connection_gets_the_frame_straight_to_the_kernel(pair):
    direct, fake, _protocol, _server, peer = pair
    data = transport.frame('{"t":"update"}')
    assert direct.write(data) is True
    assert received(peer) == data and fake.queued == []


def test_with_data_already_queued_the_frame_queues_behind_it(pair):
    direct, fake, _protocol, _server, peer = pair
    fake.write(b"welcome-frame")  # e.g. a welcome sent through ASGI, not yet on the wire
    data = transport.frame("later")
    assert direct.write(data) is True
    assert fake.queued == [b"welcome-frame", data]  # order kept: nothing jumped the queue
    assert received(peer) == b""


def test_a_partial_send_queues_exactly_the_rest(pair):
    direct, fake, _protocol, _server, peer = pair
    fake.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    data = transport.frame("y" * 4_000_000)  # far more than the kernel takes at once
    assert direct.write(data) is True
    on_wire = received(peer)
    assert 0 < len(on_wire) < len(data)
    assert len(fake.queued) == 1 and on_wire + fake.queued[0] == data
    # The next frame sees the queue and goes behind the rest.
    assert direct.write(b"next") is True and fake.queued[-1] == b"next"


@pytest.mark.parametrize("how", ["closing", "disconnected", "forgotten", "transport_closing"])
def test_a_socket_that_is_going_away_gets_nothing(pair, how):
    direct, fake, protocol, server, peer = pair
    if how == "closing":
        protocol.state = protocol.STATE_CLOSING
    elif how == "disconnected":
        server.connections[protocol]["disconnected"] = True
    elif how == "forgotten":
        server.connections.clear()
    else:
        fake.disconnecting = True
    assert direct.write(transport.frame("x")) is False
    assert received(peer) == b"" and fake.queued == []


def test_a_reset_connection_reports_nothing_sent(pair):
    direct, fake, _protocol, _server, peer = pair
    peer.close()
    results = [direct.write(transport.frame("z" * 100_000)) for _ in range(50)]
    assert results[-1] is False  # EPIPE/ECONNRESET: no exception, nothing queued
    assert fake.queued == []


def test_only_daphnes_own_send_gets_a_direct_socket(settings):
    async def plain_send(message):
        pass

    assert transport.direct_socket(plain_send) is None
    assert transport.direct_socket(functools.partial(plain_send)) is None
    assert transport.direct_socket(functools.partial(print, object())) is None

    from daphne.server import Server

    server = Server.__new__(Server)
    protocol = SimpleNamespace(transport=None)
    assert transport.direct_socket(functools.partial(server.handle_reply, protocol)) is None  # no transport
    settings.REALTIME_DIRECT_WRITES = False
    assert transport.direct_socket(functools.partial(server.handle_reply, protocol)) is None


# --- the hub uses it ----------------------------------------------------------------------------


def _watcher(direct, sent):
    async def send(text: str) -> None:
        sent.append(text)

    async def close(code: int) -> None:
        pass

    viewer = Viewer(wedding=SimpleNamespace(pk=3), audience=Audience.GUESTS)
    return hub_module.Watcher(viewer=viewer, send=send, close=close, direct=direct)


async def _one_update(monkeypatch, watchers):
    async def fake_render(name, viewer, params):
        return f'<p id="live-{name}">fresh</p>'

    monkeypatch.setattr(hub_module, "_render_in_thread", fake_render)
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    for watcher in watchers:
        hub.watch(watcher, [hub_module.Watched(region=regions.get("t_songs"), params=(), dom_id="live-t_songs")])
        await hub.attach(watcher)
    hub.note_version(3, 0)
    hub.on_message({"wedding": 3, "version": 1, "topics": ["song"]})
    await asyncio.sleep(0.1)
    await hub.shutdown()
    return hub


async def test_the_hub_frames_once_and_writes_the_same_bytes_to_every_direct_socket(monkeypatch):
    written: list[list[bytes]] = [[], [], []]
    directs = [SimpleNamespace(write=lambda data, box=box: box.append(data) or True) for box in written]
    sent: list[str] = []
    framed = []
    real_frame = transport.frame
    monkeypatch.setattr(transport, "frame", lambda text: framed.append(text) or real_frame(text))

    hub = await _one_update(monkeypatch, [_watcher(d, sent) for d in directs])

    assert sent == []  # nothing went through the ASGI send
    assert len(framed) == 1  # one distinct frame, framed once
    assert written[0] == written[1] == written[2] and len(written[0]) == 1
    first, payload, _ = parse_frame(written[0][0])
    frame = json.loads(payload)
    assert first == 0x81 and frame["t"] == "update" and frame["v"] == 1
    assert frame["regions"] == [{"id": "live-t_songs", "html": '<p id="live-t_songs">fresh</p>'}]
    assert hub.stats["frames_out"] == hub.stats["direct_frames"] == 3


async def test_a_failing_direct_socket_falls_back_to_the_asgi_send(monkeypatch):
    def broken(data):
        raise AttributeError("a Twisted without the expected attributes")

    sent: list[str] = []
    watcher = _watcher(SimpleNamespace(write=broken), sent)
    hub = await _one_update(monkeypatch, [watcher])
    assert len(sent) == 1 and json.loads(sent[0])["v"] == 1  # delivered, through ASGI
    assert watcher.direct is None and hub.stats["direct_frames"] == 0 and hub.stats["frames_out"] == 1


async def test_a_closing_direct_socket_is_not_counted_and_not_retried_through_asgi(monkeypatch):
    sent: list[str] = []
    hub = await _one_update(monkeypatch, [_watcher(SimpleNamespace(write=lambda data: False), sent)])
    assert sent == [] and hub.stats["frames_out"] == 0


# --- the public broadcast path and the send path reported -----------------------------------


def test_the_public_path_hands_autobahn_its_prepared_message(pair, monkeypatch):
    from autobahn.websocket.protocol import PreparedMessage

    direct, fake, protocol, _server, peer = pair
    handed = []
    protocol.sendPreparedMessage = handed.append
    monkeypatch.setattr(transport, "PUBLIC_BROADCAST", True)
    data = transport.frame('{"t":"update"}')

    assert direct.write(data) is True
    assert len(handed) == 1 and isinstance(handed[0], PreparedMessage)
    assert handed[0].payloadHybi == data  # the same bytes, framed once
    assert received(peer) == b"" and fake.queued == []  # nothing written behind autobahn's back
    protocol.state = protocol.STATE_CLOSING
    assert direct.write(data) is False and len(handed) == 1


def test_each_process_reports_its_send_path(settings, monkeypatch):
    assert transport.send_path() == transport.DIRECT == "direct prepared frames"
    monkeypatch.setattr(transport, "PUBLIC_BROADCAST", True)
    assert transport.send_path() == "public autobahn broadcast"
    settings.REALTIME_DIRECT_WRITES = False
    assert transport.send_path() == "ASGI send"


async def test_the_hubs_counters_carry_the_send_path(settings):
    settings.REALTIME_DIRECT_WRITES = False
    hub = hub_module.Hub(loop=asyncio.get_running_loop(), layer=None)
    assert hub.counters()["send_path"] == "ASGI send"
    settings.REALTIME_DIRECT_WRITES = True
    assert hub.counters()["send_path"] == "direct prepared frames"


# --- autobahn's per-connection debug text (transport.lazy_handshake_debug) --------------------


def test_autobahn_no_longer_formats_its_handshake_debug_text_unless_a_log_reads_it():
    from autobahn.websocket import protocol

    assert transport.lazy_handshake_debug()  # wedding.asgi applies it too; applying twice is harmless
    assert transport.lazy_handshake_debug()

    class Counted:
        reprs = 0

        def __repr__(self) -> str:
            Counted.reprs += 1
            return "counted"

    text = protocol.pformat([("openHandshakeTimeout", Counted())])  # what _connectionMade passes to log.debug
    assert Counted.reprs == 0  # nothing formatted yet
    assert f"{text}" == "[('openHandshakeTimeout', counted)]" and Counted.reprs == 1
    timings = protocol.Timings()
    timings.track("start")
    assert isinstance(str(timings), str) and "start" in str(timings)  # the one str() user keeps a str


# --- Twisted's own form parsing in daphne's loop (transport.unparsed_form_bodies) ---------------


def test_daphne_requests_leave_form_bodies_to_django(monkeypatch):
    """A 5 MB photo POST was parsed by Twisted (for `request.args`, which daphne never reads) in the
    event loop before daphne saw it: about half the loop's time in a photo flood. Now the body
    reaches daphne untouched and unparsed."""
    import io

    from daphne import http_protocol
    from twisted.web import http as twisted_http
    from twisted.web.test.requesthelper import DummyChannel

    assert transport.unparsed_form_bodies()  # wedding.asgi applies it too; applying twice is harmless
    assert transport.unparsed_form_bodies()
    seen = {}

    def process(self):
        seen["args"], seen["body"] = dict(self.args), self.content.read()

    monkeypatch.setattr(http_protocol.WebRequest, "process", process)
    parsed = []
    parse = twisted_http._getMultiPartArgs
    monkeypatch.setattr(twisted_http, "_getMultiPartArgs", lambda *args: parsed.append(1) or parse(*args))
    channel = DummyChannel()
    channel.factory = SimpleNamespace(server=SimpleNamespace(protocol_connected=lambda request: None))
    body = (b"--xyz\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nhello\r\n"
            b"--xyz\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.jpg\"\r\n"
            b"Content-Type: image/jpeg\r\n\r\n" + b"\xff" * 1000 + b"\r\n--xyz--\r\n")

    def post(**options) -> dict:
        request = http_protocol.WebRequest(channel, **options)
        request.requestHeaders.setRawHeaders(b"content-type", [b"multipart/form-data; boundary=xyz"])
        request.requestHeaders.setRawHeaders(b"content-length", [str(len(body)).encode()])
        request.content = io.BytesIO(body)
        request.content.seek(0, io.SEEK_END)  # as Twisted leaves it once the body has arrived
        request.requestReceived(b"POST", b"/photos/", b"HTTP/1.1")
        return dict(seen)

    assert post() == {"args": {}, "body": body}  # Twisted parsed nothing; the body is whole
    # (Twisted's default, for comparison: the same request parsed into `args` in the loop.)
    assert parsed == [] and post(parsePOSTFormSubmission=True) and len(parsed) == 1


# --- the HTTP request a socket was opened with ---------------------------------------------------


def _tcp_connection(sock: socket.socket):
    """A Twisted TCP connection over `sock` with a reactor that does nothing (none is installed)."""
    from twisted.internet import tcp

    nothing = lambda *args: None  # noqa: E731
    reactor = SimpleNamespace(addReader=nothing, removeReader=nothing, addWriter=nothing, removeWriter=nothing)
    return tcp.Server(sock, SimpleNamespace(), ("127.0.0.1", 1), SimpleNamespace(_realPortNumber=1), 1, reactor)


def test_the_http_request_a_socket_was_opened_with_is_let_go():
    """twisted.web's channel stays the connection's producer after daphne's upgrade, and with it the
    request, its headers and its body buffer for the socket's whole life; the consumer lets them go."""
    import gc
    import weakref

    from daphne.server import Server
    from twisted.web.http import HTTPChannel

    ours, theirs = socket.socketpair()
    connection = _tcp_connection(ours)
    channel = HTTPChannel()
    connection.registerProducer(channel, True)
    channel_ref = weakref.ref(channel)
    del channel
    send = functools.partial(Server.__new__(Server).handle_reply, SimpleNamespace(transport=connection))

    assert transport.release_http_request(send) is True
    assert connection.producer is None
    gc.collect()
    assert channel_ref() is None  # nothing else kept it
    assert transport.release_http_request(send) is False  # nothing left to let go

    # Left alone: another kind of producer, a channel that paused the connection's reading, not daphne's send.
    other = SimpleNamespace(pauseProducing=lambda: None, resumeProducing=lambda: None, stopProducing=lambda: None)
    connection.registerProducer(other, True)
    assert transport.release_http_request(send) is False and connection.producer is other
    connection.unregisterProducer()
    paused = HTTPChannel()
    connection.registerProducer(paused, True)
    connection.producerPaused = True
    assert transport.release_http_request(send) is False and connection.producer is paused

    async def plain_send(message):
        pass

    assert transport.release_http_request(plain_send) is False
    ours.close()
    theirs.close()
