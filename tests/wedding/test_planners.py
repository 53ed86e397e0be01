"""Co-planners (invite by email, accept once, remove) and self-serve sign-up (wedding.core.services, dashboard.planners)."""

from __future__ import annotations

import datetime
import re
import threading
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from realtime.models import Change
from tests import factories
from tests.conftest import require_service
from wedding.core import services
from wedding.core.models import PlannerInvitation, Wedding

User = get_user_model()
STRONG = "correct-horse-battery-42"


def url(name, *args):
    return reverse(f"admin:{name}", args=args)


@pytest.fixture
def invite(planner_client, wedding, mailoutbox, django_capture_on_commit_callbacks):
    """Invite `email` from the planners page; returns the link mailed to it."""

    def send(email: str) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = planner_client.post(url("dashboard-planners", wedding.pk), {"email": email})
        assert response.status_code == 302, response.content.decode()[:500]
        body = mailoutbox[-1].body
        assert [a.lower() for a in mailoutbox[-1].to] == [email.lower()]
        return re.search(r"https?://\S+/admin/join/\S+/", body).group(0)

    return send


@pytest.fixture
def visitor(db) -> Client:
    """A second browser: `client` is the inviting planner's (planner_client)."""
    return Client()


def path_of(link: str) -> str:
    return link.split("testserver", 1)[1]


# --- inviting ------------------------------------------------------------------------------


def test_invitation_email_names_the_wedding_and_inviter(invite, mailoutbox, wedding):
    invite("marta@example.com")
    mail = mailoutbox[-1]
    assert wedding.name in mail.subject
    assert "Ana Planner invites you to plan Lucía & Marco" in mail.body
    assert "choose your password" in mail.body
    assert PlannerInvitation.objects.get().email == "marta@example.com"


def test_no_email_leaves_before_the_invitation_commits(planner_client, wedding, mailoutbox):
    planner_client.post(url("dashboard-planners", wedding.pk), {"email": "marta@example.com"})
    assert mailoutbox == []  # the test's transaction never commits


def test_a_new_planner_chooses_a_password_and_lands_on_the_dashboard(invite, visitor, wedding):
    link = invite("Marta@Example.COM")
    page = visitor.get(path_of(link))
    assert page.status_code == 200
    assert "Choose a password" in page.content.decode()
    response = visitor.post(
        path_of(link), {"first_name": "Marta", "last_name": "Gil", "password1": STRONG, "password2": STRONG}
    )
    assert response.status_code == 302 and response["Location"] == url("dashboard", wedding.pk)
    marta = User.objects.get(email="Marta@example.com")
    assert marta.is_staff and not marta.is_superuser and marta.check_password(STRONG)
    assert wedding.planners.filter(pk=marta.pk).exists()
    # Signed in, with a planner's access: the dashboard and the admin's guest list open.
    assert visitor.get(url("dashboard", wedding.pk)).status_code == 200
    assert visitor.get(reverse("admin:guests_guest_changelist")).status_code == 200
    assert Change.objects.filter(wedding=wedding, summary__contains="accepted the invitation").exists()


def test_the_link_works_once(invite, visitor):
    link = invite("marta@example.com")
    visitor.post(path_of(link), {"first_name": "Marta", "password1": STRONG, "password2": STRONG})
    visitor.logout()
    again = visitor.get(path_of(link))
    assert again.status_code == 410
    assert "already accepted" in again.content.decode()
    assert visitor.post(path_of(link), {"first_name": "X", "password1": STRONG, "password2": STRONG}).status_code == 410


def test_two_clicks_racing_accept_once(invite, wedding):
    invite("marta@example.com")
    invitation = PlannerInvitation.objects.get()
    first, second = factories.UserFactory(username="m1"), factories.UserFactory(username="m2")
    services.planner_invitation_accept(invitation=invitation, user=first)
    with pytest.raises(ValidationError, match="already accepted"):
        services.planner_invitation_accept(invitation=invitation, user=second)
    assert not wedding.planners.filter(pk=second.pk).exists()


def test_an_expired_link_says_so(invite, visitor):
    link = invite("marta@example.com")
    PlannerInvitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    page = visitor.get(path_of(link))
    assert page.status_code == 410
    assert "expired" in page.content.decode()
    assert not User.objects.filter(email="marta@example.com").exists()


def test_a_link_past_its_signed_age_is_expired(invite, visitor, monkeypatch):
    invite("marta@example.com")
    token = services.invitation_token(PlannerInvitation.objects.get())
    monkeypatch.setattr(services, "INVITE_TTL", datetime.timedelta(seconds=-1))
    assert services.invitation_for_token(token).state is services.LinkState.EXPIRED


def test_a_tampered_or_withdrawn_link_leads_nowhere(invite, visitor, planner_client, wedding):
    link = invite("marta@example.com")
    assert visitor.get(path_of(link).replace("/join/", "/join/x")).status_code == 404
    forged = signing.dumps(PlannerInvitation.objects.get().pk, salt="another-salt")
    assert visitor.get(url("planner-join", forged)).status_code == 404
    invitation = PlannerInvitation.objects.get()
    planner_client.post(url("dashboard-invitation-cancel", wedding.pk, invitation.pk))
    page = visitor.get(path_of(link))
    assert page.status_code == 404 and "withdrawn" in page.content.decode()


def test_a_new_invitation_replaces_the_pending_one(invite, visitor):
    old = invite("marta@example.com")
    new = invite("marta@example.com")
    assert PlannerInvitation.objects.count() == 1
    assert visitor.get(path_of(old)).status_code == 404
    assert visitor.get(path_of(new)).status_code == 200


def test_an_existing_account_accepts_with_its_password(invite, visitor, wedding, other_wedding):
    marta = factories.UserFactory(username="marta", email="marta@example.com")
    other_wedding.planners.add(marta)
    link = invite("marta@example.com")
    assert "already have a Confetti account" in visitor.get(path_of(link)).content.decode()
    wrong = visitor.post(path_of(link), {"password": "not-it"})
    assert wrong.status_code == 422 and "not the password" in wrong.content.decode()
    assert not wedding.planners.filter(pk=marta.pk).exists()
    assert visitor.post(path_of(link), {"password": "pass-for-tests-1"}).status_code == 302
    assert set(marta.planned_weddings.all()) == {wedding, other_wedding}


def test_a_signed_in_user_accepts_with_one_click(invite, visitor, wedding):
    link = invite("someone@example.com")
    lucia = factories.UserFactory(username="lucia", is_staff=False)
    visitor.force_login(lucia)
    assert "You are signed in as" in visitor.get(path_of(link)).content.decode()
    assert visitor.post(path_of(link)).status_code == 302
    lucia.refresh_from_db()
    assert lucia.is_staff and wedding.planners.filter(pk=lucia.pk).exists()


def test_bad_passwords_are_refused_and_nothing_is_created(invite, visitor):
    link = invite("marta@example.com")
    weak = visitor.post(path_of(link), {"first_name": "Marta", "password1": "12345678901", "password2": "12345678901"})
    assert weak.status_code == 422 and "entirely numeric" in weak.content.decode()
    differ = visitor.post(path_of(link), {"first_name": "Marta", "password1": STRONG, "password2": STRONG + "x"})
    assert differ.status_code == 422 and "The two passwords differ" in differ.content.decode()
    assert not User.objects.filter(email="marta@example.com").exists()
    assert PlannerInvitation.objects.get().accepted_at is None


def test_password_guessing_on_a_link_is_throttled(invite, visitor):
    factories.UserFactory(username="marta", email="marta@example.com")
    link = invite("marta@example.com")
    for _ in range(10):
        visitor.post(path_of(link), {"password": "guess"})
    last = visitor.post(path_of(link), {"password": "pass-for-tests-1"})
    assert last.status_code == 422 and "Too many attempts" in last.content.decode()


@pytest.mark.parametrize("email, message", [
    ("not-an-address", "Enter"),
    ("ana.planner@example.com", "already plans"),
])
def test_bad_invitations_are_refused_in_words(planner_client, wedding, email, message, mailoutbox):
    response = planner_client.post(url("dashboard-planners", wedding.pk), {"email": email})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert PlannerInvitation.objects.count() == 0 and mailoutbox == []


def test_only_the_weddings_planners_invite(client, wedding, other_wedding):
    outsider = other_wedding.planners.get()
    client.force_login(outsider)
    assert client.get(url("dashboard-planners", wedding.pk)).status_code == 404
    assert client.post(url("dashboard-planners", wedding.pk), {"email": "x@example.com"}).status_code == 404
    with pytest.raises(Exception, match="Only the wedding's planners"):
        services.planner_invite(wedding=wedding, email="x@example.com", invited_by=outsider, link_for=str)
    assert PlannerInvitation.objects.count() == 0


# --- removing ------------------------------------------------------------------------------


def test_a_planner_removes_a_co_planner(planner_client, wedding):
    marta = factories.UserFactory(username="marta")
    wedding.planners.add(marta)
    page = planner_client.get(url("dashboard-planner-remove", wedding.pk, marta.pk))
    assert "Remove marta from" in page.content.decode()
    response = planner_client.post(url("dashboard-planner-remove", wedding.pk, marta.pk), follow=True)
    assert "marta no longer plans lucía &amp; marco" in response.content.decode().lower()
    assert list(wedding.planners.all()) == [wedding.planners.get()]
    assert not wedding.is_planned_by(marta)


def test_the_last_planner_cannot_leave(planner_client, wedding, planner):
    response = planner_client.post(url("dashboard-planner-remove", wedding.pk, planner.pk))
    assert response.status_code == 422
    assert "needs at least one planner" in response.content.decode()
    assert wedding.is_planned_by(planner)


def test_a_planner_may_leave_when_another_stays(planner_client, wedding, planner):
    wedding.planners.add(factories.UserFactory(username="marta"))
    response = planner_client.post(url("dashboard-planner-remove", wedding.pk, planner.pk))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert not wedding.is_planned_by(planner)


def test_removing_someone_of_another_wedding_is_404(planner_client, wedding, other_wedding):
    stranger = other_wedding.planners.get()
    assert planner_client.post(url("dashboard-planner-remove", wedding.pk, stranger.pk)).status_code == 404
    assert planner_client.post(url("dashboard-planner-remove", other_wedding.pk, stranger.pk)).status_code == 404
    assert other_wedding.is_planned_by(stranger)


def test_the_team_list_is_a_live_region(planner_client, wedding):
    page = planner_client.get(url("dashboard-planners", wedding.pk)).content.decode()
    assert 'data-live-region="dash_planners"' in page
    assert "ana.planner@example.com" in page


# --- self-serve sign-up --------------------------------------------------------------------


SIGNUP = {
    "partner_a_name": "Carmen", "partner_b_name": "Iñaki", "date": "2027-06-12",
    "time_zone": "Europe/Madrid", "email": "carmen@example.com", "password1": STRONG, "password2": STRONG,
}


def test_signup_is_off_by_default(client, settings, db):
    assert settings.CONFETTI_SIGNUP is False
    assert client.get(url("planner-signup")).status_code == 404
    assert client.post(url("planner-signup"), SIGNUP).status_code == 404
    assert not User.objects.exists()


def test_a_couple_signs_up_and_lands_on_their_dashboard(client, settings, db):
    settings.CONFETTI_SIGNUP = True
    assert client.get(url("planner-signup")).status_code == 200
    response = client.post(url("planner-signup"), SIGNUP)
    wedding = Wedding.objects.get()
    assert response.status_code == 302 and response["Location"] == url("dashboard", wedding.pk)
    assert (wedding.name, wedding.slug, wedding.time_zone) == ("Carmen & Iñaki", "carmen-inaki", "Europe/Madrid")
    assert wedding.date == datetime.date(2027, 6, 12)
    carmen = wedding.planners.get()
    assert carmen.email == "carmen@example.com" and carmen.is_staff and not carmen.is_superuser
    dashboard = client.get(response["Location"])
    assert dashboard.status_code == 200 and "Carmen &amp; Iñaki" in dashboard.content.decode()
    assert client.get(reverse("admin:wedding_event_add")).status_code == 200


def test_signup_refuses_a_taken_address_and_keeps_nothing(client, settings, db):
    settings.CONFETTI_SIGNUP = True
    factories.UserFactory(username="carmen", email="Carmen@example.com")
    response = client.post(url("planner-signup"), SIGNUP)
    assert response.status_code == 422 and "already exists" in response.content.decode()
    assert not Wedding.objects.exists()


@pytest.mark.parametrize("value", ["Europe/Madrid", None, "Mars/<Olympus>"])
def test_the_time_zone_select_renders_as_djangos_own_select(value):
    from django import forms
    from django.test.html import parse_html

    from wedding.dashboard.planners import ZoneSelect, _zone_choices

    attrs = {"id": "id_time_zone", "aria-invalid": "true", "required": True}
    ours = ZoneSelect(choices=_zone_choices()).render("time_zone", value, attrs)
    assert parse_html(ours) == parse_html(forms.Select(choices=_zone_choices()).render("time_zone", value, attrs))
    assert ours.count(" selected") == (value == "Europe/Madrid")


def test_signup_form_errors_are_shown(client, settings, db):
    settings.CONFETTI_SIGNUP = True
    response = client.post(url("planner-signup"), {**SIGNUP, "time_zone": "Mars/Olympus", "date": "soon"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Select a valid choice" in body and "Enter a valid date" in body
    assert not User.objects.exists()


def test_second_wedding_with_the_same_names_gets_its_own_slug(client, settings, db):
    settings.CONFETTI_SIGNUP = True
    client.post(url("planner-signup"), SIGNUP)
    client.logout()
    client.post(url("planner-signup"), {**SIGNUP, "email": "other@example.com"})
    assert sorted(Wedding.objects.values_list("slug", flat=True)) == ["carmen-inaki", "carmen-inaki-2"]


def test_signup_is_throttled_per_address(client, settings, db):
    settings.CONFETTI_SIGNUP = True
    for n in range(5):
        client.post(url("planner-signup"), {**SIGNUP, "email": f"c{n}@example.com"})
        client.logout()
    response = client.post(url("planner-signup"), {**SIGNUP, "email": "late@example.com"})
    assert response.status_code == 429
    assert not User.objects.filter(email="late@example.com").exists()


# --- races (PostgreSQL: real row locks) ------------------------------------------------------


def _race(*calls) -> list[Exception]:
    """Run the calls in threads released together; the exceptions they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[Exception] = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_planners_removing_each_other_at_once_leave_one():
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    ana, bo = factories.UserFactory(username="ana"), factories.UserFactory(username="bo")
    wedding = factories.WeddingFactory(planners=[ana, bo])
    errors = _race(
        lambda: services.planner_remove(wedding=wedding, planner=bo, user=ana),
        lambda: services.planner_remove(wedding=wedding, planner=ana, user=bo),
    )
    assert wedding.planners.count() == 1
    assert len(errors) == 1 and isinstance(errors[0], (ValidationError, PermissionDenied))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_link_clicked_twice_at_once_is_accepted_once():
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    ana = factories.UserFactory(username="ana")
    wedding = factories.WeddingFactory(planners=[ana])
    invitation = services.planner_invite(wedding=wedding, email="m@example.com", invited_by=ana, link_for=str)
    first, second = factories.UserFactory(username="m1"), factories.UserFactory(username="m2")
    errors = _race(
        lambda: services.planner_invitation_accept(invitation=invitation, user=first),
        lambda: services.planner_invitation_accept(invitation=invitation, user=second),
    )
    assert len(errors) == 1 and "already accepted" in str(errors[0])
    assert wedding.planners.count() == 2


def test_the_login_page_offers_signup_only_when_open(client, settings, db):
    assert "Create your wedding" not in client.get(reverse("admin:login")).content.decode()
    settings.CONFETTI_SIGNUP = True
    page = client.get(reverse("admin:login")).content.decode()
    assert f'href="{url("planner-signup")}">Create your wedding' in page
    assert 'id="login-form"' in page  # still Django's login form


HOSTILE = ["", " ", "x" * 5000, "<script>alert(1)</script>", "\x00", "' OR 1=1 --", "🎉" * 300]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_gets_words_not_errors(invite, visitor, client, settings, value, planner_client, wedding):
    settings.CONFETTI_SIGNUP = True
    link = invite("marta@example.com")
    for path, fields in (
        (path_of(link), ["first_name", "last_name", "password1", "password2"]),
        (url("planner-signup"), list(SIGNUP)),
        (url("dashboard-planners", wedding.pk), ["email"]),
    ):
        for field in fields:
            data = {**SIGNUP, "first_name": "Marta", "password1": STRONG, "password2": STRONG, field: value}
            c = planner_client if "planners" in path else visitor
            response = c.post(path, data)
            assert response.status_code < 500, (path, field)
            if response.status_code == 302:
                visitor.logout()
    # (a "/" in it leaves the join route: the admin then asks to sign in)
    assert visitor.get(f"/admin/join/{quote(value or 'x', safe='')}/").status_code in (302, 404, 410)
