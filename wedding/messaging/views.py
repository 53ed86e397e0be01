"""Guest-side messaging pages: the one-link unsubscribe (no login), confirm your mailing address."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from guests.models import Household
from guests.views import guest_context, guest_required
from wedding.messaging import rendering, services
from wedding.messaging.forms import AddressForm


# Not RFC 8058 one-click (a POST without a CSRF token, which this product refuses everywhere):
# the List-Unsubscribe link opens this page, and one button confirms. The signed token in the
# URL is the only credential needed, and it can only opt out.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners must not opt anyone out); POST opts the household out."""
    household_id = rendering.household_for_unsubscribe_token(token)
    household = Household.objects.select_related("wedding").filter(pk=household_id).first() if household_id else None
    if household is None:
        raise Http404("This unsubscribe link is not valid.")
    done = False
    if request.method == "POST":
        services.household_opt_out(household=household)
        done = True
    return render(request, "messaging/unsubscribe.html", {"household": household, "done": done})


@guest_required
@require_http_methods(["GET", "POST"])
def mailing_address(request: HttpRequest) -> HttpResponse:
    """The household confirms where its paper invitation goes (entered by its link or code)."""
    household = request.guest_household
    form = AddressForm(request.POST or None, initial={"address": household.address})
    if request.method == "POST" and form.is_valid():
        try:
            services.household_address_confirm(household=household, address=form.cleaned_data["address"])
        except ValidationError as error:
            form.add_error("address", error)
        else:
            messages.success(request, "Thank you! Your mailing address is saved.")
            return redirect("messaging:address")
    return render(request, "messaging/address.html", guest_context(request, form=form))
