"""Two languages, the Django way (issue 17): the guest site and guest emails in English and
Spanish, the household's choice kept, couple-written text per language with fallback, and
times in the wedding's zone for guests and planners alike."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from guests import services as guest_services
from guests.models import Household
from realtime.regions import Audience, Viewer, render_region
from rsvp import services as rsvp_services
from tests import factories
from tests.wedding.content_helpers import enter_as
from wedding.core.i18n import guest_language, translated
from wedding.core.models import Event, Wedding
from wedding.site.models import FaqItem, Page, Visibility

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
JS_PO = PO.with_name("djangojs.po")
GUEST_SCRIPTS = ["realtime/static/realtime/live.js", "wedding/songs/static/songs/songs.js"]
JS_STRING = re.compile(r"""\bgettext\(\s*"((?:[^"\\]|\\.)+)"\s*\)""")
MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
# Every guest-facing template and the Python modules whose strings guests read.
GUEST_TEMPLATES = [
    "templates/base.html", "templates/_language_switch.html",
    *[str(p.relative_to(ROOT)) for folder in (
        "guests/templates/guests", "rsvp/templates/rsvp", "wedding/site/templates/site",
        "wedding/songs/templates/songs", "wedding/photos/templates/photos",
        "wedding/guestbook/templates/guestbook", "wedding/tributes/templates/tributes",
        "wedding/messaging/templates/messaging",
    ) for p in sorted((ROOT / folder).glob("*.*"))],
]
GUEST_PYTHON = [
    "guests/views.py", "guests/forms.py", "guests/services.py", "rsvp/views.py", "rsvp/forms.py",
    "rsvp/services.py", "wedding/songs/views.py", "wedding/songs/forms.py", "wedding/photos/views.py",
    "wedding/photos/forms.py", "wedding/guestbook/views.py", "wedding/guestbook/forms.py",
    "wedding/tributes/views.py", "wedding/tributes/forms.py", "wedding/messaging/rendering.py",
    "wedding/messaging/views.py",
]
TEMPLATE_STRING = re.compile(r"""\{%\s*translate\s+(?:"([^"]+)"|'([^']+)')""")
PYTHON_STRING = re.compile(r"""\b(?:_|gettext_lazy|gettext)\(\s*"((?:[^"\\]|\\.)+)"\s*[,)]""")


def spanish_catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


# --- the catalogue ----------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "at_least"), [(PO, 250), (JS_PO, 10)])
def test_the_spanish_catalogues_have_no_untranslated_or_fuzzy_entry(path, at_least):
    po = polib.pofile(str(path))
    assert len(po) >= at_least
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert po.percent_translated() == 100
    placeholders = re.compile(r"%\(\w+\)s|\{\w+\}")
    for entry in po:  # a translation names the same values as its English
        for text in [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values():
            assert set(placeholders.findall(text)) == set(placeholders.findall(entry.msgid)), entry.msgid


def test_every_guest_script_string_is_in_the_javascript_catalogue():
    translated_ids = {e.msgid for e in polib.pofile(str(JS_PO)) if e.translated()}
    found = {m[1] for path in GUEST_SCRIPTS for m in JS_STRING.finditer((ROOT / path).read_text())}
    assert len(found) >= 10 and sorted(found - translated_ids) == []


def test_the_scripts_catalogue_speaks_the_households_language(client, household):
    household.language = "es"
    household.save()
    enter_as(client, household)
    catalogue = client.get(reverse("javascript-catalog")).content.decode()
    assert "En directo" in catalogue and "Votada" in catalogue
    page = client.get(reverse("guests:home")).content.decode()
    assert f'<script src="{reverse("javascript-catalog")}" defer>' in page


def test_every_guest_string_in_the_code_is_in_the_catalogue_translated():
    """A string wrapped in a guest template or guest module but never extracted (makemessages
    not re-run) would reach Spanish readers in English: it must be in the .po, translated."""
    translated_ids = {e.msgid for e in spanish_catalogue() if e.translated()}
    found = set()
    for path in GUEST_TEMPLATES:
        for match in TEMPLATE_STRING.finditer((ROOT / path).read_text()):
            found.add(match[1] or match[2])
    for path in GUEST_PYTHON:
        for match in PYTHON_STRING.finditer((ROOT / path).read_text()):
            found.add(match[1].encode().decode("unicode_escape").encode("latin-1").decode())
    assert len(found) > 150
    assert sorted(found - translated_ids) == []


def test_the_compiled_catalogue_is_used():
    if not (PO.with_suffix(".mo")).exists():
        pytest.fail("locale/es/LC_MESSAGES/django.mo is missing: run `make messages` (needs gettext's msgfmt)")
    with translation.override("es"):
        assert translation.gettext("Our events") == "Nuestros eventos"
        assert translation.ngettext("%(days)s day to go", "%(days)s days to go", 3) % {"days": 3} == "Faltan 3 días"


# --- guest pages -------------------------------------------------------------------------------


@pytest.fixture
def menu(wedding):
    """An event with a Spanish name and one without, a meal with a Spanish name and one without."""
    wedding.time_zone = "Europe/Madrid"
    wedding.save()
    reception = factories.EventFactory(
        wedding=wedding, name="Reception", order=1, description="Dinner and dancing.",
        starts_at=datetime.datetime(2027, 6, 12, 20, 30, tzinfo=MADRID),
        translations={"es": {"name": "Banquete", "description": "Cena y baile."}},
    )
    brunch = factories.EventFactory(
        wedding=wedding, name="Sunday brunch", order=2, starts_at=datetime.datetime(2027, 6, 13, 11, 0, tzinfo=MADRID),
    )
    fish = factories.MealOptionFactory(event=reception, name="Sea bass", translations={"es": {"name": "Lubina"}})
    risotto = factories.MealOptionFactory(event=reception, name="Risotto", translations={"es": {"name": " "}})
    return reception, brunch, fish, risotto


@pytest.fixture
def family(household, menu):
    reception, brunch, _fish, _risotto = menu
    guest = factories.GuestFactory(household=household, first_name="Lola", email="lola@example.org")
    factories.InvitationFactory(guest=guest, event=reception)
    factories.InvitationFactory(guest=guest, event=brunch)
    return guest


def test_a_household_that_reads_spanish_gets_the_guest_site_in_spanish(client, household, family, menu):
    household.language = "es"
    household.save()
    enter_as(client, household)
    page = client.get(reverse("guests:home")).content.decode()
    assert '<html lang="es">' in page
    assert "Nuestros eventos" in page and "Our events" not in page
    assert "Banquete" in page and "Cena y baile." in page  # the couple's Spanish
    assert "Sunday brunch" in page  # no Spanish given: the main text
    assert "sábado 12 de junio de 2027, 20:30" in page  # the language's date, the wedding's zone
    rsvp = client.get(reverse("rsvp:rsvp")).content.decode()
    assert "Enviar nuestras respuestas" in rsvp
    assert "Lubina" in rsvp and "Sea bass" not in rsvp
    assert "Risotto" in rsvp  # a blank translation falls back


def test_the_same_household_in_english_sees_the_main_text(client, household, family):
    enter_as(client, household)
    page = client.get(reverse("guests:home")).content.decode()
    assert '<html lang="en">' in page
    assert "Our events" in page and "Reception" in page and "Banquete" not in page
    assert "Saturday 12 June 2027, 20:30" in page


def test_the_weddings_default_language_applies_until_the_household_chooses(client, wedding, household, family):
    wedding.language = "es"
    wedding.save()
    assert guest_language(wedding, household) == "es"
    enter_as(client, household)
    assert "Nuestros eventos" in client.get(reverse("guests:home")).content.decode()
    household.language = "en"
    household.save()
    assert "Our events" in client.get(reverse("guests:home")).content.decode()


def test_the_switch_keeps_the_choice_on_the_household_across_sign_in(client, household, family):
    enter_as(client, household)
    response = client.post(reverse("guests:language"), {"language": "es", "next": "/home/"})
    assert response.status_code == 302 and response["Location"] == "/home/"
    household.refresh_from_db()
    assert household.language == "es"
    client.post(reverse("guests:signout"))
    # Another browser (no language cookie) signs in with the code: Spanish again.
    client.cookies.clear()
    response = client.post(reverse("guests:entry"), {"code": household.invitation_code}, follow=True)
    page = response.content.decode()
    assert "Nuestros eventos" in page and "¡Bienvenidos, Lola!" in page


def test_the_switch_refuses_unknown_languages_and_foreign_next_urls(client, household, family):
    enter_as(client, household)
    response = client.post(reverse("guests:language"), {"language": "xx", "next": "/home/"}, follow=True)
    assert "That language is not available." in response.content.decode()
    household.refresh_from_db()
    assert household.language == ""
    response = client.post(reverse("guests:language"), {"language": "es", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("guests:entry")
    assert client.get(reverse("guests:language")).status_code == 405  # a POST form, never a link


def test_a_visitor_not_signed_in_can_switch_too(client, db):
    response = client.post(reverse("guests:language"), {"language": "es", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get(reverse("guests:entry")).content.decode()
    assert "Tengo mi código de invitación" in page
    # The switch offers the other language, as a plain form (no JavaScript needed).
    assert 'name="language" value="en"' in page and 'action="/language/"' in page


def test_form_errors_and_messages_are_translated(client, household, family, menu):
    household.language = "es"
    household.save()
    enter_as(client, household)
    reception, _brunch, _fish, _risotto = menu
    response = client.post(reverse("rsvp:rsvp"), {f"g{family.pk}_e{reception.pk}_status": "attending"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Elige un menú: Lola" in page and "Revisa las respuestas marcadas abajo." in page


# --- couple-written content ---------------------------------------------------------------------


def test_site_pages_and_faq_fall_back_to_the_default_language(client, wedding):
    wedding.language = "es"
    wedding.save()
    page = Page.objects.create(
        wedding=wedding, kind=Page.Kind.FAQ, title="Preguntas", slug="faq", visibility=Visibility.PUBLIC,
        body="Todo lo que queréis saber.", translations={"en": {"title": "Questions"}},
    )
    FaqItem.objects.create(wedding=wedding, page=page, question="¿Hay aparcamiento?", answer="Sí.",
                           translations={"en": {"question": "Is there parking?", "answer": "Yes."}})
    FaqItem.objects.create(wedding=wedding, page=page, question="¿Niños?", answer="Bienvenidos.")
    url = reverse("site:page", args=[wedding.slug, "faq"])
    spanish = client.get(url).content.decode()  # a visitor: the wedding's default language
    assert "Preguntas" in spanish and "¿Hay aparcamiento?" in spanish and "Is there parking?" not in spanish
    client.post(reverse("guests:language"), {"language": "en", "next": url})
    english = client.get(url).content.decode()
    assert "Questions" in english and "Is there parking?" in english and "Yes." in english
    assert "¿Niños?" in english  # not given in English: the default language's text
    assert "Todo lo que queréis saber." in english


def test_translated_reads_the_active_language_and_ignores_blanks(wedding):
    event = Event(wedding=wedding, name="Ceremony", translations={"es": {"name": "Ceremonia", "venue": ""}},
                  venue="Chapel")
    assert translated(event, "name", "es") == "Ceremonia"
    assert translated(event, "name", "es-mx") == "Ceremonia"
    assert translated(event, "venue", "es") == "Chapel"
    assert translated(event, "name", "en") == "Ceremony"
    with translation.override("es"):
        assert translated(event, "name") == "Ceremonia"


def test_the_admin_edits_the_other_languages_and_keeps_the_rest(planner_client, wedding, event):
    url = reverse("admin:wedding_event_change", args=[event.pk])
    form = planner_client.get(url).context["adminform"].form
    assert "name__es" in form.fields and "name__en" not in form.fields  # the wedding reads English
    event.translations = {"fr": {"name": "Réception"}}  # a language the form does not show is kept
    event.save()
    local = event.starts_at.astimezone(zoneinfo.ZoneInfo(wedding.time_zone))
    response = planner_client.post(url, {
        "name": "Reception", "starts_at_0": local.strftime("%Y-%m-%d"), "starts_at_1": local.strftime("%H:%M:%S"),
        "venue": "Barn", "order": 0, "name__es": "Banquete", "venue__es": "", "description__es": "Cena",
        "meal_options-TOTAL_FORMS": 0, "meal_options-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.translations == {"fr": {"name": "Réception"}, "es": {"name": "Banquete", "description": "Cena"}}


# --- live regions ---------------------------------------------------------------------------------


def test_regions_render_in_the_viewers_language_and_share_per_language(wedding, household, family):
    spanish = factories.HouseholdFactory(wedding=wedding, name="Los García", language="es")
    english_viewer = Viewer(wedding=wedding, audience=Audience.HOUSEHOLD, household=household)
    spanish_viewer = Viewer(wedding=wedding, audience=Audience.HOUSEHOLD, household=spanish)
    assert english_viewer.language == "en" and spanish_viewer.language == "es"
    guests_en = english_viewer.for_audience(Audience.GUESTS)
    guests_es = spanish_viewer.for_audience(Audience.GUESTS)
    assert guests_en.key() != guests_es.key()  # one shared render per language, never mixed
    assert Viewer(wedding=wedding, audience=Audience.PLANNER).language == settings.LANGUAGE_CODE
    with translation.override("en"):  # whatever the thread's language, the viewer's decides
        html = str(render_region("photo_gallery", spanish_viewer))
    assert "Todavía no hay fotos" in html
    assert "No photos yet" in str(render_region("photo_gallery", english_viewer))


# --- emails ------------------------------------------------------------------------------------------


def test_emails_to_a_spanish_household_are_in_spanish(household, family, menu):
    household.language = "es"
    household.email = "ruiz@example.org"
    household.save()
    reception, _brunch, fish, _risotto = menu
    rsvp_services.rsvp_submit(household=household, answers=[rsvp_services.Answer(family.pk, reception.pk, "attending", fish.pk)])
    assert rsvp_services.rsvp_confirmation_send(household=household, to="ruiz@example.org")
    email = mail.outbox[-1]
    assert email.subject == f"Tu confirmación para {household.wedding.name}"
    assert "¡Gracias, Lola!" in email.body
    assert "Banquete — sábado 12 de junio de 2027, 20:30" in email.body and "(Lubina)" in email.body
    sent = guest_services.signin_link_send(first_name="Lola", last_name=family.last_name, link_for=lambda t: f"/s/{t}/")
    assert sent == 1
    assert mail.outbox[-1].subject.startswith("Tu enlace de acceso para")
    assert "Hola, Lola:" in mail.outbox[-1].body


def test_messaging_emails_follow_the_household(wedding, household, family):
    from wedding.messaging import rendering
    from wedding.messaging.services import households_for_rendering

    message = factories.MessageFactory(wedding=wedding, subject="News", body="{{ greeting }},\n{{ events }}")
    english = rendering.render_email(
        message=message, household=households_for_rendering(Household.objects.filter(pk=household.pk)).get(),
        wedding=wedding,
    )
    assert english.text.startswith("Dear Lola,") and "Reception — " in english.text
    household.language = "es"
    household.save()
    spanish = rendering.render_email(
        message=message, household=households_for_rendering(Household.objects.filter(pk=household.pk)).get(),
        wedding=wedding,
    )
    assert spanish.text.startswith("Queridos Lola,")
    assert "Banquete — 12 de junio de 2027" in spanish.text
    assert "vuestra invitación" in spanish.html and 'lang="es"' in spanish.html


def test_the_couples_message_goes_out_in_each_households_language(planner_client, wedding, household, family):
    from wedding.messaging import outbox
    from wedding.messaging.models import Recipient

    household.email = "ruiz@example.org"
    household.save()
    spanish = factories.HouseholdFactory(wedding=wedding, name="Los García", language="es", email="g@example.org")
    factories.GuestFactory(household=spanish, first_name="Pilar")
    # The planner writes both languages in the admin ("Subject (Español)", "Body (Español)").
    add = planner_client.get(reverse("admin:messaging_message_add")).content.decode()
    assert 'name="subject__es"' in add and 'name="body__es"' in add
    response = planner_client.post(reverse("admin:messaging_message_add"), {
        "wedding": wedding.pk, "kind": "update", "subject": "News for {{ household }}",
        "body": "{{ greeting }}, the bus leaves at 4.", "subject__es": "Noticias para {{ household }}",
        "body__es": "{{ greeting }}, el autobús sale a las 4.", "segment": "all",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    broken = planner_client.post(reverse("admin:messaging_message_add"), {
        "wedding": wedding.pk, "kind": "update", "subject": "Hi", "body": "Hi", "subject__es": "{% if %}",
        "body__es": "", "segment": "all",
    })
    assert broken.status_code == 200 and "subject__es" in broken.context["adminform"].form.errors
    from wedding.messaging.models import Message

    message = Message.objects.get(subject="News for {{ household }}")
    outbox.copies_queue(message=message)
    subjects = dict(Recipient.objects.filter(message=message).values_list("household__name", "subject"))
    assert subjects == {"The Ruiz family": "News for The Ruiz family", "Los García": "Noticias para Los García"}
    from wedding.messaging import rendering
    from wedding.messaging.segments import households_for_rendering

    rendered = rendering.render_email(
        message=message, household=households_for_rendering(Household.objects.filter(pk=spanish.pk)).get(),
        wedding=wedding,
    )
    assert rendered.text.startswith("Queridos Pilar, el autobús sale a las 4.")


# --- the wedding's time zone, for planners and guests -----------------------------------------------


def _wedding_form(wedding: Wedding, **changes) -> dict:
    data = {
        "name": wedding.name, "slug": wedding.slug, "date": wedding.date.isoformat(),
        "time_zone": wedding.time_zone, "language": wedding.language, "venue": wedding.venue,
        "partner_a_name": "", "partner_b_name": "", "photo_moderation": "on",
        "rsvp_deadline_0": "", "rsvp_deadline_1": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(("day", "utc_hour"), [("2027-01-14", 22), ("2027-07-14", 21)])  # CET, then CEST
def test_a_deadline_typed_in_the_admin_is_the_weddings_local_time_for_everyone(
    planner_client, client, wedding, household, family, day, utc_hour
):
    wedding.time_zone = "Europe/Madrid"
    wedding.save()
    url = reverse("admin:wedding_wedding_change", args=[wedding.pk])
    response = planner_client.post(url, _wedding_form(wedding, rsvp_deadline_0=day, rsvp_deadline_1="23:59:00"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    wedding.refresh_from_db()
    assert wedding.rsvp_deadline == datetime.datetime.fromisoformat(f"{day}T{utc_hour}:59:00+00:00")
    # The planner sees what they typed.
    form = planner_client.get(url).content.decode()
    assert f'name="rsvp_deadline_0" value="{day}"' in form and 'name="rsvp_deadline_1" value="23:59:00"' in form
    # The guest reads the same day and time, not the next day at 00:59.
    enter_as(client, household)
    page = client.get(reverse("rsvp:rsvp")).content.decode()
    local = datetime.date.fromisoformat(day)
    assert f"{local.day} {local:%B} {local.year}, 23:59" in page
    assert f"{local.day + 1} {local:%B} {local.year}, 00:59" not in page


def test_event_times_across_the_dst_change_for_planner_and_guest(planner_client, client, wedding, household):
    """Europe/Madrid moves from +01:00 to +02:00 on 28 March 2027 at 02:00: noon on either side
    is noon at the venue, one hour apart in UTC."""
    wedding.time_zone = "Europe/Madrid"
    wedding.save()
    guest = factories.GuestFactory(household=household, first_name="Lola")
    stored = {}
    for day in ("2027-03-27", "2027-03-28"):
        response = planner_client.post(reverse("admin:wedding_event_add"), {
            "wedding": wedding.pk, "name": f"Walk {day}", "starts_at_0": day, "starts_at_1": "12:00:00", "order": 0,
            "meal_options-TOTAL_FORMS": 0, "meal_options-INITIAL_FORMS": 0,
        })
        assert response.status_code == 302, response.context["adminform"].form.errors
        event = Event.objects.get(name=f"Walk {day}")
        factories.InvitationFactory(guest=guest, event=event)
        stored[day] = event.starts_at
    assert stored["2027-03-27"] == datetime.datetime(2027, 3, 27, 11, 0, tzinfo=datetime.UTC)
    assert stored["2027-03-28"] == datetime.datetime(2027, 3, 28, 10, 0, tzinfo=datetime.UTC)
    enter_as(client, household)
    page = client.get(reverse("guests:home")).content.decode()
    assert "Saturday 27 March 2027, 12:00" in page and "Sunday 28 March 2027, 12:00" in page


def test_a_planner_of_two_weddings_works_in_the_zone_of_the_one_being_edited(planner_client, planner, wedding):
    wedding.time_zone = "Europe/Madrid"
    wedding.save()
    new_york = factories.WeddingFactory(name="NYC", slug="nyc", time_zone="America/New_York", planners=[planner])
    event = factories.EventFactory(wedding=new_york, name="Party",
                                   starts_at=datetime.datetime(2027, 1, 14, 23, 59, tzinfo=zoneinfo.ZoneInfo("America/New_York")))
    form = planner_client.get(reverse("admin:wedding_event_change", args=[event.pk])).content.decode()
    assert 'name="starts_at_0" value="2027-01-14"' in form and 'name="starts_at_1" value="23:59:00"' in form
    # The dashboard of the Madrid wedding switches the zone back (and is remembered for the admin).
    planner_client.get(reverse("admin:dashboard", args=[wedding.pk]))
    assert planner_client.cookies["confetti_planner_wedding"].value == str(wedding.pk)
    form = planner_client.get(reverse("admin:wedding_event_add")).content.decode()
    planner_client.post(reverse("admin:wedding_event_add"), {
        "wedding": wedding.pk, "name": "Toast", "starts_at_0": "2027-01-14", "starts_at_1": "23:59:00", "order": 0,
        "meal_options-TOTAL_FORMS": 0, "meal_options-INITIAL_FORMS": 0,
    })
    assert Event.objects.get(name="Toast").starts_at == datetime.datetime(2027, 1, 14, 22, 59, tzinfo=datetime.UTC)
    assert 'name="starts_at_0"' in form


@pytest.mark.parametrize("wanted", ["abc", "9" * 30, "-1"])
def test_a_nonsense_wedding_in_the_admin_url_is_no_error(planner_client, wedding, wanted):
    assert planner_client.get(reverse("admin:wedding_event_changelist"), {"wedding__id__exact": wanted}).status_code in (200, 302)
    assert planner_client.get(reverse("admin:wedding_event_add"), {"wedding": wanted}).status_code == 200


def test_the_couples_questions_are_asked_in_the_households_language(planner_client, client, wedding, household, family, menu):
    from rsvp.models import Question

    reception, _brunch, _fish, _risotto = menu
    question = Question.objects.create(
        wedding=wedding, event=reception, text="Will you take the shuttle?", kind=Question.Kind.YES_NO,
        help_text="It leaves at 19:00.", translations={"es": {"text": "¿Cogeréis el autobús?"}},
    )
    change = planner_client.get(reverse("admin:rsvp_question_change", args=[question.pk])).content.decode()
    assert 'name="text__es"' in change and 'name="help_text__es"' in change
    household.language = "es"
    household.save()
    enter_as(client, household)
    page = client.get(reverse("rsvp:rsvp")).content.decode()
    assert "¿Cogeréis el autobús?" in page and "Will you take the shuttle?" not in page
    assert "It leaves at 19:00." in page  # no Spanish help text: the main text
    assert ">Sí<" in page or " Sí</label>" in page  # the yes/no choices are the site's words
