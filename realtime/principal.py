"""Who is looking: a planner of a wedding, or a guest household. Decided by the server only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    *,
    session_key: str | None = None,
    user_id: int | None = None,
    household_id: int | None = None,
    wedding_id: int | None = None,
) -> None:
    """Once the current transaction commits, close the sockets of that session, user or household.

    With `wedding_id`, only the sockets watching that wedding (a planner removed from one
    of the weddings they plan keeps watching the others).
    """
    from realtime import hub

    transaction.on_commit(
        lambda: hub.close_sockets(
            session_key=session_key, user_id=user_id, household_id=household_id, wedding_id=wedding_id
        ),
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
    secret_field: str
    from_sessions: Callable[[Sequence[Any]], list] | None = None  # many at once (one query), in order  # regenerating it (a new invitation code) signs the household out everywhere


_household: HouseholdPrincipal | None = None


def declare_household(
    model: type[Model], *, from_session: Callable[[Any], Any], secret_field: str,
    from_sessions: Callable[[Sequence[Any]], list] | None = None,
) -> None:
    """The model whose rows are guest principals (called from the owning app's live.py).

    Sockets ask `from_session` who the guest is (`from_sessions`, when given,
    answers for the many handshakes of a reconnect storm at once: one list,
    in order); changing a row's `secret_field` or deleting the row closes that
    household's sockets.
    """
    global _household
    _household = HouseholdPrincipal(
        model=model, from_session=from_session, secret_field=secret_field, from_sessions=from_sessions
    )
    uid = f"confetti-live-{model._meta.label_lower}"
    signals.post_init.connect(_remember_secret, sender=model, dispatch_uid=f"{uid}-init")
    signals.post_save.connect(_on_household_saved, sender=model, dispatch_uid=f"{uid}-save")
    signals.post_delete.connect(_on_household_deleted, sender=model, dispatch_uid=f"{uid}-delete")


def household_from_session(session: Any) -> Any:
    """The guest household signed in on this session, or None (no household principal declared)."""
    return _household.from_session(session) if _household is not None else None


def households_from_sessions(sessions: Sequence[Any]) -> list:
    """`household_from_session` of each session, in order (one query when the owner declared how)."""
    if _household is None:
        return [None] * len(sessions)
    if _household.from_sessions is not None:
        return list(_household.from_sessions(sessions))
    return [_household.from_session(session) for session in sessions]


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


# --- revoking a planner closes their sockets (DESIGN §4.13, issue 13 item 4) ----------------
#
# HTTP re-reads the user and the wedding's planners on every request; a socket read them
# once, at connect. So every way a planner loses access closes their sockets after commit:
# removed from a wedding's planners, deactivated, or a new password (which signs out their
# other sessions). `principal_still_allowed()` re-checks on the socket's expensive frames,
# for a close that was lost between processes.


def _on_planners_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Wedding.planners lost members: close those users' sockets on those weddings."""
    from wedding.core.models import Wedding

    if action == "pre_clear":  # post_clear has no pk_set: remember who is about to go
        through = sender.objects.filter(**{("user" if reverse else "wedding"): instance.pk})
        field = "wedding_id" if reverse else "user_id"
        instance._confetti_cleared = set(through.values_list(field, flat=True))
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_confetti_cleared", set())
    elif action != "post_remove" or not pk_set:
        return
    if reverse:  # user.weddings.remove(...): instance is the user, pk_set the weddings
        if not getattr(instance, "is_superuser", False):
            for wedding_id in pk_set:
                close_sockets_after_commit(user_id=instance.pk, wedding_id=wedding_id)
        return
    user_model = Wedding.planners.field.related_model
    superusers = set(user_model.objects.filter(pk__in=pk_set, is_superuser=True).values_list("pk", flat=True))
    for user_id in pk_set - superusers:  # a superuser still plans every wedding
        close_sockets_after_commit(user_id=user_id, wedding_id=instance.pk)


def _access(instance) -> tuple:
    # From __dict__: a user loaded with only() must not cost a query per row here.
    return (instance.__dict__.get("is_active"), instance.__dict__.get("password"))


def _remember_access(sender, instance, **kwargs) -> None:
    instance._confetti_access = _access(instance)


def _on_user_saved(sender, instance, created, raw=False, **kwargs) -> None:
    before = getattr(instance, "_confetti_access", None)
    now = _access(instance)
    instance._confetti_access = now
    if created or raw or before is None or before == now:
        return
    was_active, old_password = before
    if (was_active and now[0] is False) or (bool(old_password) and old_password != now[1]):
        close_sockets_after_commit(user_id=instance.pk)


def _on_user_deleted(sender, instance, **kwargs) -> None:
    close_sockets_after_commit(user_id=instance.pk)


def principal_still_allowed(
    *, session: Any, user_id: int | None, household_id: int | None, wedding_id: int
) -> bool:
    """Whether the principal a socket was opened for may still watch `wedding_id` (reads the database).

    A planner: still active, still signed in with the password the session was
    opened with, still a planner of the wedding. A household: the session still
    enters as it (its code was not regenerated, it was not deleted).
    """
    from django.contrib.auth import HASH_SESSION_KEY, get_user_model
    from django.utils.crypto import constant_time_compare

    from wedding.core.models import Wedding

    if user_id is not None:
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            return False
        signed = session.get(HASH_SESSION_KEY) if session is not None else None
        if signed is not None and not constant_time_compare(signed, user.get_session_auth_hash()):
            return False
        return Wedding.objects.for_planner(user).filter(pk=wedding_id).exists()
    if household_id is not None:
        household = household_from_session(session)
        return household is not None and household.pk == household_id and household.wedding_id == wedding_id
    return False


def connect_principal_signals() -> None:
    """Logging out, losing a wedding, deactivation or a new password close the user's sockets.

    (Households declare their own: `declare_household`.)
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_out

    from wedding.core.models import Wedding

    user_logged_out.connect(_on_logout, dispatch_uid="confetti-live-logout")
    signals.m2m_changed.connect(
        _on_planners_changed, sender=Wedding.planners.through, dispatch_uid="confetti-live-planners"
    )
    user_model = get_user_model()
    signals.post_init.connect(_remember_access, sender=user_model, dispatch_uid="confetti-live-user-init")
    signals.post_save.connect(_on_user_saved, sender=user_model, dispatch_uid="confetti-live-user-save")
    signals.post_delete.connect(_on_user_deleted, sender=user_model, dispatch_uid="confetti-live-user-delete")
