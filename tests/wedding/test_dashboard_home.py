"""The dashboard's home at a glance: the wedding's date and countdown, cards that show only what
applies, an RSVP chart with axes and a deadline marker, and one menu and breadcrumb trail for every
planner page (wedding.dashboard)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from wedding.dashboard import reads


def home(client, wedding) -> str:
    return client.get(reverse("admin:dashboard", args=[wedding.pk])).content.decode()


def card(html: str, event) -> str:
    match = re.search(rf'<article class="dash-card" data-event="{event.pk}">(.*?)</article>', html, re.S)
    assert match, f"no card for {event}"
    return match.group(1)


# --- the wedding's date and countdown --------------------------------------------------------


@pytest.mark.parametrize("days, text", [(30, "30</strong> days to go"), (1, "Tomorrow"), (0, "Today!"),
                                        (-3, "3 days ago")])
def test_the_date_and_a_countdown_in_the_weddings_zone(planner_client, wedding, days, text):
    wedding.time_zone = "Pacific/Auckland"  # far from UTC: "today" is the wedding's today
    wedding.date = reads.wedding_today(wedding) + datetime.timedelta(days=days)
    wedding.save()
    html = home(planner_client, wedding)
    assert wedding.date.strftime("%-d %B %Y") in html
    countdown = re.search(r'data-testid="countdown">(.*?)</p>', html, re.S).group(1)
    assert text in countdown


def test_today_is_the_weddings_today(wedding, monkeypatch):
    wedding.time_zone = "Pacific/Kiritimati"  # UTC+14
    utc_evening = datetime.datetime(2027, 3, 1, 12, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: utc_evening)
    assert reads.wedding_today(wedding) == datetime.date(2027, 3, 2)
    wedding.date = datetime.date(2027, 3, 2)
    assert reads.days_to_wedding(wedding) == 0


# --- cards show what applies ---------------------------------------------------------------


def test_an_event_without_meals_or_tables_shows_neither(planner_client, wedding):
    ceremony = factories.EventFactory(wedding=wedding, name="Ceremony")
    reception = factories.EventFactory(wedding=wedding, name="Reception")
    factories.MealOptionFactory(event=reception, name="Fish")
    factories.TableFactory(event=reception, name="Table 1")
    html = home(planner_client, wedding)
    plain, full = card(html, ceremony), card(html, reception)
    for stat in ("meals", "dietary", "seated"):
        assert f'data-stat="{stat}"' not in plain
        assert f'data-stat="{stat}"' in full
    assert "Meals chosen" not in plain and "Seated" not in plain
    assert 'data-stat="attending"' in plain  # what always applies stays


def test_cards_show_the_events_local_time(planner_client, wedding):
    wedding.time_zone = "Europe/Madrid"
    wedding.save()
    starts = datetime.datetime(2027, 6, 12, 15, 30, tzinfo=datetime.UTC)  # 17:30 in Madrid (summer)
    event = factories.EventFactory(wedding=wedding, name="Ceremony", starts_at=starts)
    assert "17:30" in card(home(planner_client, wedding), event)


def test_what_applies_costs_no_extra_query(wedding, django_assert_max_num_queries):
    for _ in range(3):
        event = factories.EventFactory(wedding=wedding)
        factories.MealOptionFactory(event=event)
        factories.TableFactory(event=event)
    with django_assert_max_num_queries(8):
        stats = reads.event_stats(wedding)
    assert all(s.has_meals and s.has_tables for s in stats)


# --- the chart -----------------------------------------------------------------------------


@pytest.mark.parametrize("top, step", [(1, 1), (7, 2), (18, 5), (115, 50), (200, 50), (1999, 500)])
def test_nice_steps(top, step):
    assert reads.nice_step(top) == step


def test_axes_cover_the_top_value_with_round_ticks():
    first, last = datetime.date(2027, 1, 1), datetime.date(2027, 1, 31)
    y_max, y_ticks, x_ticks = reads.chart_axes(first=first, last=last, top_value=115, width=600, height=160)
    assert y_max == 150 and [t.label for t in y_ticks] == ["0", "50", "100", "150"]
    assert y_ticks[0].at == 160 and y_ticks[-1].at == 0
    assert x_ticks[0].at == 0 and x_ticks[-1].at == 600
    assert x_ticks[0].label == "1 Jan" and x_ticks[-1].label == "31 Jan"
    assert len(x_ticks) == 5


def test_the_chart_has_axes_and_marks_the_deadline(planner_client, wedding, event):
    wedding.rsvp_deadline = timezone.now() + datetime.timedelta(days=20)
    wedding.save()
    guests = factories.GuestFactory.create_batch(4, household__wedding=wedding)
    for g in guests:
        factories.InvitationFactory(guest=g, event=event)
    factories.ResponseFactory(guest=guests[0], event=event)
    chart = reads.rsvp_progress(wedding, invited=4)
    assert chart.last_day >= timezone.now().date() + datetime.timedelta(days=19)  # runs to the deadline
    assert chart.deadline is not None and chart.deadline.at == pytest.approx(chart.width, abs=1)
    html = home(planner_client, wedding)
    assert 'data-axis="y"' in html and 'data-axis="x"' in html and 'data-marker="deadline"' in html
    assert "RSVP deadline" in html and ">answers</text>" in html


def test_no_deadline_no_marker(wedding, event):
    wedding.rsvp_deadline = None
    factories.ResponseFactory(guest=factories.GuestFactory(household__wedding=wedding), event=event)
    assert reads.rsvp_progress(wedding, invited=1).deadline is None


# --- one menu, one breadcrumb trail ----------------------------------------------------------


@pytest.mark.parametrize("path, section, crumb", [
    ("/admin/songs/songrequest/queue/?wedding={w}", "DJ queue", "DJ queue"),
    ("/admin/photos/photo/waiting/?wedding={w}", "Moderation", "Waiting for approval"),
    ("/admin/dashboard/{w}/planners/", "Planners", "Planners"),
    ("/admin/dashboard/{w}/guests/", "Guest list", "Guest list"),
])
def test_planner_pages_share_the_menu_and_the_admins_breadcrumbs(planner_client, wedding, path, section, crumb):
    html = planner_client.get(path.format(w=wedding.pk)).content.decode()
    nav = re.search(r'<nav class="dash-nav".*?</nav>', html, re.S).group(0)
    assert re.search(rf'aria-current="page">{section}</a>', nav)
    for other in ("Dashboard", "DJ queue", "Moderation", "Planners"):
        assert f">{other}</a>" in nav
    trail = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', html, re.S).group(1)
    assert f'href="{reverse("admin:dashboard", args=[wedding.pk])}"' in trail
    assert f'<li aria-current="page">{crumb}</li>' in trail


def test_confirmation_pages_lead_back_to_their_list(planner_client, wedding):
    marta = factories.UserFactory(username="marta")
    wedding.planners.add(marta)
    html = planner_client.get(reverse("admin:dashboard-planner-remove", args=[wedding.pk, marta.pk])).content.decode()
    trail = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', html, re.S).group(1)
    assert f'<a href="{reverse("admin:dashboard-planners", args=[wedding.pk])}">Planners</a>' in trail


def test_the_chart_counts_answers_on_the_venues_day_not_utcs(wedding, event):
    """00:30 on 15 January in Madrid is 23:30 UTC on the 14th: the chart puts it on the 15th."""
    wedding.time_zone = "Europe/Madrid"
    wedding.rsvp_deadline = None
    wedding.save()
    answered = datetime.datetime(2027, 1, 14, 23, 30, tzinfo=datetime.UTC)
    response = factories.ResponseFactory(guest=factories.GuestFactory(household__wedding=wedding), event=event)
    type(response).objects.filter(pk=response.pk).update(responded_at=answered)
    chart = reads.rsvp_progress(wedding, invited=1)
    assert chart.first_day == datetime.date(2027, 1, 15)
