"""Who is looking: a planner of a wedding, or a guest household. Decided by the server only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model, signals

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


def close_sockets_after_commit(
    *, session_key: str | None = None, user_id: int | None = None, household_id: int | None = None
) -> None:
    """Once the current transaction commits, close the sockets of that session, user or household."""
    from realtime import hub

    transaction.on_commit(
        lambda: hub.close_sockets(session_key=session_key, user_id=user_id, household_id=household_id),
        robust=True,
    )


def _on_logout(sender, request, user, **kwargs) -> None:
    """The logged-out session's sockets close; the planner's other browsers stay signed in."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        close_sockets_after_commit(session_key=session_key)
    elif user is not None and user.pk is not None:  # no session to go by: every socket of the user
        close_sockets_after_commit(user_id=user.pk)


# --- the guest principal: a household, declared by the app that owns households ----------------


@dataclass(frozen=True)
class HouseholdPrincipal:
    model: type[Model]
    from_session: Callable[[Any], Any]  # the session's household, or None
    secret_field: str  # regenerating it (a new invitation code) signs the household out everywhere


_household: HouseholdPrincipal | None = None


def declare_household(model: type[Model], *, from_session: Callable[[Any], Any], secret_field: str) -> None:
    """The model whose rows are guest principals (called from the owning app's live.py).

    Sockets ask `from_session` who the guest is; changing a row's `secret_field`
    or deleting the row closes that household's sockets.
    """
    global _household
    _household = HouseholdPrincipal(model=model, from_session=from_session, secret_field=secret_field)
    uid = f"confetti-live-{model._meta.label_lower}"
    signals.post_init.connect(_remember_secret, sender=model, dispatch_uid=f"{uid}-init")
    signals.post_save.connect(_on_household_saved, sender=model, dispatch_uid=f"{uid}-save")
    signals.post_delete.connect(_on_household_deleted, sender=model, dispatch_uid=f"{uid}-delete")


def household_from_session(session: Any) -> Any:
    """The guest household signed in on this session, or None (no household principal declared)."""
    return _household.from_session(session) if _household is not None else None


def _remember_secret(sender, instance, **kwargs) -> None:
    instance._confetti_secret = getattr(instance, _household.secret_field)


def _on_household_saved(sender, instance, created, raw=False, **kwargs) -> None:
    before = getattr(instance, "_confetti_secret", None)
    now = getattr(instance, _household.secret_field)
    instance._confetti_secret = now
    if created or raw or not before or before == now:
        return
    close_sockets_after_commit(household_id=instance.pk)


def _on_household_deleted(sender, instance, **kwargs) -> None:
    close_sockets_after_commit(household_id=instance.pk)


def connect_principal_signals() -> None:
    """Logging out closes that session's sockets (households declare their own: declare_household)."""
    from django.contrib.auth.signals import user_logged_out

    user_logged_out.connect(_on_logout, dispatch_uid="confetti-live-logout")
