"""The product's ASGI application with Django's stock HTTP handler: bench/handler_ab.py's "before".

Same settings, middleware, views and WebSocket stack as `wedding.asgi`; only HTTP goes through
`django.core.handlers.asgi.ASGIHandler` (one thread hop per middleware method) instead of
`wedding.core.handler.OneHopASGIHandler`.
"""

from __future__ import annotations

from channels.routing import ProtocolTypeRouter
from django.core.handlers.asgi import ASGIHandler

from wedding.asgi import application as product

application = ProtocolTypeRouter({"http": ASGIHandler(), "websocket": product.application_mapping["websocket"]})
