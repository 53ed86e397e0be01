"""ASGI entry point: HTTP through Django, WebSockets through Channels (served by daphne).

WebSockets pass the Origin check (scheme, host and port: realtime.origin) and get the session's user
before any consumer runs; the consumer decides the principal (realtime.consumers).
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wedding.settings")
# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from realtime.admission import AdmissionMiddleware  # noqa: E402
from realtime.origin import SiteOriginValidator  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origin (scheme, host, port) first; then admission, before the session is read: a full
        # process answers "retry after N ms" at once.
        "websocket": SiteOriginValidator(
            AdmissionMiddleware(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
