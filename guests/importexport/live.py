"""The import's live surface: the progress region of a confirmed import (see views.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse

from guests.importexport.jobs import job_get
from realtime import live
from realtime.live import Audience, Viewer


def import_region_context(viewer: Viewer, job: str = "") -> dict[str, Any]:
    data = job_get(job) if job else None
    if data is None or data.get("wedding_id") != viewer.wedding.pk:
        raise Http404("No such import.")
    total = data.get("total") or 0
    percent = int(100 * data.get("done", 0) / total) if total else 0
    return {
        "job": data,
        "token": job,
        "percent": percent if data.get("state") != "done" else 100,
        "poll_url": live.fragment_url("guest_import", {"job": job}, viewer.wedding.pk),
        "changelist_url": reverse("admin:guests_guest_changelist") + f"?wedding__id__exact={viewer.wedding.pk}",
        "bad_rows_url": reverse("admin:guests_guest_import_bad_rows", args=[job]),
    }


live.region(
    "guest_import",
    audience=Audience.PLANNER,
    topics={"guest"},
    template="admin/guests/guest/import_progress.html#progress",
    context=import_region_context,
    params=("job",),
)

