"""`manage.py demo`: a realistic demo wedding to click through. Safe to run again."""

from __future__ import annotations

import datetime
import random
import zoneinfo

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from guests.codes import format_code
from guests.models import Guest, Household, Tag
from realtime import live
from realtime.live import acting_as, actor_for
from rsvp.models import Invitation, MealOption, Question, QuestionAnswer, Response
from seating.models import FloorObject, FloorPlan, Seat, Table
from wedding.core.models import Event, Wedding, WeddingPartyMember
from wedding.dashboard.management.commands._demo_spanish import add_spanish

DEMO_PLANNER = "planner"
DEMO_PASSWORD = "confetti-demo"

FIRST = ["Ana", "Lucía", "Marco", "Elena", "Pablo", "Sofía", "Javier", "Carmen", "Diego", "Marta",
         "Hugo", "Irene", "Tomás", "Laura", "Nico", "Paula", "Rafael", "Clara", "Óscar", "Inés",
         "Robert", "Elizabeth", "William", "Katherine", "James", "Margaret", "Chloé", "André"]
LAST = ["Ruiz", "García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Navarro",
        "Moreno", "Álvarez", "Romero", "Torres", "Smith", "Johnson", "Bianchi", "Rossi", "Müller"]
CHILDREN = ["Leo", "Mía", "Lola", "Bruno", "Alba", "Teo"]
# The reception's room (metres) and where things stand in it: percent of the free space, as the
# chart stores positions. A head table, eight rounds around the dance floor: fits a laptop screen.
ROOM = (20, 12.5)
HEAD_TABLE = (50, 7)
ROUND_TABLES = [(5, 35), (25, 35), (75, 35), (95, 35), (5, 75), (25, 75), (75, 75), (95, 75)]
FLOOR_OBJECTS = [  # kind, label, x %, y %, width, length
    (FloorObject.Kind.DANCE_FLOOR, "Dance floor", 50, 50, 5, 4),
    (FloorObject.Kind.DJ, "DJ", 50, 85, 2, 1.5),
    (FloorObject.Kind.BAR, "Bar", 0, 100, 4, 1.5),
    (FloorObject.Kind.ENTRANCE, "Entrance", 50, 100, 2, 1),
]
DIETS = ["", "", "", "", "Vegetarian", "Gluten-free", "Nut allergy", "Vegan", "No shellfish"]
TAGS = ["family", "friends", "work", "university", "neighbours"]


def household_name(first_names: list[str], last_name: str) -> str:
    """What the couple would write on the envelope: "Inés Ruiz", "Ana & Pablo Ruiz", "The Ruiz family"."""
    if len(first_names) == 1:
        return f"{first_names[0]} {last_name}"
    if len(first_names) == 2:
        return f"{first_names[0]} & {first_names[1]} {last_name}"
    return f"The {last_name} family"


class Command(BaseCommand):
    help = (
        "Create a realistic demo wedding (events, meals, ~120 guests across sides and age groups, "
        "tables, answered and pending responses) and a demo planner login. Idempotent: an existing "
        "demo wedding is left as it is and its details are printed again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--households", type=int, default=45, help="Number of households (default 45, about 120 guests).")
        parser.add_argument("--wedding", default="lucia-and-marco", help="Slug of the demo wedding.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same guests).")

    def handle(self, *args, households: int, wedding: str, seed: int, **options) -> None:
        if households < 1 or households > 5000:
            raise CommandError("--households must be between 1 and 5000.")
        slug = slugify(wedding)
        if not slug:
            raise CommandError("--wedding must be a slug such as lucia-and-marco.")
        planner = self._planner()
        existing = Wedding.objects.filter(slug=slug).first()
        if existing is not None and Household.objects.filter(wedding=existing).exists():
            self.stdout.write(f"Demo wedding “{existing}” already exists; nothing changed.")
            existing.planners.add(planner)
            self._print(existing)
            return
        with acting_as(actor_for(label="demo data")):
            created = self._create(slug=slug, households=households, rng=random.Random(seed), planner=planner)
        self.stdout.write(self.style.SUCCESS(f"Created demo wedding “{created}”."))
        self._print(created)

    def _planner(self):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_PLANNER,
            defaults={"first_name": "Demo", "last_name": "Planner", "email": "planner@example.com", "is_staff": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user

    @transaction.atomic
    def _create(self, *, slug: str, households: int, rng: random.Random, planner) -> Wedding:
        today = timezone.now()
        zone = zoneinfo.ZoneInfo("Europe/Madrid")
        day = (today.astimezone(zone) + datetime.timedelta(days=90)).date()

        def local(days: int, hour: int, minute: int = 0) -> datetime.datetime:
            """`hour:minute` on the wedding day (+ `days`), Madrid time (stored in UTC)."""
            return datetime.datetime.combine(day + datetime.timedelta(days=days), datetime.time(hour, minute), zone)

        wedding, _ = Wedding.objects.get_or_create(
            slug=slug,
            defaults={
                "name": "Lucía & Marco",
                "partner_a_name": "Lucía",
                "partner_b_name": "Marco",
                "date": day,
                "time_zone": "Europe/Madrid",
                "venue": "Finca La Concepción, Madrid",
                "rsvp_deadline": local(-45, 23, 59),
                "photo_moderation": True,
                "rsvp_asks_song": True,
            },
        )
        wedding.planners.add(planner)
        with live.suspended(wedding.pk):
            events = [
                Event.objects.create(wedding=wedding, name="Rehearsal dinner", order=0, is_private=True,
                                     starts_at=local(-1, 20, 30), ends_at=local(-1, 23, 30), venue="Casa Lucio",
                                     address="Cava Baja 35, Madrid", description="For family and the wedding party."),
                Event.objects.create(wedding=wedding, name="Ceremony", order=1, starts_at=local(0, 17, 30),
                                     ends_at=local(0, 18, 15), venue="Garden chapel", address="Finca La Concepción, Madrid"),
                Event.objects.create(wedding=wedding, name="Reception", order=2,
                                     starts_at=local(0, 19, 0),
                                     ends_at=local(1, 2, 0), venue="The barn",
                                     address="Finca La Concepción, Madrid", description="Dinner and dancing."),
            ]
            meals = {
                events[0].pk: [MealOption.objects.create(wedding=wedding, event=events[0], name=n, order=i)
                               for i, n in enumerate(["Cocido madrileño", "Vegetable paella"])],
                events[2].pk: [MealOption.objects.create(wedding=wedding, event=events[2], name=n, order=i,
                                                         is_vegetarian=v)
                               for i, (n, v) in enumerate([("Beef tenderloin", False), ("Sea bass", False),
                                                           ("Wild mushroom risotto", True)])],
            }
            tags = {name: Tag.objects.create(wedding=wedding, name=name) for name in TAGS}
            FloorPlan.objects.create(wedding=wedding, event=events[2], width=ROOM[0], length=ROOM[1])
            for kind, label, x, y, width, length in FLOOR_OBJECTS:
                FloorObject.objects.create(wedding=wedding, event=events[2], kind=kind, label=label,
                                           x=x, y=y, width=width, length=length)
            tables = [Table.objects.create(wedding=wedding, event=events[2], name="Head table", capacity=10,
                                           shape=Table.Shape.RECTANGLE, x=HEAD_TABLE[0], y=HEAD_TABLE[1])]
            for number, (x, y) in enumerate(ROUND_TABLES, start=1):
                tables.append(Table.objects.create(
                    wedding=wedding, event=events[2], name=f"Table {number}", capacity=8,
                    shape=Table.Shape.ROUND, x=x, y=y,
                ))
            for role, name in [("Maid of honour", "Carmen Ruiz"), ("Best man", "Diego Bianchi"),
                               ("Officiant", "Elena Navarro")]:
                WeddingPartyMember.objects.create(wedding=wedding, name=name, role=role,
                                                  bio=f"{name.split()[0]} has known the couple for years.")

            guests: list[Guest] = []
            for index in range(households):
                last = rng.choice(LAST)
                size = rng.choices([1, 2, 3, 4], weights=[1, 4, 3, 2])[0]
                # Two adults, then children: the household is called after the people in it.
                firsts = rng.sample(FIRST, min(size, 2)) + rng.sample(CHILDREN, max(size - 2, 0))
                household = Household.objects.create(
                    wedding=wedding, name=household_name(firsts, last),
                    email=f"{slugify(last)}{index}@example.org", phone=f"+34 600 {index:06d}",
                    address=f"{index + 1} Calle Mayor, Madrid", plus_ones_allowed=1 if size == 1 else 0,
                    notes="Demo planner note: call about parking." if index % 7 == 0 else "",
                )
                side = rng.choice(Guest.Side.values)
                for member in range(size):
                    child = member >= 2
                    guest = Guest.objects.create(
                        wedding=wedding, household=household,
                        first_name=firsts[member], last_name=last,
                        email="" if child else f"{slugify(last)}.{index}.{member}@example.org",
                        age_group=(rng.choice([Guest.AgeGroup.CHILD, Guest.AgeGroup.INFANT]) if child
                                   else Guest.AgeGroup.ADULT),
                        side=side, dietary_notes=rng.choice(DIETS),
                        directory_opt_in=rng.random() < 0.6,
                    )
                    guest.tags.add(tags[rng.choice(TAGS)])
                    guests.append(guest)

            invitations, responses, seats = [], [], []
            for guest in guests:
                invited = [events[1], events[2]] + ([events[0]] if guest.tags.all()[0].name == "family" else [])
                for event in invited:
                    invitations.append(Invitation(wedding=wedding, guest=guest, event=event))
                    roll = rng.random()
                    if roll < 0.55:
                        meal = rng.choice(meals[event.pk]) if event.pk in meals else None
                        responses.append(Response(wedding=wedding, guest=guest, event=event,
                                                  status=Response.Status.ATTENDING, meal=meal,
                                                  responded_at=today - datetime.timedelta(days=rng.randint(0, 20)),
                                                  answered_by=Response.AnsweredBy.GUEST))
                    elif roll < 0.7:
                        responses.append(Response(wedding=wedding, guest=guest, event=event,
                                                  status=Response.Status.DECLINED,
                                                  responded_at=today - datetime.timedelta(days=rng.randint(0, 20)),
                                                  answered_by=Response.AnsweredBy.GUEST))
            Invitation.objects.bulk_create(invitations)
            Response.objects.bulk_create(responses)
            attending = [r.guest for r in responses if r.event == events[2] and r.status == Response.Status.ATTENDING]
            free = {t.pk: t.capacity for t in tables}
            for guest in attending[: int(len(attending) * 0.7)]:
                table = next((t for t in tables if free[t.pk] > 0), None)
                if table is None:
                    break
                free[table.pk] -= 1
                seats.append(Seat(wedding=wedding, event=events[2], table=table, guest=guest))
            for seat in seats:
                seat.save()  # one by one: the capacity trigger checks each
            # The couple's questions, answered by some of those coming (no randomness: the rest of
            # the demo stays as it was for a given seed).
            shuttle = Question.objects.create(
                wedding=wedding, event=events[2], text="Will you take the shuttle from Madrid?",
                kind=Question.Kind.YES_NO, required=True, order=1,
            )
            Question.objects.create(
                wedding=wedding, text="Which dances should the band play?", kind=Question.Kind.MULTIPLE,
                choices="Salsa\nPasodoble\nSwing", audience=Question.Audience.ADULTS, order=2,
            )
            QuestionAnswer.objects.bulk_create(
                QuestionAnswer(wedding=wedding, question=shuttle, guest=guest, value="yes" if i % 3 else "no")
                for i, guest in enumerate(attending)
            )
            add_spanish(wedding)  # the demo is bilingual (_demo_spanish.py)
        live.record_bulk(
            wedding_id=wedding.pk, topic="guest", action="create", model="wedding.wedding",
            object_ids=[], summary=f"Demo data loaded: {len(guests)} guests in {households} households",
        )
        return wedding

    def _print(self, wedding: Wedding) -> None:
        out = self.stdout.write
        out("")
        out(f"  Planner dashboard:  http://127.0.0.1:8000/admin/   (login: {DEMO_PLANNER} / {DEMO_PASSWORD})")
        out("  Guest site:         http://127.0.0.1:8000/")
        out("  Invitation codes (open http://127.0.0.1:8000/i/<code>/ or type one on the guest site):")
        for household in Household.objects.filter(wedding=wedding).order_by("pk")[:5]:
            out(f"    {format_code(household.invitation_code)}  {household.name}"
                + (f"  ({household.get_language_display()})" if household.language else ""))
        out("")
