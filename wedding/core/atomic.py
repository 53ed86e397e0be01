"""Atomic writes, lock-free reads: Django's ATOMIC_REQUESTS for unsafe methods only.

ATOMIC_REQUESTS wrapped every view, reads included, in a transaction; on SQLite
(`transaction_mode` IMMEDIATE) that is the database's one write lock for the
whole request, so under an invitation rush page loads queued behind each other
until "database is locked" (bench/README.md "Invitation rush"). Here a POST, PUT,
PATCH or DELETE view still runs in one transaction — all or nothing, published
after commit — and a GET/HEAD/OPTIONS runs in autocommit (each service that
writes opens its own `transaction.atomic()`).

The view is wrapped exactly where Django's handler wraps it (`make_view_atomic`):
an exception raised by the view rolls the transaction back before Django turns
it into a response, and `@transaction.non_atomic_requests` still opts a view out.
Listed last in MIDDLEWARE so no other middleware's view hook is skipped.
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction
from django.db import DEFAULT_DB_ALIAS, transaction

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class AtomicWritesMiddleware:
    # Sync-only, as all of the project's middleware (settings.MIDDLEWARE says why). An async
    # view (the photo upload) opens its own transaction.

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS or iscoroutinefunction(view_func):
            return None
        if DEFAULT_DB_ALIAS in getattr(view_func, "_non_atomic_requests", set()):
            return None
        with transaction.atomic():
            response = view_func(request, *view_args, **view_kwargs)
        if response is None:  # Django would call the view again: say what is wrong instead
            raise ValueError(f"The view {view_func.__module__}.{view_func.__qualname__} returned None.")
        return response
