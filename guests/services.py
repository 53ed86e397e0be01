"""Guest-side writes and the entry look-ups (by code, by name plus a second answer)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from guests import lookup
from guests.codes import normalize_code
from guests.models import Guest, GuestRequest, Household
from realtime.context import acting_as, actor_for, current_actor

MAX_REQUEST = 2000


# --- entry ----------------------------------------------------------------------


def household_for_code(*, code: str) -> Household | None:
    """The household whose invitation code this is (as typed: case, spaces, dashes ignored)."""
    code = normalize_code(code or "")
    if not code or len(code) > 32:
        return None
    return Household.objects.select_related("wedding").filter(invitation_code=code).first()


def household_lookup(
    *, first_name: str, last_name: str, answer: str, wedding=None
) -> Household | None:
    """The one household with a guest of this name whose second answer matches, else None.

    None both for "no such name" and for "wrong answer": callers show the
    same message either way, so the look-up reveals nothing about the list.
    Same-name guests in different households are told apart by the answer
    (their own email or household name); if it still fits several, None.
    """
    if not lookup.fold(first_name) or not lookup.fold(last_name) or not answer.strip():
        return None
    guests = Guest.objects.all()
    if wedding is not None:
        guests = guests.filter(wedding=wedding)
    # Accent-insensitive matching is done in Python (portable across SQLite and
    # PostgreSQL); only the columns it needs are read.
    candidates = lookup.matching_guests(
        guests.only("id", "first_name", "last_name", "household_id").iterator(chunk_size=2000),
        first_name=first_name, last_name=last_name,
    )
    household_ids = {g.household_id for g in candidates}
    if not household_ids:
        return None
    households = Household.objects.select_related("wedding").filter(pk__in=household_ids)
    emails: dict[int, list[str]] = {}
    for household_id, email in Guest.objects.filter(household_id__in=household_ids).values_list(
        "household_id", "email"
    ):
        emails.setdefault(household_id, []).append(email)
    fits = [
        h for h in households
        if lookup.second_answer_matches(answer, household=h, guest_emails=emails.get(h.pk, []))
    ]
    return fits[0] if len(fits) == 1 else None


# --- directory ------------------------------------------------------------------


def directory_opt_in_set(*, household: Household, guest_ids: Iterable[int]) -> int:
    """List exactly these guests of the household in the guest directory; returns how many changed."""
    wanted = {int(pk) for pk in guest_ids}
    with transaction.atomic():
        members = list(Guest.objects.select_for_update().filter(household=household))
        known = {g.pk for g in members}
        if wanted - known:
            raise ValidationError("You can only choose guests of your own invitation.")
        changed = 0
        for guest in members:
            opt_in = guest.pk in wanted
            if guest.directory_opt_in != opt_in:
                guest.directory_opt_in = opt_in
                guest.save(update_fields=["directory_opt_in", "updated_at"])
                changed += 1
    return changed


# --- requests to the planners --------------------------------------------------------


def guest_request_create(
    *, household: Household, kind: str, message: str, guest: Guest | None = None
) -> GuestRequest:
    """A household asks the planners for something (plus-one, accessibility, change, other)."""
    message = (message or "").strip()
    if kind not in GuestRequest.Kind.values:
        raise ValidationError("Please choose what the request is about.")
    if not message:
        raise ValidationError("Please write a few words for the couple.")
    if len(message) > MAX_REQUEST:
        raise ValidationError(f"A request is limited to {MAX_REQUEST} characters.")
    if guest is not None and guest.household_id != household.pk:
        raise ValidationError("You can only make a request for a guest of your own invitation.")
    with transaction.atomic():
        return GuestRequest.objects.create(
            wedding_id=household.wedding_id, household=household, guest=guest, kind=kind, message=message
        )


def guest_request_resolve(*, request: GuestRequest, status: str, reply: str, user) -> GuestRequest:
    """A planner answers a request; the household sees the status and reply live."""
    if status not in GuestRequest.Status.values:
        raise ValidationError(f"Unknown status “{status}”.")
    if len(reply or "") > MAX_REQUEST:
        raise ValidationError(f"A reply is limited to {MAX_REQUEST} characters.")
    if user is not None:
        from wedding.models import Wedding

        if not Wedding.objects.for_planner(user).filter(pk=request.wedding_id).exists():
            raise PermissionDenied("You do not plan this wedding.")
    # Attributed to the planner in the activity feed, also when called outside a request.
    actor = current_actor() if user is None or current_actor().user_id == user.pk else actor_for(user=user)
    with acting_as(actor), transaction.atomic():
        locked = GuestRequest.objects.select_for_update().get(pk=request.pk)
        locked.status = status
        locked.reply = (reply or "").strip()
        locked.resolved_by = user if status != GuestRequest.Status.OPEN else None
        locked.save(update_fields=["status", "reply", "resolved_by", "updated_at"])
    request.refresh_from_db()
    return request
