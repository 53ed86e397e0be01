"""WebSocket routes (wired in wedding/asgi.py behind origin and session checks)."""

from __future__ import annotations

from django.urls import path

from realtime.consumers import LiveConsumer

websocket_urlpatterns = [
    path("ws/live/", LiveConsumer.as_asgi(), name="live"),
]
