"""The guest side's principal: a household, from the invitation-code session.

The session stores the household's id *and* its code, so regenerating a
household's code signs out every browser that entered with the old one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.functional import SimpleLazyObject

SESSION_KEY = "confetti_household"


def household_login(*, request, household) -> None:
    request.session.cycle_key()  # no session fixation across the code boundary
    request.session[SESSION_KEY] = {"id": household.pk, "code": household.invitation_code}
    request.household = household


def household_logout(*, request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.household = None


def household_from_session(session: Any):
    """The household this session entered as, or None (also when its code was regenerated)."""
    return households_from_sessions([session])[0]


def households_from_sessions(sessions: Sequence[Any]) -> list:
    """`household_from_session` for many sessions with one query (a reconnect storm's handshakes)."""
    from guests.models import Household

    claims = [_claim(session) for session in sessions]
    ids = {claim[0] for claim in claims if claim is not None}
    found = Household.objects.select_related("wedding").in_bulk(ids) if ids else {}
    households = []
    for claim in claims:
        household = found.get(claim[0]) if claim is not None else None
        households.append(household if household is not None and household.invitation_code == claim[1] else None)
    return households


def _claim(session: Any) -> tuple[int, Any] | None:
    """(household id, code) the session says it entered as, or None."""
    data = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(data, dict):
        return None
    try:
        return int(data["id"]), data.get("code")
    except (KeyError, TypeError, ValueError):
        return None


def GuestSessionMiddleware(get_response):  # noqa: N802  (named like the class it was: settings.MIDDLEWARE)
    """Sets `request.household` (lazily) for guest pages and the realtime actor."""

    def middleware(request):
        request.household = SimpleLazyObject(lambda: household_from_session(request.session))
        return get_response(request)

    return middleware
