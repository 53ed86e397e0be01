"""Where the answers to the couple's questions show: the guest list, the export, the reports, the respond page;
and the questions' own admin."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guests.importexport.exporting import guest_list_dataset
from guests.models import Guest, Household
from realtime import regions
from realtime.models import Change
from realtime.regions import Audience, Viewer
from rsvp.models import Question, QuestionAnswer
from tests import factories
from tests.guests.importexport.test_commands import run

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite

GUESTS = reverse("admin:guests_guest_changelist")
QUESTIONS = reverse("admin:rsvp_question_changelist")


@pytest.fixture
def answered(wedding, event):
    """Ana (attending, answered all three questions) and Tom (answered one)."""
    shuttle = factories.QuestionFactory(wedding=wedding, event=event, text="Shuttle?", kind=Question.Kind.YES_NO)
    dances = factories.QuestionFactory(
        wedding=wedding, text="Dances?", kind=Question.Kind.MULTIPLE, choices="Salsa\nTango\nWaltz",
    )
    song = factories.QuestionFactory(wedding=wedding, text="First song?")
    ruiz = factories.HouseholdFactory(wedding=wedding, name="The Ruiz family")
    ana = factories.GuestFactory(household=ruiz, first_name="Ana", last_name="Ruiz")
    tom = factories.GuestFactory(household=ruiz, first_name="Tom", last_name="Ruiz")
    for guest in (ana, tom):
        factories.InvitationFactory(guest=guest, event=event)
        factories.ResponseFactory(guest=guest, event=event)
    factories.QuestionAnswerFactory(question=shuttle, guest=ana, value="yes")
    factories.QuestionAnswerFactory(question=dances, guest=ana, value="Salsa\nWaltz")
    factories.QuestionAnswerFactory(question=song, guest=ana, value="=HYPERLINK(\"x\")")
    factories.QuestionAnswerFactory(question=shuttle, guest=tom, value="no")
    return {"shuttle": shuttle, "dances": dances, "song": song, "ana": ana, "tom": tom}


def test_the_guest_list_shows_each_guests_answers(planner_client, answered):
    page = planner_client.get(GUESTS).content.decode()
    assert "Answers to your questions" in page
    assert "Shuttle?: Yes · Dances?: Salsa; Waltz" in page
    assert "Shuttle?: No" in page


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_answered_guests(wedding, questions, n: int, start: int) -> None:
    households = Household.objects.bulk_create(
        Household(wedding=wedding, name=f"H{start + i}", invitation_code=f"Q{start + i:07d}") for i in range(n)
    )
    guests = Guest.objects.bulk_create(
        Guest(wedding=wedding, household=h, first_name=f"G{start + i}") for i, h in enumerate(households)
    )
    QuestionAnswer.objects.bulk_create(
        QuestionAnswer(wedding=wedding, question=question, guest=guest, value="yes")
        for guest in guests for question in questions
    )


def test_the_guest_list_runs_a_fixed_number_of_queries_whatever_the_answers(
    planner_client, wedding, event, answered, django_assert_num_queries,
):
    questions = [answered["shuttle"], answered["dances"], answered["song"]]
    add_answered_guests(wedding, questions, 10, 0)
    small = queries(planner_client, GUESTS)
    add_answered_guests(wedding, questions, 300, 10)
    with django_assert_num_queries(small):
        response = planner_client.get(GUESTS)
    assert response.status_code == 200 and "Shuttle?: Yes" in response.content.decode()
    assert QuestionAnswer.objects.count() > 900


def test_the_csv_export_has_a_column_per_question_and_imports_back_unchanged(
    planner_client, wedding, event, answered, tmp_path,
):
    response = planner_client.post(
        GUESTS, {"action": "export_csv", ACTION_CHECKBOX_NAME: [answered["ana"].pk, answered["tom"].pk]}
    )
    rows = {r["first_name"]: r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["Ana"][f"{event.name}: Shuttle? — answer"] == "Yes"
    assert rows["Ana"]["Dances? — answer"] == "Salsa; Waltz"
    assert rows["Ana"]["First song? — answer"] == "'=HYPERLINK(\"x\")"  # neutralised for spreadsheets
    assert rows["Tom"]["Dances? — answer"] == ""
    headers = guest_list_dataset(wedding=wedding).headers
    assert set(headers[-3:]) == {"Dances? — answer", "First song? — answer", f"{event.name}: Shuttle? — answer"}

    path = tmp_path / "out.csv"
    run("export_guests", "--wedding", wedding.slug, "--output", str(path))
    changes = Change.objects.count()
    out, _ = run("import_guests", str(path), "--wedding", wedding.slug)
    assert "Nothing to change" in out, out
    assert Change.objects.count() == changes


def test_the_reports_count_choices_and_list_answers(planner_client, wedding, event, answered):
    viewer = Viewer(wedding=wedding, audience=Audience.PLANNER)
    html = regions.render_region("dash_reports", viewer, {"event": str(event.pk)})
    assert "Answers to your questions" in html
    assert 'data-count="Yes">1<' in html and 'data-count="No">1<' in html
    assert 'data-count="Salsa">1<' in html and 'data-count="Tango">0<' in html
    response = planner_client.get(reverse("admin:dashboard-report-csv", args=[wedding.pk, "answers"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {(r["question"], r["name"], r["answer"]) for r in rows} >= {
        ("Shuttle?", "Ana Ruiz", "Yes"), ("Shuttle?", "Tom Ruiz", "No"), ("Dances?", "Ana Ruiz", "Salsa; Waltz"),
    }
    assert next(r for r in rows if r["question"] == "First song?")["answer"].startswith("'=")


def test_the_reports_queries_do_not_grow_with_answers(planner_client, wedding, event, answered):
    url = reverse("admin:dashboard-reports", args=[wedding.pk])
    small = queries(planner_client, url)
    add_answered_guests(wedding, [answered["shuttle"], answered["dances"]], 200, 0)
    assert queries(planner_client, url) == small


def test_a_planner_records_answers_on_the_respond_page(planner_client, wedding, event, answered):
    ana = answered["ana"]
    url = reverse("admin:dashboard-respond", args=[wedding.pk, ana.pk])
    page = planner_client.get(url).content.decode()
    assert 'name="questions-q{}"'.format(answered["shuttle"].pk) in page and "First song?" in page
    data = {
        "event": event.pk, "status": "attending",
        f"questions-q{answered['shuttle'].pk}": "no",
        f"questions-q{answered['dances'].pk}": ["Tango"],
        f"questions-q{answered['song'].pk}": "",
    }
    assert planner_client.post(url, data).status_code == 302
    answers = {a.question.text: a.value for a in QuestionAnswer.objects.filter(guest=ana).select_related("question")}
    assert answers == {"Shuttle?": "no", "Dances?": "Tango"}  # a blank one is removed
    # A bad option is refused with the page again, and nothing changes.
    data[f"questions-q{answered['dances'].pk}"] = ["Polka"]
    response = planner_client.post(url, data)
    assert response.status_code == 422 and "check the answers" in response.content.decode()
    assert QuestionAnswer.objects.get(guest=ana, question=answered["dances"]).value == "Tango"


# --- the questions' admin -------------------------------------------------------------------


def question_data(wedding, **fields):
    data = {"wedding": wedding.pk, "text": "Shuttle?", "help_text": "", "kind": "text", "choices": "",
            "audience": "everyone", "order": 0}
    data.update(fields)
    return data


def test_planners_add_questions_and_nonsense_is_refused(planner_client, wedding, event):
    add = reverse("admin:rsvp_question_add")
    response = planner_client.post(add, question_data(wedding, kind="choice", choices="Only one"))
    assert response.status_code == 200 and "at least two options" in response.content.decode()
    response = planner_client.post(add, question_data(wedding, audience="tag"))
    assert response.status_code == 200 and "Choose the tag" in response.content.decode()
    assert not Question.objects.exists()
    tag = factories.TagFactory(wedding=wedding, name="VIP")
    response = planner_client.post(add, question_data(wedding, event=event.pk, audience="tag", tag=tag.pk, required="on"))
    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.event, question.tag, question.required) == (event, tag, True)
    assert "Shuttle?" in planner_client.get(QUESTIONS).content.decode()


def test_another_weddings_questions_and_tags_stay_out_of_reach(planner_client, wedding, other_wedding):
    foreign = factories.QuestionFactory(wedding=other_wedding, text="Their question")
    foreign_tag = factories.TagFactory(wedding=other_wedding, name="Theirs")
    assert "Their question" not in planner_client.get(QUESTIONS).content.decode()
    assert planner_client.get(reverse("admin:rsvp_question_change", args=[foreign.pk])).status_code == 404
    response = planner_client.post(
        reverse("admin:rsvp_question_add"), question_data(wedding, audience="tag", tag=foreign_tag.pk)
    )
    assert response.status_code == 200 and not Question.objects.filter(wedding=wedding).exists()


def test_a_tag_a_question_is_asked_by_cannot_be_deleted_from_under_it(planner_client, wedding):
    tag = factories.TagFactory(wedding=wedding, name="VIP")
    factories.QuestionFactory(wedding=wedding, text="Lounge access?", audience="tag", tag=tag)
    response = planner_client.post(reverse("admin:guests_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert response.status_code == 200 and "Lounge access?" in response.content.decode()
    assert Question.objects.filter(tag=tag).exists()
