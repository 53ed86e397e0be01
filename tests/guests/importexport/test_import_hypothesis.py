"""Random headers and cells: an import never escapes as a 500 and never half-applies."""

from __future__ import annotations

import csv
import io

import openpyxl
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from guests.importexport import jobs
from guests.importexport import views as admin_views
from guests.importexport.importing import ImportFileError, guests_import
from guests.importexport.importing import mapping as m
from guests.models import Guest, Household, Tag
from rsvp.models import Invitation, Response
from seating.models import Seat, Table
from tests import factories

EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
HEADERS = [
    "First name", "Last", "Name", "Party", "Household", "household_key", "Email", "Cell", "Side", "Is child?",
    "RSVP", "Reception response", "Reception meal", "Reception table", "Events", "Tags", "Partner First Name",
    "Child 1", "Plus one", "Address line 1", "Zip", "plus_ones_allowed", "directory_opt_in", "Notes", "",
]
CELL = st.one_of(
    st.sampled_from(["", "Ana", "Hannah and Eli Cohen", "Mr. and Mrs. John Smith", "yes", "no", "7", "Bride", "Groom",
                     "Attending", "Declined", "Reception", "Brunch", "Fish", "Table 1", "=1+1", "'=x", "a@b.org",
                     "x" * 120, "H123", "The Cohen Family", "Sí", "😀", "\x00", "a;b|c"]),
    st.text(max_size=30),
)


def fingerprint(wedding) -> tuple[int, ...]:
    models = (Household, Guest, Tag, Invitation, Response, Table, Seat)
    return tuple(model.objects.filter(wedding=wedding).count() for model in models)


def as_csv(header: list[str], body: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *body])
    return out.getvalue().encode("utf-8", "surrogatepass")


def as_xlsx(header: list[str], body: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in [header, *body]:
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_random_files_are_reported_or_refused_and_never_half_imported(wedding):
    event = factories.EventFactory(wedding=wedding, name="Reception")
    factories.TableFactory(event=event, name="Table 1", capacity=2)

    @EXAMPLES
    @given(
        header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=10),
        body=st.lists(st.lists(CELL, max_size=10), max_size=8),
        xlsx=st.booleans(), skip=st.booleans(), split=st.booleans(),
        grouping=st.sampled_from(["row", "surname_address"]),
    )
    def run(header, body, xlsx, skip, split, grouping):
        content = as_xlsx(header, body) if xlsx else as_csv(header, body)
        before = fingerprint(wedding)
        try:
            table_mapping = None
            if split is False or grouping != "row":
                from guests.importexport.importing import table_mapping as guess
                from guests.importexport.importing import table_read

                table = table_read(content=content, filename="g.xlsx" if xlsx else "g.csv", known=m.header_known)
                table_mapping = guess(table=table, wedding=wedding)
                table_mapping.split_couples, table_mapping.grouping = split, grouping
            report = guests_import(
                wedding=wedding, content=content, filename="g.xlsx" if xlsx else "g.csv", skip_bad_rows=skip,
                mapping=table_mapping,
            )
        except ImportFileError as refused:
            assert str(refused)
            assert fingerprint(wedding) == before
            return
        after = fingerprint(wedding)
        if not report.imported:
            assert after == before, "nothing imported, yet something was written"
        else:
            assert not report.errors or skip
            created = report.counts["create"]
            assert after[1] == before[1] + created, "guests written differ from the report"
        assert all(r.message for r in report.errors)
        assert {line for line, *_ in report.bad_rows} == {r.line for r in report.errors}

    run()


def test_random_uploads_through_the_admin_never_answer_500(planner_client, wedding, monkeypatch):
    monkeypatch.setattr(admin_views, "run_in_background", jobs.job_run)
    factories.EventFactory(wedding=wedding, name="Reception")

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
        body=st.lists(st.lists(CELL, max_size=8), max_size=5),
        raw=st.one_of(st.none(), st.binary(max_size=300)),
        name=st.sampled_from(["g.csv", "g.xlsx", "g.txt"]),
        skip=st.booleans(),
    )
    def run(header, body, raw, name, skip):
        content = raw if raw is not None else as_csv(header, body)
        file = io.BytesIO(content)
        file.name = name
        before = fingerprint(wedding)
        preview = planner_client.post(reverse("admin:guests_guest_import"), {"wedding": wedding.pk, "file": file})
        assert preview.status_code == 200
        token = preview.context.get("token")
        if not token:
            assert fingerprint(wedding) == before
            return
        assert planner_client.get(reverse("admin:guests_guest_import_bad_rows", args=[token])).status_code in (200, 404)
        started = planner_client.post(
            reverse("admin:guests_guest_import_progress", args=[token]), {"skip_bad_rows": "1"} if skip else {},
        )
        assert started.status_code == 302
        job = jobs.job_get(token)
        if job["state"] == "failed":
            assert fingerprint(wedding) == before
        else:
            report = job["report"]
            if not report["imported"]:
                assert fingerprint(wedding) == before
            else:
                assert fingerprint(wedding)[1] == before[1] + report["counts"]["create"]

    run()
