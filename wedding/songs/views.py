"""The guest's song page: request a song, vote for the queue (with or without JavaScript)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from guests.views import CONTRIBUTION_TOO_MANY as TOO_MANY
from guests.views import contribution_limited, guest_context, guest_required
from wedding.songs import services
from wedding.songs.forms import SongRequestForm
from wedding.songs.live import household_votes
from wedding.songs.models import SongRequest, SongVote

RATES = {"song": "30/h", "vote": "120/m"}


def _too_many(request: HttpRequest, action: str) -> bool:
    return contribution_limited(request, action=action, rate=RATES[action])


def _first_error(exc: ValidationError) -> str:
    return exc.messages[0] if exc.messages else _("That did not work.")


@guest_required
@require_http_methods(["GET", "POST"])
def songs(request: HttpRequest) -> HttpResponse:
    household = request.guest_household
    form = SongRequestForm(request.POST or None, household=household)
    if request.method == "POST" and _too_many(request, "song"):
        form.add_error(None, TOO_MANY)
    elif request.method == "POST" and form.is_valid():
        try:
            result = services.song_request(
                wedding=household.wedding, household=household, guest=form.cleaned_data["guest"],
                title=form.cleaned_data["title"], artist=form.cleaned_data["artist"],
                dedication=form.cleaned_data["dedication"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if result.merged:
                messages.success(request, _("“%(song)s” was already requested — your vote was added.") % {"song": result.song})
            else:
                messages.success(request, _("Thanks! “%(song)s” is waiting for the DJ's approval.") % {"song": result.song})
            return redirect("songs:songs")
    guests = list(household.guests.all())
    # For the page without JavaScript: whose votes are whose (the live queue is shared).
    household_song_votes = list(
        SongVote.objects.filter(
            wedding_id=household.wedding_id, guest__household=household, song__status=SongRequest.Status.APPROVED
        ).select_related("song", "guest").order_by("guest__first_name", "guest_id", "song__title")
    )
    return render(
        request, "songs/songs.html",
        guest_context(request, form=form, voters=guests, household_song_votes=household_song_votes),
    )


def _wants_json(request: HttpRequest) -> bool:
    """songs.js asks for JSON (Accept); a browser posting a form itself prefers HTML."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


@guest_required
@require_POST
def song_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Vote (vote=1) or withdraw the vote (vote=0) of one guest of the household.

    songs.js asks for JSON and gets the new count and the household's votes; a
    plain form post (no JavaScript) is sent back to the songs page with a message.
    """
    household = request.guest_household
    as_json = _wants_json(request)

    def refuse(message: str, status: int) -> HttpResponse:
        if as_json:
            return JsonResponse({"error": message}, status=status)
        messages.error(request, message)
        return redirect("songs:songs")

    # Another wedding's song is simply not there.
    song = get_object_or_404(SongRequest.objects.for_wedding(household.wedding), pk=pk)
    if song.status != SongRequest.Status.APPROVED:
        return refuse(_("This song is not in the queue any more."), 404)
    try:
        guest = household.guests.get(pk=int(request.POST.get("guest", "")))
    except (ValueError, household.guests.model.DoesNotExist):
        return refuse(_("Choose who in your household is voting."), 400)
    wants_vote = request.POST.get("vote", "1") != "0"
    if _too_many(request, "vote"):
        return refuse(TOO_MANY, 429)
    try:
        if wants_vote:
            song = services.song_vote(song=song, guest=guest)
        else:
            song = services.song_unvote(song=song, guest=guest)
    except ValidationError as exc:
        return refuse(_first_error(exc), 400)
    if as_json:
        return JsonResponse(
            {"song": song.pk, "guest": guest.pk, "voted": wants_vote, "vote_count": song.vote_count,
             "votes": household_votes(household)}
        )
    if wants_vote:
        count = song.vote_count
        messages.success(request, ngettext(
            "%(guest)s's vote for “%(song)s” is counted (%(count)s vote).",
            "%(guest)s's vote for “%(song)s” is counted (%(count)s votes).", count,
        ) % {"guest": guest.full_name, "song": song, "count": count})
    else:
        messages.success(request, _("%(guest)s's vote for “%(song)s” is withdrawn.") % {"guest": guest.full_name, "song": song})
    return redirect("songs:songs")

