"""The gallery with its upload form, and the projector's slideshow."""

from __future__ import annotations

import mimetypes

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from guests.views import CONTRIBUTION_TOO_MANY as TOO_MANY
from guests.views import contribution_limited, guest_context, guest_required, household_of
from realtime.live import Audience, Viewer, live_page_context
from wedding.core.models import Wedding
from wedding.photos import services
from wedding.photos.forms import PhotoUploadForm
from wedding.photos.images import PhotoSizeLimitUploadHandler
from wedding.photos.models import Photo

UPLOAD_RATE = "60/h"


@csrf_exempt  # only so the handler below goes in before the body is read; CSRF is checked just after
@transaction.non_atomic_requests  # async: the transaction ATOMIC_REQUESTS would give is _photos' own
async def photos(request: HttpRequest) -> HttpResponse:
    """The gallery and the upload form. A file past the size limit stops being stored as it arrives.

    Django's documented pattern: the upload handler must be installed before
    anything reads the body, and CsrfViewMiddleware reads it, hence the exempt
    outer view and the `csrf_protect` inner one.

    Async so the multipart parse of an upload (most of its cost: about 0.2 s of
    CPU for a 5 MB photo) runs in a pool thread, not in the process's one thread
    for sync code where every page view runs: a hundred guests uploading at once
    do not queue the other pages behind them. Everything that touches the
    database (CSRF, the guest, the service) stays in the usual sync view.
    """
    request.upload_handlers.insert(0, PhotoSizeLimitUploadHandler(request))
    if request.method == "POST":
        await sync_to_async(_body_parse, thread_sensitive=False)(request)
    return await sync_to_async(_photos)(request)


def _body_parse(request: HttpRequest) -> None:
    """Parse the form and its files now (no database: only the upload handlers above run)."""
    request.POST  # noqa: B018  (parses request.FILES too)


@transaction.atomic  # as ATOMIC_REQUESTS does for sync views
@csrf_protect
@guest_required
@require_http_methods(["GET", "POST"])
def _photos(request: HttpRequest) -> HttpResponse:
    household = request.guest_household
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and contribution_limited(request, action="photo", rate=UPLOAD_RATE):
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
                messages.error(request, _("Not uploaded: %(reason)s") % {"reason": reason})
            if result.saved:
                count = len(result.saved)
                if household.wedding.photo_moderation:
                    messages.success(request, ngettext(
                        "Thank you! %(count)s photo will appear once the couple's planners approve it.",
                        "Thank you! %(count)s photos will appear once the couple's planners approve them.", count,
                    ) % {"count": count})
                else:
                    messages.success(request, ngettext(
                        "Thank you! %(count)s photo will be in the gallery in a moment.",
                        "Thank you! %(count)s photos will be in the gallery in a moment.", count,
                    ) % {"count": count})
            return redirect("photos:photos")
    return render(request, "photos/photos.html", guest_context(request, form=form))


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
        household = household_of(request)
        if household is None:
            if request.user.is_authenticated and Wedding.objects.for_planner(request.user).exists():
                raise PermissionDenied("Planners open the slideshow with ?wedding=<id>.")
            return redirect("/")
        viewer = Viewer(wedding=household.wedding, audience=Audience.HOUSEHOLD, household=household)
    return render(request, "photos/slideshow.html", live_page_context(viewer))



@require_http_methods(["GET", "HEAD"])
def photo_file(request: HttpRequest, name: str) -> HttpResponse:
    """A photo's image or thumbnail, for whoever may see the photo now (else 404, as if it never was).

    The name must be one a photo row stores, so no path outside the photos
    can be asked for. Approved photos: the wedding's households and its
    planners. Waiting or hidden ones: its planners only. A deleted photo has
    no row: 404.
    """
    photo = Photo.objects.filter(Q(image=name) | Q(thumbnail=name)).first()
    if photo is None or not services.photo_viewable(photo=photo, household=household_of(request), user=request.user):
        raise Http404("No such photo.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if settings.PHOTO_ACCEL_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PHOTO_ACCEL_PREFIX.rstrip("/") + "/" + name
    else:
        try:
            response = FileResponse(photo.image.storage.open(name, "rb"), content_type=content_type)
        except FileNotFoundError:
            raise Http404("No such photo.") from None
    # Never cached by shared caches, and revalidated, so hiding a photo takes effect at once.
    response["Cache-Control"] = "private, no-cache"
    return response
