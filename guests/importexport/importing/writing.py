"""Applying an import's plan with bulk writes (call inside the import's transaction)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone

from guests.codes import new_code, new_household_key
from guests.importexport.importing.planning import Index, Plan
from guests.models import Guest, Household, Tag
from realtime import live
from rsvp.models import Invitation, Response
from seating.models import Seat, Table
from wedding.core.models import Wedding

BATCH = 500

Progress = Callable[[int, int], None]


def _codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(new_code())
    # Codes are ~46 random bits: a clash with an existing one is astronomically
    # rare, but checking costs one query.
    while taken := set(Household.objects.filter(invitation_code__in=codes).values_list("invitation_code", flat=True)):
        codes -= taken
        while len(codes) < count:
            codes.add(new_code())
    return sorted(codes)


def plan_write(
    *, wedding: Wedding, plan: Plan, index: Index, progress: Progress | None, total: int, summary: str,
    action: str, also_topics: list[str], also: Callable[[], None] = lambda: None,
) -> None:
    """Apply the plan as ONE change (topic "guest", the touched guests' ids), then `also()` in it.

    Call inside the import's transaction, under the wedding's row lock.
    """
    with live.bulk_change(
        wedding_id=wedding.pk, topic="guest", action=action, model="guests.guest", summary=summary,
        also_topics=also_topics,
    ) as ids:
        ids.extend(_plan_apply(plan=plan, index=index, progress=progress, total=total))
        also()


def _plan_apply(*, plan: Plan, index: Index, progress: Progress | None, total: int) -> list[int]:
    """The writes themselves. Returns the ids of the guests they touched."""
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(min(done, total), total)

    households = list(plan.new_households.values())
    if households:
        for household, code in zip(households, _codes(len(households)), strict=True):
            household.invitation_code = code
            household.key = household.key or new_household_key()
        Household.objects.bulk_create(households, batch_size=BATCH)
    _updates_write(Household, plan.updated_households.values(), step=lambda _count: None)
    for guest in plan.new_guests:
        guest.household_id = guest._import_household.pk
    for start in range(0, len(plan.new_guests), BATCH):
        batch = plan.new_guests[start:start + BATCH]
        Guest.objects.bulk_create(batch)
        step(len(batch))
    _updates_write(Guest, plan.updated.values(), step=step)
    if plan.new_tags:
        Tag.objects.bulk_create(list(plan.new_tags.values()))
        index.tags.update(plan.new_tags)
    if plan.tag_links:
        through = Guest.tags.through
        links = {(guest.pk, index.tags[key].pk) for guest, key in plan.tag_links}
        through.objects.bulk_create(
            [through(guest_id=g, tag_id=t) for g, t in sorted(links)], batch_size=BATCH, ignore_conflicts=True
        )
    for key, event in plan.new_events.items():
        event.save()  # inside plan_write's bulk_change: part of the import's one change
        index.events[key] = event
    for (event_key, meal_key), meal in plan.new_meals.items():
        meal.event = index.events[event_key]
        meal.save()
        index.meals[(meal.event_id, meal_key)] = meal
    if plan.invitations:
        wanted = {(guest.pk, index.events[key].pk) for guest, key in plan.invitations} - index.invited
        Invitation.objects.bulk_create(
            [Invitation(wedding_id=index.wedding_id, guest_id=g, event_id=e) for g, e in sorted(wanted)],
            batch_size=BATCH, ignore_conflicts=True,
        )
    if plan.answers:
        _answers_write(plan=plan, index=index)
    if plan.seats:
        _seats_write(plan=plan, index=index)
    step(total)
    changed = {g.pk for g in plan.new_guests} | set(plan.updated)
    changed |= {guest.pk for guest, _ in plan.tag_links} | {guest.pk for guest, _ in plan.invitations}
    changed |= {guest.pk for guest, *_ in plan.answers} | {guest.pk for guest, *_ in plan.seats}
    return sorted(changed)


def _updates_write(model: type, updated: Iterable[tuple[Any, list[str]]], *, step: Progress | Callable[[int], None]) -> None:
    """Bulk updates grouped by the set of fields that changed (one UPDATE per batch and set)."""
    by_fields: dict[tuple[str, ...], list[Any]] = {}
    for row, fields in updated:
        by_fields.setdefault(tuple(sorted(set(fields))), []).append(row)
    for fields, rows in by_fields.items():
        model.objects.bulk_update(rows, [*fields, "updated_at"], batch_size=BATCH)
        step(len(rows))


def _answers_write(*, plan: Plan, index: Index) -> None:
    now = timezone.now()
    new, changed = [], []
    for guest, event_key, status, meal_key in plan.answers:
        event = index.events[event_key]
        meal = index.meals.get((event.pk, meal_key)) if meal_key and status == Response.Status.ATTENDING else None
        existing = index.responses.get((guest.pk, event.pk))
        if existing is None:
            new.append(Response(
                wedding_id=index.wedding_id, guest_id=guest.pk, event=event, status=status, meal=meal,
                responded_at=None if status == Response.Status.PENDING else now,
                answered_by="" if status == Response.Status.PENDING else Response.AnsweredBy.PLANNER,
            ))
        else:
            existing.status, existing.meal = status, meal
            changed.append(existing)
    Response.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        Response.objects.bulk_update(changed, ["status", "meal"], batch_size=BATCH)


def _seats_write(*, plan: Plan, index: Index) -> None:
    """New tables (sized for the guests the file seats there, at least the default), then seats.

    Moves first, so a seat freed by one guest can be taken by another (the capacity trigger checks each row).
    """
    default = Table._meta.get_field("capacity").default
    for (event_key, table_key), table in plan.new_tables.items():
        table.event = index.events[event_key]
        table.capacity = max(table.capacity, default)
        table.save()
        index.tables[(table.event_id, table_key)] = table
    moved, new = [], []
    for guest, event_key, table_key in plan.seats:
        event = index.events[event_key]
        table = index.tables[(event.pk, table_key)]
        seat = index.seats.get((guest.pk, event.pk))
        if seat is None:
            new.append(Seat(wedding_id=index.wedding_id, event=event, table=table, guest_id=guest.pk))
        else:
            seat.table = table
            moved.append(seat)
    for seat in moved:
        seat.save(update_fields=["table", "assigned_at"])
    Seat.objects.bulk_create(new, batch_size=BATCH)
