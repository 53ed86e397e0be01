"""The guest side's principal: a household, from the invitation-code session.

The session stores the household's id *and* its code, so regenerating a
household's code signs out every browser that entered with the old one.
"""

from __future__ import annotations

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
    from guests.models import Household

    data = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(data, dict):
        return None
    try:
        household = Household.objects.select_related("wedding").get(pk=int(data["id"]))
    except (Household.DoesNotExist, KeyError, TypeError, ValueError):
        return None
    return household if household.invitation_code == data.get("code") else None


class GuestSessionMiddleware:
    """Sets `request.household` (lazily) for guest pages and the realtime actor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.household = SimpleLazyObject(lambda: household_from_session(request.session))
        return self.get_response(request)
