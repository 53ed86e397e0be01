"""The couple's RSVP questions: who is asked, what is due, what is refused, and the song and message asks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from guests.models import Guest
from rsvp import services
from rsvp.models import Question, QuestionAnswer, Response
from rsvp.services import Reply, SongWish
from tests import factories
from wedding.songs.models import SongRequest, SongVote


@pytest.fixture
def party(wedding, event, household):
    brunch = factories.EventFactory(wedding=wedding, name="Brunch")
    vip = factories.TagFactory(wedding=wedding, name="VIP")
    p = {
        "event": event, "brunch": brunch, "vip": vip,
        "ana": factories.GuestFactory(household=household, first_name="Ana"),
        "leo": factories.GuestFactory(household=household, first_name="Leo", age_group=Guest.AgeGroup.CHILD),
        # Asked of everyone; required from guests who attend something.
        "diet": factories.QuestionFactory(wedding=wedding, text="Any allergies?", required=True, order=1),
        # The reception's: only for those attending it.
        "shuttle": factories.QuestionFactory(
            wedding=wedding, event=event, text="Need the shuttle?", kind=Question.Kind.YES_NO, required=True,
        ),
        "wine": factories.QuestionFactory(
            wedding=wedding, text="Red or white?", kind=Question.Kind.CHOICE, choices="Red\nWhite",
            audience=Question.Audience.ADULTS,
        ),
        "songs": factories.QuestionFactory(
            wedding=wedding, text="Which dances?", kind=Question.Kind.MULTIPLE, choices="Salsa\nTango\nWaltz",
            audience=Question.Audience.TAG, tag=vip,
        ),
    }
    p["ana"].tags.add(vip)
    for guest in (p["ana"], p["leo"]):
        factories.InvitationFactory(guest=guest, event=event)
    return p


@pytest.fixture
def guest_client(client, household):
    client.get(f"/i/{household.invitation_code}/")
    return client


def q(guest, question) -> str:
    return f"g{guest.pk}_q{question.pk}"


def status(guest, event) -> str:
    return f"g{guest.pk}_e{event.pk}_status"


def post(p, **extra):
    data = {
        status(p["ana"], p["event"]): "attending", status(p["leo"], p["event"]): "attending",
        q(p["ana"], p["diet"]): "Nuts", q(p["leo"], p["diet"]): "None",
        q(p["ana"], p["shuttle"]): "yes", q(p["leo"], p["shuttle"]): "no",
        q(p["ana"], p["wine"]): "Red", q(p["ana"], p["songs"]): ["Tango", "Salsa"],
        f"g{p['ana'].pk}_dietary": "Typed and kept", "note": "Hurray",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def stored() -> dict[tuple[str, str], str]:
    return {(a.guest.first_name, a.question.text): a.value for a in QuestionAnswer.objects.select_related("guest", "question")}


def test_each_guest_is_asked_only_the_questions_of_their_audience(guest_client, party):
    html = guest_client.get("/rsvp/").content.decode()
    ana, leo = party["ana"], party["leo"]
    for name in (q(ana, party["diet"]), q(ana, party["shuttle"]), q(ana, party["wine"]), q(ana, party["songs"]),
                 q(leo, party["diet"]), q(leo, party["shuttle"])):
        assert f'name="{name}"' in html, name
    assert f'name="{q(leo, party["wine"])}"' not in html  # adults only: Leo is a child
    assert f'name="{q(leo, party["songs"])}"' not in html  # Leo has no VIP tag
    assert "Need the shuttle?" in html and "required if attending" in html


def test_event_questions_only_for_guests_invited_to_the_event(guest_client, party, wedding):
    brunch_q = factories.QuestionFactory(wedding=wedding, event=party["brunch"], text="Eggs how?")
    assert f'name="{q(party["ana"], brunch_q)}"' not in guest_client.get("/rsvp/").content.decode()
    factories.InvitationFactory(guest=party["ana"], event=party["brunch"])
    assert f'name="{q(party["ana"], brunch_q)}"' in guest_client.get("/rsvp/").content.decode()


def test_answers_of_every_kind_are_saved_and_shown_again(guest_client, party):
    response = guest_client.post("/rsvp/", post(party))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert stored() == {
        ("Ana", "Any allergies?"): "Nuts", ("Leo", "Any allergies?"): "None",
        ("Ana", "Need the shuttle?"): "yes", ("Leo", "Need the shuttle?"): "no",
        ("Ana", "Red or white?"): "Red", ("Ana", "Which dances?"): "Salsa\nTango",  # the couple's order
    }
    html = guest_client.get("/rsvp/").content.decode()
    assert 'value="Nuts"' in html
    assert 'value="Tango"' in html and html.count("checked") >= 4
    assert "Your answers to the couple's questions" in html and "Salsa; Tango" in html


def test_a_required_question_left_blank_is_refused_and_nothing_is_lost(guest_client, party):
    response = guest_client.post("/rsvp/", post(party, **{q(party["ana"], party["shuttle"]): None}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please answer: Need the shuttle?" in html
    assert "Typed and kept" in html and 'value="Nuts"' in html  # what was typed comes back
    assert not Response.objects.exists() and not QuestionAnswer.objects.exists()


def test_an_event_question_is_not_due_from_a_guest_who_declines_it(guest_client, party):
    data = post(party, **{status(party["leo"], party["event"]): "declined", q(party["leo"], party["shuttle"]): "yes"})
    assert guest_client.post("/rsvp/", data).status_code == 302
    assert ("Leo", "Need the shuttle?") not in stored()  # typed, but Leo is not coming to the reception
    assert stored()[("Ana", "Need the shuttle?")] == "yes"


def test_declining_later_removes_the_answers_to_that_events_questions(guest_client, party):
    assert guest_client.post("/rsvp/", post(party)).status_code == 302
    data = post(party, **{status(party["ana"], party["event"]): "declined", q(party["ana"], party["shuttle"]): None})
    assert guest_client.post("/rsvp/", data).status_code == 302
    assert ("Ana", "Need the shuttle?") not in stored() and ("Leo", "Need the shuttle?") in stored()


def test_a_wedding_question_is_not_due_from_a_guest_who_declines_everything(guest_client, party):
    data = post(party, **{status(party["leo"], party["event"]): "declined", q(party["leo"], party["diet"]): ""})
    assert guest_client.post("/rsvp/", data).status_code == 302
    data = post(party, **{q(party["ana"], party["diet"]): ""})
    response = guest_client.post("/rsvp/", data)
    assert response.status_code == 400 and "Please answer: Any allergies?" in response.content.decode()


def test_an_option_that_is_not_offered_is_refused(guest_client, party):
    response = guest_client.post("/rsvp/", post(party, **{q(party["ana"], party["wine"]): "Rosé"}))
    assert response.status_code == 400 and not QuestionAnswer.objects.exists()


@pytest.mark.parametrize("reply, message", [
    (lambda p: Reply(p["leo"].pk, p["wine"].pk, "Red"), "not asked of"),  # adults only
    (lambda p: Reply(p["leo"].pk, p["songs"].pk, ["Salsa"]), "not asked of"),  # VIP tag only
    (lambda p: Reply(p["ana"].pk, p["wine"].pk, "Rosé"), "not an option"),
    (lambda p: Reply(p["ana"].pk, p["songs"].pk, ["Salsa", "Polka"]), "not an option"),
    (lambda p: Reply(p["ana"].pk, p["shuttle"].pk, "maybe"), "yes or no"),
    (lambda p: Reply(p["ana"].pk, p["diet"].pk, "x" * 501), "too long"),
    (lambda p: Reply(p["ana"].pk, p["shuttle"].pk, ""), "Please answer"),  # required, Ana attends
    (lambda p: Reply(factories.GuestFactory().pk, p["diet"].pk, "x"), "your own invitation"),
    (lambda p: Reply(p["ana"].pk, factories.QuestionFactory().pk, "x"), "not asked of"),  # another wedding's
])
def test_the_service_refuses_replies_that_make_no_sense_and_changes_nothing(party, household, reply, message):
    answers = [services.Answer(party["ana"].pk, party["event"].pk, "attending")]
    with pytest.raises(ValidationError, match=message):
        services.rsvp_submit(household=household, answers=answers, replies=[reply(party)])
    assert not Response.objects.exists() and not QuestionAnswer.objects.exists()


def test_question_audience_rules():
    adult, child = Guest(age_group="adult"), Guest(age_group="child")
    everyone = Question(audience=Question.Audience.EVERYONE)
    adults = Question(audience=Question.Audience.ADULTS)
    tagged = Question(audience=Question.Audience.TAG, tag_id=7)
    assert everyone.asks(adult) and everyone.asks(child)
    assert adults.asks(adult) and not adults.asks(child)
    assert tagged.asks(child, {7}) and not tagged.asks(adult, {8})
    assert Question(choices=" Red \n\nWhite\nRed\n").options == ["Red", "White"]
    assert services.question_is_due(Question(event_id=3), attending={3}) is True
    assert services.question_is_due(Question(event_id=3), attending={4}) is False
    assert services.question_is_due(Question(event_id=None), attending=set()) is False


# --- the song request and the message to the couple ---------------------------------------


def test_the_song_request_joins_the_songs_through_their_service(guest_client, party, wedding):
    assert 'name="song_title"' not in guest_client.get("/rsvp/").content.decode()
    wedding.rsvp_asks_song = True
    wedding.save()
    assert 'name="song_title"' in guest_client.get("/rsvp/").content.decode()
    response = guest_client.post("/rsvp/", post(party, song_title="September", song_artist="Earth, Wind & Fire"))
    assert response.status_code == 302
    song = SongRequest.objects.get(wedding=wedding)
    assert (song.title, song.artist, song.requested_by_id) == ("September", "Earth, Wind & Fire", party["ana"].household_id)
    assert SongVote.objects.filter(song=song, guest=party["ana"]).exists()
    # The same song again (a second submission) stays one request.
    assert guest_client.post("/rsvp/", post(party, song_title="september ", song_artist="Earth Wind & Fire")).status_code == 302
    assert SongRequest.objects.filter(wedding=wedding).count() == 1


def test_a_song_is_refused_when_the_couple_does_not_ask_for_one(party, household):
    with pytest.raises(ValidationError, match="song"):
        services.rsvp_submit(household=household, answers=[], song=SongWish("Anything"))
    assert not SongRequest.objects.exists()


def test_the_message_to_the_couple_is_asked_only_when_the_couple_wants_it(guest_client, party, wedding, household):
    assert 'name="note"' in guest_client.get("/rsvp/").content.decode()
    assert guest_client.post("/rsvp/", post(party)).status_code == 302
    household.refresh_from_db()
    assert household.message_to_couple == "Hurray"
    wedding.rsvp_asks_message = False
    wedding.save()
    assert 'name="note"' not in guest_client.get("/rsvp/").content.decode()
    assert guest_client.post("/rsvp/", post(party, note="Ignored")).status_code == 302
    household.refresh_from_db()
    assert household.message_to_couple == "Hurray"
    with pytest.raises(ValidationError, match="messages"):
        services.rsvp_submit(household=household, answers=[], note="Sneaked in")


def test_a_plus_one_named_on_the_form_is_asked_too(guest_client, party, household):
    household.plus_ones_allowed = 1
    household.save()
    html = guest_client.get("/rsvp/").content.decode()
    assert f'name="p1_q{party["shuttle"].pk}"' in html and f'name="p1_q{party["wine"].pk}"' in html
    assert f'name="p1_q{party["songs"].pk}"' not in html  # a newcomer has no VIP tag
    plus_one = {"p1_first": "Marta", f"p1_e{party['event'].pk}_status": "attending", f"p1_q{party['diet'].pk}": "Shellfish"}
    response = guest_client.post("/rsvp/", post(party, **plus_one))
    assert response.status_code == 400 and "Please answer: Need the shuttle?" in response.content.decode()
    assert not Guest.objects.filter(first_name="Marta").exists()
    response = guest_client.post("/rsvp/", post(party, **plus_one, **{f"p1_q{party['shuttle'].pk}": "no"}))
    assert response.status_code == 302
    assert stored()[("Marta", "Need the shuttle?")] == "no" and stored()[("Marta", "Any allergies?")] == "Shellfish"


def test_an_empty_plus_one_slot_asks_nothing(guest_client, party, household):
    household.plus_ones_allowed = 1
    household.save()
    assert guest_client.post("/rsvp/", post(party)).status_code == 302
    assert not Guest.objects.filter(is_plus_one=True).exists()
