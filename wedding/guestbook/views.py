"""The guestbook page: sign it, read the wall."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guests.views import CONTRIBUTION_TOO_MANY as TOO_MANY
from guests.views import contribution_limited, guest_context, guest_required
from wedding.guestbook import services
from wedding.guestbook.forms import GuestbookForm

SIGN_RATE = "10/h"


@guest_required
@require_http_methods(["GET", "POST"])
def guestbook(request: HttpRequest) -> HttpResponse:
    household = request.guest_household
    form = GuestbookForm(request.POST or None, initial={"author_name": household.name})
    if request.method == "POST" and contribution_limited(request, action="guestbook", rate=SIGN_RATE):
        form.add_error(None, TOO_MANY)
    elif request.method == "POST" and form.is_valid():
        try:
            entry = services.guestbook_sign(wedding=household.wedding, household=household, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if entry.status == "approved":
                messages.success(request, _("Thank you for signing the guestbook!"))
            else:
                messages.success(request, _("Thank you! Your message will appear once it is approved."))
            return redirect("guestbook:guestbook")
    return render(request, "guestbook/guestbook.html", guest_context(request, form=form))

