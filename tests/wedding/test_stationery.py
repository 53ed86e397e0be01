"""Stationery PDFs (wedding.dashboard.stationery): rendered by WeasyPrint, read back with pypdf."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from seating.models import Seat
from tests import factories
from wedding.dashboard.stationery import sheet_layout

MISSING_GLYPH = "\ufffd"


def pdf_url(wedding, kind, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("admin:dashboard-stationery", args=[wedding.pk, kind]) + (f"?{query}" if query else "")


def read_pdf(response) -> PdfReader:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def words(text: str) -> str:
    """Extracted text with runs of whitespace as one space (lines wrap where the layout says)."""
    return re.sub(r"\s+", " ", text)


def embedded_fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            assert descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            ), f"{font['/BaseFont']} is not embedded"
    return names


@pytest.fixture
def reception(wedding, event):
    """Tables 1, 2 and 10 at the event; guests with accents, ñ, ü, and two Mía Müller of two households."""
    event.name = "Reception"
    event.save()
    fish = factories.MealOptionFactory(event=event, name="Fish", order=1)
    veg = factories.MealOptionFactory(event=event, name="Vegetarian", order=2)
    tables = {n: factories.TableFactory(event=event, name=f"Table {n}", capacity=10) for n in (10, 2, 1)}
    mueller_a = factories.HouseholdFactory(wedding=wedding, name="The Müller family")
    mueller_b = factories.HouseholdFactory(wedding=wedding, name="Hausgemeinschaft Müller-Peña")
    nunez = factories.HouseholdFactory(wedding=wedding, name="The Núñez household")
    guests = [
        (mueller_a, "Mía", "Müller", tables[1], 1, fish, ""),
        (mueller_b, "Mía", "Müller", tables[10], None, veg, "no nuts"),
        (nunez, "Íñigo", "Núñez", tables[2], 3, veg, "vegan"),
        (nunez, "Begoña", "Núñez", tables[2], None, None, ""),
        (nunez, "Zoë", "Ångström", tables[10], None, fish, ""),
    ]
    made = {}
    for household, first, last, table, number, meal, note in guests:
        guest = factories.GuestFactory(household=household, first_name=first, last_name=last, dietary_notes=note)
        factories.ResponseFactory(guest=guest, event=event, meal=meal)
        Seat.objects.create(wedding=wedding, event=event, table=table, guest=guest, number=number)
        made[(household.pk, first)] = guest
    return {"event": event, "tables": tables, "mueller_a": mueller_a, "mueller_b": mueller_b}


def test_place_cards_show_name_table_seat_and_meal_marker(planner_client, wedding, reception):
    reader = read_pdf(planner_client.get(pdf_url(wedding, "place-cards", event=reception["event"].pk)))
    text = words("".join(page_texts(reader)))
    assert MISSING_GLYPH not in text
    # Alphabetical (Ångström sorts with A), each card: name, table · seat, meal code + meal.
    assert "Zoë Ångström Table 10 A Fish" in text
    assert "Mía Müller Table 1 · Seat 1 A Fish" in text
    assert "Mía Müller Table 10 B Vegetarian · !" in text
    assert "Íñigo Núñez Table 2 · Seat 3 B Vegetarian · !" in text
    assert "Begoña Núñez Table 2" in text
    assert text.index("Zoë Ångström") < text.index("Mía Müller") < text.index("Begoña Núñez") < text.index("Íñigo Núñez")
    assert any("DejaVu" in f for f in embedded_fonts(reader))


def test_escort_cards_tell_two_mia_muller_apart_by_household(planner_client, wedding, reception):
    reader = read_pdf(planner_client.get(pdf_url(wedding, "escort-cards", event=reception["event"].pk, paper="letter")))
    text = words("".join(page_texts(reader)))
    assert "Mía Müller The Müller family Table 1" in text
    assert "Mía Müller Hausgemeinschaft Müller-Peña Table 10" in text
    # Unique names get no extra line.
    assert "Íñigo Núñez Table 2" in text
    assert MISSING_GLYPH not in text


def test_same_name_in_same_household_is_numbered(planner_client, wedding, reception):
    event = reception["event"]
    twin = factories.GuestFactory(household=reception["mueller_a"], first_name="Mía", last_name="Müller")
    Seat.objects.create(wedding=wedding, event=event, table=reception["tables"][2], guest=twin)
    text = words("".join(page_texts(read_pdf(planner_client.get(pdf_url(wedding, "escort-cards", event=event.pk))))))
    assert "Mía Müller The Müller family · 1 of 2 Table 1" in text
    assert "Mía Müller The Müller family · 2 of 2 Table 2" in text
    assert "Mía Müller Hausgemeinschaft Müller-Peña Table 10" in text


def test_names_extract_exactly_no_missing_glyphs(planner_client, wedding, reception):
    """Every name on the poster comes back from the PDF character for character."""
    reader = read_pdf(planner_client.get(pdf_url(wedding, "poster", event=reception["event"].pk)))
    lines = [line.strip() for text in page_texts(reader) for line in text.splitlines()]
    names = ["Zoë Ångström", "Mía Müller", "Begoña Núñez", "Íñigo Núñez"]
    for name in names:
        assert any(line.startswith(name) for line in lines), (name, lines)
    assert all(MISSING_GLYPH not in line for line in lines)


def test_poster_lists_guests_alphabetically_with_their_table(planner_client, wedding, reception):
    reader = read_pdf(planner_client.get(pdf_url(wedding, "poster", event=reception["event"].pk, paper="a3")))
    assert len(reader.pages) == 1
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 297
    text = words(page_texts(reader)[0])
    assert "find your table" in text
    assert "Zoë Ångström Table 10" in text
    assert "Mía Müller (The Müller family) Table 1" in text
    assert "Mía Müller (Hausgemeinschaft Müller-Peña) Table 10" in text
    assert "Íñigo Núñez Table 2" in text
    assert text.index("Ångström") < text.index("Müller") < text.index("Begoña")


def test_caterer_sheet_tables_in_natural_order_with_meals_and_notes(planner_client, wedding, reception):
    reader = read_pdf(planner_client.get(pdf_url(wedding, "caterer", event=reception["event"].pk)))
    text = words("".join(page_texts(reader)))
    assert "A Fish B Vegetarian" in text  # the legend, in the couple's order
    one, two, ten = text.index("Table 1 "), text.index("Table 2 "), text.index("Table 10 ")
    assert one < two < ten
    assert "Table 2 B Vegetarian × 1 No meal chosen × 1" in text
    assert "3 Íñigo Núñez B Vegetarian vegan" in text
    assert "Table 10 A Fish × 1 B Vegetarian × 1" in text
    assert "Mía Müller B Vegetarian no nuts" in text
    assert MISSING_GLYPH not in text


def test_table_numbers_one_page_per_table_in_natural_order(planner_client, wedding, reception):
    reader = read_pdf(planner_client.get(pdf_url(wedding, "table-numbers", event=reception["event"].pk, paper="4x6")))
    texts = page_texts(reader)
    assert [words(t).split(" ")[0:2] for t in texts] == [["Table", "1"], ["Table", "2"], ["Table", "10"]]
    # Each number fits on one line of its page.
    assert [t.splitlines()[0] for t in texts] == ["Table 1", "Table 2", "Table 10"]
    assert all(f"{wedding.name} · Reception" in t for t in texts)
    assert round(float(reader.pages[0].mediabox.width) / 72, 2) == 4.0


@pytest.mark.parametrize(("paper", "card", "per_sheet"), [
    ("a4", "3.5x2", 10), ("letter", "3.5x2", 10), ("a4", "4x6", 1), ("card", "3.5x2", 1),
])
def test_page_count_follows_cards_per_sheet(planner_client, wedding, event, paper, card, per_sheet):
    table = factories.TableFactory(event=event, name="Table 1", capacity=30)
    for i in range(23):
        guest = factories.GuestFactory(household__wedding=wedding, first_name=f"Guest{i:02d}")
        Seat.objects.create(wedding=wedding, event=event, table=table, guest=guest)
    assert sheet_layout(paper=paper, card=card).per_sheet == per_sheet
    reader = read_pdf(planner_client.get(pdf_url(wedding, "place-cards", event=event.pk, paper=paper, card=card)))
    assert len(reader.pages) == -(-23 // per_sheet)
    texts = page_texts(reader)
    assert words(texts[0]).count("Table 1") == per_sheet
    if paper == "card":
        # One card per page at the card's size, plus 3 mm bleed each side for the crop marks.
        box = reader.pages[0].mediabox
        assert round(float(box.width) / 72 * 25.4, 1) == round(88.9 + 6, 1)


def test_sheet_layout_centres_cards_and_marks_every_cut():
    layout = sheet_layout(paper="a4", card="3.5x2")
    assert (layout.cols, layout.rows) == (2, 5)
    assert layout.cuts_x == [16.1, 105.0, 193.9]
    assert len(layout.cuts_y) == 6 and layout.cuts_y[0] == layout.top
    assert layout.left + 2 * 88.9 + layout.left == pytest.approx(210)
    # Marks sit in the margin, 6 mm long, ending 1 mm before the cards.
    start, length = layout.marks_x
    assert (length, start + length) == (6.0, pytest.approx(layout.left - 1))


@pytest.mark.parametrize(("params", "status", "message"), [
    ({"paper": "a0"}, 400, "Unknown paper"),
    ({"card": "9x9"}, 400, "Unknown card size"),
    ({"event": "abc"}, 404, ""),
    ({"event": "99999999999999999999"}, 404, ""),
    ({"event": "١"}, 404, ""),  # a digit to str.isdigit(), not an id
])
def test_bad_sizes_and_events_are_refused_clearly(planner_client, wedding, event, params, status, message):
    response = planner_client.get(pdf_url(wedding, "place-cards", **params))
    assert response.status_code == status
    assert message in response.content.decode()


def test_unknown_document_and_other_wedding_are_404(planner_client, wedding, event, other_wedding):
    assert planner_client.get(pdf_url(wedding, "menus")).status_code == 404
    other_event = factories.EventFactory(wedding=other_wedding)
    assert planner_client.get(pdf_url(wedding, "poster", event=other_event.pk)).status_code == 404
    assert planner_client.get(pdf_url(other_wedding, "poster")).status_code == 404


def test_reports_page_links_every_document(planner_client, wedding, event):
    page = planner_client.get(reverse("admin:dashboard-reports", args=[wedding.pk])).content.decode()
    for kind in ("place-cards", "escort-cards", "table-numbers", "poster", "caterer"):
        assert pdf_url(wedding, kind) in page


def test_missing_pango_is_a_clear_503_not_a_500(planner_client, wedding, event, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    response = planner_client.get(pdf_url(wedding, "poster"))
    assert response.status_code == 503
    assert "libpango-1.0-0" in response.content.decode()


def test_stationery_reads_a_fixed_number_of_queries(wedding, event):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wedding.dashboard.stationery import stationery_context

    table = factories.TableFactory(event=event, name="Table 1", capacity=60)
    meal = factories.MealOptionFactory(event=event, name="Fish")
    counts = []
    for _ in range(2):
        for _ in range(20):
            guest = factories.GuestFactory(household=factories.HouseholdFactory(wedding=wedding))
            factories.ResponseFactory(guest=guest, event=event, meal=meal)
            Seat.objects.create(wedding=wedding, event=event, table=table, guest=guest)
        with CaptureQueriesContext(connection) as queries:
            stationery_context("caterer", wedding=wedding, event=event, paper="a4", card="3.5x2")
        counts.append(len(queries))
    assert counts[0] == counts[1] == 4
