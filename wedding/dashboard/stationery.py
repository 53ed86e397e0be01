"""Stationery that prints: place cards, escort cards, table numbers, the seating poster and the
caterer's sheet of one event, as PDFs rendered by WeasyPrint.

Each document is a read (`event_places`: three queries whatever the number of guests), a pure
layout (`sheet_layout`: how many cards fit a sheet, where they sit, where the cut marks go) and a
template under `dashboard/stationery/`. Fonts come from Debian's `fonts-dejavu-core` (DejaVu
Serif and Sans cover Latin with accents, Greek and Cyrillic); WeasyPrint embeds the subset it
uses, so names print the same on any printer. Nothing is fetched while rendering: the CSS is
inlined and every other URL is refused.
"""

from __future__ import annotations

import string
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.text import slugify

from realtime.live import planner_view
from rsvp.models import MealOption, Response
from seating.models import Seat, Table, table_key
from wedding.core.models import Event, Wedding
from wedding.dashboard.reads import guest_key

MM_PER_INCH = 25.4

# Paper for sheets, in mm (width, height), portrait.
PAPERS: dict[str, tuple[float, float]] = {
    "a4": (210.0, 297.0),
    "letter": (8.5 * MM_PER_INCH, 11 * MM_PER_INCH),
    "a3": (297.0, 420.0),
}
# Cards, in mm (width, height): the usual flat place/escort card and the 4×6 in card.
CARDS: dict[str, tuple[float, float]] = {
    "3.5x2": (3.5 * MM_PER_INCH, 2 * MM_PER_INCH),
    "4x6": (4 * MM_PER_INCH, 6 * MM_PER_INCH),
}
# Paper "card": one card per page at the card's own size, with bleed and printer's crop marks
# (for a print shop). On a sheet the marks are drawn in the margin, on every cut line.
ONE_PER_PAGE = "card"
SHEET_MARGIN_MM = 10.0
MARK_MM = 6.0
BLEED_MM = 3.0


@dataclass(frozen=True)
class SheetLayout:
    """Cards on one sheet: `cols × rows` cards of `card` mm, the grid starting at `left, top`.

    `cuts_x`/`cuts_y` are the cut lines (mm from the sheet's left/top edge), where the crop
    marks go. With `paper == "card"` every page is one card (`per_sheet == 1`, no drawn marks:
    WeasyPrint's `marks: crop` draws them in the bleed).
    """

    paper: str
    size: tuple[float, float]
    card: tuple[float, float]
    cols: int
    rows: int
    left: float
    top: float

    @property
    def per_sheet(self) -> int:
        return self.cols * self.rows

    @property
    def cuts_x(self) -> list[float]:
        return [round(self.left + i * self.card[0], 2) for i in range(self.cols + 1)]

    @property
    def cuts_y(self) -> list[float]:
        return [round(self.top + j * self.card[1], 2) for j in range(self.rows + 1)]

    @property
    def marks_y(self) -> tuple[float, float]:
        """(distance from the top and bottom edges, length) of the vertical marks: at most
        MARK_MM long, ending 1 mm short of the cards so no mark prints on a card."""
        length = max(min(self.top - 2, MARK_MM), 0)
        return round(self.top - 1 - length, 2), round(length, 2)

    @property
    def marks_x(self) -> tuple[float, float]:
        """The same for the horizontal marks, from the left and right edges."""
        length = max(min(self.left - 2, MARK_MM), 0)
        return round(self.left - 1 - length, 2), round(length, 2)

    def slots(self) -> list[tuple[float, float]]:
        """(left, top) of each card on the sheet, row by row."""
        return [
            (round(self.left + c * self.card[0], 2), round(self.top + r * self.card[1], 2))
            for r in range(self.rows) for c in range(self.cols)
        ]


class StationeryError(ValueError):
    """A paper or card size this module does not know, in the planner's words."""


def sheet_layout(*, paper: str, card: str) -> SheetLayout:
    """How cards of size `card` tile `paper`: as many as fit inside the margins, centred.

    Cards are cut edge to edge (no gutter), so one cut serves two cards. Raises
    StationeryError for an unknown size or a card larger than the sheet.
    """
    if card not in CARDS:
        raise StationeryError(f"Unknown card size “{card}”: choose {', '.join(CARDS)}.")
    card_mm = CARDS[card]
    if paper == ONE_PER_PAGE:
        return SheetLayout(paper, card_mm, card_mm, 1, 1, 0.0, 0.0)
    if paper not in PAPERS:
        raise StationeryError(f"Unknown paper “{paper}”: choose {', '.join([*PAPERS, ONE_PER_PAGE])}.")
    size = PAPERS[paper]
    usable_w, usable_h = size[0] - 2 * SHEET_MARGIN_MM, size[1] - 2 * SHEET_MARGIN_MM
    cols, rows = int(usable_w // card_mm[0]), int(usable_h // card_mm[1])
    if cols < 1 or rows < 1:
        raise StationeryError(f"A {card} in card does not fit on {paper.upper()} paper.")
    left = round((size[0] - cols * card_mm[0]) / 2, 2)
    top = round((size[1] - rows * card_mm[1]) / 2, 2)
    return SheetLayout(paper, size, card_mm, cols, rows, left, top)


def paper_size(paper: str) -> tuple[float, float]:
    """A whole-page document's paper in mm (posters, sheets, table numbers)."""
    if paper in PAPERS:
        return PAPERS[paper]
    if paper in CARDS:
        return CARDS[paper]
    raise StationeryError(f"Unknown paper “{paper}”: choose {', '.join([*PAPERS, *CARDS])}.")


# --- the read ------------------------------------------------------------------------------


@dataclass
class Place:
    """One seated guest as stationery prints them."""

    guest_id: int
    name: str
    first_name: str
    last_name: str
    household: str
    table: str
    number: int | None
    meal: str = ""
    meal_code: str = ""
    dietary: str = ""
    # What tells this card from another with the same name ("" when the name is unique).
    distinguisher: str = ""

    @property
    def initial(self) -> str:
        """The poster's letter heading: first letter of the last name (else first), accent-free."""
        folded = unicodedata.normalize("NFKD", self.last_name or self.first_name)
        return next((c.upper() for c in folded if c.isalnum()), "#")


@dataclass
class TableSheet:
    """One table on the caterer's sheet: its guests and meal counts."""

    name: str
    places: list[Place] = field(default_factory=list)

    @property
    def meals(self) -> list[tuple[str, str, int]]:
        counts = Counter((p.meal_code, p.meal) for p in self.places if p.meal)
        return [(code, meal, n) for (code, meal), n in sorted(counts.items())]

    @property
    def no_meal(self) -> int:
        return sum(1 for p in self.places if not p.meal)


def meal_codes(meals: list[MealOption]) -> dict[int, str]:
    """A letter per meal in the couple's order (A, B, C…; then A2, B2…): the caterer's marker."""
    letters = string.ascii_uppercase
    return {
        meal.pk: letters[i % 26] + (str(i // 26 + 1) if i >= 26 else "") for i, meal in enumerate(meals)
    }


def disambiguate(places: list[Place]) -> None:
    """Give guests who share a name something to tell their cards apart: their household, or —
    when they share that too — the household and their place in it ("The Müller family · 1 of 2")."""
    by_name: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        by_name[place.name.casefold()].append(place)
    for same in by_name.values():
        if len(same) < 2:
            continue
        households = Counter(p.household.casefold() for p in same)
        seen: Counter[str] = Counter()
        for place in same:
            key = place.household.casefold()
            if households[key] == 1:
                place.distinguisher = place.household
            else:
                seen[key] += 1
                place.distinguisher = f"{place.household} · {seen[key]} of {households[key]}"


def event_places(event: Event) -> tuple[list[Place], list[tuple[str, str]]]:
    """Every seated guest of the event, alphabetical, with table, place, meal and dietary note,
    duplicates disambiguated; and the event's meal legend `(code, meal)` in the couple's order.

    Three queries, whatever the number of guests.
    """
    meals = list(MealOption.objects.filter(event=event).order_by("order", "name", "pk"))
    codes = meal_codes(meals)
    chosen = {
        r.guest_id: r.meal for r in
        Response.objects.filter(event=event, status=Response.Status.ATTENDING, meal__isnull=False)
        .select_related("meal")
    }
    seats = Seat.objects.filter(event=event).select_related("guest__household", "table")
    places = []
    for seat in sorted(seats, key=lambda s: guest_key(s.guest)):
        guest, meal = seat.guest, chosen.get(seat.guest_id)
        places.append(Place(
            guest_id=guest.pk, name=guest.full_name, first_name=guest.first_name, last_name=guest.last_name,
            household=guest.household.name, table=seat.table.name, number=seat.number,
            meal=meal.name if meal else "", meal_code=codes.get(meal.pk, "") if meal else "",
            dietary=guest.dietary_notes,
        ))
    disambiguate(places)
    return places, [(codes[m.pk], m.name) for m in meals]


def tables_of(event: Event, places: list[Place]) -> list[TableSheet]:
    """The event's tables in the couple's order, natural by name (empty ones too), with places by seat number."""
    sheets = {t.name: TableSheet(t.name) for t in sorted(Table.objects.filter(event=event), key=table_key)}
    for place in places:
        sheets[place.table].places.append(place)
    for sheet in sheets.values():
        sheet.places.sort(key=lambda p: (p.number is None, p.number or 0))
    return list(sheets.values())


# --- rendering -----------------------------------------------------------------------------


def _refuse(url: str, *args, **kwargs):
    raise ValueError(f"stationery fetches nothing ({url})")


class PrintingUnavailable(RuntimeError):
    """WeasyPrint cannot load its system libraries (pango) on this machine."""


def render_pdf(template: str, context: dict) -> bytes:
    """The template rendered to PDF; the HTML links nothing (CSS inline, fonts from the system).

    Raises PrintingUnavailable when pango is missing (a bare `make run` machine): WeasyPrint is
    imported on use so that every other page works without it.
    """
    try:
        from weasyprint import HTML
    except OSError as error:
        raise PrintingUnavailable(str(error)) from error
    html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_refuse).write_pdf()


DOCUMENTS = {
    "place-cards": "Place cards",
    "escort-cards": "Escort cards",
    "table-numbers": "Table numbers",
    "poster": "Seating poster",
    "caterer": "Caterer's sheet",
}
CARD_DOCUMENTS = ("place-cards", "escort-cards")


def chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def stationery_context(kind: str, *, wedding: Wedding, event: Event, paper: str, card: str) -> dict:
    """Everything a stationery template needs. Raises StationeryError on a size it cannot use."""
    places, legend = event_places(event)
    context = {"wedding": wedding, "event": event, "kind": kind, "title": DOCUMENTS[kind], "legend": legend}
    if kind in CARD_DOCUMENTS:
        layout = sheet_layout(paper=paper, card=card)
        context.update(layout=layout, sheets=[
            list(zip(layout.slots(), page, strict=False)) for page in chunks(places, layout.per_sheet)
        ])
    else:
        size = paper_size(paper)
        tables = tables_of(event, places)
        longest = max((len(t.name) for t in tables), default=1)
        # Table numbers as large as the page allows without wrapping the longest name (a DejaVu
        # Serif glyph is at most ~0.6 em wide; 1 pt = 0.353 mm; 10 mm margins).
        label_pt = min(110, int((size[0] - 20) / (0.6 * 0.353 * longest)))
        context.update(size=size, places=places, tables=tables, label_pt=label_pt)
    return context


def _event(wedding: Wedding, request: HttpRequest) -> Event:
    raw = request.GET.get("event", "")
    events = Event.objects.for_wedding(wedding)
    if raw:
        # ASCII digits only ("١" is a digit to isdigit() and int()), at most a bigint's length.
        if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
            raise Http404("no such event")
        event = events.filter(pk=int(raw)).first()
    else:
        event = events.first()
    if event is None:
        raise Http404("no such event in this wedding")
    return event


@planner_view
def stationery_pdf(request: HttpRequest, wedding: Wedding, kind: str) -> HttpResponse:
    """`?event=&paper=a4|letter|a3|card&card=3.5x2|4x6` → the document as an inline PDF.

    An unknown document or event is 404; an unknown size is 400 with the choices.
    """
    if kind not in DOCUMENTS:
        raise Http404("no such document")
    event = _event(wedding, request)
    paper = request.GET.get("paper", "a4")
    card = request.GET.get("card", "3.5x2")
    try:
        context = stationery_context(kind, wedding=wedding, event=event, paper=paper, card=card)
    except StationeryError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    try:
        pdf = render_pdf(f"dashboard/stationery/{kind}.html", context)
    except PrintingUnavailable:
        return HttpResponse(
            "PDF printing needs Debian's libpango-1.0-0, libpangoft2-1.0-0 and fonts-dejavu-core "
            "on the server (see .ci/run).", status=503, content_type="text/plain; charset=utf-8",
        )
    name = "-".join([wedding.slug, kind, slugify(event.name) or str(event.pk), paper])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
