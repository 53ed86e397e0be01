"""Languages and time zones of a wedding: who reads which language, in which zone.

- The couple picks the wedding's default language (`Wedding.language`); a household
  may choose another (`Household.language`, blank: the wedding's). Guest pages,
  live regions and guest emails use `guest_language()`.
- Couple-written content (pages, FAQ, events, meals) is written in the wedding's
  default language in the model's own fields; other languages live in the row's
  `translations` JSON (`{"es": {"name": "…"}}`) and fall back to the main text
  (`translated()`, the `|translated:"field"` template filter).
- Times are stored in UTC and shown in the wedding's zone: `WeddingLocaleMiddleware`
  activates the zone (and the language) for guest and planner requests alike.

Confetti keeps its own small mechanism instead of django-modeltranslation: that
library declares no Django 6 support yet, and it adds a column per language and
field to other apps' models; one JSON field per translated model is enough here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.admin.utils import unquote
from django.db import models
from django.utils import timezone, translation

# The wedding a planner last opened (its id, checked against the weddings they plan on every
# use): a cookie, not the session, so remembering it never costs a page a database write.
PLANNER_WEDDING_COOKIE = "confetti_planner_wedding"


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def supported_language(code: str | None) -> str | None:
    """`code` if the site speaks it (exactly or by its base language, "es-mx" → "es"), else None."""
    if not code:
        return None
    codes = language_codes()
    if code in codes:
        return code
    base = code.split("-")[0].lower()
    return base if base in codes else None


def wedding_language(wedding: Any) -> str:
    return supported_language(getattr(wedding, "language", None)) or settings.LANGUAGE_CODE


def guest_language(wedding: Any, household: Any = None) -> str:
    """The language a household reads (its own choice, else the wedding's default)."""
    chosen = supported_language(getattr(household, "language", None)) if household is not None else None
    return chosen or wedding_language(wedding)


@contextmanager
def reading_as(wedding: Any, household: Any = None) -> Iterator[str]:
    """Render (an email, a fragment) as the household reads: its language, the wedding's zone."""
    language = guest_language(wedding, household)
    with translation.override(language), timezone.override(wedding.time_zone):
        yield language


def translated(obj: Any, field: str, language: str | None = None) -> Any:
    """`obj.<field>` in `language` (default: the active one), falling back to the main text.

    The main text is the one written in the wedding's default language; an empty
    or missing translation never hides it.
    """
    value = getattr(obj, field)
    language = supported_language(language or translation.get_language())
    translations = getattr(obj, "translations", None)
    if not language or not isinstance(translations, dict):
        return value
    text = (translations.get(language) or {}).get(field)
    return text if isinstance(text, str) and text.strip() else value


# --- the request: language and time zone ------------------------------------------------------


def _planned(request) -> models.QuerySet:
    from wedding.core.models import Wedding

    return Wedding.objects.for_planner(request.user)


def _planner_wedding(request, view_func, view_kwargs: dict) -> Any:
    """The wedding a planner is working on: the page's (dashboard URL, ?wedding=, the object
    being edited), else the one they last worked on, else their only one."""
    from wedding.core.models import Wedding

    planned = _planned(request)
    wanted = view_kwargs.get("wedding_id") or request.GET.get("wedding")
    if not wanted:
        wanted = request.GET.get("wedding__id__exact")  # the admin's list filter
    wedding = None
    if wanted:
        try:
            wedding = planned.filter(pk=int(wanted)).first()
        except (TypeError, ValueError, OverflowError):  # not an id: the page itself answers
            wedding = None
    model_admin = getattr(view_func, "model_admin", None)
    if wedding is None and model_admin is not None and view_kwargs.get("object_id"):
        obj = model_admin.get_object(request, unquote(view_kwargs["object_id"]))
        if isinstance(obj, Wedding):
            wedding = obj
        elif obj is not None and getattr(obj, "wedding_id", None):
            wedding = planned.filter(pk=obj.wedding_id).first()
    remembered = request.COOKIES.get(PLANNER_WEDDING_COOKIE, "")
    if wedding is not None:
        if remembered != str(wedding.pk):
            request._confetti_remember_wedding = wedding.pk  # set on the response
        return wedding
    if remembered.isdigit() and len(remembered) < 19:
        wedding = planned.filter(pk=int(remembered)).first()
        if wedding is not None:
            return wedding
    only = list(planned[:2])
    return only[0] if len(only) == 1 else None


def _public_wedding(request, view_kwargs: dict) -> Any:
    """The wedding a page of the wedding site (/w/<slug>/…) is about, from its URL."""
    from wedding.core.models import Wedding

    match = getattr(request, "resolver_match", None)
    slug = view_kwargs.get("slug")
    if match is None or match.namespace != "site" or not isinstance(slug, str):
        return None
    return Wedding.objects.filter(slug=slug).only("pk", "language", "time_zone").first()


class WeddingLocaleMiddleware:
    """Guest and planner requests read in the wedding's time zone (and guests in their language).

    - A signed-in guest: the household's language (else the wedding's), the wedding's zone.
    - A public page of one wedding: the visitor's explicit choice (the language cookie),
      else the wedding's default; the wedding's zone.
    - A planner under /admin/: English pages (planner pages are not translated) in the
      zone of the wedding they work on (see `_planner_wedding`), so a deadline typed as
      14 Jan 23:59 is 23:59 at the venue, and shows so to guests.
    Anything else keeps what LocaleMiddleware chose and the server's zone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()  # the zone is per request, never left on the thread
        return self._remember(request, response)

    def _remember(self, request, response):
        remember = getattr(request, "_confetti_remember_wedding", None)
        if remember is not None:
            response.set_cookie(
                PLANNER_WEDDING_COOKIE, str(remember), max_age=180 * 24 * 3600, httponly=True,
                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs) -> None:
        wedding, language = self._wedding_and_language(request, view_func, view_kwargs)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if wedding is not None:
            timezone.activate(wedding.time_zone)

    def _wedding_and_language(self, request, view_func, view_kwargs) -> tuple[Any, str | None]:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.namespaces[:1] == ["admin"]:  # the admin site and the dashboard
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return None, settings.LANGUAGE_CODE
            return _planner_wedding(request, view_func, view_kwargs), settings.LANGUAGE_CODE
        household = getattr(request, "household", None)
        household = getattr(household, "_wrapped", household) if household else None
        if household:
            return household.wedding, guest_language(household.wedding, household)
        wedding = _public_wedding(request, view_kwargs)
        if wedding is None:
            return None, None
        chosen = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        return wedding, chosen or wedding_language(wedding)
