"""Answers to the couple's questions reach open pages live: the planner's reports and the household's own answers."""

from __future__ import annotations

import pytest

from rsvp import services
from rsvp.models import Question
from tests import factories
from tests.realtime.conftest import (
    frames,
    fresh_hub,
    household_cookie,
    html_of,
    open_socket,
    planner_cookie,
    run,
    version_of,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_hub")]
__all__ = ["fresh_hub"]  # the fixture, imported from the realtime tests


async def test_a_households_answers_reach_the_open_reports_and_its_own_page(wedding, planner, household, event):
    def setup():
        ana = factories.GuestFactory(household=household, first_name="Ana")
        factories.InvitationFactory(guest=ana, event=event)
        shuttle = factories.QuestionFactory(
            wedding=wedding, event=event, text="Shuttle from the hotel?", kind=Question.Kind.YES_NO,
        )
        return ana, shuttle

    ana, shuttle = await run(setup)
    version = await version_of(wedding)
    reports, _ = await open_socket(
        await run(lambda: planner_cookie(planner)), wedding.pk,
        regions_=[{"name": "dash_reports", "params": {"event": str(event.pk)}}], version=version,
    )
    own, _ = await open_socket(
        await run(lambda: household_cookie(household)), wedding.pk,
        regions_=[{"name": "guest_rsvp_answers", "params": {}}], version=version,
    )
    await frames(reports)
    await frames(own)

    await run(lambda: services.rsvp_submit(
        household=household, answers=[services.Answer(ana.pk, event.pk, "attending")],
        replies=[services.Reply(ana.pk, shuttle.pk, "yes")],
    ))

    planner_html = html_of(await frames(reports, expect=["Shuttle from the hotel?"]))
    assert "Shuttle from the hotel?" in planner_html and 'data-count="Yes">1<' in planner_html
    own_html = html_of(await frames(own, expect=["<em>Yes</em>"]))
    assert "Your answers to the couple's questions" in own_html and "<em>Yes</em>" in own_html

    # Only the answer changes (the attendance is the same): that alone updates both pages.
    await run(lambda: services.rsvp_submit(
        household=household, answers=[services.Answer(ana.pk, event.pk, "attending")],
        replies=[services.Reply(ana.pk, shuttle.pk, "no")],
    ))
    assert 'data-count="No">1<' in html_of(await frames(reports, expect=['data-count="No">1<']))
    assert "<em>No</em>" in html_of(await frames(own, expect=["<em>No</em>"]))

    # Declining the event takes the answer away, live too.
    await run(lambda: services.rsvp_submit(
        household=household, answers=[services.Answer(ana.pk, event.pk, "declined")],
    ))
    assert 'data-count="No">0<' in html_of(await frames(reports, expect=['data-count="No">0<']))
    await reports.disconnect()
    await own.disconnect()
