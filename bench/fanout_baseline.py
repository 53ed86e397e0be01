"""The baseline for bench/fanout.py: a bare Channels app, the way the framework's docs do it.

    daphne bench.fanout_baseline:application

Every socket is an `AsyncWebsocketConsumer` in one channel-layer group; a
write does the same guestbook write as Confetti (same service, same capture),
renders the same region HTML once, and `group_send`s it; each consumer
forwards it to its socket. The message carries the version, so the client
measures it exactly like Confetti's frames.
"""

from __future__ import annotations

import json

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from bench import gcpauses  # noqa: E402
from bench.fanout_asgi import REGION, write_endpoint  # noqa: E402  (sets Django up)

GROUP = "bench-baseline"


class GroupConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def bench_update(self, event: dict) -> None:
        await self.send(text_data=event["text"])


def _broadcast(version: int) -> None:
    """What a bare Channels app does after a write: render once, group_send to every consumer."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from realtime import regions
    from wedding.core.models import Wedding

    viewer = regions.Viewer(wedding=Wedding.objects.get(slug="bench-fanout"), audience=regions.Audience.GUESTS)
    html = str(regions.render_region(REGION, viewer, {}))
    text = json.dumps(
        {"t": "update", "v": version, "regions": [{"id": "live-bench_wall", "html": html}]}, separators=(",", ":")
    )
    async_to_sync(get_channel_layer().group_send)(GROUP, {"type": "bench.update", "text": text})


_write = write_endpoint(_broadcast)
_sockets = URLRouter([path("ws/baseline/", GroupConsumer.as_asgi())])
_router = ProtocolTypeRouter({"websocket": _sockets})


gcpauses.install()


async def application(scope, receive, send) -> None:
    if scope["type"] == "http" and scope["path"] == "/bench/write":
        await _write(scope, receive, send)
    elif scope["type"] == "http" and scope["path"] == "/bench/gc":
        await gcpauses.endpoint(scope, receive, send)
    else:
        await _router(scope, receive, send)
