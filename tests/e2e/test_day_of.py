"""The day itself in a real browser: slideshow, DJ queue and guestbook wall update live; votes work without JavaScript too."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests import factories
from wedding.core.models import Moderation
from wedding.photos.models import Photo
from wedding.songs import services
from wedding.songs.models import SongRequest, SongVote

pytestmark = pytest.mark.e2e

LIVE_WITHIN_MS = 2_000


def jpeg(color: str = "green") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="JPEG")
    return out.getvalue()


def wait_live(page) -> None:
    """The page's socket is up (so what follows is a push, not the first render)."""
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def upload_photo(page, name: str) -> None:
    page.goto("/photos/")
    page.locator("input[type=file][name=photos]").set_input_files(
        [{"name": name, "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    page.locator("#photo-upload-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Thank you!")


@pytest.fixture
def projector(new_page, login_planner, planner, wedding):
    """The planner's slideshow on the projector, live."""
    page = new_page()
    login_planner(page, planner)
    page.goto(f"/slideshow/?wedding={wedding.pk}")
    wait_live(page)
    return page


@pytest.fixture
def guest_page(new_page, enter_as_household, household):
    factories.GuestFactory(household=household, first_name="Lola")
    factories.GuestFactory(household=household, first_name="Pepe")
    page = new_page()
    enter_as_household(page, household)
    return page


def test_guest_photo_appears_on_the_open_slideshow(projector, guest_page, wedding, task_worker):
    wedding.photo_moderation = False
    wedding.save()
    upload_photo(guest_page, "first-dance.jpg")
    photo = Photo.objects.get(wedding=wedding)
    started = time.monotonic()
    expect(projector.locator(f'.slide.is-current[data-photo-id="{photo.pk}"] img')).to_be_visible(
        timeout=LIVE_WITHIN_MS
    )
    assert time.monotonic() - started < LIVE_WITHIN_MS / 1000 + 0.5


def test_moderated_photo_appears_on_the_slideshow_once_approved(
    projector, guest_page, new_page, login_planner, wedding, planner, task_worker
):
    assert wedding.photo_moderation  # the default
    approvals = new_page()
    login_planner(approvals, planner)
    approvals.goto("/admin/photos/photo/waiting/")
    wait_live(approvals)

    upload_photo(guest_page, "cake.jpg")
    photo = Photo.objects.get(wedding=wedding)
    assert photo.status == Moderation.PENDING
    # The planner's approval queue shows it live; the projector does not (yet).
    row = approvals.locator(f'tr.moderation-item[data-photo-id="{photo.pk}"]')
    expect(row).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(projector.locator(f'.slide[data-photo-id="{photo.pk}"]')).to_have_count(0)

    row.get_by_role("button", name="Approve").click()
    expect(projector.locator(f'.slide.is-current[data-photo-id="{photo.pk}"] img')).to_be_visible(
        timeout=LIVE_WITHIN_MS
    )
    assert Photo.objects.get(pk=photo.pk).status == Moderation.APPROVED
    expect(row).to_have_count(0)  # gone from the approval queue


def test_votes_reorder_the_dj_queue_live(new_page, login_planner, planner, wedding, guest_page):
    first = factories.SongRequestFactory(wedding=wedding, title="Bailando", status=SongRequest.Status.APPROVED)
    second = factories.SongRequestFactory(wedding=wedding, title="Vivir mi vida", status=SongRequest.Status.APPROVED)
    guest = factories.GuestFactory(wedding=wedding, household=factories.HouseholdFactory(wedding=wedding))
    services.song_vote(song=first, guest=guest)

    dj = new_page()
    login_planner(dj, planner)
    dj.goto("/admin/songs/songrequest/queue/")
    wait_live(dj)
    up_next = dj.locator("#live-dj_queue table.dj-songs").first.locator("tr.dj-song")
    expect(up_next.first).to_contain_text("Bailando")

    guest_page.goto("/songs/")
    wait_live(guest_page)
    button = guest_page.locator(f'[data-vote-button][data-song="{second.pk}"]')
    for voter in ("Lola", "Pepe"):
        guest_page.locator("select[data-voting-as]").select_option(label=f"{voter} Ruiz")
        button = guest_page.locator(f'[data-vote-button][data-song="{second.pk}"]')
        expect(button).to_have_attribute("aria-pressed", "false")
        button.click()
        # Optimistic: the new state shows at once, and the server confirms it.
        expect(button).to_have_attribute("aria-pressed", "true", timeout=LIVE_WITHIN_MS)
    expect(guest_page.locator(f'[data-vote-button][data-song="{second.pk}"] [data-vote-count]')).to_have_text("2")

    expect(up_next.first).to_contain_text("Vivir mi vida", timeout=LIVE_WITHIN_MS)
    expect(up_next.first.locator("[data-vote-count]")).to_have_text("2")
    assert SongRequest.objects.get(pk=second.pk).vote_count == 2

    # The DJ approves a new request: it shows in the guests' queue without a reload.
    waiting = factories.SongRequestFactory(wedding=wedding, title="La Bamba")
    row = dj.locator(f'tr.dj-song[data-song-id="{waiting.pk}"]')
    row.get_by_role("button", name="Approve").click()
    expect(guest_page.locator("#live-song_queue")).to_contain_text("La Bamba", timeout=LIVE_WITHIN_MS)


def test_guestbook_entry_appears_on_the_open_wall(new_page, enter_as_household, wedding, guest_page):
    reader = new_page()
    enter_as_household(reader, factories.HouseholdFactory(wedding=wedding, name="The Ortiz family"))
    reader.goto("/guestbook/")
    wait_live(reader)

    guest_page.goto("/guestbook/")
    guest_page.fill("textarea[name=message]", "Long live the couple! <b>bold</b>")
    guest_page.locator("#guestbook-form button[type=submit]").click()
    expect(guest_page.locator(".messages")).to_contain_text("Thank you for signing")

    wall = reader.locator("#live-guestbook_wall")
    # Markup a guest typed shows as text, also in the pushed fragment.
    expect(wall).to_contain_text("Long live the couple! <b>bold</b>", timeout=LIVE_WITHIN_MS)
    expect(wall.locator("b")).to_have_count(0)


def test_a_refused_vote_is_reverted_with_a_message(guest_page, wedding):
    song = factories.SongRequestFactory(wedding=wedding, title="Despacito", status=SongRequest.Status.APPROVED)
    guest_page.goto("/songs/")
    # The server refuses (as it would for a song the DJ just rejected), slowly enough to see the optimism.
    guest_page.route(
        f"**/songs/{song.pk}/vote/",
        lambda route: (guest_page.wait_for_timeout(300), route.fulfill(
            status=400, content_type="application/json", body='{"error": "This song is not in the queue any more."}'
        )),
    )
    button = guest_page.locator(f'[data-vote-button][data-song="{song.pk}"]')
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")  # shown at once
    expect(button.locator("[data-vote-count]")).to_have_text("1")
    expect(button).to_have_attribute("aria-pressed", "false")  # then reverted
    expect(button.locator("[data-vote-count]")).to_have_text("0")
    expect(guest_page.locator("[data-vote-status]")).to_have_text("This song is not in the queue any more.")
    assert SongRequest.objects.get(pk=song.pk).vote_count == 0


def test_a_vote_from_another_phone_of_the_household_shows_live(guest_page, new_page, enter_as_household, household, wedding):
    song = factories.SongRequestFactory(wedding=wedding, title="Sofia", status=SongRequest.Status.APPROVED)
    other_phone = new_page()
    enter_as_household(other_phone, household)
    other_phone.goto("/songs/")
    wait_live(other_phone)
    guest_page.goto("/songs/")
    guest_page.locator(f'[data-vote-button][data-song="{song.pk}"]').click()
    expect(guest_page.locator(f'[data-vote-button][data-song="{song.pk}"]')).to_have_attribute("aria-pressed", "true")
    mirrored = other_phone.locator(f'[data-vote-button][data-song="{song.pk}"]')
    expect(mirrored).to_have_attribute("aria-pressed", "true", timeout=LIVE_WITHIN_MS)
    expect(mirrored.locator("[data-vote-count]")).to_have_text("1")


def test_voting_works_without_javascript(new_page, enter_as_household, household, wedding):
    """The vote buttons are real form buttons: with scripting off the browser posts them."""
    factories.GuestFactory(household=household, first_name="Lola")
    factories.GuestFactory(household=household, first_name="Pepe")
    song = factories.SongRequestFactory(
        wedding=wedding, title="Bailando", artist="", status=SongRequest.Status.APPROVED
    )
    page = new_page(java_script_enabled=False)
    enter_as_household(page, household)
    page.goto("/songs/")
    page.get_by_label("Voting as").select_option(label="Pepe Ruiz")
    page.locator(f'[data-vote-button][data-song="{song.pk}"]').click()
    expect(page.locator(".messages")).to_contain_text("Pepe Ruiz's vote for “Bailando” is counted (1 vote).")
    expect(page.locator(f'[data-vote-button][data-song="{song.pk}"] [data-vote-count]')).to_have_text("1")
    assert SongVote.objects.filter(song=song, guest__first_name="Pepe").exists()

    page.get_by_role("button", name="Withdraw vote").click()
    expect(page.locator(".messages")).to_contain_text("Pepe Ruiz's vote for “Bailando” is withdrawn.")
    expect(page.locator(f'[data-vote-button][data-song="{song.pk}"] [data-vote-count]')).to_have_text("0")
    assert SongRequest.objects.get(pk=song.pk).vote_count == 0
