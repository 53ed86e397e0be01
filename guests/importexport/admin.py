"""The import and export pages under the guest list admin, and its "Export as CSV" action."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path

from guests.admin import GuestListPart, guest_list_part
from guests.importexport import exporting, views
from wedding.core.admin_base import planned_weddings


def download(dataset, *, fmt: str, filename: str) -> HttpResponse:
    content, content_type = exporting.dataset_render(dataset, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@admin.action(description="Export the selected guests as CSV")
def export_csv(modeladmin, request, queryset):
    wedding_id = modeladmin._one_wedding(request, queryset)
    if wedding_id is None:
        return None
    wedding = planned_weddings(request).get(pk=wedding_id)
    dataset = exporting.guest_list_dataset(wedding=wedding, guests=queryset)
    return download(dataset, fmt="csv", filename=f"{wedding.slug}-guests")


def urls(model_admin: admin.ModelAdmin) -> list:
    wrap = model_admin.admin_site.admin_view
    return [
        path("import/", wrap(views.import_view(model_admin)), name="guests_guest_import"),
        path(
            "import/<str:token>/preview/",
            wrap(views.import_preview_view(model_admin)),
            name="guests_guest_import_preview",
        ),
        path(
            "import/<str:token>/rows-not-imported.csv",
            wrap(views.import_bad_rows_view(model_admin)),
            name="guests_guest_import_bad_rows",
        ),
        path(
            "import/<str:token>/",
            wrap(views.import_progress_view(model_admin)),
            name="guests_guest_import_progress",
        ),
        path("export/", wrap(views.export_view(model_admin)), name="guests_guest_export"),
    ]


guest_list_part(GuestListPart(actions=(export_csv,), urls=urls))
