"""Seating chart URLs; mounted inside the admin under /admin/dashboard/ by ConfettiAdminSite."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from seating import views
from seating.models import FloorObject, Table


def urlpatterns_for(site: admin.AdminSite) -> list:
    wrap = site.admin_view
    base = "<int:wedding_id>/seating/"
    table = base + "<int:event_id>/tables/<int:pk>/"
    thing = base + "<int:event_id>/objects/<int:pk>/"
    return [
        path(base, wrap(views.chart_first), name="seating-chart-first"),
        path(base + "publish/", wrap(views.publish), name="seating-publish"),
        path(base + "<int:event_id>/", wrap(views.chart_page), name="seating-chart"),
        path(base + "<int:event_id>/seat/", wrap(views.seat_move), name="seating-seat"),
        path(base + "<int:event_id>/pin/", wrap(views.seat_pin), name="seating-pin"),
        path(base + "<int:event_id>/place/", wrap(views.seat_number), name="seating-place"),
        path(base + "<int:event_id>/autoseat/", wrap(views.autoseat_page), name="seating-autoseat"),
        path(base + "<int:event_id>/autoseat/accept/", wrap(views.autoseat_accept), name="seating-autoseat-accept"),
        path(
            base + "<int:event_id>/autoseat/preferences/", wrap(views.autoseat_preferences),
            name="seating-autoseat-preferences",
        ),
        path(base + "<int:event_id>/tables/", wrap(views.table_create), name="seating-table-create"),
        path(table, wrap(views.table_update), name="seating-table-update"),
        path(table + "move/", wrap(views.plan_item_move), {"model": Table}, name="seating-table-move"),
        path(table + "delete/", wrap(views.table_delete), name="seating-table-delete"),
        path(base + "<int:event_id>/room/", wrap(views.floor_plan_update), name="seating-room"),
        path(base + "<int:event_id>/objects/", wrap(views.floor_object_add), name="seating-object-add"),
        path(thing + "move/", wrap(views.plan_item_move), {"model": FloorObject}, name="seating-object-move"),
        path(thing + "delete/", wrap(views.floor_object_delete), name="seating-object-delete"),
    ]
