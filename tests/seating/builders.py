"""Fast bulk data for size tests (query counts with 2,000 guests and 200 tables)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from guests.codes import new_code
from guests.models import Guest, Household, Tag
from realtime import capture
from rsvp.models import Invitation, MealOption, Response
from seating.models import Seat, Table


def build_guests(wedding, event, *, guests: int, tables: int, per_household: int = 2) -> dict:
    """Households of `per_household`, all invited; 90% attending with a meal, the rest declined;
    `tables` tables of 8, filled in order with attending guests. bulk_create only."""
    with capture.suspended(wedding.pk):
        households = Household.objects.bulk_create(
            Household(wedding=wedding, name=f"Family {i}", invitation_code=new_code())
            for i in range((guests + per_household - 1) // per_household)
        )
        tag = Tag.objects.create(wedding=wedding, name="college")
        people = Guest.objects.bulk_create(
            Guest(
                wedding=wedding, household=households[i // per_household], first_name=f"G{i:05d}",
                last_name=f"Surname{i % 97}", age_group="child" if i % 10 == 0 else "adult",
                dietary_notes="vegan" if i % 7 == 0 else "", side="a" if i % 2 else "b",
            )
            for i in range(guests)
        )
        Guest.tags.through.objects.bulk_create(
            Guest.tags.through(guest_id=g.pk, tag_id=tag.pk) for g in people[::3]
        )
        fish = MealOption.objects.create(wedding=wedding, event=event, name="Fish")
        Invitation.objects.bulk_create(Invitation(wedding=wedding, guest=g, event=event) for g in people)
        start = timezone.now() - datetime.timedelta(days=20)
        attending = [g for i, g in enumerate(people) if i % 10 != 9]
        Response.objects.bulk_create(
            Response(
                wedding=wedding, guest=g, event=event,
                status="attending" if i % 10 != 9 else "declined",
                meal=fish if i % 10 != 9 else None,
                responded_at=start + datetime.timedelta(days=i % 20), answered_by="guest",
            )
            for i, g in enumerate(people)
        )
        made = Table.objects.bulk_create(
            Table(wedding=wedding, event=event, name=f"Table {i + 1}", capacity=8, x=(i * 7) % 100, y=(i * 3) % 100)
            for i in range(tables)
        )
        Seat.objects.bulk_create(
            Seat(wedding=wedding, event=event, table=made[i // 8], guest=g)
            for i, g in enumerate(attending[: tables * 8])
        )
    return {"guests": people, "tables": made, "meal": fish, "tag": tag}
