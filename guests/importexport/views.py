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

import secrets
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from guests.importexport import exporting
from guests.importexport.importing import (
    ImportFileError,
    bad_rows_csv,
    guests_import,
    table_mapping,
    table_read,
)
from guests.importexport.importing import mapping as m
from guests.importexport.jobs import (
    JOB_TTL,
    import_options,
    job_get,
    job_key,
    job_update,
    run_in_background,
)
from guests.models import Guest
from realtime.live import Audience, Viewer, live_page_context
from rsvp.models import Response
from wedding.core.admin_base import planned_weddings
from wedding.core.models import Event, Wedding

MAX_UPLOAD = 10 * 1024 * 1024


# --- import jobs (cache-backed) ------------------------------------------------------


# --- the live region ---------------------------------------------------------------


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


class MappingForm(forms.Form):
    """The preview's choices: a field per column, what each value means, households, sheet and header.

    Built from the file's table; field names are positional (`col-3`, `val-side-2`)
    because headers are arbitrary text.
    """

    split_couples = forms.BooleanField(
        required=False, label="Split rows that name a couple or family into one guest each",
    )
    grouping = forms.ChoiceField(
        choices=[("row", "One household per row"), ("surname_address", "Group rows by last name and address")],
        widget=forms.RadioSelect, label="Households (the file has no household column)",
    )
    header_line = forms.IntegerField(min_value=1, required=False, label="Header on line")
    header_rows = forms.TypedChoiceField(
        choices=[(1, "one row"), (2, "two rows (a group row above)")], coerce=int, required=False, label="Header of",
    )

    def __init__(self, *args: Any, table, mapping: m.Mapping, events: list[str], couple: tuple[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.table, self.mapping = table, mapping
        keys = [*m.FIELDS, *(f"{what}:{event}" for event in events for what in ("rsvp", "meal", "table", "invited"))]
        keys += [k for k in mapping.columns if k and k not in keys]
        choices = [(m.IGNORE, "— ignore this column —"), *((k, m.field_label(k)) for k in keys)]
        self.columns = []
        for index, header in enumerate(table.headers):
            samples = [cells[index] for _, cells in table.rows if cells[index]][:3]
            name = f"col-{index}"
            self.fields[name] = forms.ChoiceField(choices=choices, required=False, label=header, initial=mapping.columns[index])
            self.columns.append({"header": header, "samples": samples, "name": name})
        if table.sheets and len(table.sheets) > 1:
            self.fields["sheet"] = forms.ChoiceField(choices=[(n, n) for n in table.sheets], initial=table.sheet)
        self.value_rows = []
        for kind, label, options in (
            ("side", "Side", list(Guest.Side.choices)),
            ("age_group", "Age group", list(Guest.AgeGroup.choices)),
            ("rsvp", "RSVP", list(Response.Status.choices)),
        ):
            indexes = [i for i, key in enumerate(mapping.columns) if m.field_kind(key) == kind]
            distinct: dict[str, str] = {}
            for _, cells in table.rows:
                for i in indexes:
                    if cells[i].strip():
                        distinct.setdefault(m.fold(cells[i]), cells[i].strip())
            for number, (folded, raw) in enumerate(sorted(distinct.items())[:40]):
                name = f"val-{kind}-{number}"
                chosen = mapping.values.get(kind, {}).get(folded) or m.value_guess(kind, raw, couple) or ""
                self.fields[name] = forms.ChoiceField(
                    choices=[("", "— not sure: report the row —"), *options], required=False, label=raw, initial=chosen,
                )
                self.value_rows.append({"kind": label, "raw": raw, "folded": folded, "name": name, "kind_key": kind})
        self.fields["split_couples"].initial = mapping.split_couples
        self.fields["grouping"].initial = mapping.grouping
        self.fields["header_line"].initial = table.header_lines[0] if table.header_lines else None
        self.fields["header_rows"].initial = len(table.header_lines) or 1

    def mapping_chosen(self) -> m.Mapping:
        data = self.cleaned_data
        values: dict[str, dict[str, str]] = {}
        for row in self.value_rows:
            if data.get(row["name"]):
                values.setdefault(row["kind_key"], {})[row["folded"]] = data[row["name"]]
        return m.Mapping(
            columns=[data.get(c["name"]) or m.IGNORE for c in self.columns], values=values,
            split_couples=bool(data.get("split_couples")), grouping=data.get("grouping") or "row",
        )

    def column_fields(self):
        return [(column, self[column["name"]]) for column in self.columns]

    def value_fields(self):
        return [(row, self[row["name"]]) for row in self.value_rows]


def _preview(model_admin, request: HttpRequest, *, token: str, job: dict[str, Any], content: bytes,
             form: ImportForm | None = None, post: bool = False) -> HttpResponse:
    """Read the file with the job's choices, dry-run it, and show the preview with its mapping form."""
    wedding = Wedding.objects.get(pk=job["wedding_id"])
    options = import_options(job)
    report = None
    mapping_form = None
    error = ""
    try:
        table = table_read(
            content=content, filename=job["filename"], sheet=options["sheet"], header_line=options["header_line"],
            header_rows=options["header_rows"], known=m.header_known,
        )
        mapping = options["mapping"] if options["mapping"] and len(options["mapping"].columns) == len(table.headers) \
            else table_mapping(table=table, wedding=wedding)
        events = list(Event.objects.filter(wedding=wedding).order_by("order", "pk").values_list("name", flat=True))
        couple = m.couple_names(wedding.name)
        mapping_form = MappingForm(
            request.POST if post else None, table=table, mapping=mapping, events=events, couple=couple,
        )
        if post and mapping_form.is_valid():
            data = mapping_form.cleaned_data
            reread = (data.get("sheet") or "") != (table.sheet or "") or (
                data.get("header_line") and data["header_line"] != table.header_lines[0]
            ) or (data.get("header_rows") and data["header_rows"] != len(table.header_lines))
            job.update(
                sheet=data.get("sheet") or job.get("sheet"), header_line=data.get("header_line") or None,
                header_rows=data.get("header_rows") or None,
                mapping=None if reread else mapping_form.mapping_chosen().as_dict(),
            )
            if reread and data.get("sheet") != (table.sheet or None):
                job["header_line"] = job["header_rows"] = None  # another sheet: detect its header
            cache.set(job_key(token), job, JOB_TTL)
            return HttpResponseRedirect(reverse("admin:guests_guest_import_preview", args=[token]))
        if not post:
            job["mapping"] = mapping.as_dict()
            cache.set(job_key(token), job, JOB_TTL)
        report = guests_import(
            wedding=wedding, content=content, filename=job["filename"], dry_run=True, skip_bad_rows=True,
            mapping=m.Mapping.from_dict(mapping.as_dict()), sheet=options["sheet"],
            header_line=options["header_line"], header_rows=options["header_rows"],
        )
    except ImportFileError as problem:
        error = str(problem)
    counts = report.counts if report else {}
    changes = bool(report and (counts["create"] or counts["update"]))
    has_household_column = bool(report and report.mapping and {"household", "household_key"} & set(report.mapping.columns))
    context = _context(
        model_admin, request, title="Import guests", form=form or ImportForm(request=request), report=report,
        token=token, error=error, mapping_form=mapping_form, has_household_column=has_household_column,
        can_import=bool(report and report.ok and changes),
        can_import_good=bool(report and report.errors and changes),
        preview_url=reverse("admin:guests_guest_import_preview", args=[token]),
        media=model_admin.media,
    )
    return TemplateResponse(request, "admin/guests/guest/import.html", context)


def import_view(model_admin) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        if not model_admin.has_add_permission(request):
            raise Http404
        form = ImportForm(request.POST or None, request.FILES or None, request=request)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            wedding = form.cleaned_data["wedding"]
            content = upload.read()
            try:
                table_read(content=content, filename=upload.name, known=m.header_known)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                token = secrets.token_urlsafe(16)
                job = {
                    "state": "preview", "wedding_id": wedding.pk, "user_id": request.user.pk,
                    "filename": upload.name, "done": 0, "total": 0,
                }
                cache.set(job_key(token) + ":file", content, JOB_TTL)
                cache.set(job_key(token), job, JOB_TTL)
                return _preview(model_admin, request, token=token, job=job, content=content, form=form)
        context = _context(
            model_admin, request, title="Import guests", form=form, report=None, token="",
            can_import=False, media=model_admin.media + form.media,
        )
        return TemplateResponse(request, "admin/guests/guest/import.html", context)

    return view


def _planner_job(model_admin, request: HttpRequest, token: str) -> dict[str, Any]:
    job = job_get(token)
    wedding = planned_weddings(request).filter(pk=(job or {}).get("wedding_id")).first()
    if job is None or wedding is None or not model_admin.has_add_permission(request):
        raise Http404("No such import.")
    return job


def import_preview_view(model_admin) -> Callable[[HttpRequest, str], HttpResponse]:
    """The preview again, with the planner's changed mapping (POST) or as last chosen (GET)."""

    def view(request: HttpRequest, token: str) -> HttpResponse:
        job = _planner_job(model_admin, request, token)
        content = cache.get(job_key(token) + ":file")
        if job.get("state") != "preview" or content is None:
            messages.info(request, "This import has already been started; upload the file again to change it.")
            return HttpResponseRedirect(reverse("admin:guests_guest_import_progress", args=[token]))
        return _preview(model_admin, request, token=token, job=job, content=content, post=request.method == "POST")

    return view


def import_bad_rows_view(model_admin) -> Callable[[HttpRequest, str], HttpResponse]:
    """The rows left out (or that would be), with an error column, to fix and import again."""

    def view(request: HttpRequest, token: str) -> HttpResponse:
        job = _planner_job(model_admin, request, token)
        report = job.get("report")
        if report is None:
            content = cache.get(job_key(token) + ":file")
            if content is None:
                raise Http404("This import is gone; upload the file again.")
            try:
                report = guests_import(
                    wedding=Wedding.objects.get(pk=job["wedding_id"]), content=content, filename=job["filename"],
                    dry_run=True, skip_bad_rows=True, **import_options(job),
                ).as_dict()
            except ImportFileError as error:
                raise Http404(str(error)) from None
        body = bad_rows_csv(headers=report["headers"], bad_rows=report["bad_rows"])
        response = HttpResponse(body, content_type=exporting.FORMATS["csv"])
        stem = (job["filename"].rsplit(".", 1)[0] or "guests").replace('"', "")
        response["Content-Disposition"] = f'attachment; filename="{stem}-rows-not-imported.csv"'
        return response

    return view


def import_progress_view(model_admin) -> Callable[[HttpRequest, str], HttpResponse]:
    def view(request: HttpRequest, token: str) -> HttpResponse:
        job = job_get(token)
        wedding = planned_weddings(request).filter(pk=(job or {}).get("wedding_id")).first()
        if job is None or wedding is None or not model_admin.has_add_permission(request):
            raise Http404("No such import.")
        if request.method == "POST":
            if job.get("state") == "preview":
                job_update(token, state="running", skip_bad_rows=request.POST.get("skip_bad_rows") == "1")
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
