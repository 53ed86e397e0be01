"""The ASGI application the test servers run: the product's, plus two test-only things.

* `/static/` is served (daphne alone serves no static files; `runserver` would).
* Fault injection for the real-time tests: `GET /__test__/close-sockets?code=N`
  makes this process close every open WebSocket the way a real server does —
  1000 (the application closes normally), 1001 (going away, as a restarting
  server or proxy does) or 1011 (the application crashed: daphne's own answer
  to an application exception). The product's consumer first gets a normal
  `websocket.disconnect`, so it leaves its groups as it would in production.
  `GET /__test__/sockets` answers how many WebSockets are open.

Never imported by the product; only `tests/e2e/servers.py` points daphne here.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from daphne.ws_protocol import WebSocketProtocol
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from wedding.asgi import application as product_application

_original_server_close = WebSocketProtocol.serverClose


def _server_close(self, code=None):
    # autobahn's sendClose() only allows 1000 and 3000-4999, but real servers and
    # proxies send 1001 (going away) too; the raw close frame carries any code.
    if code in (1001, 1011):
        self.sendCloseFrame(code=code)
        return
    _original_server_close(self, code)


WebSocketProtocol.serverClose = _server_close


class _Connection:
    def __init__(self) -> None:
        self.close_code: int | None = None
        self.close_requested = asyncio.Event()


_open: set[_Connection] = set()


class _SimulatedCrash(Exception):
    """Raised on purpose so daphne closes the socket with 1011."""


async def _websocket(scope, receive, send):
    connection = _Connection()
    inbox: asyncio.Queue = asyncio.Queue()
    closed_by_us = False

    async def pump() -> None:
        while True:
            message = await receive()
            await inbox.put(message)
            if message["type"] == "websocket.disconnect":
                return

    async def guarded_send(message) -> None:
        if closed_by_us:
            return  # the socket is gone; a real consumer's late frames go nowhere either
        if message["type"] == "websocket.accept":
            _open.add(connection)
        await send(message)

    # Frames may go straight to daphne, as in production (realtime.transport writes
    # prepared frames there); only accept and close need to pass through here.
    guarded_send.__wrapped__ = send

    pump_task = asyncio.ensure_future(pump())
    app_task = asyncio.ensure_future(product_application(scope, inbox.get, guarded_send))
    close_task = asyncio.ensure_future(connection.close_requested.wait())
    try:
        await asyncio.wait({app_task, close_task}, return_when=asyncio.FIRST_COMPLETED)
        if app_task.done():
            return app_task.result()
        code = connection.close_code or 1000
        closed_by_us = True
        # The consumer leaves cleanly, as it would after a real disconnect.
        await inbox.put({"type": "websocket.disconnect", "code": code})
        try:
            await asyncio.wait_for(app_task, timeout=5)
        except Exception:  # noqa: BLE001 - the consumer's own ending is not under test here
            pass
        if code == 1011:
            raise _SimulatedCrash("test: application crash on purpose (daphne answers 1011)")
        await send({"type": "websocket.close", "code": code})
    finally:
        _open.discard(connection)
        for task in (pump_task, close_task):
            task.cancel()
        if not app_task.done():
            app_task.cancel()


async def _control(scope, receive, send):
    path = scope["path"]
    if path == "/__test__/close-sockets":
        query = parse_qs(scope.get("query_string", b"").decode())
        code = int(query.get("code", ["1000"])[0])
        targets = list(_open)
        for connection in targets:
            connection.close_code = code
            connection.close_requested.set()
        body = str(len(targets)).encode()
    elif path == "/__test__/sockets":
        body = str(len(_open)).encode()
    elif path == "/__test__/hub":  # this process's hub counters (frames_out, direct_frames, ...)
        import json

        from realtime import hub

        current = hub.current_hub()
        body = json.dumps(current.counters() if current else {}).encode()
    else:
        body, status = b"unknown test endpoint", 404
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": body})
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


_static = ASGIStaticFilesHandler(product_application)


async def application(scope, receive, send):
    if scope["type"] == "websocket":
        return await _websocket(scope, receive, send)
    if scope["type"] == "http" and scope["path"].startswith("/__test__/"):
        return await _control(scope, receive, send)
    if scope["type"] == "http":
        return await _static(scope, receive, send)
    return await product_application(scope, receive, send)
