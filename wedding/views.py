"""Guest pages of the day itself: songs, photos, slideshow, guestbook, tributes.

Thin views: forms shape the input, `wedding.services` decides, live regions
(`wedding.regions`) render everything that changes while the page is open.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from guests.views import guest_context, guest_required  # the guest site's one entry check
from realtime.regions import Audience, Viewer
from realtime.views import live_page_context
from wedding import services
from wedding.forms import GuestbookForm, PhotoUploadForm, RemembranceForm, SongRequestForm
from wedding.models import SongRequest, SongVote, Tribute, Wedding
from wedding.photos import PhotoSizeLimitUploadHandler
from wedding.regions import household_votes


def _household_of(request: HttpRequest):
    """The entered household (unwrapped from the session's lazy object), or None."""
    household = getattr(request, "household", None)
    if not household:
        return None
    return getattr(household, "_wrapped", household)


# Per household: generous for a party, but a stuck phone or a script cannot flood the wall.
RATES = {"song": "30/h", "vote": "120/m", "photo": "60/h", "guestbook": "10/h", "remembrance": "10/h"}
TOO_MANY = "That is a lot in a short time — please wait a few minutes and try again."


def _too_many(request: HttpRequest, action: str) -> bool:
    return is_ratelimited(
        request, group=f"content-{action}", key=lambda _group, r: str(r.guest_household.pk),
        rate=RATES[action], increment=True,
    )


def _first_error(exc: ValidationError) -> str:
    return exc.messages[0] if exc.messages else "That did not work."


# --- songs --------------------------------------------------------------------------------


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
                messages.success(request, f"“{result.song}” was already requested — your vote was added.")
            else:
                messages.success(request, f"Thanks! “{result.song}” is waiting for the DJ's approval.")
            return redirect("content:songs")
    guests = list(household.guests.all())
    # For the page without JavaScript: whose votes are whose (the live queue is shared).
    household_song_votes = list(
        SongVote.objects.filter(
            wedding_id=household.wedding_id, guest__household=household, song__status=SongRequest.Status.APPROVED
        ).select_related("song", "guest").order_by("guest__first_name", "guest_id", "song__title")
    )
    return render(
        request, "wedding/songs.html",
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
        return redirect("content:songs")

    # Another wedding's song is simply not there.
    song = get_object_or_404(SongRequest.objects.for_wedding(household.wedding), pk=pk)
    if song.status != SongRequest.Status.APPROVED:
        return refuse("This song is not in the queue any more.", 404)
    try:
        guest = household.guests.get(pk=int(request.POST.get("guest", "")))
    except (ValueError, household.guests.model.DoesNotExist):
        return refuse("Choose who in your household is voting.", 400)
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
        messages.success(
            request, f"{guest.full_name}'s vote for “{song}” is counted ({count} vote{'' if count == 1 else 's'})."
        )
    else:
        messages.success(request, f"{guest.full_name}'s vote for “{song}” is withdrawn.")
    return redirect("content:songs")


# --- photos -------------------------------------------------------------------------------


@csrf_exempt  # only so the handler below goes in before the body is read; CSRF is checked just after
def photos(request: HttpRequest) -> HttpResponse:
    """The gallery and the upload form. A file past the size limit stops being stored as it arrives.

    Django's documented pattern: the upload handler must be installed before
    anything reads the body, and CsrfViewMiddleware reads it, hence the exempt
    outer view and the `csrf_protect` inner one.
    """
    request.upload_handlers.insert(0, PhotoSizeLimitUploadHandler(request))
    return _photos(request)


@csrf_protect
@guest_required
@require_http_methods(["GET", "POST"])
def _photos(request: HttpRequest) -> HttpResponse:
    household = request.guest_household
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and _too_many(request, "photo"):
        form.add_error(None, TOO_MANY)
    elif request.method == "POST" and form.is_valid():
        try:
            result = services.photo_upload(
                wedding=household.wedding, files=form.cleaned_data["photos"], household=household,
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            form.add_error("photos", exc)
        else:
            for _name, reason in result.refused:
                messages.error(request, f"Not uploaded: {reason}")
            if result.saved:
                count = len(result.saved)
                noun = "photo" if count == 1 else "photos"
                if household.wedding.photo_moderation:
                    messages.success(request, f"Thank you! {count} {noun} will appear once the couple's planners approve them.")
                else:
                    messages.success(request, f"Thank you! {count} {noun} added to the gallery.")
            return redirect("content:photos")
    return render(request, "wedding/photos.html", guest_context(request, form=form))


@require_http_methods(["GET"])
def slideshow(request: HttpRequest) -> HttpResponse:
    """Full-screen projector page: a guest household, or a planner with ?wedding=<id>."""
    wedding_id = request.GET.get("wedding")
    if wedding_id is not None and request.user.is_authenticated:
        try:
            wedding = Wedding.objects.for_planner(request.user).get(pk=int(wedding_id))
        except (ValueError, Wedding.DoesNotExist):
            raise Http404("No wedding you plan has this id.") from None
        viewer = Viewer(wedding=wedding, audience=Audience.PLANNER)
    else:
        household = _household_of(request)
        if household is None:
            if request.user.is_authenticated and Wedding.objects.for_planner(request.user).exists():
                raise PermissionDenied("Planners open the slideshow with ?wedding=<id>.")
            return redirect("/")
        viewer = Viewer(wedding=household.wedding, audience=Audience.HOUSEHOLD, household=household)
    return render(request, "wedding/slideshow.html", live_page_context(viewer))


# --- guestbook and tributes ---------------------------------------------------------------


@guest_required
@require_http_methods(["GET", "POST"])
def guestbook(request: HttpRequest) -> HttpResponse:
    household = request.guest_household
    form = GuestbookForm(request.POST or None, initial={"author_name": household.name})
    if request.method == "POST" and _too_many(request, "guestbook"):
        form.add_error(None, TOO_MANY)
    elif request.method == "POST" and form.is_valid():
        try:
            entry = services.guestbook_sign(wedding=household.wedding, household=household, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if entry.status == "approved":
                messages.success(request, "Thank you for signing the guestbook!")
            else:
                messages.success(request, "Thank you! Your message will appear once it is approved.")
            return redirect("content:guestbook")
    return render(request, "wedding/guestbook.html", guest_context(request, form=form))


@guest_required
@require_http_methods(["GET"])
def tributes(request: HttpRequest) -> HttpResponse:
    return render(request, "wedding/tributes.html", guest_context(request))


@guest_required
@require_http_methods(["GET", "POST"])
def tribute_remember(request: HttpRequest, pk: int) -> HttpResponse:
    household = request.guest_household
    tribute = get_object_or_404(Tribute.objects.for_wedding(household.wedding), pk=pk, published=True)
    form = RemembranceForm(request.POST or None, initial={"author_name": household.name})
    if request.method == "POST" and _too_many(request, "remembrance"):
        form.add_error(None, TOO_MANY)
    elif request.method == "POST" and form.is_valid():
        try:
            services.remembrance_add(tribute=tribute, household=household, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Thank you. Your words will appear once the planners approve them.")
            return redirect("content:tributes")
    return render(request, "wedding/tribute_remember.html", guest_context(request, form=form, tribute=tribute))
