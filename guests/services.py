"""Guest writes — the household's own and the planner's bulk ones — and the entry
look-ups (by code, by name plus a second answer)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from guests import lookup
from guests.codes import new_code, normalize_code
from guests.models import Guest, GuestRequest, Household, Tag
from realtime import live
from realtime.live import acting_as_planner
from wedding.core.counters import delete_recounting
from wedding.core.i18n import reading_as
from wedding.core.models import Wedding
from wedding.core.throttle import throttle_exceeded, throttle_hit, throttle_incr
from wedding.core.tokens import token_consume, token_issue, token_peek

logger = logging.getLogger(__name__)

MAX_REQUEST = 2000
TAG_MAX = Tag._meta.get_field("name").max_length

# What deleting guests (or households) also changes: their answers, invitations and
# seats, song votes and requests. Per-row capture is off inside bulk_change, so these
# are announced as topics without ids.
CASCADE_TOPICS = ("rsvp", "seating", "song", "request")


# --- entry ----------------------------------------------------------------------


def household_for_code(*, code: str) -> Household | None:
    """The household whose invitation code this is (as typed: case, spaces, dashes ignored)."""
    code = normalize_code(code or "")
    if not code or len(code) > 32:
        return None
    return Household.objects.select_related("wedding").filter(invitation_code=code).first()


def _households_named(*, first_name: str, last_name: str, wedding=None) -> list[Household]:
    """The households with a guest of this name (tolerant of accents and short forms)."""
    if not lookup.fold(first_name) or not lookup.fold(last_name):
        return []
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
        return []
    return list(
        Household.objects.select_related("wedding").filter(pk__in=household_ids)
        .prefetch_related(Prefetch("guests", queryset=Guest.objects.only("id", "household_id", "email", "phone")))
    )


def household_contacts(household: Household) -> tuple[list[str], list[str]]:
    """The emails and phones on file for a household and its guests (blank ones left out)."""
    guests = list(household.guests.all())
    emails = [e for e in dict.fromkeys([household.email, *(g.email for g in guests)]) if e]
    phones = [p for p in dict.fromkeys([household.phone, *(g.phone for g in guests)]) if p]
    return emails, phones


def household_lookup(
    *, first_name: str, last_name: str, answer: str, wedding=None
) -> Household | None:
    """The one household with a guest of this name whose email or phone on file is `answer`, else None.

    None both for "no such name" and for "wrong answer": callers show the
    same message either way, so the look-up reveals nothing about the list.
    Same-name guests in different households are told apart by the answer;
    if it still fits several, None.
    """
    if not answer.strip():
        return None
    households = _households_named(first_name=first_name, last_name=last_name, wedding=wedding)
    fits = []
    for household in households:
        if throttle_exceeded(scope=GUESS_SCOPE, subject=str(household.wedding_id), limit=LOOKUP_BUDGET, window=3600):
            continue  # this wedding's guessing budget is spent: no answer is checked until the hour is over
        emails, phones = household_contacts(household)
        if lookup.second_answer_matches(answer, emails=emails, phones=phones):
            fits.append(household)
    if len(fits) == 1:
        return fits[0]
    for wedding_id in {h.wedding_id for h in households}:
        if throttle_incr(scope=GUESS_SCOPE, subject=str(wedding_id), window=3600) == LOOKUP_BUDGET:
            _guessing_alert(wedding_id=wedding_id)
    return None


GUESS_SCOPE = "lookup-wedding"
# Wrong look-up answers a wedding absorbs in an hour, from all addresses together. Real guests
# mistype a few times; more means someone is working through the list.
LOOKUP_BUDGET = 30


def _guessing_alert(*, wedding_id: int) -> None:
    """Tell the wedding's planners (one line in their activity feed) that its look-up is being guessed."""
    live.record_bulk(
        wedding_id=wedding_id, topic="guest", action="update", model="guests.household", object_ids=[],
        summary=(
            f"Possible guessing: {LOOKUP_BUDGET} wrong name look-up answers within an hour. The name "
            "look-up is paused for the rest of the hour; invitation codes and emailed links still work."
        ),
    )


SIGNIN_LINK_TTL = 30 * 60
# Sign-in links mailed to one household: enough for a typo'd retry, not a flood.
SIGNIN_LINKS_PER_HOUR = 3


def signin_link_send(*, first_name: str, last_name: str, link_for: Callable[[str], str]) -> int:
    """Mail a one-time sign-in link to the addresses on file of each household with a guest of this name.

    The way in for a guest who knows only their name: the link reaches only
    a mailbox the household gave the planners. `link_for(token)` builds the
    absolute URL. Returns how many households were mailed — for tests and
    logs only: callers answer the same whatever it is, so the page reveals
    nothing about the list. Throttled per household (SIGNIN_LINKS_PER_HOUR).
    """
    sent = 0
    for household in _households_named(first_name=first_name, last_name=last_name):
        emails, _phones = household_contacts(household)
        if not emails or not throttle_hit(
            scope="signin-link", subject=str(household.pk), limit=SIGNIN_LINKS_PER_HOUR, window=3600
        ):
            continue
        token = token_issue(purpose=SIGNIN_PURPOSE, payload=household.pk, ttl=SIGNIN_LINK_TTL)
        with reading_as(household.wedding, household):
            body = render_to_string(
                "guests/signin_email.txt",
                {"household": household, "wedding": household.wedding, "link": link_for(token),
                 "minutes": SIGNIN_LINK_TTL // 60},
            )
            subject = _("Your sign-in link for %(wedding)s") % {"wedding": household.wedding.name}
        message = EmailMessage(subject=subject, body=body, to=emails)
        try:
            sent += message.send()
        except Exception:  # noqa: BLE001 - a broken mail server must not tell the visitor anything
            logger.warning("sign-in link for household %s not sent", household.pk, exc_info=True)
    return sent


SIGNIN_PURPOSE = "signin"


def household_for_signin_token(*, token: str, spend: bool) -> Household | None:
    """The household a sign-in link is for, or None (unknown, expired, used). `spend` uses it up."""
    household_id = (token_consume if spend else token_peek)(purpose=SIGNIN_PURPOSE, token=token)
    if household_id is None:
        return None
    return Household.objects.select_related("wedding").filter(pk=household_id).first()


# --- directory ------------------------------------------------------------------


def directory_opt_in_set(*, household: Household, guest_ids: Iterable[int]) -> int:
    """List exactly these guests of the household in the guest directory; returns how many changed."""
    wanted = {int(pk) for pk in guest_ids}
    with transaction.atomic():
        members = list(Guest.objects.select_for_update().filter(household=household))
        known = {g.pk for g in members}
        if wanted - known:
            raise ValidationError(_("You can only choose guests of your own invitation."))
        changed = 0
        for guest in members:
            opt_in = guest.pk in wanted
            if guest.directory_opt_in != opt_in:
                guest.directory_opt_in = opt_in
                guest.save(update_fields=["directory_opt_in", "updated_at"])
                changed += 1
    return changed


# --- requests to the planners --------------------------------------------------------


def household_language_set(*, household: Household, language: str) -> Household:
    """The household reads the guest site and its emails in `language` from now on (any device).

    `language` is one of settings.LANGUAGES; anything else is refused.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("That language is not available."))
    if household.language != language:
        household.language = language
        household.save(update_fields=["language", "updated_at"])
    return household


def guest_request_create(
    *, household: Household, kind: str, message: str, guest: Guest | None = None
) -> GuestRequest:
    """A household asks the planners for something (plus-one, accessibility, change, other)."""
    message = (message or "").strip()
    if kind not in GuestRequest.Kind.values:
        raise ValidationError(_("Please choose what the request is about."))
    if not message:
        raise ValidationError(_("Please write a few words for the couple."))
    if len(message) > MAX_REQUEST:
        raise ValidationError(_("A request is limited to %(n)s characters.") % {"n": MAX_REQUEST})
    if guest is not None and guest.household_id != household.pk:
        raise ValidationError(_("You can only make a request for a guest of your own invitation."))
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
    Wedding.objects.check_planner(user, request.wedding_id)
    with acting_as_planner(user), transaction.atomic():
        locked = GuestRequest.objects.select_for_update().get(pk=request.pk)
        locked.status = status
        locked.reply = (reply or "").strip()
        locked.resolved_by = user if status != GuestRequest.Status.OPEN else None
        locked.save(update_fields=["status", "reply", "resolved_by", "updated_at"])
    request.refresh_from_db()
    return request


def household_code_regenerate(*, household: Household, user) -> Household:
    """A new invitation code for a household whose code leaked: the old link and code stop working,
    and every socket and session that entered with the old code is signed out (realtime's
    household principal watches the code)."""
    Wedding.objects.check_planner(user, household.wedding_id, system_allowed=False)
    with acting_as_planner(user), transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        for _attempt in range(5):
            locked.invitation_code = new_code()
            try:
                with transaction.atomic():
                    locked.save(update_fields=["invitation_code"])
                break
            except IntegrityError:  # a collision at ~46 bits: astronomically rare, cheap to retry
                continue
        else:
            raise ValidationError("Could not allocate a new invitation code; please try again.")
    household.refresh_from_db()
    return household


# --- a planner's bulk edits of the guest list ------------------------------------------


def _selected_ids(model: type[Guest] | type[Household], *, wedding: Wedding, selected: list, verb: str) -> list[int]:
    """The pks of the selected guests (or households), read again in the caller's transaction.

    Refuses (ValidationError) an empty selection and any row of another
    wedding. A row someone deleted meanwhile is simply left out.
    """
    noun = model._meta.verbose_name
    if not selected:
        raise ValidationError(f"Select at least one {noun} to {verb}.")
    found = dict(model.objects.filter(pk__in={o.pk for o in selected}).values_list("pk", "wedding_id"))
    foreign = [o for o in selected if found.get(o.pk, wedding.pk) != wedding.pk]
    if foreign:
        raise ValidationError(f"{foreign[0]} is a {noun} of another wedding.")
    return sorted(found)


def _tag_named(wedding: Wedding, name: str) -> Tag | None:
    return Tag.objects.filter(wedding=wedding, name__iexact=name).first()


def guests_tag(*, wedding: Wedding, guests: Iterable[Guest], name: str, user: Any = None) -> int:
    """Give guests of `wedding` the tag `name` (matched ignoring case, created if new), as ONE change.

    Owns its transaction. Refuses with a ValidationError, changing nothing, an
    empty selection, a missing or too long name and any guest of another
    wedding; PermissionDenied when `user` does not plan the wedding. Returns
    how many guests were newly tagged: when all had the tag already, nothing
    is written and nothing announced.
    """
    name = (name or "").strip()
    if not name or len(name) > TAG_MAX:
        raise ValidationError(f"Give a tag name (up to {TAG_MAX} characters).")
    guests = list(guests)
    Wedding.objects.check_planner(user, wedding.pk)
    through = Guest.tags.through
    with acting_as_planner(user), transaction.atomic():
        pks = _selected_ids(Guest, wedding=wedding, selected=guests, verb="tag")
        tag = _tag_named(wedding, name)
        already = (
            set(through.objects.filter(tag=tag, guest_id__in=pks).values_list("guest_id", flat=True))
            if tag is not None else set()
        )
        new = [pk for pk in pks if pk not in already]
        if not new:
            return 0
        with live.bulk_change(
            wedding_id=wedding.pk, topic="guest", action="update", model="guests.guest",
            summary=f"Tagged {len(new)} guest(s) “{name}”",
        ) as ids:
            if tag is None:
                try:
                    with transaction.atomic():  # another planner may create it at this moment
                        tag = Tag.objects.create(wedding=wedding, name=name)
                except IntegrityError:  # they did (the database keeps names unique): use theirs
                    tag = Tag.objects.get(wedding=wedding, name=name)
            through.objects.bulk_create(
                [through(guest_id=pk, tag_id=tag.pk) for pk in new], ignore_conflicts=True
            )
            ids.extend(new)
    return len(new)


def guests_delete(*, wedding: Wedding, guests: Iterable[Guest], user: Any = None) -> int:
    """Delete guests of `wedding` with their answers, invitations, seats and votes, as ONE change.

    Owns its transaction; the change also announces CASCADE_TOPICS, so every
    page showing what went with the guests updates. Refuses like `guests_tag`.
    Returns how many guests were deleted.
    """
    return _delete(
        Guest, wedding=wedding, selected=guests, user=user,
        naming=lambda guest: f"guest “{guest.full_name}” ({guest.household.name})",
    )


def households_delete(*, wedding: Wedding, households: Iterable[Household], user: Any = None) -> int:
    """Delete households of `wedding` with their guests and all that went with them, as ONE change.

    Owns its transaction and announces CASCADE_TOPICS, like `guests_delete`;
    refuses like it: an empty selection or a household of another wedding
    (ValidationError), a `user` who does not plan the wedding
    (PermissionDenied). A household deleted meanwhile is left out. Returns
    how many households were deleted.
    """
    return _delete(
        Household, wedding=wedding, selected=households, user=user,
        naming=lambda household: f"household “{household.name}”",
    )


def _delete(
    model: type[Guest] | type[Household], *, wedding: Wedding, selected: Iterable[Any], user: Any,
    naming: Callable[[Any], str],
) -> int:
    """The delete both of the above are: one transaction, one change (its summary names
    the row when there is one, via `naming`), the cascades announced as topics."""
    selected = list(selected)
    Wedding.objects.check_planner(user, wedding.pk)
    with acting_as_planner(user), transaction.atomic():
        pks = _selected_ids(model, wedding=wedding, selected=selected, verb="delete")
        if not pks:
            return 0
        if len(pks) == 1:
            summary = f"Removed {naming(next(o for o in selected if o.pk == pks[0]))}"
        else:
            summary = f"Removed {len(pks)} {model._meta.verbose_name_plural}"
        with live.bulk_change(
            wedding_id=wedding.pk, topic="guest", action="delete", model=model._meta.label_lower,
            summary=summary, also_topics=CASCADE_TOPICS,
        ) as ids:
            # Cascaded votes leave stored counts behind unless recounted here.
            delete_recounting(model.objects.filter(wedding=wedding, pk__in=pks))
            ids.extend(pks)
    return len(pks)
