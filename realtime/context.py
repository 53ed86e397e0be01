"""Who is acting right now: set per request, per consumer call or per command.

Stored in a context variable so it follows the request into asgiref's
thread pool and never leaks between concurrent requests.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    household_id: int | None = None
    label: str = "system"


SYSTEM = Actor()
_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("confetti_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


def actor_for(*, user: Any = None, household: Any = None, label: str = "") -> Actor:
    if user is not None and getattr(user, "is_authenticated", False):
        name = user.get_full_name() or user.get_username()
        return Actor(user_id=user.pk, label=label or f"{name} (planner)")
    if household:  # may be a lazy object wrapping None
        return Actor(household_id=household.pk, label=label or f"{household.name} (guest)")
    return Actor(label=label or "system")


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


@contextlib.contextmanager
def acting_as_planner(user: Any) -> Iterator[Actor]:
    """Credit the writes inside to the planner `user`, also outside a request.

    For services that take the acting `user`: a command, a consumer or a test
    has no middleware to say who acts. Without a `user` (the system or a
    command acting), or when the request already acts as that user, whoever is
    acting now stays credited.
    """
    actor = current_actor()
    if user is not None and actor.user_id != getattr(user, "pk", None):
        actor = actor_for(user=user)
    with acting_as(actor):
        yield actor


def ActorMiddleware(get_response):  # noqa: N802  (named like the class it was: settings.MIDDLEWARE)
    """Marks every write of a request with its planner user or guest household."""

    def middleware(request):
        with acting_as(actor_for(user=getattr(request, "user", None), household=getattr(request, "household", None))):
            return get_response(request)

    return middleware
