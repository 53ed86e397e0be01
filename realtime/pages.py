"""Planner pages built on live regions: the wedding guard, the admin chrome, the action answer.

Shared by the dashboard, the seating chart, the DJ queue and the moderation
queue, so every planner page scopes its wedding, shows the admin chrome and
answers actions in one way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from realtime.regions import Audience, Viewer
from realtime.regions import register as register_region
from realtime.views import live_page_context
from wedding.core.admin_base import audience_request, planned_weddings
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



def planner_live_page(request: HttpRequest, *, template: str, title: str, opts) -> HttpResponse:
    """An admin page built on one PLANNER region, for ?wedding=<id> or the only planned wedding.

    A planner of several weddings without ?wedding gets a chooser; a wedding
    they do not plan answers 404.
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
        context.update(live_page_context(Viewer(wedding=wedding, audience=Audience.PLANNER)))
        context["title"] = f"{title} · {wedding.name}"
    return TemplateResponse(request, template, context)


def int_param(value: str | None) -> int | None:
    """A form or query id as an int, None when missing or not a number (the caller then refuses)."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# --- the admin's own lists, live ------------------------------------------------------------

ADMIN_LIST_TEMPLATE = "realtime/admin/change_list.html"
# An admin list's region takes its page's whole querystring (filters, search, ordering, page).
ADMIN_LIST_QUERY_LENGTH = 2000
WEDDING_FILTER = "wedding__id__exact"


def admin_list_region(name: str, *, model: str, topics: Iterable[str]) -> None:
    """Declare the live region of a ModelAdmin's change list (in the model's app's live.py).

    The region is the list's result table and paginator, re-rendered for the
    same querystring as the page; the ModelAdmin names it (`LiveChangeList`).
    Planners only; one wedding's rows (the audience's wedding), whoever watches.
    """

    def context(viewer: Viewer, query: str | None = None) -> dict:
        return admin_list_context(model, viewer, query or "")

    register_region(
        name, audience=Audience.PLANNER, topics=topics, template=f"{ADMIN_LIST_TEMPLATE}#results",
        context=context, params=("query",), param_length=ADMIN_LIST_QUERY_LENGTH,
    )


def admin_list_context(model_label: str, viewer: Viewer, query: str) -> dict:
    """The change list of `model_label` for `query`, as the planners of the viewer's wedding see it."""
    from django.contrib.admin.options import IncorrectLookupParameters
    from django.core.exceptions import SuspiciousOperation

    model = apps.get_model(model_label)
    model_admin = admin.site.get_model_admin(model)
    opts = model._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    request = audience_request(wedding_id=viewer.wedding.pk, path=path, query=query)
    try:
        changelist = model_admin.get_changelist_instance(request)
    except (IncorrectLookupParameters, SuspiciousOperation):  # a filter it lacks, a lookup it refuses
        raise Http404("This list has no such filter.") from None
    changelist.formset = None  # lists are edited on each row's page, never inline
    return {"cl": changelist, "opts": opts}


class LiveChangeList:
    """A ModelAdmin mixin: the change list's rows update and appear while the page is open.

    `live_list_region` names the region its app declared with `admin_list_region`.
    The page is live when it shows one wedding (the planner plans one, or the
    wedding filter picks one); a list of several weddings says it is not live.
    """

    live_list_region: str = ""
    change_list_template = ADMIN_LIST_TEMPLATE

    def live_list_wedding(self, request: HttpRequest) -> Wedding | None:
        if IS_POPUP_VAR in request.GET:
            return None
        weddings = planned_weddings(request)
        chosen = request.GET.get(WEDDING_FILTER, "")
        if chosen:
            return weddings.filter(pk=chosen).first() if chosen.isdigit() else None
        only = list(weddings[:2])
        return only[0] if len(only) == 1 else None

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = dict(extra_context or {})
        wedding = self.live_list_wedding(request)
        if wedding is not None:
            extra_context.update(live_page_context(planner_viewer(wedding)))
            extra_context["live_list_region"] = self.live_list_region
            extra_context["live_list_query"] = request.GET.urlencode()
        else:
            # Several weddings at once (no wedding chosen): say so rather than be silently stale.
            extra_context["live_list_several"] = not (IS_POPUP_VAR in request.GET or request.GET.get(WEDDING_FILTER))
        return super().changelist_view(request, extra_context)
