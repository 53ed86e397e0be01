"""Planner admin for photos: the same content checks as a guest's upload, moderation buttons."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from wedding.core.admin_base import WeddingScopedForm
from wedding.core.models import Moderation
from wedding.moderation.admin import ModerationAdmin
from wedding.photos import services
from wedding.photos.images import checked_upload
from wedding.photos.models import Photo


class PhotoAdminForm(WeddingScopedForm):
    """A planner's upload gets the same checks as a guest's: content, limits, EXIF stripped."""

    class Meta:
        model = Photo
        fields = ("wedding", "image", "caption", "status")

    def clean_image(self):
        return checked_upload(self, "image")

    def save(self, commit: bool = True):
        clean = getattr(self, "_clean_image", None)
        if clean is not None and self.instance.pk:  # a replaced image keeps its thumbnail in step
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
        """A planner's new photo is stored like a guest's (services.photo_store); a status change
        is a moderation (services.photo_moderate); other edits are plain."""
        if not change:
            stored = services.photo_store(
                wedding=obj.wedding, clean=form._clean_image, caption=obj.caption, status=obj.status,
                user=request.user,
            )
            obj.pk, obj.image, obj.thumbnail = stored.pk, stored.image, stored.thumbnail
            return
        status = obj.status
        if "status" in form.changed_data:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if status != obj.status:
            services.photo_moderate(photo=obj, status=status, user=request.user)
