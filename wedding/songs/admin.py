"""Planner admin for song requests: the DJ queue with approve / reject / played buttons."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse

from realtime.live import LiveChangeList, planner_live_page
from wedding.core.admin_base import WeddingScopedAdmin, WeddingScopedForm
from wedding.moderation.admin import StatusButtonsMixin, action_buttons, status_action
from wedding.songs import services
from wedding.songs.live import dj_actions
from wedding.songs.models import SongRequest, song_key


def song_buttons(song: SongRequest) -> str:
    url = reverse("admin:songs_songrequest_set_status", args=[song.pk])
    return action_buttons(url, song.status, dj_actions(song))


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
class SongRequestAdmin(LiveChangeList, StatusButtonsMixin, WeddingScopedAdmin):
    live_list_region = "song_admin_list"
    form = SongRequestAdminForm
    list_display = ("title", "artist", "vote_count", "status_badge", "actions_column", "requested_by", "wedding", "created_at")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "status")
    list_select_related = ("wedding", "requested_by")
    search_fields = ("title", "artist", "dedication")
    ordering = ("-vote_count", "created_at")
    # vote_count is the song services' counter (recounted under a row lock): listed, never in the form.
    fields = ("wedding", "title", "artist", "dedication", "status", "requested_by", "played_at", "created_at")
    readonly_fields = ("requested_by", "played_at", "created_at")
    actions = ("approve_selected", "reject_selected", "mark_played")
    change_list_template = "songs/admin/songrequest_change_list.html"

    class Media:
        # moderation.js posts through live.js, the one client: the change list loads it (live or not).
        js = ("moderation/moderation.js",)
        css = {"all": ("css/content.css",)}

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("queue/", view(self.queue_view), name="songs_songrequest_queue"),
            path("<int:pk>/set-status/", view(self.set_status_view), name="songs_songrequest_set_status"),
        ] + super().get_urls()

    @admin.display(description="DJ")
    def actions_column(self, obj: SongRequest) -> str:
        return song_buttons(obj)

    def save_model(self, request, obj: SongRequest, form, change: bool) -> None:
        """Plain fields saved as they are; a new status through services.song_set_status."""
        status = obj.status
        if "status" in form.changed_data:
            obj.status = form.initial.get("status", SongRequest.Status.REQUESTED) if change else SongRequest.Status.REQUESTED
        super().save_model(request, obj, form, change)
        if status != obj.status:
            services.song_set_status(song=obj, status=status, user=request.user)

    def statuses_set(self, request: HttpRequest, queryset: QuerySet, status: str) -> int:
        songs = list(queryset)
        for song in songs:
            services.song_set_status(song=song, status=status, user=request.user)
        return len(songs)

    approve_selected = status_action(SongRequest.Status.APPROVED, "Approve selected songs")
    reject_selected = status_action(SongRequest.Status.REJECTED, "Reject selected songs")
    mark_played = status_action(SongRequest.Status.PLAYED, "Mark selected songs as played")

    def set_status_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        def set_status(song: SongRequest, status: str) -> SongRequest:
            return services.song_set_status(song=song, status=status, user=request.user)

        # A button of the live DJ queue gets the queue back.
        return self.status_view(request, pk, set_status=set_status, region="dj_queue")

    def queue_view(self, request: HttpRequest) -> HttpResponse:
        """The DJ's live queue: songs by votes, with approve / reject / played buttons."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return planner_live_page(request, template="songs/admin/dj_queue.html", title="DJ queue", opts=self.opts)

