"""The planner's moderation of guest contributions: approve / hide, in bulk or one click at a time.

`ModerationAdmin` is the base of the photo, guestbook and remembrance admins.
Writes go through `wedding.moderation.services` (scoped, locked, captured);
the one-click buttons of the change lists are optimistic in the browser
(moderation/moderation.js) and answered here in JSON; those of the live queue
post with htmx and get the queue's fresh HTML.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from realtime.live import planner_live_page, planner_viewer, render_region
from wedding.core.admin_base import WeddingScopedAdmin
from wedding.core.models import Moderation
from wedding.moderation import services

MODERATION_BUTTONS = ((Moderation.APPROVED, "Approve"), (Moderation.HIDDEN, "Hide"))


def action_buttons(url: str, current: str, choices) -> str:
    return format_html_join(
        " ", '<button type="button" class="button" data-admin-action data-url="{}" data-status="{}" '
        'data-label="{}"{}>{}</button>',
        ((url, value, label_done, " disabled" if value == current else "", label)
         for value, label, label_done in choices),
    )


def status_action(status: str, description: str) -> Callable[..., None]:
    """A bulk admin action setting the selected rows to `status` (see `StatusButtonsMixin`)."""

    @admin.action(description=description)
    def action(modeladmin: StatusButtonsMixin, request: HttpRequest, queryset: QuerySet) -> None:
        modeladmin.status_action_run(request, queryset, status)

    return action


class StatusButtonsMixin:
    """A row's status as a badge, and the one-click status view behind `action_buttons`.

    Shared by the moderation admins and the DJ queue: the buttons of a change
    list get JSON (moderation.js updates the row), those of a live queue post
    with htmx and get the queue's region as it is now.
    """

    @admin.display(description="Status")
    def status_badge(self, obj) -> str:
        return format_html('<span data-status-label class="badge badge-{}">{}</span>', obj.status,
                           obj.get_status_display())

    def statuses_set(self, request: HttpRequest, queryset: QuerySet, status: str) -> int:
        """Set the selected rows' status through the app's service; returns how many. Each admin says how."""
        raise NotImplementedError

    def status_action_run(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        """A bulk status action: the service's refusal as an error message, else how many changed."""
        try:
            count = self.statuses_set(request, queryset, status)
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        label = dict(self.model._meta.get_field("status").flatchoices)[status]
        self.message_user(request, f"{count} {self.opts.verbose_name_plural} {label.lower()}.")

    def status_view(self, request: HttpRequest, pk: int, *, set_status: Callable[..., Model], region: str
                    ) -> HttpResponse:
        """POST `status`: `set_status(obj, status)` (a service: scoped, locked, captured) answers it."""
        if request.method != "POST":
            return JsonResponse({"error": "POST only."}, status=405)
        obj = get_object_or_404(self.get_queryset(request), pk=pk)  # another wedding's: 404
        try:
            obj = set_status(obj, request.POST.get("status", ""))
        except ValidationError as exc:
            return JsonResponse({"error": exc.messages[0]}, status=400)
        except PermissionDenied as exc:
            return JsonResponse({"error": str(exc)}, status=403)
        if request.htmx:
            return HttpResponse(render_region(region, planner_viewer(obj.wedding)))
        return JsonResponse({"id": obj.pk, "status": obj.status, "status_label": obj.get_status_display()})


class ModerationAdmin(StatusButtonsMixin, WeddingScopedAdmin):
    """Approve / hide: bulk actions, and one-click optimistic buttons in the list."""

    change_list_template = "moderation/moderation_change_list.html"
    actions = ("approve_selected", "hide_selected")

    class Media:
        # live.js: the one client (CSRF, posts) moderation.js goes through; no socket on these pages.
        js = ("realtime/live.js", "moderation/moderation.js")
        css = {"all": ("css/content.css",)}

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_moderate"
        return [
            path("<int:pk>/moderate/", self.admin_site.admin_view(self.moderate_view), name=name),
            path("waiting/", self.admin_site.admin_view(self.waiting_view),
                 name=f"{self.opts.app_label}_{self.opts.model_name}_waiting"),
        ] + super().get_urls()

    def waiting_view(self, request: HttpRequest) -> HttpResponse:
        """The live moderation queue (photos, guestbook, remembrances) — the same page from each list."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return planner_live_page(
            request, template="admin/dashboard/moderation.html", title="Waiting for approval", opts=self.opts,
            section="moderation",
        )

    @admin.display(description="Message")
    def excerpt(self, obj) -> str:
        return obj.message if len(obj.message) <= 80 else obj.message[:79] + "…"

    @admin.display(description="Moderate")
    def moderate_buttons(self, obj) -> str:
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_moderate", args=[obj.pk])
        return action_buttons(url, obj.status, [(v, label, Moderation(v).label) for v, label in MODERATION_BUTTONS])

    def statuses_set(self, request: HttpRequest, queryset: QuerySet, status: str) -> int:
        return services.content_moderate_bulk(queryset=queryset, status=status, user=request.user)

    approve_selected = status_action(Moderation.APPROVED, "Approve selected")
    hide_selected = status_action(Moderation.HIDDEN, "Hide selected")

    def moderate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def moderate(obj, status: str):
            return services.content_moderate(obj=obj, status=status, user=request.user)

        return self.status_view(request, pk, set_status=moderate, region="content_moderation")

