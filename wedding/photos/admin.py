"""Planner admin for photos: the same content checks as a guest's upload, moderation buttons."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from wedding.core.admin_base import WeddingScopedForm
from wedding.core.models import Moderation
from wedding.moderation.admin import ModerationAdmin
from wedding.photos import services
from wedding.photos.images import PhotoRejected, original_checked
from wedding.photos.models import Photo


class PhotoAdminForm(WeddingScopedForm):
    """A planner's upload gets the same checks and the same worker as a guest's: content, limits,
    EXIF stripped (the checked file is kept on `_original`; `image` is only ever the worker's)."""

    class Meta:
        model = Photo
        fields = ("wedding", "image", "caption", "status")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].required = True  # blank only while the worker makes it; never cleared here

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload or not hasattr(upload, "content_type"):
            return upload  # unchanged
        try:
            self._original = original_checked(upload)
        except PhotoRejected as exc:
            raise ValidationError(f"This file {exc}") from None
        return self.instance.image


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
            return "Being prepared…" if obj.original else "—"
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
        is a moderation (services.photo_moderate); a new file goes to the worker
        (services.photo_image_replace); other edits are plain."""
        if not change:
            stored = services.photo_store(
                wedding=obj.wedding, original=form._original, caption=obj.caption, status=obj.status,
                user=request.user,
            )
            obj.pk, obj.original = stored.pk, stored.original
            return
        status = obj.status
        if "status" in form.changed_data:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if hasattr(form, "_original"):
            services.photo_image_replace(photo=obj, original=form._original)
        if status != obj.status:
            services.photo_moderate(photo=obj, status=status, user=request.user)
