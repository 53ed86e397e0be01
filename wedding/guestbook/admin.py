"""Planner admin for the guestbook (moderation)."""

from __future__ import annotations

from django.contrib import admin

from wedding.guestbook.models import GuestbookEntry
from wedding.moderation.admin import ModerationAdmin


@admin.register(GuestbookEntry)
class GuestbookEntryAdmin(ModerationAdmin):
    list_display = ("author_name", "excerpt", "status_badge", "moderate_buttons", "household", "wedding", "created_at")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "status")
    list_select_related = ("wedding", "household")
    search_fields = ("author_name", "message")
    readonly_fields = ("household", "created_at")
    fields = ("wedding", "author_name", "message", "status", "household", "created_at")


