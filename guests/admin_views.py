"""Admin pages of the guest list import and export (mounted by `GuestAdmin.get_urls`).

Import is two steps: upload → preview (a dry run listing every row's
outcome) → confirm. The confirmed import runs in a background thread so a
long file never holds a request; it writes its progress to the cache.

Progress display (documented choice): the progress page shows the live region
`guest_import`. While the import runs, the region polls its own fragment URL
(htmx, every 700 ms) to move the bar; the import commits as ONE change (topic
"guest"), which the real-time engine pushes to the region at once, so the
final result appears without waiting for the next poll. Progress ticks
themselves are not changes of the wedding and are not pushed.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from guests import exporting
from guests.importing import ImportFileError, guests_import
from realtime import live
from realtime.live import Audience, Viewer, acting_as, actor_for, live_page_context
from wedding.core.admin_base import planned_weddings
from wedding.core.models import Wedding

logger = logging.getLogger(__name__)

JOB_TTL = 6 * 3600
MAX_UPLOAD = 10 * 1024 * 1024


# --- import jobs (cache-backed) ------------------------------------------------------


def _key(token: str) -> str:
    return f"confetti:guest-import:{token}"


def job_get(token: str) -> dict[str, Any] | None:
    return cache.get(_key(token))


def _job_update(token: str, **changes: Any) -> None:
    job = cache.get(_key(token)) or {}
    job.update(changes)
    cache.set(_key(token), job, JOB_TTL)


def job_run(token: str) -> None:
    """Run a confirmed import (in the background thread, or inline in tests)."""
    job = job_get(token)
    content = cache.get(_key(token) + ":file")
    if job is None or content is None:
        return
    try:
        wedding = Wedding.objects.get(pk=job["wedding_id"])
        user = get_user_model().objects.filter(pk=job["user_id"]).first()

        def progress(done: int, total: int) -> None:
            _job_update(token, done=done, total=total)

        with acting_as(actor_for(user=user)):
            report = guests_import(wedding=wedding, content=content, filename=job["filename"], progress=progress)
        _job_update(token, state="done", report=report.as_dict(), done=job.get("total", 1))
    except ImportFileError as error:
        _job_update(token, state="failed", error=str(error))
    except Exception:
        logger.exception("guest import %s failed", token)
        _job_update(token, state="failed", error="The import failed unexpectedly; nothing was imported.")
    finally:
        cache.delete(_key(token) + ":file")


def _in_thread(token: str) -> None:
    try:
        job_run(token)
    finally:
        connections.close_all()  # this thread's own connections


def run_in_background(token: str) -> None:
    """Start the import. Tests replace this with a direct `job_run` (one database transaction)."""
    threading.Thread(target=_in_thread, args=(token,), name=f"guest-import-{token[:6]}", daemon=True).start()


# --- the live region ---------------------------------------------------------------


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
    }


live.region(
    "guest_import",
    audience=Audience.PLANNER,
    topics={"guest"},
    template="admin/guests/guest/import_progress.html#progress",
    context=import_region_context,
    params=("job",),
)


# --- views ---------------------------------------------------------------------------


class ImportForm(forms.Form):
    wedding = forms.ModelChoiceField(queryset=Wedding.objects.none())
    file = forms.FileField(help_text="CSV (UTF-8) or XLSX with a header row.")

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["wedding"]
        field.queryset = planned_weddings(request)
        weddings = list(field.queryset[:2])
        if len(weddings) == 1:
            field.initial = weddings[0].pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB.")
        return upload


def _context(model_admin, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, **extra}


def import_view(model_admin) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        if not model_admin.has_add_permission(request):
            raise Http404
        report = None
        token = ""
        form = ImportForm(request.POST or None, request.FILES or None, request=request)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            wedding = form.cleaned_data["wedding"]
            content = upload.read()
            try:
                report = guests_import(wedding=wedding, content=content, filename=upload.name, dry_run=True)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                if report.ok:
                    token = secrets.token_urlsafe(16)
                    cache.set(_key(token) + ":file", content, JOB_TTL)
                    cache.set(
                        _key(token),
                        {
                            "state": "preview", "wedding_id": wedding.pk, "user_id": request.user.pk,
                            "filename": upload.name, "done": 0, "total": 2 * len(report.rows),
                        },
                        JOB_TTL,
                    )
        changes = bool(report and (report.counts["create"] or report.counts["update"]))
        context = _context(
            model_admin, request, title="Import guests", form=form, report=report, token=token,
            can_import=bool(token and changes), media=model_admin.media + form.media,
        )
        return TemplateResponse(request, "admin/guests/guest/import.html", context)

    return view


def import_progress_view(model_admin) -> Callable[[HttpRequest, str], HttpResponse]:
    def view(request: HttpRequest, token: str) -> HttpResponse:
        job = job_get(token)
        wedding = planned_weddings(request).filter(pk=(job or {}).get("wedding_id")).first()
        if job is None or wedding is None or not model_admin.has_add_permission(request):
            raise Http404("No such import.")
        if request.method == "POST":
            if job.get("state") == "preview":
                _job_update(token, state="running")
                run_in_background(token)
            else:
                messages.info(request, "This import has already been started.")
            return HttpResponseRedirect(request.path)
        viewer = Viewer(wedding=wedding, audience=Audience.PLANNER)
        context = _context(
            model_admin, request, title=f"Importing {job.get('filename', 'guests')}", token=token,
            **live_page_context(viewer),
        )
        return TemplateResponse(request, "admin/guests/guest/import_progress.html", context)

    return view


class ExportForm(forms.Form):
    wedding = forms.ModelChoiceField(queryset=Wedding.objects.none())
    report = forms.ChoiceField(
        choices=[("guests", "Guest list (households, responses, meals, dietary notes, tables)"),
                 ("meals", "Meal counts per event (for the caterer)")],
        widget=forms.RadioSelect, initial="guests",
    )
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")], initial="xlsx")

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["wedding"]
        field.queryset = planned_weddings(request)
        selected = request.GET.get("wedding", "")
        weddings = list(field.queryset[:2])
        if selected.isdigit():
            field.initial = int(selected)
        elif len(weddings) == 1:
            field.initial = weddings[0].pk


def export_view(model_admin) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        if not model_admin.has_view_permission(request):
            raise Http404
        form = ExportForm(request.POST or None, request=request)
        if request.method == "POST" and form.is_valid():
            wedding, report, fmt = (form.cleaned_data[k] for k in ("wedding", "report", "format"))
            if report == "meals":
                dataset = exporting.meal_counts_dataset(wedding=wedding)
            else:
                dataset = exporting.guest_list_dataset(wedding=wedding)
            content, content_type = exporting.dataset_render(dataset, fmt=fmt)
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{wedding.slug}-{report}.{fmt}"'
            return response
        context = _context(model_admin, request, title="Export guests", form=form)
        return TemplateResponse(request, "admin/guests/guest/export.html", context)

    return view
