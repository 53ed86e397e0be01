"""The household RSVP: one form, a confirmation page, and change requests after the deadline."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from guests.models import GuestRequest
from guests.services import guest_request_create
from guests.views import guest_context, guest_required
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
            messages.error(request, "The RSVP deadline has passed: please send the couple a change request.")
        return render(request, "rsvp/closed.html", guest_context(request, form=ChangeRequestForm()), status=status)
    form = HouseholdRsvpForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.rsvp_submit(
                household=household, answers=form.answers(), dietary=form.dietary(),
                plus_ones=form.plus_ones(), remove_plus_ones=form.removed_plus_ones(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if form.cleaned_data["send_copy"]:
                to = form.cleaned_data["email"]
                # After commit: never email answers that were rolled back.
                transaction.on_commit(lambda: services.rsvp_confirmation_send(household=household, to=to))
            messages.success(request, "Thank you! Your answers are saved.")
            return redirect("rsvp:done")
    status = 400 if request.method == "POST" else 200
    return render(request, "rsvp/rsvp.html", guest_context(request, form=form), status=status)


@guest_required
def done(request: HttpRequest) -> HttpResponse:
    return render(request, "rsvp/done.html", guest_context(request, rsvp_open=request.guest_household.wedding.rsvp_open))


@guest_required
@require_POST
def change_request(request: HttpRequest) -> HttpResponse:
    """After the deadline: ask the planners to change an answer (a guest request of kind “change”)."""
    household = request.guest_household
    form = ChangeRequestForm(request.POST)
    if form.is_valid():
        try:
            guest_request_create(household=household, kind=GuestRequest.Kind.CHANGE, message=form.cleaned_data["message"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your change request was sent to the couple. Follow its status on Requests.")
            return redirect("guests:requests")
    return render(request, "rsvp/closed.html", guest_context(request, form=form), status=400)
