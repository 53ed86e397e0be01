"""The admin's import: upload → preview with the guessed mapping (change it, or not) → import."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from guests.importexport import jobs
from guests.importexport import views as admin_views
from guests.models import Guest, ImportMapping
from realtime.models import Change


@pytest.fixture
def run_inline(monkeypatch):
    """The background thread cannot see the test's transaction: run the job in place."""
    monkeypatch.setattr(admin_views, "run_in_background", jobs.job_run)


def upload(client, wedding, content: bytes, name: str = "list.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("admin:guests_guest_import"), {"wedding": wedding.pk, "file": file})


FOREIGN = (
    "Guest list — Lucía & Marco\n"
    "Party,Given name,Surname,Relationship to couple,Shoe size\n"
    "Cohen,Hannah,Cohen,Bride's side,38\n"
    "Cohen,Eli,Cohen,cousin,44\n"
).encode("mac_roman")


def mapping_post(preview, **changes) -> dict:
    """The preview's form as the planner submits it, with some fields changed."""
    form = preview.context["mapping_form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value not in (None, False)}
    return {**data, **changes}


def test_preview_shows_the_guesses_and_the_planner_corrects_them_then_imports(planner_client, wedding, run_inline):
    preview = upload(planner_client, wedding, FOREIGN)

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Read as Mac Roman text, comma-separated." in page
    assert "Line 1 skipped (above the header)" in page
    assert "Columns ignored (not imported): “Shoe size”." in page
    assert "“cousin” is not a side Confetti knows" in page
    form = preview.context["mapping_form"]
    assert [form[c["name"]].value() for c in form.columns] == ["household", "first_name", "last_name", "side", ""]
    assert preview.context["can_import_good"] and not preview.context["can_import"]

    token = preview.context["token"]
    data = mapping_post(preview)
    cousin = next(row["name"] for row in form.value_rows if row["raw"] == "cousin")
    data[cousin] = "b"
    data["col-4"] = "notes"
    changed = planner_client.post(reverse("admin:guests_guest_import_preview", args=[token]), data)
    assert changed.status_code == 302

    again = planner_client.get(changed["Location"])
    assert again.context["can_import"] and "Columns ignored" not in again.content.decode()
    started = planner_client.post(reverse("admin:guests_guest_import_progress", args=[token]))
    assert started.status_code == 302

    guests = {g.first_name: g for g in Guest.objects.filter(wedding=wedding)}
    assert (guests["Hannah"].side, guests["Eli"].side, guests["Eli"].notes) == ("a", "b", "44")
    remembered = ImportMapping.objects.get(wedding=wedding)
    assert remembered.columns["shoe size"] == "notes" and remembered.values["side"]["cousin"] == "b"

    # Next time, the same columns come pre-mapped.
    next_time = upload(planner_client, wedding, FOREIGN.replace(b"Hannah", b"Ruth"))
    form = next_time.context["mapping_form"]
    assert [form[c["name"]].value() for c in form.columns] == ["household", "first_name", "last_name", "side", "notes"]
    assert next_time.context["report"].ok


def test_good_rows_imported_and_bad_rows_downloaded(planner_client, wedding, run_inline):
    content = b"First name,Email\nAna,ana@example.org\nLuis,not-an-email\n=Eva,\n"
    preview = upload(planner_client, wedding, content)
    token = preview.context["token"]
    assert preview.context["can_import_good"]

    download = planner_client.get(reverse("admin:guests_guest_import_bad_rows", args=[token]))
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert download["Content-Disposition"] == 'attachment; filename="list-rows-not-imported.csv"'
    assert rows == [["line", "First name", "Email", "error"], ["3", "Luis", "not-an-email", "email “not-an-email” is not a valid address"]]

    before = Change.objects.count()
    planner_client.post(reverse("admin:guests_guest_import_progress", args=[token]), {"skip_bad_rows": "1"})

    assert sorted(Guest.objects.values_list("first_name", flat=True)) == ["=Eva", "Ana"]
    assert Change.objects.count() == before + 1
    page = planner_client.get(reverse("admin:guests_guest_import_progress", args=[token])).content.decode()
    assert "bad row(s) were left out" in page and "Download the 1 row not imported" in page
    after = planner_client.get(reverse("admin:guests_guest_import_bad_rows", args=[token]))
    assert "not-an-email" in after.content.decode("utf-8-sig")


def test_choosing_another_sheet_reads_it_again(planner_client, wedding):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Guests"
    book.active.append(["First name"])
    book.active.append(["Ana"])
    other = book.create_sheet("Kids")
    other.append(["Child"])
    other.append(["Leo"])
    buffer = io.BytesIO()
    book.save(buffer)
    preview = upload(planner_client, wedding, buffer.getvalue(), "book.xlsx")
    assert preview.context["mapping_form"].table.sheet == "Guests"

    data = mapping_post(preview, sheet="Kids")
    changed = planner_client.post(reverse("admin:guests_guest_import_preview", args=[preview.context["token"]]), data)
    again = planner_client.get(changed["Location"])
    assert again.context["mapping_form"].table.sheet == "Kids"
    assert "Read the sheet “Kids”" in again.content.decode()


def test_another_planner_cannot_see_the_preview_or_the_bad_rows(client, planner_client, wedding, other_wedding):
    token = upload(planner_client, wedding, b"First\nAna\n,x\n").context["token"]
    client.force_login(other_wedding.planners.get())
    assert client.get(reverse("admin:guests_guest_import_preview", args=[token])).status_code == 404
    assert client.get(reverse("admin:guests_guest_import_bad_rows", args=[token])).status_code == 404
