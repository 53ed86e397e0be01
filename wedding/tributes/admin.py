"""Planner admin for tributes, with the moderation of their remembrances."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from wedding.core.admin_base import WeddingScopedAdmin, WeddingScopedForm, WeddingScopedInline
from wedding.moderation.admin import ModerationAdmin
from wedding.photos.images import checked_upload
from wedding.tributes.models import Remembrance, Tribute


@admin.register(Remembrance)
class RemembranceAdmin(ModerationAdmin):
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "status")
    search_fields = ("author_name", "message")
    readonly_fields = ("household", "created_at")
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


class TributeAdminForm(WeddingScopedForm):
    class Meta:
        model = Tribute
        fields = "__all__"

    def clean_photo(self):
        return checked_upload(self, "photo")



@admin.register(Tribute)
class TributeAdmin(WeddingScopedAdmin):
    form = TributeAdminForm
    list_display = ("name", "relationship", "wedding", "published", "order")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "published")
    list_select_related = ("wedding",)
    search_fields = ("name", "relationship")
    inlines = [RemembranceInline]
