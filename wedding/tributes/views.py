"""The tributes page and a guest's remembrance form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guests.views import CONTRIBUTION_TOO_MANY as TOO_MANY
from guests.views import contribution_limited, guest_context, guest_required
from wedding.tributes import services
from wedding.tributes.forms import RemembranceForm
from wedding.tributes.models import Tribute

REMEMBRANCE_RATE = "10/h"


@guest_required
@require_http_methods(["GET"])
def tributes(request: HttpRequest) -> HttpResponse:
    return render(request, "tributes/tributes.html", guest_context(request))


@guest_required
@require_http_methods(["GET", "POST"])
def tribute_remember(request: HttpRequest, pk: int) -> HttpResponse:
    household = request.guest_household
    tribute = get_object_or_404(Tribute.objects.for_wedding(household.wedding), pk=pk, published=True)
    form = RemembranceForm(request.POST or None, initial={"author_name": household.name})
    if request.method == "POST" and contribution_limited(request, action="remembrance", rate=REMEMBRANCE_RATE):
        form.add_error(None, TOO_MANY)
    elif request.method == "POST" and form.is_valid():
        try:
            services.remembrance_add(tribute=tribute, household=household, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you. Your words will appear once the planners approve them."))
            return redirect("tributes:tributes")
    return render(request, "tributes/tribute_remember.html", guest_context(request, form=form, tribute=tribute))

