"""Guest site: entry (link, code, name lookup), home, directory, who's who, requests.

Thin views: forms shape input, `guests.services` decides, live regions
(`guests.regions`, `rsvp.regions`, `seating.regions`) render everything
that may change while the page is open.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from guests import services
from guests.forms import (
    CodeForm,
    DirectoryForm,
    DirectorySearchForm,
    GuestRequestForm,
    NameForm,
    SecondQuestionForm,
)
from guests.live import household_guests
from guests.models import GuestRequest, Household
from guests.session import household_login, household_logout
from guests.signals import invitation_link_followed
from realtime.live import Audience, Viewer, close_sockets_after_commit, live_page_context
from wedding.core.i18n import reading_as, supported_language
from wedding.core.redirects import safe_next
from wedding.core.throttle import throttle_exceeded, throttle_hit
from wedding.proxy import client_address

# Wrong codes, look-up answers and link requests per client address: a burst limit and a
# sustained one, as (limit, seconds). Past them a wrong guess is answered 429; a right code or
# answer still enters (a venue's shared Wi-Fi must not lock real guests out).
WRONG_LIMITS = ((10, 60), (60, 3600))
# Every entry attempt per address, right or wrong: bounds how fast an address past WRONG_LIMITS
# can still try codes, since a right one enters.
ATTEMPTS_PER_HOUR = 300
NOT_FOUND = gettext_lazy(
    "We couldn't find an invitation with those details. Check the spelling, "
    "or use the code printed on your invitation."
)
TOO_MANY = gettext_lazy(
    "Too many attempts from your connection. Please wait a few minutes and try again, "
    "or use the link on your invitation."
)


def _attempt_allowed(request: HttpRequest) -> bool:
    """Count one entry attempt of this address (atomically); False past ATTEMPTS_PER_HOUR."""
    return throttle_hit(scope="entry-attempt", subject=client_address(request), limit=ATTEMPTS_PER_HOUR, window=3600)


def _count_wrong(request: HttpRequest) -> bool:
    """Count one wrong guess of this address (atomically); True when it is past a limit."""
    address = client_address(request)
    over = [
        not throttle_hit(scope=f"entry-wrong-{window}", subject=address, limit=limit, window=window)
        for limit, window in WRONG_LIMITS
    ]
    return any(over)


def _guessing(request: HttpRequest) -> bool:
    """Whether this address is already past a wrong-guess limit (read only)."""
    address = client_address(request)
    return any(
        throttle_exceeded(scope=f"entry-wrong-{window}", subject=address, limit=limit, window=window)
        for limit, window in WRONG_LIMITS
    )


def household_of(request: HttpRequest):
    """The entered household (unwrapped from the session's lazy object), or None."""
    household = getattr(request, "household", None)
    if not household:
        return None
    return getattr(household, "_wrapped", household)


def guest_required(view: Callable) -> Callable:
    """Guest pages need a household session; without one, back to the entry page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        household = household_of(request)
        if household is None:
            return redirect("guests:entry")
        request.guest_household = household
        # Language and time zone: wedding.core.i18n.WeddingLocaleMiddleware has activated them.
        return view(request, *args, **kwargs)

    return wrapper


CONTRIBUTION_TOO_MANY = gettext_lazy("That is a lot in a short time — please wait a few minutes and try again.")


def contribution_limited(request: HttpRequest, *, action: str, rate: str) -> bool:
    """Count one contribution (song, vote, photo, …) of the entered household against `rate`.

    Per household: generous for a party, but a stuck phone or a script cannot flood the wall.
    """
    return is_ratelimited(
        request, group=f"content-{action}", key=lambda _group, r: str(r.guest_household.pk),
        rate=rate, increment=True,
    )


# Requests to the planners (guest requests and change requests together) per household an hour.
REQUESTS_PER_HOUR = 10
REQUESTS_TOO_MANY = gettext_lazy(
    "You have sent the couple several requests already; please wait an hour before sending more."
)


def request_allowed(household) -> bool:
    """Count one request of the household to the planners (atomically); False past REQUESTS_PER_HOUR."""
    return throttle_hit(scope="guest-request", subject=str(household.pk), limit=REQUESTS_PER_HOUR, window=3600)


def guest_context(request: HttpRequest, **extra) -> dict:
    """What every guest page's template needs: the live viewer, the household, the nav."""
    household = request.guest_household
    viewer = Viewer(wedding=household.wedding, audience=Audience.HOUSEHOLD, household=household)
    # A read (GET) has read its household and wedding, with the version, as it began
    # (GuestSessionMiddleware) and wrote nothing since: no second read. A POST may have
    # changed them: read again.
    read_now = request.method not in ("GET", "HEAD")
    return {**live_page_context(viewer, read_now=read_now), "household": household, **extra}


def _too_many(request: HttpRequest, **context) -> HttpResponse:
    response = render(
        request, "guests/entry.html",
        {"code_form": CodeForm(), "name_form": NameForm(), "error": TOO_MANY, **context}, status=429,
    )
    response["Retry-After"] = "60"
    return response


def _enter(request: HttpRequest, household) -> HttpResponse:
    household_login(request=request, household=household)
    with reading_as(household.wedding, household):  # still a visitor's request: the household's language
        messages.success(request, _("Welcome, %(names)s!") % {"names": household.greeting_name})
    return redirect("guests:home")


def _asks_before_switching(request: HttpRequest, household) -> bool:
    """A link (a GET anyone can make a browser follow, even from another site) never
    switches a visitor signed into another household: they are asked, and only
    their POST, which CSRF protection keeps same-site, switches."""
    current = household_of(request)
    return request.method == "GET" and current is not None and current.pk != household.pk


def _switch_page(request: HttpRequest, household) -> HttpResponse:
    return render(request, "guests/switch.html", {"current": household_of(request), "other": household})


# --- entry ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest) -> HttpResponse:
    """The front door: type the code, or look yourself up by name."""
    if request.method == "GET" and household_of(request) is not None:
        return redirect("guests:home")
    code_form = CodeForm(request.POST or None)
    if request.method == "POST":
        if not _attempt_allowed(request):
            return _too_many(request)
        if code_form.is_valid():
            household = services.household_for_code(code=code_form.cleaned_data["code"])
            if household is not None:
                return _enter(request, household)
            if _count_wrong(request):
                return _too_many(request)
            code_form.add_error("code", _("That code doesn't match an invitation. Check it and try again."))
    return render(request, "guests/entry.html", {"code_form": code_form, "name_form": NameForm()})


@require_http_methods(["GET", "POST"])
def invitation_link(request: HttpRequest, code: str) -> HttpResponse:
    """/i/<code>/ — the link printed on (or emailed with) the invitation."""
    if not _attempt_allowed(request):
        return _too_many(request)
    household = services.household_for_code(code=code)
    if household is None:
        if _count_wrong(request):
            return _too_many(request)
        return render(
            request, "guests/entry.html",
            {"code_form": CodeForm(), "name_form": NameForm(),
             "error": _("That invitation link doesn't work. Type the code from your invitation instead.")},
            status=404,
        )
    invitation_link_followed.send(sender=Household, household=household)
    if _asks_before_switching(request, household):
        return _switch_page(request, household)
    return _enter(request, household)


@require_http_methods(["GET", "POST"])
def signin_link(request: HttpRequest, token: str) -> HttpResponse:
    """/signin/<token>/ — the one-time link mailed by the name look-up; spent when it signs in."""
    household = services.household_for_signin_token(token=token, spend=False)
    if household is not None and _asks_before_switching(request, household):
        return _switch_page(request, household)
    household = services.household_for_signin_token(token=token, spend=True)
    if household is None:
        return render(
            request, "guests/entry.html",
            {"code_form": CodeForm(), "name_form": NameForm(),
             "error": _("That sign-in link has expired or was already used. Ask for a new one, or use your code.")},
            status=404,
        )
    return _enter(request, household)


LINK_SENT = gettext_lazy(
    "If we found your invitation and have an email address for it, we have sent a sign-in link there. "
    "It works once, within 30 minutes."
)


def _send_link(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST)
    if not form.is_valid():
        return render(request, "guests/find.html", {"form": form, "step": "name"})
    if _count_wrong(request):  # a link request costs like a wrong guess: one address cannot mail the list
        return _too_many(request)
    services.signin_link_send(
        **form.cleaned_data,
        link_for=lambda token: request.build_absolute_uri(reverse("guests:signin", args=[token])),
    )
    return render(request, "guests/find.html", {"form": NameForm(), "step": "name", "notice": LINK_SENT})


@require_http_methods(["GET", "POST"])
def find(request: HttpRequest) -> HttpResponse:
    """Name look-up in two steps. The second question is always asked, and a
    wrong name and a wrong answer get the same message: the page never says
    whether a name is on the guest list."""
    if request.method == "GET":
        return render(request, "guests/find.html", {"form": NameForm(), "step": "name"})
    if not _attempt_allowed(request):
        return _too_many(request)
    if "answer" not in request.POST and _guessing(request):
        return _too_many(request)  # asking for a link or starting over: nothing a right answer needs
    if "send_link" in request.POST:
        return _send_link(request)
    if "answer" not in request.POST:
        form = NameForm(request.POST)
        if not form.is_valid():
            return render(request, "guests/find.html", {"form": form, "step": "name"})
        second = SecondQuestionForm(initial=form.cleaned_data)
        return render(request, "guests/find.html", {"form": second, "step": "answer", "name": form.cleaned_data})
    form = SecondQuestionForm(request.POST)
    if not form.is_valid():
        return render(request, "guests/find.html", {"form": form, "step": "answer",
                                                   "name": {k: request.POST.get(k, "") for k in ("first_name", "last_name")}})
    household = services.household_lookup(**form.cleaned_data)
    if household is not None:
        return _enter(request, household)
    if _count_wrong(request):
        return _too_many(request)
    return render(
        request, "guests/find.html",
        {"form": NameForm(initial=form.cleaned_data), "step": "name", "error": NOT_FOUND},
        status=200,
    )


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The guest chrome's language switch (a plain form: works without JavaScript).

    A signed-in household keeps the choice (every device, every email to it); any
    visitor also gets Django's language cookie, so the entry page follows too.
    """
    language = supported_language(request.POST.get("language"))
    back = safe_next(request, request.POST.get("next"), fallback=reverse("guests:entry"))
    if language is None:
        messages.error(request, _("That language is not available."))
        return redirect(back)
    household = household_of(request)
    if household is not None:
        services.household_language_set(household=household, language=language)
    response = redirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
        samesite="Lax", secure=request.is_secure(), httponly=True,
    )
    return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    session_key = request.session.session_key
    household_logout(request=request)
    if session_key:
        # This browser's open live pages stop receiving the household's data (DESIGN §4.10).
        close_sockets_after_commit(session_key=session_key)
    messages.info(request, _("You have signed out. Your invitation link or code lets you back in."))
    return redirect("guests:entry")


# --- pages -------------------------------------------------------------------------------------


@guest_required
def home(request: HttpRequest) -> HttpResponse:
    household = request.guest_household
    context = guest_context(request, rsvp_open=household.wedding.rsvp_open)
    household_guests(context["live_viewer"])  # read once: the greeting and the regions share them
    return render(request, "guests/home.html", context)


@guest_required
@require_http_methods(["GET", "POST"])
def directory(request: HttpRequest) -> HttpResponse:
    household = request.guest_household
    search = DirectorySearchForm(request.GET)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if request.htmx and request.method == "GET" and not request.htmx.history_restore_request:
        # As-you-type search (htmx): the results alone; without JavaScript the form reloads the page.
        response = render(request, "guests/directory.html#results", guest_context(request, q=q))
        patch_vary_headers(response, ["HX-Request"])
        return response
    initial = {"listed": [g.pk for g in household.guests.all() if g.directory_opt_in]}
    form = DirectoryForm(request.POST or None, household=household, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.directory_opt_in_set(household=household, guest_ids=[g.pk for g in form.cleaned_data["listed"]])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your directory listing is saved."))
            return redirect("guests:directory")
    return render(request, "guests/directory.html", guest_context(request, form=form, search=search, q=q))


@guest_required
def whos_who(request: HttpRequest) -> HttpResponse:
    return render(request, "guests/whos_who.html", guest_context(request))


@guest_required
@require_http_methods(["GET", "POST"])
def requests_page(request: HttpRequest) -> HttpResponse:
    household = request.guest_household
    kind = request.GET.get("kind")
    initial = {"kind": kind} if kind in GuestRequest.Kind.values else {}
    form = GuestRequestForm(request.POST or None, household=household, initial=initial)
    if request.method == "POST" and form.is_valid() and not request_allowed(household):
        form.add_error(None, REQUESTS_TOO_MANY)
        return render(request, "guests/requests.html", guest_context(request, form=form), status=429)
    if request.method == "POST" and form.is_valid():
        try:
            services.guest_request_create(household=household, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your request was sent. Its status updates here by itself."))
            return redirect("guests:requests")
    status = 400 if request.method == "POST" else 200
    return render(request, "guests/requests.html", guest_context(request, form=form), status=status)
