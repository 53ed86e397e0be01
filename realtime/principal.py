"""Who is looking: a planner of a wedding, or a guest household. Decided by the server only."""

from __future__ import annotations

from typing import Any

from realtime.regions import Audience, Viewer


def viewer_for(*, user: Any, household: Any, wedding_id: int | None) -> Viewer | None:
    """The viewer for a request or socket, or None when it may not look at this wedding.

    A planner may look at the weddings they plan (the page names which); a
    guest household only at its own wedding, whatever the page claims.
    """
    from wedding.models import Wedding

    if getattr(user, "is_authenticated", False) and wedding_id is not None:
        wedding = Wedding.objects.for_planner(user).filter(pk=wedding_id).first()
        if wedding is not None:
            return Viewer(wedding=wedding, audience=Audience.PLANNER)
    if household:
        if wedding_id is not None and int(wedding_id) != household.wedding_id:
            return None
        return Viewer(wedding=household.wedding, audience=Audience.HOUSEHOLD, household=household)
    return None
