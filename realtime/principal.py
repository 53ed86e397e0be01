"""Who is looking: a planner of a wedding, or a guest household. Decided by the server only."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from realtime.regions import Audience, Viewer


def viewer_for(
    *, user: Any, household: Any, wedding_id: int | None, prefer_household: bool = False
) -> Viewer | None:
    """The viewer for a request or socket, or None when it may not look at this wedding.

    A planner may look at the weddings they plan (the page names which); a
    guest household only at its own wedding, whatever the page claims.
    """
    from wedding.core.models import Wedding

    # A planner who also entered as a guest (same browser) looks at guest pages as the
    # household: the page asks for it, the session must still prove it.
    if prefer_household and household and (wedding_id is None or int(wedding_id) == household.wedding_id):
        return Viewer(wedding=household.wedding, audience=Audience.HOUSEHOLD, household=household)
    if getattr(user, "is_authenticated", False) and wedding_id is not None:
        wedding = Wedding.objects.for_planner(user).filter(pk=wedding_id).first()
        if wedding is not None:
            return Viewer(wedding=wedding, audience=Audience.PLANNER)
    if household:
        if wedding_id is not None and int(wedding_id) != household.wedding_id:
            return None
        return Viewer(wedding=household.wedding, audience=Audience.HOUSEHOLD, household=household)
    return None


# --- ending a principal closes its sockets (DESIGN §4.10) ---------------------------------


def _on_logout(sender, request, user, **kwargs) -> None:
    """The logged-out session's sockets close; the planner's other browsers stay signed in."""
    from realtime import hub

    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        transaction.on_commit(lambda: hub.close_sockets(session_key=session_key), robust=True)
    elif user is not None and user.pk is not None:  # no session to go by: every socket of the user
        user_id = user.pk
        transaction.on_commit(lambda: hub.close_sockets(user_id=user_id), robust=True)


def _remember_code(sender, instance, **kwargs) -> None:
    instance._confetti_code = instance.invitation_code


def _on_household_saved(sender, instance, created, raw=False, **kwargs) -> None:
    before = getattr(instance, "_confetti_code", None)
    instance._confetti_code = instance.invitation_code
    if created or raw or not before or before == instance.invitation_code:
        return
    from realtime import hub

    household_id = instance.pk
    transaction.on_commit(lambda: hub.close_sockets(household_id=household_id), robust=True)


def _on_household_deleted(sender, instance, **kwargs) -> None:
    from realtime import hub

    household_id = instance.pk
    transaction.on_commit(lambda: hub.close_sockets(household_id=household_id), robust=True)


def connect_principal_signals() -> None:
    """Logging out, regenerating a household's code or deleting it closes its sockets."""
    from django.apps import apps
    from django.contrib.auth.signals import user_logged_out
    from django.db.models import signals

    household = apps.get_model("guests", "Household")
    user_logged_out.connect(_on_logout, dispatch_uid="confetti-live-logout")
    signals.post_init.connect(_remember_code, sender=household, dispatch_uid="confetti-live-code-init")
    signals.post_save.connect(_on_household_saved, sender=household, dispatch_uid="confetti-live-code")
    signals.post_delete.connect(_on_household_deleted, sender=household, dispatch_uid="confetti-live-hh-del")
