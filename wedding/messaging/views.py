"""Guest-side messaging pages: the one-link unsubscribe (no login; RFC 8058 one-click too), confirm your
mailing address."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from guests.models import Household
from guests.views import guest_context, guest_required
from wedding.core.i18n import reading_as
from wedding.messaging import rendering, services
from wedding.messaging.forms import AddressForm

ONE_CLICK = ("List-Unsubscribe", "One-Click")  # RFC 8058 §3.1: the body a mail client POSTs


def _household(token: str) -> Household:
    household_id = rendering.household_for_unsubscribe_token(token)
    household = Household.objects.select_related("wedding").filter(pk=household_id).first() if household_id else None
    if household is None:
        raise Http404("This unsubscribe link is not valid.")
    return household


# The one deliberate CSRF exemption of a form-free POST (listed, with this reason, in
# tests/security/test_csrf_and_access.py): RFC 8058 one-click unsubscribe. A mail client
# (Gmail, Apple Mail…) POSTs `List-Unsubscribe=One-Click` to the List-Unsubscribe URL with no
# cookies and no CSRF token. That is safe here because the opt-out uses no ambient authority:
# no session, no login; the signed token in the URL is the only credential, it names one
# household and it can only opt that household out. Every other POST to this URL (the page's
# own button) is CSRF-checked as usual, by `_unsubscribe_page`.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The List-Unsubscribe URL: a one-click POST opts out at once; anything else is the page."""
    if request.method == "POST" and request.POST.get(ONE_CLICK[0]) == ONE_CLICK[1]:
        services.household_opt_out(household=_household(token))
        return HttpResponse("Unsubscribed.", content_type="text/plain; charset=utf-8")
    return _unsubscribe_page(request, token)


@csrf_protect
def _unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners must not opt anyone out); the page's button (POST) opts the household out."""
    household = _household(token)
    done = False
    if request.method == "POST":
        services.household_opt_out(household=household)
        done = True
    with reading_as(household.wedding, household):  # no session here: the link's household decides
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
            messages.success(request, _("Thank you! Your mailing address is saved."))
            return redirect("messaging:address")
    return render(request, "messaging/address.html", guest_context(request, form=form))
