"""RSVP writes: invitations, a household's answers, and answers a planner records.

Every function owns its transaction. Validation happens before the first
write, so a refused call changes nothing; anything that slips past it (a
constraint the database enforces) rolls the whole call back.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guests.models import Guest, Household
from realtime import live
from realtime.live import acting_as_planner
from rsvp.models import Invitation, MealOption, Question, QuestionAnswer, Response
from rsvp.signals import guests_uninvited
from wedding.core.cleaning import clean_text
from wedding.core.i18n import reading_as
from wedding.core.models import Event, Wedding
from wedding.core.throttle import throttle_hit
from wedding.core.tokens import token_consume, token_issue
from wedding.songs.services import song_request

logger = logging.getLogger(__name__)

ANSWER_STATUSES = (Response.Status.ATTENDING, Response.Status.DECLINED)
MAX_NOTE = 2000
MAX_DIETARY = 300


@dataclass(frozen=True)
class Answer:
    """One guest's answer for one event, as the household submitted it (ids, untrusted)."""

    guest_id: int
    event_id: int
    status: str
    meal_id: int | None = None


@dataclass(frozen=True)
class PlusOne:
    """A plus-one the household names; `answers` maps event id → (status, meal id), `replies`
    question id → their reply to the couple's question."""

    first_name: str
    last_name: str = ""
    dietary_notes: str = ""
    answers: Mapping[int, tuple[str, int | None]] = field(default_factory=dict)
    replies: Mapping[int, str | list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """One guest's reply to one of the couple's questions (ids, untrusted); a list for multiple choice."""

    guest_id: int
    question_id: int
    value: str | list[str] = ""


@dataclass(frozen=True)
class SongWish:
    """A song the household asks for with its RSVP (when the wedding asks for one)."""

    title: str
    artist: str = ""


@dataclass
class SubmitResult:
    changed: int = 0  # responses created or changed
    plus_ones_added: list[Guest] = field(default_factory=list)


def _same_wedding(*objs) -> bool:
    return len({o.wedding_id for o in objs}) == 1


# --- invitations -------------------------------------------------------------


def invitations_create(*, guests: Iterable[Guest], event: Event) -> int:
    """Invite these guests to the event; already invited guests are left alone.

    Idempotent and race-safe (the unique constraint plus `ignore_conflicts`);
    recorded as ONE change. Returns how many invitations were new.
    """
    guests = list(guests)
    foreign = [g for g in guests if g.wedding_id != event.wedding_id]
    if foreign:
        raise ValidationError(f"{foreign[0]} is a guest of another wedding.")
    guest_ids = {g.pk for g in guests}
    with transaction.atomic():
        already = set(
            Invitation.objects.filter(event=event, guest_id__in=guest_ids).values_list("guest_id", flat=True)
        )
        new = guest_ids - already
        if not new:
            return 0  # nothing to do, nothing to announce
        with live.bulk_change(
            wedding_id=event.wedding_id, topic="rsvp", action="create", model="rsvp.invitation",
            summary=f"Invited {len(new)} guest(s) to {event}",
        ) as ids:
            Invitation.objects.bulk_create(
                [Invitation(wedding_id=event.wedding_id, guest_id=gid, event=event) for gid in sorted(new)],
                ignore_conflicts=True,  # a concurrent call may have invited some of them meanwhile
            )
            ids.extend(
                Invitation.objects.filter(event=event, guest_id__in=new).values_list("pk", flat=True)
            )
    return len(new)


def invitations_delete(*, guests: Iterable[Guest], event: Event) -> int:
    """Uninvite these guests from the event; their answers and seats for it go too. ONE change."""
    guest_ids = [g.pk for g in guests if g.wedding_id == event.wedding_id]
    with transaction.atomic():
        invitations = Invitation.objects.filter(event=event, guest_id__in=guest_ids)
        pks = list(invitations.values_list("pk", flat=True))
        if not pks:
            return 0
        with live.bulk_change(
            wedding_id=event.wedding_id, topic="rsvp", action="delete", model="rsvp.invitation",
            summary=f"Uninvited {len(pks)} guest(s) from {event}",
        ) as ids:
            Response.objects.filter(event=event, guest_id__in=guest_ids).delete()
            guests_uninvited.send(sender=Invitation, event=event, guest_ids=guest_ids)
            invitations.delete()
            ids.extend(pks)
    return len(pks)


# --- the household's own answers ----------------------------------------------


def _clean_status(status: str) -> str:
    if status not in ANSWER_STATUSES:
        raise ValidationError(_("Please answer “attending” or “not attending” for every event."))
    return status


_UNREAD = object()


def _apply_response(
    *, guest_id: int, event_id: int, wedding_id: int, status: str, meal_id: int | None, now,
    answered_by: str, user=None, note: str | None = None, loaded: Mapping[str, Any] | None = None,
    current: Response | None | object = _UNREAD, guarded: bool = True,
) -> bool:
    """Create or update one response under the (guest, event) unique constraint.

    Returns True when something actually changed, so a repeated submission
    writes (and announces) nothing. `loaded`: the guest, event and meal objects the
    caller has already read (by field name); the change's summary names them without
    reading them again. `current`: the row as the caller read it *for update* in this
    transaction (None: there was none), so it is not read again; by default it is read here.
    `guarded=False`: the insert gets no savepoint of its own, and a row inserted meanwhile by
    another transaction raises IntegrityError (the caller's savepoint handles it).
    """
    if status != Response.Status.ATTENDING:
        meal_id = None
    response = (
        Response.objects.select_for_update().filter(guest_id=guest_id, event_id=event_id).first()
        if current is _UNREAD else current
    )
    if response is None:
        new = Response(
            wedding_id=wedding_id, guest_id=guest_id, event_id=event_id, status=status, meal_id=meal_id,
            responded_at=now, answered_by=answered_by, answered_by_user=user, note=note or "",
        )
        _prime(new, loaded)
        if not guarded:
            new.save(force_insert=True)
            return True
        try:
            # A concurrent submission may insert the same row between our read
            # and this insert: the savepoint lets us fall back to updating it.
            with transaction.atomic():
                new.save(force_insert=True)
            return True
        except IntegrityError:
            response = Response.objects.select_for_update().filter(guest_id=guest_id, event_id=event_id).first()
            if response is None:
                raise
    same = (
        response.status == status
        and response.meal_id == meal_id
        and (note is None or response.note == note)
        and response.answered_by == answered_by
    )
    if same:
        return False
    response.status = status
    response.meal_id = meal_id
    response.responded_at = now
    response.answered_by = answered_by
    response.answered_by_user = user
    if note is not None:
        response.note = note
    _prime(response, loaded)
    response.save()
    return True


def _prime(response: Response, loaded: Mapping[str, Any] | None) -> None:
    """Give `response` the related objects already in memory that it points to."""
    for name, obj in (loaded or {}).items():
        if obj is not None and getattr(response, f"{name}_id") == obj.pk:
            Response._meta.get_field(name).set_cached_value(response, obj)


def rsvp_submit(
    *,
    household: Household,
    answers: Iterable[Answer],
    dietary: Mapping[int, str] | None = None,
    plus_ones: Iterable[PlusOne] = (),
    remove_plus_ones: Iterable[int] = (),
    note: str | None = None,
    replies: Iterable[Reply] = (),
    song: SongWish | None = None,
) -> SubmitResult:
    """The household's RSVP, all of it or nothing.

    Refuses with a ValidationError (and changes nothing) when the deadline has
    passed or the data was tampered with: a guest of another household, an
    event the guest is not invited to, a meal of another event, more
    plus-ones than the household may bring. Submitting the same answers twice
    (even at once) leaves one response per guest and event and no error: the
    household row is locked for the whole call, and unchanged answers are not
    rewritten.

    `dietary` maps guest id → dietary notes; `note` is the message to the
    couple (None leaves it as it is). `replies` answer the couple's questions
    (see `_replies_apply`: a required one left blank is refused); `song` joins
    the song requests through the songs app's service. The note and the song
    are refused when the wedding does not ask for them.
    """
    answers = list(answers)
    plus_ones = [p for p in plus_ones if p.first_name.strip()]
    remove_plus_ones = {int(pk) for pk in remove_plus_ones}
    dietary = dict(dietary or {})
    with transaction.atomic():
        # Serialises concurrent submissions of one household (double clicks, two phones). The
        # household's row only (`of`): the joined wedding's row, locked too, held every other
        # household of the wedding back until this one committed (bench/README.md "The wedding's row").
        household = Household.objects.select_for_update(of=("self",)).select_related("wedding").get(pk=household.pk)
        wedding = household.wedding
        if not wedding.rsvp_open:
            raise ValidationError(_("The RSVP deadline has passed: please send the couple a change request."))
        if song is not None and not wedding.rsvp_asks_song:
            raise ValidationError(_("The couple does not take song requests with the RSVP."))
        if note is not None and not wedding.rsvp_asks_message and note.strip() != household.message_to_couple:
            raise ValidationError(_("The couple does not take messages with the RSVP."))

        members = {g.pk: g for g in Guest.objects.filter(household=household)}
        invited: dict[int, set[int]] = {}
        for guest_id, event_id in Invitation.objects.filter(guest__household=household).values_list(
            "guest_id", "event_id"
        ):
            invited.setdefault(guest_id, set()).add(event_id)
        household_events = set().union(*invited.values()) if invited else set()
        menu = {meal.pk: meal for meal in MealOption.objects.filter(event_id__in=household_events)}
        meals = {pk: meal.event_id for pk, meal in menu.items()}
        # Loaded once for every answer's change summary ("… accepted the Dinner, Fish").
        events = Event.objects.in_bulk(household_events)

        def check_meal(meal_id: int | None, event_id: int, status: str) -> int | None:
            if meal_id in (None, "") or status != Response.Status.ATTENDING:
                return None
            if meals.get(int(meal_id)) != event_id:
                raise ValidationError(_("That meal is not on the menu of this event."))
            return int(meal_id)

        # --- validate everything before writing anything ---
        cleaned: list[Answer] = []
        for a in answers:
            if a.guest_id not in members:
                raise ValidationError(_("You can only answer for the guests of your own invitation."))
            if a.event_id not in invited.get(a.guest_id, set()):
                raise ValidationError(_("%(guest)s is not invited to that event.") % {"guest": members[a.guest_id]})
            status = _clean_status(a.status)
            cleaned.append(Answer(a.guest_id, a.event_id, status, check_meal(a.meal_id, a.event_id, status)))
        for guest_id, text in dietary.items():
            if guest_id not in members:
                raise ValidationError(_("You can only answer for the guests of your own invitation."))
            if len(text) > MAX_DIETARY:
                raise ValidationError(_("Dietary notes are limited to %(n)s characters.") % {"n": MAX_DIETARY})
        if note is not None and len(note) > MAX_NOTE:
            raise ValidationError(_("The note to the couple is limited to %(n)s characters.") % {"n": MAX_NOTE})
        for pk in remove_plus_ones:
            if pk not in members or not members[pk].is_plus_one:
                raise ValidationError(_("You can only remove a plus-one of your own invitation."))

        existing_plus = {
            _name_key(g.first_name, g.last_name): g
            for g in members.values()
            if g.is_plus_one and g.pk not in remove_plus_ones
        }
        new_plus: list[PlusOne] = []
        for p in plus_ones:
            if len(p.first_name) > 100 or len(p.last_name) > 100:
                raise ValidationError(_("A plus-one's name is limited to 100 characters."))
            if len(p.dietary_notes) > MAX_DIETARY:
                raise ValidationError(_("Dietary notes are limited to %(n)s characters.") % {"n": MAX_DIETARY})
            for event_id, (status, meal_id) in p.answers.items():
                if event_id not in household_events:
                    raise ValidationError(_("Your plus-one can only come to events you are invited to."))
                _clean_status(status)
                check_meal(meal_id, event_id, status)
            # Naming the same plus-one again (a double submit) updates them instead of adding one.
            if _name_key(p.first_name, p.last_name) not in existing_plus:
                new_plus.append(p)
        # Only naming someone new is checked: a planner lowering the allowance
        # must not lock the household out of answering for the plus-ones it has.
        if new_plus and len(existing_plus) + len(new_plus) > household.plus_ones_allowed:
            raise ValidationError(
                ngettext(
                    "Your invitation includes %(n)s plus-one; ask the couple through a request if you need more.",
                    "Your invitation includes %(n)s plus-ones; ask the couple through a request if you need more.",
                    household.plus_ones_allowed,
                ) % {"n": household.plus_ones_allowed}
            )

        # --- write ---
        now = timezone.now()
        result = SubmitResult()
        result.changed += _answers_apply(cleaned, wedding_id=wedding.pk, now=now, members=members, events=events, menu=menu)
        for guest_id, text in dietary.items():
            guest = members[guest_id]
            if guest.dietary_notes != text.strip():
                guest.dietary_notes = text.strip()
                guest.save(update_fields=["dietary_notes", "updated_at"])
        if remove_plus_ones:
            Guest.objects.filter(household=household, is_plus_one=True, pk__in=remove_plus_ones).delete()
        for p in plus_ones:
            key = _name_key(p.first_name, p.last_name)
            guest = existing_plus.get(key)
            if guest is None:
                guest = Guest.objects.create(
                    wedding=wedding, household=household, first_name=p.first_name.strip(),
                    last_name=p.last_name.strip(), dietary_notes=p.dietary_notes.strip(),
                    is_plus_one=True,
                )
                existing_plus[key] = guest
                result.plus_ones_added.append(guest)
            elif guest.dietary_notes != p.dietary_notes.strip():
                guest.dietary_notes = p.dietary_notes.strip()
                guest.save(update_fields=["dietary_notes", "updated_at"])
            # A plus-one is invited to the events they answer for (their host's events).
            for event_id in p.answers:
                Invitation.objects.get_or_create(guest=guest, event_id=event_id, defaults={"wedding": wedding})
            for event_id, (status, meal_id) in p.answers.items():
                meal_id = check_meal(meal_id, event_id, status)
                result.changed += _apply_response(
                    guest_id=guest.pk, event_id=event_id, wedding_id=wedding.pk, status=status,
                    meal_id=meal_id, now=now, answered_by=Response.AnsweredBy.GUEST,
                    loaded={"guest": guest, "event": events.get(event_id), "meal": menu.get(meal_id)},
                )
        if note is not None and household.message_to_couple != note.strip():
            household.message_to_couple = note.strip()
            household.save(update_fields=["message_to_couple", "updated_at"])
        # After the answers: an event's questions are due from whoever now attends it.
        live_members = {pk: g for pk, g in members.items() if pk not in remove_plus_ones}
        replies = list(replies)
        for p in plus_ones:
            guest = existing_plus[_name_key(p.first_name, p.last_name)]
            live_members[guest.pk] = guest
            replies += [Reply(guest.pk, question_id, value) for question_id, value in p.replies.items()]
        result.changed += _replies_apply(wedding_id=wedding.pk, members=live_members, replies=replies, required=True)
        if song is not None and song.title.strip():
            voter = min(live_members.values(), key=lambda g: (g.is_plus_one, g.pk), default=None)
            song_request(wedding=wedding, household=household, guest=voter, title=song.title, artist=song.artist)
    return result


def _answers_apply(
    cleaned: list[Answer], *, wedding_id: int, now, members: Mapping[int, Guest], events: Mapping[int, Event],
    menu: Mapping[int, MealOption],
) -> int:
    """Write the household's answers (the household's row is locked); returns how many changed.

    The answers so far are locked in one read, and the new ones inserted under one savepoint
    rather than one each. A planner recording an answer does not take the household's lock, so
    one of the inserts may meet a row committed after that read: the savepoint is then rolled
    back and the answers written again one by one, each read afresh and guarded by a savepoint
    of its own.
    """

    def apply(guarded: bool) -> int:
        answered = {
            (r.guest_id, r.event_id): r
            for r in Response.objects.select_for_update().filter(guest_id__in=[a.guest_id for a in cleaned])
        }
        return sum(
            _apply_response(
                guest_id=a.guest_id, event_id=a.event_id, wedding_id=wedding_id, status=a.status,
                meal_id=a.meal_id, now=now, answered_by=Response.AnsweredBy.GUEST,
                loaded={"guest": members[a.guest_id], "event": events.get(a.event_id), "meal": menu.get(a.meal_id)},
                current=answered.get((a.guest_id, a.event_id)), guarded=guarded,
            )
            for a in cleaned
        )

    try:
        with transaction.atomic():
            return apply(guarded=False)
    except IntegrityError:
        return apply(guarded=True)


def _name_key(first: str, last: str) -> tuple[str, str]:
    from guests.lookup import fold

    return (fold(first), fold(last))


# --- the couple's questions ------------------------------------------------------------

MAX_REPLY = 500
YES_NO = ("yes", "no")


def reply_clean(question: Question, value: str | list[str]) -> str:
    """The reply as stored ("" for no answer; options one a line), or a ValidationError.

    Checks the kind only; whether the question is asked of the guest, and
    whether it must be answered, is `_replies_apply`'s part.
    """
    if question.kind == Question.Kind.MULTIPLE:
        chosen = [value] if isinstance(value, str) else [str(v) for v in value]
        chosen = [v for v in chosen if v]
        unknown = [v for v in chosen if v not in question.options]
        if unknown:
            raise ValidationError(_("“%(answer)s” is not an option of “%(question)s”.") % {"answer": unknown[0], "question": question.text})
        return "\n".join(o for o in question.options if o in chosen)  # the couple's order, no repeats
    if not isinstance(value, str):
        raise ValidationError(_("“%(question)s” takes one answer.") % {"question": question.text})
    text = clean_text(value, label=f"answer to “{question.text}”", max_length=MAX_REPLY, required=False)
    if question.kind == Question.Kind.YES_NO and text not in ("", *YES_NO):
        raise ValidationError(_("Please answer “%(question)s” with yes or no.") % {"question": question.text})
    if question.kind == Question.Kind.CHOICE and text and text not in question.options:
        raise ValidationError(_("“%(answer)s” is not an option of “%(question)s”.") % {"answer": text, "question": question.text})
    return text


def question_is_due(question: Question, *, attending: set[int]) -> bool:
    """Whether a guest attending `attending` (event ids) is asked the question now.

    An event's question is for those attending the event; a wedding's question
    is shown to everyone in its audience but only due from guests attending
    something (a guest who declines everything is not held up by it).
    """
    return question.event_id in attending if question.event_id else bool(attending)


def _replies_apply(*, wedding_id: int, members: dict[int, Guest], replies: Iterable[Reply], required: bool) -> int:
    """Validate then write the replies of these guests; returns how many answers changed.

    Reads the events each guest attends once the caller's answers are in (in the
    caller's transaction). Replies to an event's question from a guest not attending it are
    dropped, and earlier ones removed: an event's question is asked only of
    those who come. With `required`, a required question due from the guest
    and left blank is refused. Call inside the caller's transaction.
    """
    questions = {q.pk: q for q in Question.objects.filter(wedding_id=wedding_id)}
    replies = list(replies)
    if not questions and not replies:
        return 0  # no question asked: no answer to write, none to keep or remove
    attending = _attending(members)
    tags: dict[int, set[int]] = {}
    for guest_id, tag_id in Guest.tags.through.objects.filter(guest_id__in=members).values_list("guest_id", "tag_id"):
        tags.setdefault(guest_id, set()).add(tag_id)
    cleaned: dict[tuple[int, int], str] = {}
    for reply in replies:
        question = questions.get(reply.question_id)
        guest = members.get(reply.guest_id)
        if guest is None:
            raise ValidationError(_("You can only answer for the guests of your own invitation."))
        if question is None or not question.asks(guest, tags.get(guest.pk, set())):
            raise ValidationError(_("That question is not asked of %(guest)s.") % {"guest": guest})
        value = reply_clean(question, reply.value)
        due = question_is_due(question, attending=attending.get(guest.pk, set()))
        if question.event_id and not due:
            continue  # not coming to that event: whatever was typed there is not an answer
        if required and question.required and due and not value:
            raise ValidationError(_("Please answer “%(question)s” for %(guest)s.") % {"question": question.text, "guest": guest.full_name})
        cleaned[(guest.pk, question.pk)] = value
    # The answers' rows only (`of`): the questions are every household's.
    existing = {
        (a.guest_id, a.question_id): a
        for a in QuestionAnswer.objects.select_for_update(of=("self",)).filter(guest_id__in=members).select_related("question")
    }
    changed = 0
    for key, answer in existing.items():
        guest_id = key[0]
        event_id = answer.question.event_id
        if event_id and event_id not in attending.get(guest_id, set()):
            answer.delete()
            changed += 1
        elif key in cleaned and not cleaned[key]:
            answer.delete()
            changed += 1
        elif key in cleaned and answer.value != cleaned[key]:
            answer.value = cleaned[key]
            answer.save(update_fields=["value", "answered_at"])
            changed += 1
    for (guest_id, question_id), value in cleaned.items():
        if value and (guest_id, question_id) not in existing:
            QuestionAnswer.objects.create(wedding_id=wedding_id, guest_id=guest_id, question_id=question_id, value=value)
            changed += 1
    return changed


def _attending(guest_ids: Iterable[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {}
    for guest_id, event_id in Response.objects.filter(
        guest_id__in=list(guest_ids), status=Response.Status.ATTENDING
    ).values_list("guest_id", "event_id"):
        result.setdefault(guest_id, set()).add(event_id)
    return result


def question_answers_record(*, guest: Guest, replies: Iterable[Reply], user) -> int:
    """A planner records a guest's replies on their behalf (the dashboard's respond page).

    Same checks as the household's RSVP except that required questions may stay
    blank (a phone call does not always cover everything). Returns how many changed.
    """
    Wedding.objects.check_planner(user, guest.wedding_id)
    with acting_as_planner(user), transaction.atomic():
        guest = Guest.objects.select_for_update().get(pk=guest.pk)
        return _replies_apply(wedding_id=guest.wedding_id, members={guest.pk: guest}, replies=replies, required=False)


def rsvp_confirmation_send(*, household: Household, to: str) -> bool:
    """Email the household a summary of its answers (console backend by default).

    Call only with an address on file or one its owner confirmed
    (`rsvp_copy_request` decides). The summary carries no free-text note: a
    copy is never a way to mail guest-written text. Never fails the RSVP: a
    broken mail server only means no email.
    """
    responses = (
        Response.objects.filter(guest__household=household)
        .select_related("guest", "event", "meal")
        .order_by("event__order", "event__starts_at", "guest__first_name")
    )
    with reading_as(household.wedding, household):
        body = render_to_string(
            "rsvp/confirmation_email.txt",
            {"household": household, "wedding": household.wedding, "responses": responses},
        )
        subject = _("Your RSVP for %(wedding)s") % {"wedding": household.wedding.name}
    return _send(EmailMessage(subject=subject, body=body, to=[to]))


def _send(message: EmailMessage) -> bool:
    try:
        return bool(message.send())
    except Exception:  # noqa: BLE001 - the RSVP is saved; the email is a courtesy
        logger.warning("email to %s failed", message.to, exc_info=True)
        return False


class CopyOutcome(enum.Enum):
    SENT = "sent"  # an address on file: the copy goes (after commit)
    CONFIRM = "confirm"  # a new address: a confirmation link went to it, the copy follows its click
    THROTTLED = "throttled"  # too many copies for this household or this address


COPY_CONFIRM_PURPOSE = "rsvp-copy"
COPY_CONFIRM_TTL = 24 * 3600
COPIES_PER_HOUSEHOLD_HOUR = 5
COPIES_PER_ADDRESS_HOUR = 3


def rsvp_copy_request(*, household: Household, to: str, link_for: Callable[[str], str]) -> CopyOutcome:
    """A household asks for a copy of its answers at `to`.

    An address on file for the household or its guests gets the copy (sent
    after the caller's transaction commits). Any other address first gets a
    confirmation link — wedding name only, no guest text — and the copy goes
    when its owner follows it (`rsvp_copy_confirm`). Throttled per household
    and per address, counted atomically, before anything is sent.
    """
    from guests.services import household_contacts

    to = (to or "").strip()
    address = to.lower()
    on_file = {e.strip().lower(): e for e in household_contacts(household)[0]}
    if not (
        throttle_hit(scope="rsvp-copy-household", subject=str(household.pk), limit=COPIES_PER_HOUSEHOLD_HOUR, window=3600)
        and throttle_hit(scope="rsvp-copy-address", subject=address, limit=COPIES_PER_ADDRESS_HOUR, window=3600)
    ):
        return CopyOutcome.THROTTLED
    if address in on_file:
        stored = on_file[address]
        # After commit: never email answers that were rolled back.
        transaction.on_commit(lambda: rsvp_confirmation_send(household=household, to=stored))
        return CopyOutcome.SENT
    token = token_issue(
        purpose=COPY_CONFIRM_PURPOSE, payload={"household": household.pk, "to": to}, ttl=COPY_CONFIRM_TTL
    )
    with reading_as(household.wedding, household):
        body = render_to_string(
            "rsvp/copy_confirm_email.txt", {"wedding": household.wedding, "link": link_for(token)}
        )
        subject = _("Confirm your address for %(wedding)s") % {"wedding": household.wedding.name}
    message = EmailMessage(subject=subject, body=body, to=[to])
    transaction.on_commit(lambda: _send(message))
    return CopyOutcome.CONFIRM


def rsvp_copy_confirm(*, token: str) -> bool:
    """Follow a confirmation link: mail the copy to the confirmed address, once. False when spent or expired."""
    payload = token_consume(purpose=COPY_CONFIRM_PURPOSE, token=token)
    household = Household.objects.select_related("wedding").filter(pk=(payload or {}).get("household")).first()
    if household is None:
        return False
    return rsvp_confirmation_send(household=household, to=payload["to"])


# --- planners answering on a guest's behalf ----------------------------------------


def _check_planner_answer(*, event: Event, status: str, meal: MealOption | None) -> None:
    """Refuse (ValidationError) an answer a planner records that makes no sense for the event."""
    if status not in Response.Status.values:
        raise ValidationError(f"Unknown answer “{status}”.")
    if meal is not None and meal.event_id != event.pk:
        raise ValidationError("That meal is not on the menu of this event.")
    if meal is not None and status != Response.Status.ATTENDING:
        raise ValidationError("A meal can only be chosen for a guest who attends.")


def response_record(
    *, guest: Guest, event: Event, status: str, meal: MealOption | None = None, note: str = "", user,
    invite: bool = False,
) -> Response:
    """A planner records an answer for a guest (answered_by=planner); deadline does not apply.

    A guest not invited to the event is refused, unless `invite` (the admin's Response form,
    where the planner picks guest and event themselves): the invitation is then made too.
    """
    if not _same_wedding(guest, event):
        raise ValidationError("The guest and the event belong to different weddings.")
    Wedding.objects.check_planner(user, event.wedding_id)
    _check_planner_answer(event=event, status=status, meal=meal)
    if len(note) > 500:
        raise ValidationError("The note is limited to 500 characters.")
    with acting_as_planner(user), transaction.atomic():
        if not Invitation.objects.filter(guest=guest, event=event).exists():
            if not invite:
                raise ValidationError(f"{guest} is not invited to {event}.")
            Invitation.objects.create(wedding_id=event.wedding_id, guest=guest, event=event)
        _apply_response(
            guest_id=guest.pk, event_id=event.pk, wedding_id=event.wedding_id, status=status,
            meal_id=meal.pk if meal else None, now=timezone.now(),
            answered_by=Response.AnsweredBy.PLANNER, user=user, note=note,
        )
        return Response.objects.get(guest=guest, event=event)


def responses_record_many(
    *, guests: Iterable[Guest], event: Event, status: str, meal: MealOption | None = None, user
) -> int:
    """Record the same answer for many guests on their behalf, as ONE change.

    Guests not invited to the event are skipped; returns how many were recorded.
    """
    Wedding.objects.check_planner(user, event.wedding_id)
    _check_planner_answer(event=event, status=status, meal=meal)
    guest_ids = [g.pk for g in guests if g.wedding_id == event.wedding_id]
    if not guest_ids:
        return 0
    now = timezone.now()
    with acting_as_planner(user), live.bulk_change(
        wedding_id=event.wedding_id, topic="rsvp", action="update", model="rsvp.response",
        summary=f"A planner recorded “{Response.Status(status).label}” for {len(guest_ids)} guest(s) "
        f"at {event}",
    ) as ids:
        invited = list(
            Invitation.objects.filter(event=event, guest_id__in=guest_ids).values_list("guest_id", flat=True)
        )
        values = dict(
            status=status, meal_id=meal.pk if meal else None, responded_at=now,
            answered_by=Response.AnsweredBy.PLANNER, answered_by_user=user,
        )
        Response.objects.bulk_create(
            [Response(wedding_id=event.wedding_id, guest_id=gid, event=event, **values) for gid in invited],
            ignore_conflicts=True,
        )
        rows = Response.objects.filter(event=event, guest_id__in=invited)
        rows.update(**values)
        ids.extend(rows.values_list("pk", flat=True))
    return len(invited)
