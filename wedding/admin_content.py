"""Planner admin for the day's shared content: the DJ queue, photos, guestbook, remembrances.

Imported at the end of `wedding/admin.py`. Every write goes through
`wedding.services` (so it is scoped, locked and captured for live pages);
the quick buttons (approve / hide / mark played) are optimistic in the
browser (static/wedding/moderation.js) and answered here in JSON.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from realtime.regions import Audience, Viewer
from realtime.views import live_page_context
from wedding import photos, services
from wedding.admin import TributeAdmin
from wedding.admin_base import (
    WeddingScopedAdmin,
    WeddingScopedForm,
    WeddingScopedInline,
    planned_weddings,
)
from wedding.models import (
    GuestbookEntry,
    Moderation,
    Photo,
    Remembrance,
    SongRequest,
    Tribute,
    song_key,
)
from wedding.regions import dj_actions

MODERATION_BUTTONS = ((Moderation.APPROVED, "Approve"), (Moderation.HIDDEN, "Hide"))


def _buttons(url: str, current: str, choices) -> str:
    return format_html_join(
        " ", '<button type="button" class="button" data-admin-action data-url="{}" data-status="{}" '
        'data-label="{}"{}>{}</button>',
        ((url, value, label_done, " disabled" if value == current else "", label)
         for value, label, label_done in choices),
    )


class ModerationAdmin(WeddingScopedAdmin):
    """Approve / hide: bulk actions, and one-click optimistic buttons in the list."""

    change_list_template = "wedding/admin/moderation_change_list.html"
    actions = ("approve_selected", "hide_selected")

    class Media:
        js = ("wedding/moderation.js",)
        css = {"all": ("wedding/content.css",)}

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
            request, template="wedding/admin/moderation.html", title="Waiting for approval", opts=self.opts
        )

    @admin.display(description="Status")
    def status_badge(self, obj) -> str:
        return format_html('<span data-status-label class="badge badge-{}">{}</span>', obj.status,
                           obj.get_status_display())

    @admin.display(description="Moderate")
    def moderate_buttons(self, obj) -> str:
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_moderate", args=[obj.pk])
        return _buttons(url, obj.status, [(v, label, Moderation(v).label) for v, label in MODERATION_BUTTONS])

    def _bulk(self, request, queryset, status: str) -> None:
        try:
            count = services.content_moderate_bulk(queryset=queryset, status=status, user=request.user)
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"{count} {self.opts.verbose_name_plural} {Moderation(status).label.lower()}.")

    @admin.action(description="Approve selected")
    def approve_selected(self, request, queryset) -> None:
        self._bulk(request, queryset, Moderation.APPROVED)

    @admin.action(description="Hide selected")
    def hide_selected(self, request, queryset) -> None:
        self._bulk(request, queryset, Moderation.HIDDEN)

    def moderate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return JsonResponse({"error": "POST only."}, status=405)
        obj = get_object_or_404(self.get_queryset(request), pk=pk)  # another wedding's: 404
        try:
            obj = services.content_moderate(obj=obj, status=request.POST.get("status", ""), user=request.user)
        except ValidationError as exc:
            return JsonResponse({"error": exc.messages[0]}, status=400)
        except PermissionDenied as exc:
            return JsonResponse({"error": str(exc)}, status=403)
        return JsonResponse({"id": obj.pk, "status": obj.status, "status_label": obj.get_status_display()})


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


# --- photos -----------------------------------------------------------------------------


def checked_upload(form: forms.ModelForm, field: str):
    """A newly uploaded image checked and cleaned like a guest's (kept on `form._clean_image`)."""
    upload = form.cleaned_data.get(field)
    if not upload or not hasattr(upload, "content_type"):
        return upload  # unchanged, or cleared
    try:
        form._clean_image = photos.clean_image(upload)
    except photos.PhotoRejected as exc:
        raise ValidationError(f"This file {exc}") from None
    return form._clean_image.image


class PhotoAdminForm(WeddingScopedForm):
    """A planner's upload gets the same checks as a guest's: content, limits, EXIF stripped."""

    class Meta:
        model = Photo
        fields = ("wedding", "image", "caption", "status")

    def clean_image(self):
        return checked_upload(self, "image")

    def save(self, commit: bool = True):
        clean = getattr(self, "_clean_image", None)
        if clean is not None:
            self.instance.width, self.instance.height = clean.width, clean.height
            self.instance.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
        return super().save(commit)


@admin.register(Photo)
class PhotoAdmin(ModerationAdmin):
    form = PhotoAdminForm
    list_display = ("preview", "caption", "status_badge", "moderate_buttons", "uploaded_by", "wedding", "created_at")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "status")
    list_select_related = ("wedding", "uploaded_by_household", "uploaded_by_user")
    search_fields = ("caption",)
    readonly_fields = ("preview", "width", "height", "uploaded_by_household", "uploaded_by_user", "created_at")

    @admin.display(description="Photo")
    def preview(self, obj: Photo) -> str:
        source = obj.thumbnail or obj.image
        if not source:
            return "—"
        return format_html('<img src="{}" alt="" style="max-height:120px;max-width:160px">', source.url)

    @admin.display(description="Uploaded by")
    def uploaded_by(self, obj: Photo) -> str:
        return str(obj.uploaded_by_household or obj.uploaded_by_user or "—")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("status", Moderation.APPROVED)  # a planner's own photo needs no approval
        return initial

    def save_model(self, request, obj: Photo, form, change: bool) -> None:
        if not change:
            obj.uploaded_by_user = request.user
        super().save_model(request, obj, form, change)


# --- guestbook and remembrances ----------------------------------------------------------------


@admin.register(GuestbookEntry)
class GuestbookEntryAdmin(ModerationAdmin):
    list_display = ("author_name", "excerpt", "status_badge", "moderate_buttons", "household", "wedding", "created_at")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "status")
    list_select_related = ("wedding", "household")
    search_fields = ("author_name", "message")
    readonly_fields = ("household", "created_at")
    fields = ("wedding", "author_name", "message", "status", "household", "created_at")

    @admin.display(description="Message")
    def excerpt(self, obj) -> str:
        return obj.message if len(obj.message) <= 80 else obj.message[:79] + "…"


@admin.register(Remembrance)
class RemembranceAdmin(GuestbookEntryAdmin):
    list_display = ("author_name", "tribute", "excerpt", "status_badge", "moderate_buttons", "wedding", "created_at")
    list_select_related = ("wedding", "tribute", "household")
    fields = ("wedding", "tribute", "author_name", "message", "status", "household", "created_at")


class RemembranceInline(WeddingScopedInline, admin.TabularInline):
    model = Remembrance
    extra = 0
    fields = ("author_name", "message", "status", "household", "created_at")
    readonly_fields = ("household", "created_at")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "message":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 50})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# Tributes are registered by wedding/admin.py; the moderation of their remembrances is added here.
admin.site.unregister(Tribute)


class TributeAdminForm(WeddingScopedForm):
    class Meta:
        model = Tribute
        fields = "__all__"

    def clean_photo(self):
        return checked_upload(self, "photo")


@admin.register(Tribute)
class TributeWithRemembrancesAdmin(TributeAdmin):
    form = TributeAdminForm
    inlines = [*TributeAdmin.inlines, RemembranceInline]


# --- songs: the DJ queue ------------------------------------------------------------------


def song_buttons(song: SongRequest) -> str:
    url = reverse("admin:wedding_songrequest_set_status", args=[song.pk])
    return _buttons(url, song.status, dj_actions(song))


class SongRequestAdminForm(WeddingScopedForm):
    """Duplicates are refused with the song's name, not a database error (the key is not a field)."""

    class Meta:
        model = SongRequest
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        wedding = cleaned.get("wedding") or (self.instance.wedding if self.instance.wedding_id else None)
        title = cleaned.get("title")
        if wedding is not None and title:
            key = song_key(title, cleaned.get("artist") or "")
            twin = SongRequest.objects.filter(wedding=wedding, key=key).exclude(pk=self.instance.pk).first()
            if twin is not None:
                raise ValidationError(f"“{twin}” is already in this wedding's requests.")
        return cleaned


@admin.register(SongRequest)
class SongRequestAdmin(WeddingScopedAdmin):
    form = SongRequestAdminForm
    list_display = ("title", "artist", "vote_count", "status_badge", "actions_column", "requested_by", "wedding", "created_at")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "status")
    list_select_related = ("wedding", "requested_by")
    search_fields = ("title", "artist", "dedication")
    ordering = ("-vote_count", "created_at")
    fields = ("wedding", "title", "artist", "dedication", "status", "vote_count", "requested_by", "played_at", "created_at")
    readonly_fields = ("vote_count", "requested_by", "played_at", "created_at")
    actions = ("approve_selected", "reject_selected", "mark_played")
    change_list_template = "wedding/admin/songrequest_change_list.html"

    class Media:
        js = ("wedding/moderation.js",)
        css = {"all": ("wedding/content.css",)}

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("queue/", view(self.queue_view), name="wedding_songrequest_queue"),
            path("<int:pk>/set-status/", view(self.set_status_view), name="wedding_songrequest_set_status"),
        ] + super().get_urls()

    @admin.display(description="Status")
    def status_badge(self, obj: SongRequest) -> str:
        return format_html('<span data-status-label class="badge badge-{}">{}</span>', obj.status, obj.get_status_display())

    @admin.display(description="DJ")
    def actions_column(self, obj: SongRequest) -> str:
        return song_buttons(obj)

    def save_model(self, request, obj: SongRequest, form, change: bool) -> None:
        if "status" in form.changed_data:
            obj.played_at = timezone.now() if obj.status == SongRequest.Status.PLAYED else None
        super().save_model(request, obj, form, change)

    def _set_many(self, request, queryset, status: str) -> None:
        songs = list(queryset)
        try:
            for song in songs:
                services.song_set_status(song=song, status=status, user=request.user)
        except (PermissionDenied, ValidationError) as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"{len(songs)} song(s) {SongRequest.Status(status).label.lower()}.")

    @admin.action(description="Approve selected songs")
    def approve_selected(self, request, queryset) -> None:
        self._set_many(request, queryset, SongRequest.Status.APPROVED)

    @admin.action(description="Reject selected songs")
    def reject_selected(self, request, queryset) -> None:
        self._set_many(request, queryset, SongRequest.Status.REJECTED)

    @admin.action(description="Mark selected songs as played")
    def mark_played(self, request, queryset) -> None:
        self._set_many(request, queryset, SongRequest.Status.PLAYED)

    def set_status_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return JsonResponse({"error": "POST only."}, status=405)
        song = get_object_or_404(self.get_queryset(request), pk=pk)  # another wedding's: 404
        try:
            song = services.song_set_status(song=song, status=request.POST.get("status", ""), user=request.user)
        except ValidationError as exc:
            return JsonResponse({"error": exc.messages[0]}, status=400)
        except PermissionDenied as exc:
            return JsonResponse({"error": str(exc)}, status=403)
        return JsonResponse({"id": song.pk, "status": song.status, "status_label": song.get_status_display()})

    def queue_view(self, request: HttpRequest) -> HttpResponse:
        """The DJ's live queue: songs by votes, with approve / reject / played buttons."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return planner_live_page(request, template="wedding/admin/dj_queue.html", title="DJ queue", opts=self.opts)
