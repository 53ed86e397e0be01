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

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from guests.models import Guest
from realtime import live
from realtime.live import acting_as_planner
from rsvp.models import Invitation, Response
from seating import db_rules
from seating.models import Seat, Table
from wedding.core.models import Event, Wedding

# Floor-plan positions are percentages of the plan's width and height.
POSITION_MIN = 0.0
POSITION_MAX = 100.0
CAPACITY_MAX = 50


class SeatingError(ValidationError):
    """A seating change that cannot be made; the message is meant for the planner."""


def _full_message(table: Table) -> str:
    return f"{table.name} is full ({table.capacity}/{table.capacity})."


def _translate(exc: IntegrityError, table: Table | None) -> SeatingError:
    """The database's backstop messages, in the planner's words."""
    text = str(exc)
    if db_rules.TABLE_FULL in text and table is not None:
        return SeatingError(_full_message(table), code="table_full")
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


def seat_assign(*, guest: Guest, table: Table, user: Any = None) -> Seat:
    """Seat `guest` at `table`, moving their existing seat for that event if they have one.

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
                taken = Seat.objects.filter(table_id=locked.pk).count()
                if taken >= locked.capacity:
                    raise SeatingError(_full_message(locked), code="table_full")
                if seat is None:
                    seat = Seat(wedding_id=locked.wedding_id, event_id=locked.event_id, guest=guest)
                seat.table = locked
                seat.save()
                return seat
        except IntegrityError as exc:
            raise _translate(exc, table) from exc


def seat_unassign(*, guest: Guest, event: Event, user: Any = None) -> bool:
    """Take `guest` off their table at `event`. Returns False when they had no seat."""
    with acting_as_planner(user), transaction.atomic():
        seat = (
            Seat.objects.select_for_update()
            .select_related("guest", "table", "event")
            .filter(guest_id=guest.pk, event_id=event.pk, wedding_id=event.wedding_id)
            .first()
        )
        if seat is None:
            return False
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
                        Seat.objects.filter(pk__in=moving).update(table=locked, assigned_at=now)
                        ids.extend(moving)
                    created = Seat.objects.bulk_create(
                        Seat(wedding_id=locked.wedding_id, event_id=locked.event_id, table=locked, guest=g)
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
