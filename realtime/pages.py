"""Planner pages built on live regions: the wedding guard, the admin chrome, the action answer.

Shared by the dashboard, the seating chart, the DJ queue and the moderation
queue, so every planner page scopes its wedding, shows the admin chrome and
answers actions in one way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from realtime.regions import Audience, Viewer
from realtime.views import live_page_context
from wedding.core.admin_base import planned_weddings
from wedding.core.models import Wedding
from wedding.core.redirects import safe_next


def planner_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view(request, wedding, **kwargs)` for a wedding the user plans; any other wedding is 404.

    Mounted through `AdminSite.admin_view` (login, staff, never cached), so
    only the wedding scoping is left to do here.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, wedding_id: int, **kwargs: Any) -> HttpResponse:
        wedding = get_object_or_404(Wedding.objects.for_planner(request.user), pk=wedding_id)
        return view(request, wedding, **kwargs)

    return wrapper


def planner_viewer(wedding: Wedding) -> Viewer:
    return Viewer(wedding=wedding, audience=Audience.PLANNER)


def page_context(request: HttpRequest, wedding: Wedding, *, title: str, section: str, **extra: Any) -> dict:
    """Admin chrome + live glue for a dashboard page."""
    weddings = Wedding.objects.for_planner(request.user)
    context = {
        **admin.site.each_context(request),
        **live_page_context(planner_viewer(wedding)),
        "title": title,
        "dashboard_wedding": wedding,
        "dashboard_section": section,
        "dashboard_other_weddings": weddings.exclude(pk=wedding.pk).exists(),
    }
    context.update(extra)
    return context


def action_result(
    request: HttpRequest, *, ok: bool, message: str, status: int | None = None, next_url: str | None = None
) -> HttpResponse:
    """The answer to a dashboard action: JSON for the page script, a redirect with a message otherwise."""
    if request.headers.get("X-Confetti-Action") or request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"ok": ok, "message": message}, status=status or (200 if ok else 422))
    messages.add_message(request, messages.SUCCESS if ok else messages.ERROR, message)
    back = safe_next(
        request, next_url, request.POST.get("next"), request.META.get("HTTP_REFERER"),
        fallback=reverse("admin:index"),
    )
    return HttpResponseRedirect(back)


def error_text(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "Not allowed."



def planner_live_page(request: HttpRequest, *, template: str, title: str, opts, section: str = "") -> HttpResponse:
    """An admin page built on one PLANNER region, for ?wedding=<id> or the only planned wedding.

    A planner of several weddings without ?wedding gets a chooser; a wedding
    they do not plan answers 404. With a wedding, the page wears the
    dashboard's chrome (its menu, with `section` current).
    """
    weddings = planned_weddings(request)
    wanted = request.GET.get("wedding")
    if wanted:
        try:
            wedding = weddings.get(pk=int(wanted))
        except (ValueError, weddings.model.DoesNotExist):
            raise Http404("No wedding you plan has this id.") from None
    else:
        choices = list(weddings[:2])
        wedding = choices[0] if len(choices) == 1 else None
    context = {**admin.site.each_context(request), "opts": opts, "title": title}
    if wedding is None:
        context["weddings"] = weddings
    else:
        context.update(page_context(request, wedding, title=f"{title} · {wedding.name}", section=section))
    return TemplateResponse(request, template, context)


def int_param(value: str | None) -> int | None:
    """A form or query id as an int, None when missing or not a number (the caller then refuses)."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
