"""The pages a visitor sees when something goes wrong: not found, busy, broken.

Django's own handlers answer with a bare "Server Error (500)" when no template exists. Here:

- **404** keeps Django's view (`page_not_found`) and gets `templates/404.html`.
- **500** is `server_error` below, which first asks whether the error is the server being
  *busy* rather than broken: a request that waited `DATABASE_POOL_TIMEOUT` seconds for a
  database connection (every one taken: an invitation rush beyond what the host can answer,
  bench/README.md "Invitation rush") or SQLite's write lock held past its timeout. It is
  answered **503** with `Retry-After`. For a GET the page reloads itself after a few
  seconds, and a "Try again now" link does it at once (a meta refresh: axe's `meta-refresh`
  rule, WCAG 2.2.1, would flag it; the page holds one message and says that it will reload). For a form it says that nothing was saved, which holds because a write runs in
  one transaction (AtomicWritesMiddleware) that the error rolled back: the guest goes back
  and sends again, their form as they left it.

The 500 and 503 pages render without a request context: the database may be what failed,
so no context processor (session, messages) may run. Django still logs the exception with its
traceback (`django.request`, "Service Unavailable: /path/").
"""

from __future__ import annotations

import sys

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from psycopg_pool import PoolTimeout

from wedding.core.redirects import safe_next

RETRY_AFTER_SECONDS = 5


def is_busy(exc: BaseException | None) -> bool:
    """The error is the server's load, not a bug: no connection in time, or SQLite's lock."""
    if not isinstance(exc, OperationalError):
        return False
    return isinstance(exc.__cause__, PoolTimeout) or "database is locked" in str(exc)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it inside its `except`, so the exception is at hand."""
    if is_busy(sys.exception()):
        retry = request.method in ("GET", "HEAD")
        path = safe_next(request, request.get_full_path(), fallback="/")  # "Try again now": this page, if on the site
        html = loader.render_to_string("errors/503.html", {"retry": retry, "retry_after": RETRY_AFTER_SECONDS, "path": path})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.render_to_string("errors/500.html"))
