"""Seating writes: who sits where, the tables themselves, and revealing them to guests.

Every function here is keyword-only, owns its transaction and takes its row
locks itself; views, admin actions and commands call these, never the ORM.

Capacity is enforced twice on purpose: under the table's row lock here
(`select_for_update`), which gives the planner a precise message, and by the
database trigger in `seating.db_rules` as the race-proof backstop whose
IntegrityError is turned into the same `SeatingError`.

Who may sit at an event's table (documented rule): a guest of the same
wedding who is invited to that event (an Invitation, or a Response on file)
and has not declined it. Pending guests may be seated: planners often seat
the likely attendees before every answer is in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.timesince import timesince

from guests.models import Guest
from realtime import live
from realtime.live import acting_as_planner
from rsvp.models import Invitation, Response
from seating import autoseat, db_rules
from seating.models import FloorObject, FloorPlan, KeepApart, KeepTogether, Seat, Table
from wedding.core.models import Event, Wedding

# Floor-plan positions are percentages of the plan's width and height.
POSITION_MIN = 0.0
POSITION_MAX = 100.0
CAPACITY_MAX = 50


# The database's message when a seat's number exceeds its table (migration 0003).


class SeatingError(ValidationError):
    """A seating change that cannot be made; the message is meant for the planner."""


def _full_message(table: Table) -> str:
    return f"{table.name} is full ({table.capacity}/{table.capacity})."


def _translate(exc: IntegrityError, table: Table | None) -> SeatingError:
    """The database's backstop messages, in the planner's words."""
    text = str(exc)
    if db_rules.TABLE_FULL in text and table is not None:
        return SeatingError(_full_message(table), code="table_full")
    if db_rules.SEAT_NUMBER_BEYOND in text:
        return SeatingError("A seat number cannot be larger than the table's capacity.", code="seat_number")
    if "one_guest_per_place" in text or "seating_seat.table_id, seating_seat.number" in text:
        return SeatingError("Someone else just took that seat; look at the fresh chart.", code="conflict")
    if db_rules.CAPACITY_BELOW_SEATED in text and table is not None:
        return SeatingError(
            f"{table.name} has more guests seated than that capacity.", code="capacity_below_seated"
        )
    if "another event" in text:
        return SeatingError("That table belongs to another event.", code="wrong_event")
    if "one_seat_per_guest_and_event" in text or "seating_seat.guest_id" in text:
        return SeatingError(
            "Someone else just seated that guest; look at the fresh chart and try again.",
            code="conflict",
        )
    if "table_unique_name_per_event" in text or "UNIQUE" in text.upper():
        name = table.name if table is not None else "that name"
        return SeatingError(f"There is already a table called “{name}” at this event.", code="duplicate")
    return SeatingError("The seating could not be saved; please try again.", code="integrity")


def _locked_table(table: Table) -> Table:
    """The table re-read under its row lock: concurrent writers to it queue here."""
    try:
        return Table.objects.select_for_update(of=("self",)).select_related("event").get(
            pk=table.pk, wedding_id=table.wedding_id
        )
    except Table.DoesNotExist:
        raise SeatingError("That table no longer exists.", code="gone") from None


def _check_guests(guests: list[Guest], table: Table) -> None:
    """Same wedding, invited to the table's event, not declined — else SeatingError naming them."""
    foreign = [g for g in guests if g.wedding_id != table.wedding_id]
    if foreign:
        raise SeatingError(f"{foreign[0].full_name} is a guest of another wedding.", code="wrong_wedding")
    ids = [g.pk for g in guests]
    invited = set(
        Invitation.objects.filter(event_id=table.event_id, guest_id__in=ids).values_list("guest_id", flat=True)
    )
    statuses = dict(
        Response.objects.filter(event_id=table.event_id, guest_id__in=ids).values_list("guest_id", "status")
    )
    for guest in guests:
        status = statuses.get(guest.pk)
        if status == Response.Status.DECLINED:
            raise SeatingError(
                f"{guest.full_name} has declined the {table.event.name}.", code="declined"
            )
        if guest.pk not in invited and status is None:
            raise SeatingError(
                f"{guest.full_name} is not invited to the {table.event.name}.", code="not_invited"
            )


# `expected` not given: the caller does not know where the guest was (no race check).
UNKNOWN = object()


def _planner(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _who(user: Any, actor: Any) -> str:
    if user is None:
        return "someone"
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        return "you (in another tab)"
    return user.first_name or user.get_username()


def _how_long_ago(when: Any) -> str:
    seconds = (timezone.now() - when).total_seconds() if when else 0
    return "a moment ago" if seconds < 60 else f"{timesince(when)} ago"


def _moved_meanwhile(guest: Guest, seat: Seat | None, event: Event, actor: Any) -> SeatingError:
    """The truth for a planner whose move lost a race: where the guest is now, and who put them there."""
    if seat is not None:
        seat = Seat.objects.select_related("table", "assigned_by").get(pk=seat.pk)
        text = (
            f"{guest.full_name} was moved to {seat.table.name} by {_who(seat.assigned_by, actor)} "
            f"{_how_long_ago(seat.assigned_at)}."
        )
    else:
        from realtime.live import Change

        change = (
            Change.objects.filter(wedding_id=event.wedding_id, model="seating.seat", action="delete")
            .select_related("actor_user").order_by("-pk").first()
        )
        who = _who(change.actor_user, actor) if change is not None else "someone"
        when = _how_long_ago(change.created_at) if change is not None else "a moment ago"
        text = f"{guest.full_name} was unseated by {who} {when}."
    return SeatingError(text + " Your move was not applied.", code="moved")


def _check_expected(guest: Guest, seat: Seat | None, event: Event, expected: Any, actor: Any) -> None:
    """Refuse a move made from a stale chart: the guest is no longer where the planner saw them."""
    if expected is UNKNOWN:
        return
    current = seat.table_id if seat is not None else None
    if current != expected:
        raise _moved_meanwhile(guest, seat, event, actor)


def seat_assign(*, guest: Guest, table: Table, user: Any = None, expected: Any = UNKNOWN) -> Seat:
    """Seat `guest` at `table`, moving their existing seat for that event if they have one.

    `expected`: the table id (None: unseated) the planner saw the guest at. If the
    guest has been moved since (another planner won the race), nothing changes
    and SeatingError(code="moved") says where the guest is now and who moved them.

    Raises SeatingError (a ValidationError) with a planner-facing message when
    the table is full, gone, of another wedding, or the guest may not sit at
    that event. Nothing is changed then.
    """
    with acting_as_planner(user):
        try:
            with transaction.atomic():
                locked = _locked_table(table)
                _check_guests([guest], locked)
                seat = (
                    Seat.objects.select_for_update()
                    .filter(guest_id=guest.pk, event_id=locked.event_id)
                    .first()
                )
                if seat is not None and seat.table_id == locked.pk:
                    return seat  # already there: nothing to do, nothing to announce
                _check_expected(guest, seat, locked.event, expected, user)
                taken = Seat.objects.filter(table_id=locked.pk).count()
                if taken >= locked.capacity:
                    raise SeatingError(_full_message(locked), code="table_full")
                if seat is None:
                    seat = Seat(wedding_id=locked.wedding_id, event_id=locked.event_id, guest=guest)
                seat.table = locked
                seat.number = None  # a place at the old table means nothing at the new one
                seat.assigned_by = _planner(user)
                seat.save()
                return seat
        except IntegrityError as exc:
            raise _translate(exc, table) from exc


def seat_unassign(*, guest: Guest, event: Event, user: Any = None, expected: Any = UNKNOWN) -> bool:
    """Take `guest` off their table at `event`. Returns False when they had no seat.

    `expected` as in `seat_assign`: a planner who saw the guest at a table they have
    since left is told the truth instead.
    """
    with acting_as_planner(user), transaction.atomic():
        seat = (  # the seat's row only: the joined event's, locked too, would hold back every answer to it
            Seat.objects.select_for_update(of=("self",))
            .select_related("guest", "table", "event")
            .filter(guest_id=guest.pk, event_id=event.pk, wedding_id=event.wedding_id)
            .first()
        )
        if seat is None and expected not in (UNKNOWN, None):
            raise _moved_meanwhile(guest, None, event, user)
        if seat is None:
            return False
        _check_expected(guest, seat, event, expected, user)
        seat.delete()
        return True


def seats_assign_many(*, guests: Iterable[Guest], table: Table, user: Any = None) -> list[Seat]:
    """Seat all `guests` at `table`, or none of them; announced as ONE change.

    Guests already at the table stay; guests seated elsewhere at the event move.
    """
    guests = list({g.pk: g for g in guests}.values())
    if not guests:
        raise SeatingError("Choose at least one guest to seat.", code="empty")
    with acting_as_planner(user):
        try:
            with transaction.atomic():
                locked = _locked_table(table)
                _check_guests(guests, locked)
                existing = {
                    s.guest_id: s
                    for s in Seat.objects.select_for_update().filter(
                        event_id=locked.event_id, guest_id__in=[g.pk for g in guests]
                    )
                }
                arriving = [g for g in guests if getattr(existing.get(g.pk), "table_id", None) != locked.pk]
                taken = Seat.objects.filter(table_id=locked.pk).count()
                free = locked.capacity - taken
                if len(arriving) > free:
                    raise SeatingError(
                        f"{locked.name} has {max(free, 0)} free seat{'s' if free != 1 else ''} "
                        f"({taken}/{locked.capacity}); {len(arriving)} guests need one.",
                        code="table_full",
                    )
                if not arriving:
                    return [existing[g.pk] for g in guests]
                now = timezone.now()
                summary = f"Seated {len(arriving)} guest{'s' if len(arriving) != 1 else ''} at {locked.name} ({locked.event.name})"
                with live.bulk_change(
                    wedding_id=locked.wedding_id, topic="seating", action="update",
                    model="seating.seat", summary=summary,
                ) as ids:
                    moving = [existing[g.pk].pk for g in arriving if g.pk in existing]
                    if moving:
                        Seat.objects.filter(pk__in=moving).update(
                            table=locked, number=None, assigned_at=now, assigned_by=_planner(user)
                        )
                        ids.extend(moving)
                    created = Seat.objects.bulk_create(
                        Seat(
                            wedding_id=locked.wedding_id, event_id=locked.event_id, table=locked, guest=g,
                            assigned_by=_planner(user),
                        )
                        for g in arriving
                        if g.pk not in existing
                    )
                    ids.extend(s.pk for s in created)
                return list(
                    Seat.objects.filter(event_id=locked.event_id, guest_id__in=[g.pk for g in guests])
                )
        except IntegrityError as exc:
            raise _translate(exc, table) from exc


def _clean_position(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SeatingError(f"The {name} position must be a number.", code="position") from None
    if number != number:  # NaN
        raise SeatingError(f"The {name} position must be a number.", code="position")
    return min(max(number, POSITION_MIN), POSITION_MAX)


def _clean_table(table: Table) -> None:
    """Field-level validation (choices, lengths, capacity ≥ 1) with planner-facing messages."""
    name = (table.name or "").strip()
    if not name:
        raise SeatingError("A table needs a name.", code="name")
    table.name = name
    if table.capacity is None or int(table.capacity) < 1:
        raise SeatingError("A table needs at least one seat.", code="capacity")
    if int(table.capacity) > CAPACITY_MAX:
        raise SeatingError(f"A table can have at most {CAPACITY_MAX} seats.", code="capacity")
    try:
        table.full_clean(exclude=["wedding", "event"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise SeatingError(" ".join(exc.messages), code="invalid") from None
    duplicate = Table.objects.filter(event_id=table.event_id, name__iexact=name).exclude(pk=table.pk)
    if duplicate.exists():
        raise SeatingError(f"There is already a table called “{name}” at this event.", code="duplicate")


def table_create(
    *,
    event: Event,
    name: str,
    capacity: int = 8,
    shape: str = Table.Shape.ROUND,
    x: float = 10,
    y: float = 10,
    user: Any = None,
) -> Table:
    """A new table on `event`'s floor plan."""
    table = Table(
        wedding_id=event.wedding_id, event=event, name=name, capacity=capacity, shape=shape,
        x=_clean_position(x, "x"), y=_clean_position(y, "y"),
    )
    _clean_table(table)
    with acting_as_planner(user):
        try:
            with transaction.atomic():
                table.save()
        except IntegrityError as exc:
            raise _translate(exc, table) from exc
    return table


def table_update(
    *,
    table: Table,
    name: str | None = None,
    capacity: int | None = None,
    shape: str | None = None,
    user: Any = None,
) -> Table:
    """Rename, resize or reshape a table. Capacity never goes below the guests seated."""
    with acting_as_planner(user):
        try:
            with transaction.atomic():
                locked = _locked_table(table)
                if name is not None:
                    locked.name = name
                if shape is not None:
                    locked.shape = shape
                if capacity is not None:
                    try:
                        locked.capacity = int(capacity)
                    except (TypeError, ValueError):
                        raise SeatingError("The capacity must be a whole number.", code="capacity") from None
                _clean_table(locked)
                seated = Seat.objects.filter(table_id=locked.pk).count()
                if locked.capacity < seated:
                    raise SeatingError(
                        f"{locked.name} has {seated} guests seated; unseat some before making it "
                        f"smaller than {seated}.",
                        code="capacity_below_seated",
                    )
                locked.save(update_fields=["name", "capacity", "shape"])
        except IntegrityError as exc:
            raise _translate(exc, table) from exc
    return locked


def table_move(*, table: Table, x: Any, y: Any, user: Any = None) -> Table:
    """Move a table on the floor plan (x, y in percent, clamped to the plan)."""
    x, y = _clean_position(x, "x"), _clean_position(y, "y")
    with acting_as_planner(user), transaction.atomic():
        locked = _locked_table(table)
        locked.x, locked.y = x, y
        locked.save(update_fields=["x", "y"])
    return locked


def table_delete(*, table: Table, user: Any = None) -> int:
    """Delete a table, unseating its guests first. Returns how many guests were unseated.

    The unseating is one change and the table's removal another, in one
    transaction: guests' pages and the chart get one message.
    """
    with acting_as_planner(user), transaction.atomic():
        locked = _locked_table(table)
        seat_ids = list(Seat.objects.filter(table_id=locked.pk).values_list("pk", flat=True))
        if seat_ids:
            with live.bulk_change(
                wedding_id=locked.wedding_id, topic="seating", action="delete", model="seating.seat",
                summary=f"Unseated {len(seat_ids)} guest{'s' if len(seat_ids) != 1 else ''} from {locked.name} (table removed)",
            ) as ids:
                Seat.objects.filter(pk__in=seat_ids).delete()
                ids.extend(seat_ids)
        locked.delete()
    return len(seat_ids)


def seating_publish(*, wedding: Wedding, published: bool, user: Any = None) -> Wedding:
    """Reveal (or hide) tables to the wedding's guests; their pages react live."""
    with acting_as_planner(user), transaction.atomic():
        locked = Wedding.objects.select_for_update().get(pk=wedding.pk)
        if locked.seating_published != bool(published):
            locked.seating_published = bool(published)
            locked.save(update_fields=["seating_published"])
    wedding.seating_published = locked.seating_published
    return locked


def seats_free_uninvited(sender, *, event: Event, guest_ids: list[int], **kwargs) -> None:
    """Receiver of rsvp.signals.guests_uninvited: their seats at the event go, in the same
    transaction (and so the same change) as the invitations."""
    Seat.objects.filter(event=event, guest_id__in=guest_ids).delete()


# --- auto-seat ------------------------------------------------------------------------------
#
# The solver (seating.autoseat) is pure; these functions read its input from the database,
# show its plan as a preview (nothing written), and apply an accepted plan as ONE change.
# The plan travels back with the planner's "accept" (a JSON form field) together with a token
# naming the chart it was made for: the accept re-reads the chart under its locks, refuses
# when anything changed meanwhile, and re-checks every hard rule itself, so a stale or
# hand-edited plan can never seat anyone against the rules.

AUTOSEAT_MODES = {
    "unseated": "Seat everyone still unseated (keep everyone where they are)",
    "all": "Re-optimise everyone (keep pinned guests where they are)",
}

# Planner-facing names of the traits a table may prefer (plus one "tag:<name>" per guest tag).
PREFERENCE_LABELS = {
    "age:child": "Children (kids' table)",
    "age:infant": "Infants",
    "age:adult": "Adults",
    "side:a": "Partner A's side",
    "side:b": "Partner B's side",
}


def preference_choices(wedding: Wedding) -> list[tuple[str, str]]:
    """Every trait a table of `wedding` may prefer, as (key, label) for a form."""
    from guests.models import Tag

    tags = Tag.objects.filter(wedding=wedding).order_by("name").values_list("name", flat=True)
    return [*PREFERENCE_LABELS.items(), *((f"tag:{t}", f"Guests tagged “{t}”") for t in tags)]


def guest_traits(guest: Guest, tag_names: Iterable[str]) -> frozenset[str]:
    return frozenset({f"age:{guest.age_group}", f"side:{guest.side}", *(f"tag:{t}" for t in tag_names)})


@dataclass
class AutoseatInput:
    problem: autoseat.Problem
    token: str
    tables: dict[int, Table]
    guests: dict[int, Guest]


def autoseat_input(*, event: Event, mode: str) -> AutoseatInput:
    """The solver's problem for `event` as the chart stands, and a token naming that state.

    Movable: attending guests (all of them in "all" mode except pinned ones; only the
    unseated in "unseated" mode). Everyone else who holds a seat is a fixed occupant.
    """
    if mode not in AUTOSEAT_MODES:
        raise SeatingError("Choose what to seat: the unseated guests, or everyone.", code="mode")
    wedding_id = event.wedding_id
    tables = {t.pk: t for t in Table.objects.filter(event=event, wedding_id=wedding_id).order_by("pk")}
    seats = {s.guest_id: s for s in Seat.objects.filter(event=event, wedding_id=wedding_id).order_by("pk")}
    attending = set(
        Guest.objects.for_wedding(event.wedding_id).attending(event).values_list("pk", flat=True)
    )
    people = {
        g.pk: g
        for g in Guest.objects.filter(wedding_id=wedding_id, pk__in=attending | set(seats))
        .select_related("household").prefetch_related("tags").order_by("pk")
    }
    specs = []
    for gid, guest in people.items():
        seat = seats.get(gid)
        keep = seat is not None and (mode == "unseated" or seat.pinned or gid not in attending)
        specs.append(autoseat.GuestSpec(
            id=gid, household=guest.household_id, name=guest.full_name,
            traits=guest_traits(guest, (t.name for t in guest.tags.all())),
            fixed_table=seat.table_id if keep else None,
            current_table=seat.table_id if seat is not None else None,
        ))
    groups = [
        autoseat.Group(id=g.pk, name=g.name, members=frozenset(m.pk for m in g.guests.all() if m.pk in people))
        for g in KeepTogether.objects.filter(wedding_id=wedding_id).prefetch_related("guests").order_by("pk")
    ]
    apart = [
        (a, b) for a, b in KeepApart.objects.filter(wedding_id=wedding_id).order_by("pk").values_list("first_id", "second_id")
        if a in people and b in people
    ]
    problem = autoseat.Problem(
        tables=[
            autoseat.TableSpec(
                id=t.pk, capacity=t.capacity, name=t.name, prefers=frozenset(t.prefers or ()),
            )
            for t in tables.values()
        ],
        guests=specs, groups=[g for g in groups if len(g.members) > 1], apart=apart,
    )
    return AutoseatInput(problem=problem, token=_fingerprint(mode, problem), tables=tables, guests=people)


def _fingerprint(mode: str, problem: autoseat.Problem) -> str:
    """Names the chart state a plan is made for; the same in every process (sets are sorted,
    since their repr follows the per-process string hash)."""
    state = (
        mode,
        [(t.id, t.capacity, sorted(t.prefers)) for t in problem.tables],
        [(g.id, g.household, sorted(g.traits), g.fixed_table, g.current_table) for g in problem.guests],
        [(g.id, sorted(g.members)) for g in problem.groups],
        sorted(problem.apart),
    )
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]


@dataclass
class AutoseatPreview:
    mode: str
    token: str
    plan: autoseat.Plan
    # (guest, table or None, moved from table or None), in table order then by name.
    rows: list[tuple[Guest, Table | None, Table | None]]

    @property
    def placement_json(self) -> str:
        return json.dumps({str(g): t for g, t in self.plan.placement.items()}, sort_keys=True)

    @property
    def changes(self) -> int:
        return sum(1 for guest, table, before in self.rows if table != before)


def autoseat_preview(*, event: Event, mode: str, seconds: float = autoseat.DEFAULT_SECONDS) -> AutoseatPreview:
    """A plan for `event` to show the planner; nothing is written."""
    data = autoseat_input(event=event, mode=mode)
    if not data.problem.movable():
        raise SeatingError("There is nobody to seat: every attending guest already has a seat.", code="empty")
    if not data.tables:
        raise SeatingError("Add tables to this event first.", code="no_tables")
    try:
        plan = autoseat.solve(data.problem, seconds=seconds)
    except autoseat.ProblemError as exc:
        raise SeatingError(str(exc), code="invalid") from None
    broken = autoseat.violations(data.problem, plan)
    if broken:  # the solver's contract says never; refuse rather than show a bad plan
        raise SeatingError("Auto-seat could not make a valid plan: " + " ".join(broken), code="invalid")
    current = {g.id: g.current_table for g in data.problem.guests}
    rows = [
        (data.guests[gid], data.tables.get(tid) if tid else None, data.tables.get(current[gid]) if current[gid] else None)
        for gid, tid in plan.placement.items()
    ]
    rows.sort(key=lambda r: (r[1] is None, r[1].name if r[1] else "", r[0].last_name, r[0].first_name, r[0].pk))
    return AutoseatPreview(mode=mode, token=data.token, plan=plan, rows=rows)


def _parse_placement(raw: str) -> dict[int, int | None]:
    try:
        data = json.loads(raw)
        return {int(g): (int(t) if t is not None else None) for g, t in data.items()}
    except (TypeError, ValueError, AttributeError):
        raise SeatingError("That plan could not be read; make a new one.", code="invalid") from None


def autoseat_accept(*, event: Event, mode: str, token: str, placement: str, user: Any = None) -> int:
    """Apply a previewed plan as ONE captured change; returns how many guests moved.

    Takes every table of the event and every seat of it under row locks (the same
    locks manual seating takes), then refuses with `code="stale"` if the chart is
    not the one the plan was made for, and with `code="invalid"` if the plan breaks
    a hard rule. The capacity trigger stays the backstop. All or nothing.
    """
    wanted = _parse_placement(placement)
    with acting_as_planner(user):
        try:
            with transaction.atomic():
                list(Table.objects.select_for_update().filter(event=event).order_by("pk").values_list("pk"))
                list(Seat.objects.select_for_update().filter(event=event).order_by("pk").values_list("pk"))
                data = autoseat_input(event=event, mode=mode)
                if data.token != token:
                    raise SeatingError(
                        "The chart changed since this plan was made (another planner seated someone, "
                        "or a table or an answer changed). Nothing was applied: make a new plan.",
                        code="stale",
                    )
                plan = autoseat.Plan(placement=wanted)
                broken = autoseat.violations(data.problem, plan)
                if broken:
                    raise SeatingError("That plan breaks a seating rule: " + " ".join(broken), code="invalid")
                current = {g.id: g.current_table for g in data.problem.guests}
                moving = [gid for gid, tid in wanted.items() if tid != current[gid]]
                if not moving:
                    return 0
                placed = sum(1 for gid in moving if wanted[gid] is not None)
                who = getattr(user, "get_full_name", lambda: "")() or getattr(user, "get_username", lambda: "")()
                summary = (
                    f"Auto-seat: {placed} guest{'s' if placed != 1 else ''} placed"
                    f"{f', {len(moving) - placed} unseated' if len(moving) > placed else ''}"
                    f" at the {event.name}{f' (accepted by {who})' if who else ''}"
                )
                with live.bulk_change(
                    wedding_id=event.wedding_id, topic="seating", action="update", model="seating.seat",
                    summary=summary,
                ) as ids:
                    # Leave first, then sit down: the capacity trigger checks row by row.
                    leaving = Seat.objects.filter(event=event, guest_id__in=moving)
                    ids.extend(leaving.values_list("pk", flat=True))
                    leaving.delete()
                    created = Seat.objects.bulk_create(
                        Seat(
                            wedding_id=event.wedding_id, event=event, table_id=wanted[gid], guest_id=gid,
                            assigned_by=_planner(user),
                        )
                        for gid in moving
                        if wanted[gid] is not None
                    )
                    ids.extend(s.pk for s in created)
                return len(moving)
        except IntegrityError as exc:
            raise _translate(exc, None) from exc


def seat_pin(*, guest: Guest, event: Event, pinned: bool, user: Any = None) -> Seat:
    """Pin (or unpin) a guest's seat: auto-seat never moves a pinned guest."""
    with acting_as_planner(user), transaction.atomic():
        seat = (  # the seat's row only, as in seat_unassign
            Seat.objects.select_for_update(of=("self",))
            .filter(guest_id=guest.pk, event_id=event.pk, wedding_id=event.wedding_id)
            .select_related("guest", "table", "event")
            .first()
        )
        if seat is None:
            raise SeatingError(f"{guest.full_name} has no seat to pin yet.", code="unseated")
        if seat.pinned != bool(pinned):
            seat.pinned = bool(pinned)
            seat.save(update_fields=["pinned"])
        return seat


def keep_apart_add(*, first: Guest, second: Guest, user: Any = None) -> KeepApart:
    """Auto-seat will never put these two at one table (idempotent)."""
    if first.pk == second.pk:
        raise SeatingError("Choose two different guests to keep apart.", code="same")
    if first.wedding_id != second.wedding_id:
        raise SeatingError("Both guests must be of the same wedding.", code="wrong_wedding")
    low, high = sorted((first, second), key=lambda g: g.pk)
    with acting_as_planner(user), transaction.atomic():
        pair, _ = KeepApart.objects.get_or_create(wedding_id=first.wedding_id, first=low, second=high)
    return pair


def clean_preferences(wedding: Wedding, prefers: Iterable[str]) -> list[str]:
    """A table's preferences, checked against the wedding's own traits (unknown keys refused)."""
    known = dict(preference_choices(wedding))
    chosen = sorted(set(prefers or ()))
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise SeatingError(f"Unknown table preference: {', '.join(unknown)}.", code="prefers")
    return chosen


def table_prefer(*, table: Table, prefers: Iterable[str], user: Any = None) -> Table:
    """Set who a table is meant for (the kids' table, the dancers near the dance floor)."""
    with acting_as_planner(user), transaction.atomic():
        locked = _locked_table(table)
        locked.prefers = clean_preferences(locked.wedding, prefers)
        locked.save(update_fields=["prefers"])
    return locked


# --- the floor plan: the room's size and the things on it that are not tables -----------------

ROOM_MAX = 500.0  # metres or feet: larger than any banquet hall


def _clean_size(value: Any, name: str, maximum: float = ROOM_MAX) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SeatingError(f"The {name} must be a number.", code="size") from None
    if not (0 < number <= maximum):  # also refuses NaN
        raise SeatingError(f"The {name} must be above 0 and at most {maximum:g}.", code="size")
    return number


def floor_plan_set(*, event: Event, width: Any, length: Any, unit: str, user: Any = None) -> FloorPlan:
    """Set the room's size (to scale: tables are drawn in its unit)."""
    if unit not in FloorPlan.Unit.values:
        raise SeatingError("The unit must be metres or feet.", code="unit")
    width, length = _clean_size(width, "room's width"), _clean_size(length, "room's length")
    with acting_as_planner(user), transaction.atomic():
        plan, _ = FloorPlan.objects.select_for_update().get_or_create(
            event=event, defaults={"wedding_id": event.wedding_id, "width": width, "length": length, "unit": unit}
        )
        if (plan.width, plan.length, plan.unit) != (width, length, unit):
            plan.width, plan.length, plan.unit = width, length, unit
            plan.save(update_fields=["width", "length", "unit"])
    return plan


def floor_object_add(
    *, event: Event, kind: str, label: str = "", x: Any = 50, y: Any = 0, width: Any = 6, length: Any = 6,
    user: Any = None,
) -> FloorObject:
    """Put a dance floor, stage, bar, DJ booth or entrance on the plan."""
    if kind not in FloorObject.Kind.values:
        raise SeatingError("Choose what to place: dance floor, stage, bar, DJ, entrance or other.", code="kind")
    label = (label or "").strip()
    if len(label) > 60:
        raise SeatingError("A label has at most 60 characters.", code="label")
    obj = FloorObject(
        wedding_id=event.wedding_id, event=event, kind=kind, label=label,
        x=_clean_position(x, "x"), y=_clean_position(y, "y"),
        width=_clean_size(width, "width"), length=_clean_size(length, "length"),
    )
    with acting_as_planner(user), transaction.atomic():
        obj.save()
    return obj


def floor_object_move(*, obj: FloorObject, x: Any, y: Any, user: Any = None) -> FloorObject:
    x, y = _clean_position(x, "x"), _clean_position(y, "y")
    with acting_as_planner(user), transaction.atomic():
        locked = FloorObject.objects.select_for_update().filter(pk=obj.pk).first()
        if locked is None:
            raise SeatingError("That object is no longer on the plan.", code="gone")
        locked.x, locked.y = x, y
        locked.save(update_fields=["x", "y"])
    return locked


def floor_object_delete(*, obj: FloorObject, user: Any = None) -> None:
    with acting_as_planner(user), transaction.atomic():
        FloorObject.objects.filter(pk=obj.pk).delete()


def seat_number_set(*, guest: Guest, event: Event, number: Any, user: Any = None) -> Seat:
    """Give a seated guest a place at their table (seat 3 of a round table), or none (`None`/"").

    The number is 1..capacity and unique per table, checked here under the table's row lock
    with the planner's words, and by the database (unique constraint, trigger) as the backstop.
    """
    if number in (None, ""):
        value = None
    else:
        try:
            value = int(number)
        except (TypeError, ValueError):
            raise SeatingError("A seat number is a whole number.", code="seat_number") from None
    with acting_as_planner(user):
        try:
            with transaction.atomic():
                seat = (
                    Seat.objects.select_related("table").filter(
                        guest_id=guest.pk, event_id=event.pk, wedding_id=event.wedding_id
                    ).first()
                )
                if seat is None:
                    raise SeatingError(f"{guest.full_name} has no table yet: seat them first.", code="unseated")
                table = _locked_table(seat.table)
                seat = Seat.objects.select_for_update().get(pk=seat.pk)
                if value is not None:
                    if not 1 <= value <= table.capacity:
                        raise SeatingError(
                            f"{table.name} has seats 1 to {table.capacity}.", code="seat_number"
                        )
                    holder = (
                        Seat.objects.filter(table_id=table.pk, number=value).exclude(pk=seat.pk)
                        .select_related("guest").first()
                    )
                    if holder is not None:
                        raise SeatingError(
                            f"Seat {value} at {table.name} is {holder.guest.full_name}'s.", code="seat_taken"
                        )
                if seat.number != value:
                    seat.number = value
                    seat.save(update_fields=["number"])
                return seat
        except IntegrityError as exc:
            raise _translate(exc, None) from exc
