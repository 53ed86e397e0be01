"""The activity feed in the admin: the change log, read-only."""

from __future__ import annotations

from django.contrib import admin

from realtime.models import Change
from wedding.core.admin_base import WeddingScopedAdmin


@admin.register(Change)
class ChangeAdmin(WeddingScopedAdmin):
    """What happened, who did it, when. Nobody edits history: view only."""

    list_display = ("version", "created_at", "summary", "actor_label", "topic", "action", "count", "wedding")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "topic", "action")
    list_select_related = ("wedding",)
    search_fields = ("summary", "actor_label")
    date_hierarchy = "created_at"
    list_display_links = ("summary",)
    # The version is the live pages' bookkeeping: the list sorts by it, the page does not show it.
    exclude = ("version",)

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
