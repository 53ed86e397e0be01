"""factory_boy factories for the whole domain; tests build data only through these."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from guests.models import Guest, GuestRequest, Household, Tag
from rsvp.models import Invitation, MealOption, Question, QuestionAnswer, Response
from seating.models import Seat, Table
from wedding.core.models import Event, Wedding, WeddingPartyMember
from wedding.guestbook.models import GuestbookEntry
from wedding.photos.models import Photo
from wedding.songs.models import SongRequest
from wedding.tributes.models import Tribute


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"planner{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pass-for-tests-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class WeddingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wedding
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Wedding {n}")
    slug = factory.Sequence(lambda n: f"wedding-{n}")
    date = factory.LazyFunction(lambda: (timezone.now() + datetime.timedelta(days=120)).date())
    rsvp_deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=60))
    venue = "Finca La Concepción"

    @factory.post_generation
    def planners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.planners.add(*extracted)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    wedding = factory.SubFactory(WeddingFactory)
    name = factory.Sequence(lambda n: f"Event {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=120))
    venue = "The garden"


class MealOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MealOption

    event = factory.SubFactory(EventFactory)
    wedding = factory.SelfAttribute("event.wedding")
    name = factory.Sequence(lambda n: f"Meal {n}")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    wedding = factory.SubFactory(WeddingFactory)
    name = factory.Sequence(lambda n: f"Household {n}")
    email = factory.Sequence(lambda n: f"household{n}@example.org")
    phone = factory.Sequence(lambda n: f"+34 600 {n:06d}")
    address = factory.Sequence(lambda n: f"{n} Calle Mayor, Madrid")
    notes = "planner-only note"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("wedding", "name")

    wedding = factory.SubFactory(WeddingFactory)
    name = factory.Sequence(lambda n: f"tag{n}")


class GuestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guest

    household = factory.SubFactory(HouseholdFactory)
    wedding = factory.SelfAttribute("household.wedding")
    first_name = factory.Sequence(lambda n: f"Guest{n}")
    last_name = "Ruiz"
    email = factory.Sequence(lambda n: f"guest{n}@example.org")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    guest = factory.SubFactory(GuestFactory)
    wedding = factory.SelfAttribute("guest.wedding")
    event = factory.SubFactory(EventFactory, wedding=factory.SelfAttribute("..wedding"))


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    guest = factory.SubFactory(GuestFactory)
    wedding = factory.SelfAttribute("guest.wedding")
    event = factory.SubFactory(EventFactory, wedding=factory.SelfAttribute("..wedding"))
    status = Response.Status.ATTENDING
    responded_at = factory.LazyFunction(timezone.now)
    answered_by = Response.AnsweredBy.GUEST


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    wedding = factory.SubFactory(WeddingFactory)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = Question.Kind.TEXT


class QuestionAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionAnswer

    question = factory.SubFactory(QuestionFactory)
    wedding = factory.SelfAttribute("question.wedding")
    guest = factory.SubFactory(GuestFactory, household__wedding=factory.SelfAttribute("...wedding"))
    value = "yes"


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Table

    event = factory.SubFactory(EventFactory)
    wedding = factory.SelfAttribute("event.wedding")
    # Far above the "Table 1" … "Table 300" that tests and builders name themselves: a sequence
    # that happened to reach 7 in a test that had named its own "Table 7" broke the event's
    # unique name (test order decides where the sequence stands).
    name = factory.Sequence(lambda n: f"Table {10_000 + n}")
    capacity = 8


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    table = factory.SubFactory(TableFactory)
    event = factory.SelfAttribute("table.event")
    wedding = factory.SelfAttribute("table.wedding")
    guest = factory.SubFactory(GuestFactory, household__wedding=factory.SelfAttribute("...wedding"))


class GuestRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuestRequest

    household = factory.SubFactory(HouseholdFactory)
    wedding = factory.SelfAttribute("household.wedding")
    message = "Could my partner come too?"


class SongRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SongRequest

    wedding = factory.SubFactory(WeddingFactory)
    title = factory.Sequence(lambda n: f"Song {n}")
    artist = "The Band"


class PhotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Photo

    wedding = factory.SubFactory(WeddingFactory)
    image = factory.django.ImageField(width=40, height=30, color="blue")


class GuestbookEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuestbookEntry

    wedding = factory.SubFactory(WeddingFactory)
    author_name = "Ana"
    message = "Congratulations!"


class TributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tribute

    wedding = factory.SubFactory(WeddingFactory)
    name = "Grandma Rosa"
    relationship = "Grandmother of the bride"
    words = "Always with us."


class WeddingPartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeddingPartyMember

    wedding = factory.SubFactory(WeddingFactory)
    name = factory.Sequence(lambda n: f"Friend {n}")
    role = "Best man"


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "messaging.Message"

    wedding = factory.SubFactory(WeddingFactory)
    kind = "invitation"
    subject = "You're invited, {{ household }}"
    body = "{{ greeting }},\n\nCome to {{ wedding }}!\n{{ events }}\n\nAnswer here: {{ link }}"


class OptOutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "messaging.OptOut"

    household = factory.SubFactory(HouseholdFactory)
    wedding = factory.SelfAttribute("household.wedding")
