"""ASGI entry point: HTTP through Django, WebSockets through Channels (served by daphne).

WebSockets pass the Origin check (scheme, host and port: realtime.origin) and admission
(realtime.admission); their session, user and principal are resolved before any consumer runs
(realtime.handshake: one thread hop for the handshakes that arrive together). HTTP runs a sync
view's whole request in one stretch of its thread (wedding.core.handler).
"""

from __future__ import annotations

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wedding.settings")

from wedding.core.handler import get_asgi_application  # noqa: E402

# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from realtime.admission import AdmissionMiddleware  # noqa: E402
from realtime.handshake import LiveAuthMiddleware  # noqa: E402
from realtime.origin import SiteOriginValidator  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402
from realtime.transport import lazy_handshake_debug, unparsed_form_bodies  # noqa: E402

lazy_handshake_debug()  # autobahn builds a debug text per connection that nobody reads
unparsed_form_bodies()  # Twisted parses every form body for request.args, which daphne never reads

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origin (scheme, host, port) first; then admission, before the session is read: a full
        # process answers "retry after N ms" at once.
        "websocket": SiteOriginValidator(
            AdmissionMiddleware(LiveAuthMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)

# Everything loaded so far (Django, the apps, their modules and classes) lives as long as the
# process: out of every garbage collection from here on. A full collection walks each tracked
# object; with 5,000 sockets open it stops the process for about a quarter of a second, and these
# are a seventh of what it walks (bench/README.md, "The 5,000-socket spread").
gc.collect()
gc.freeze()
