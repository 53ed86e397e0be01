"""Planner admin for the wedding site: pages with their FAQ items and links, event details, landing page."""

from __future__ import annotations

from django.contrib import admin

from wedding.core.admin_base import WeddingScopedAdmin, WeddingScopedInline
from wedding.core.admin_translations import TranslatedAdminMixin, translated_form
from wedding.site.models import EventDetails, FaqItem, Link, Page, SiteProfile


class FaqItemInline(TranslatedAdminMixin, WeddingScopedInline, admin.StackedInline):
    model = FaqItem
    form = translated_form(FaqItem)
    extra = 0
    fields = ("question", "answer", "order")


class LinkInline(TranslatedAdminMixin, WeddingScopedInline, admin.StackedInline):
    model = Link
    form = translated_form(Link)
    extra = 0
    fields = ("kind", "name", "url", "code", "details", "order")


@admin.register(Page)
class PageAdmin(TranslatedAdminMixin, WeddingScopedAdmin):
    form = translated_form(Page)
    list_display = ("title", "kind", "visibility", "event", "order", "wedding", "updated_at")
    list_editable = ("order",)
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "kind", "visibility")
    list_select_related = ("wedding", "event")
    search_fields = ("title", "body")
    prepopulated_fields = {"slug": ("title",)}
    fields = ("wedding", "kind", "title", "slug", "body", "order", "visibility", "event")
    inlines = (FaqItemInline, LinkInline)


@admin.register(EventDetails)
class EventDetailsAdmin(WeddingScopedAdmin):
    list_display = ("event", "public", "wedding")
    list_filter = (("wedding", admin.RelatedOnlyFieldListFilter), "public")
    list_select_related = ("wedding", "event")
    fields = ("wedding", "event", "public", "map_image")


@admin.register(SiteProfile)
class SiteProfileAdmin(TranslatedAdminMixin, WeddingScopedAdmin):
    form = translated_form(SiteProfile)
    list_display = ("__str__", "wedding")
    list_select_related = ("wedding",)
    fields = ("wedding", "photo", "welcome")
