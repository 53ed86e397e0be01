"""The household RSVP: one form, a confirmation page, and change requests after the deadline."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guests.models import GuestRequest
from guests.services import guest_request_create
from guests.views import REQUESTS_TOO_MANY, guest_context, guest_required, request_allowed
from rsvp import services
from rsvp.forms import ChangeRequestForm, HouseholdRsvpForm


@guest_required
@require_http_methods(["GET", "POST"])
def rsvp(request: HttpRequest) -> HttpResponse:
    household = request.guest_household
    if not household.wedding.rsvp_open:
        # Read-only after the deadline: the answers (live) and a way to ask for a change.
        status = 403 if request.method == "POST" else 200
        if request.method == "POST":
            messages.error(request, _("The RSVP deadline has passed: please send the couple a change request."))
        return render(request, "rsvp/closed.html", guest_context(request, form=ChangeRequestForm()), status=status)
    form = HouseholdRsvpForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.rsvp_submit(
                household=household, answers=form.answers(), dietary=form.dietary(),
                plus_ones=form.plus_ones(), remove_plus_ones=form.removed_plus_ones(),
                note=form.message(), replies=form.replies(), song=form.song(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you! Your answers are saved."))
            if form.cleaned_data["send_copy"]:
                _copy_requested(request, household, form.cleaned_data["email"])
            return redirect("rsvp:done")
    status = 400 if request.method == "POST" else 200
    return render(request, "rsvp/rsvp.html", guest_context(request, form=form), status=status)


COPY_MESSAGES = {
    services.CopyOutcome.SENT: (messages.INFO, gettext_lazy("A copy of your answers is on its way to {to}.")),
    services.CopyOutcome.CONFIRM: (
        messages.INFO,
        gettext_lazy("We sent a link to {to}: confirm the address there and the copy of your answers follows."),
    ),
    services.CopyOutcome.THROTTLED: (
        messages.WARNING, gettext_lazy("We have sent several copies already; please try again in an hour."),
    ),
}


def _copy_requested(request: HttpRequest, household, to: str) -> None:
    outcome = services.rsvp_copy_request(
        household=household, to=to,
        link_for=lambda token: request.build_absolute_uri(reverse("rsvp:copy_confirm", args=[token])),
    )
    level, text = COPY_MESSAGES[outcome]
    messages.add_message(request, level, text.format(to=to))


@require_http_methods(["GET"])
def copy_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """/rsvp/copy/<token>/ — the owner of a new address confirms it; the copy is sent there once."""
    if services.rsvp_copy_confirm(token=token):
        return render(request, "rsvp/copy_confirmed.html", {})
    return render(request, "rsvp/copy_confirmed.html", {"expired": True}, status=404)


@guest_required
def done(request: HttpRequest) -> HttpResponse:
    return render(request, "rsvp/done.html", guest_context(request, rsvp_open=request.guest_household.wedding.rsvp_open))


@guest_required
@require_POST
def change_request(request: HttpRequest) -> HttpResponse:
    """After the deadline: ask the planners to change an answer (a guest request of kind “change”)."""
    household = request.guest_household
    form = ChangeRequestForm(request.POST)
    if form.is_valid() and not request_allowed(household):
        form.add_error(None, REQUESTS_TOO_MANY)
        return render(request, "rsvp/closed.html", guest_context(request, form=form), status=429)
    if form.is_valid():
        try:
            guest_request_create(household=household, kind=GuestRequest.Kind.CHANGE, message=form.cleaned_data["message"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your change request was sent to the couple. Follow its status on Requests."))
            return redirect("guests:requests")
    return render(request, "rsvp/closed.html", guest_context(request, form=form), status=400)
