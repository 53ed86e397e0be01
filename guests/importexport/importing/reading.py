"""Reading a guest list file into a plain table: any encoding, any delimiter, any sheet, any header.

Contract of `table_read()`: it never guesses silently. Everything it decided
(the encoding, the delimiter, the sheet, the header line(s), title rows it
skipped) is in `Table.notes`, in words the planner confirms on the preview,
and each decision can be overridden (`sheet`, `header_line`, `header_rows`).
Every data row keeps its real line number in the file (CSV: the line it
starts on; XLSX: the spreadsheet row), so errors point at what the planner sees.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMATS = ("csv", "xlsx")
# Where to look for the header: title rows, notes and blank lines come first in real files.
HEADER_SEARCH = 15
# Encodings a guest list saved by a spreadsheet on Windows, macOS or DOS comes in,
# when it is not UTF-8. charset-normalizer chooses among these only: on a short list
# of names, an open choice lands on exotic code pages that happen to fit.
LEGACY_ENCODINGS = ["cp1252", "mac_roman", "cp850"]
ENCODING_LABELS = {
    "utf_8": "UTF-8", "utf-8": "UTF-8", "utf_8_sig": "UTF-8 (with BOM)", "utf_16": "UTF-16",
    "cp1252": "Windows-1252 (Western)", "mac_roman": "Mac Roman", "cp850": "DOS Latin-1 (850)",
    "iso8859_15": "ISO-8859-15", "cp1250": "Windows-1250 (Central European)",
}
# Between a two-row header's group and column ("Partner › First Name"): the guesser tries both.
GROUP_SEPARATOR = "›"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, wrong format, no usable header)."""


@dataclass
class Table:
    """A file read as a header and data rows, with what reading it decided."""

    filename: str
    fmt: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line in the file, cells padded to the header's width)
    header_lines: list[int] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def format_for(filename: str, fmt: str | None = None) -> str:
    fmt = (fmt or Path(filename).suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ImportFileError(
            f"“{filename or 'the file'}” is not a CSV or XLSX file; save it as .csv or .xlsx (or name the format)."
        )
    return fmt


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a spreadsheet
    if isinstance(value, datetime.datetime) and not (value.hour or value.minute or value.second):
        value = value.date()
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    # NUL is never text a planner typed, and PostgreSQL refuses it in any text column.
    return str(value).replace("\x00", "").strip()


# --- CSV -------------------------------------------------------------------------------


def text_decode(content: bytes) -> tuple[str, str]:
    """(text, encoding label). A BOM is obeyed; UTF-8 is tried strictly; else charset-normalizer decides."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf_8_sig"), (codecs.BOM_UTF16_LE, "utf_16"), (codecs.BOM_UTF16_BE, "utf_16")):
        if content.startswith(bom):
            try:
                return content.decode(encoding), ENCODING_LABELS[encoding]
            except UnicodeDecodeError:
                break
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(content, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None or b"\x00" in content:
        raise ImportFileError(
            "The CSV file is not text in any encoding a spreadsheet saves (UTF-8, Windows, Mac); "
            "is it really a CSV file?"
        )
    return str(best), ENCODING_LABELS.get(best.encoding, best.encoding)


def delimiter_guess(text: str) -> str:
    """The sniffer on the first lines; else the candidate the first line has most of (comma on a tie)."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        pass
    counts = {d: max((line.count(d) for line in lines), default=0) for d in ",;\t|"}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def csv_rows(content: bytes) -> tuple[list[tuple[int, list[str]]], str, str]:
    text, encoding = text_decode(content)
    text = text.lstrip("\ufeff")
    delimiter = delimiter_guess(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    start = 1
    try:
        for record in reader:
            rows.append((start, [cell_text(v) for v in record]))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(f"The CSV file cannot be read near line {reader.line_num}: {error}.") from None
    return rows, encoding, delimiter


# --- XLSX ------------------------------------------------------------------------------


def xlsx_sheets(content: bytes) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    """Every sheet's (name, rows) of a workbook; formulas read as their saved values."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportFileError("The XLSX file cannot be read; is it an Excel workbook?") from None
    try:
        sheets = []
        for sheet in book.worksheets:
            rows = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(v) for v in values]
                while cells and not cells[-1]:
                    cells.pop()
                rows.append((number, cells))
            sheets.append((sheet.title, rows))
        return sheets
    except Exception:
        raise ImportFileError("The XLSX file cannot be read; is it an Excel workbook?") from None
    finally:
        book.close()


# --- the header ------------------------------------------------------------------------


def _filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c)


def header_find(rows: list[tuple[int, list[str]]], known: Callable[[str], bool]) -> tuple[int, int]:
    """(index of the header row among `rows`, 1 or 2 header rows).

    The header is the row, among the first non-blank ones, with the most cells
    that name a known field (ties: the first); with none known, the first row of
    two or more cells. A row just above it with several cells but fewer than the
    header (a merged group row such as "Guest | Partner | Address") makes a
    two-row header; a row with a single cell is a title, skipped.
    """
    candidates = [i for i, (_line, cells) in enumerate(rows) if any(cells)][:HEADER_SEARCH]
    if not candidates:
        raise ImportFileError("The file is empty: expected a header row naming the columns, then one row per guest.")
    scores = {i: sum(1 for c in rows[i][1] if c and known(c)) for i in candidates}
    best = max(candidates, key=lambda i: (scores[i], -i))
    if scores[best] == 0:
        best = next((i for i in candidates if _filled(rows[i][1]) >= 2), candidates[0])
    above = best - 1
    if (
        above >= 0 and above in candidates and rows[above][0] == rows[best][0] - 1
        and 2 <= _filled(rows[above][1]) < _filled(rows[best][1])
    ):
        return above, 2
    return best, 1


def headers_combine(top: list[str], bottom: list[str]) -> list[str]:
    """A two-row header as one label per column: the group (merged across its columns) + the column."""
    width = max(len(top), len(bottom))
    group, labels = "", []
    for i in range(width):
        upper = top[i] if i < len(top) else ""
        lower = bottom[i] if i < len(bottom) else ""
        if upper:
            group = upper
        elif not lower:
            group = ""
        labels.append(f"{group} {GROUP_SEPARATOR} {lower}" if lower and group else (lower or upper or group))
    return labels


def table_read(
    *, content: bytes, filename: str = "", fmt: str | None = None, sheet: str | None = None,
    header_line: int | None = None, header_rows: int | None = None, known: Callable[[str], bool] | None = None,
) -> Table:
    """Read a CSV or XLSX file as a `Table` (see the module docstring).

    `known(text)` says whether a header cell names a field (the guesser's);
    `sheet`, `header_line` (a line number in the file) and `header_rows` (1 or 2)
    override what would be detected. Raises ImportFileError for an unreadable file.
    """
    fmt = format_for(filename, fmt)
    known = known or (lambda _text: False)
    notes: list[str] = []
    table = Table(filename=filename, fmt=fmt, headers=[], rows=[])
    if fmt == "csv":
        rows, table.encoding, table.delimiter = csv_rows(content)
        notes.append(f"Read as {table.encoding} text, {DELIMITER_NAMES.get(table.delimiter, table.delimiter)}-separated.")
    else:
        sheets = xlsx_sheets(content)
        table.sheets = [name for name, _ in sheets]
        chosen = None
        if sheet:
            chosen = next((s for s in sheets if s[0] == sheet), None)
            if chosen is None:
                raise ImportFileError(f"The workbook has no sheet “{sheet}” (sheets: {', '.join(table.sheets)}).")
        else:
            # The first sheet with data, not the one that happened to be active when saved.
            chosen = next((s for s in sheets if sum(1 for _, c in s[1] if any(c)) >= 2), None)
            chosen = chosen or next((s for s in sheets if any(any(c) for _, c in s[1])), None)
        if chosen is None:
            raise ImportFileError("The workbook is empty: no sheet has a header row and guests.")
        table.sheet, rows = chosen
        if len(sheets) > 1:
            notes.append(f"Read the sheet “{table.sheet}” ({len(sheets)} sheets in the workbook).")
    if header_line is not None:
        index = next((i for i, (line, _) in enumerate(rows) if line == header_line), None)
        if index is None or not any(rows[index][1]):
            raise ImportFileError(f"Line {header_line} of the file is empty or missing; it cannot be the header.")
        count = header_rows or 1
    else:
        index, count = header_find(rows, known)
        if header_rows in (1, 2) and header_rows != count:
            index, count = (index + count - header_rows, header_rows) if index + count - header_rows >= 0 else (index, count)
    if count == 2 and index + 1 < len(rows):
        headers = headers_combine(rows[index][1], rows[index + 1][1])
        table.header_lines = [rows[index][0], rows[index + 1][0]]
        notes.append(f"Two-row header on lines {table.header_lines[0]}–{table.header_lines[1]}.")
    else:
        count = 1
        headers = list(rows[index][1])
        table.header_lines = [rows[index][0]]
        if index and any(any(c) for _, c in rows[:index]):
            notes.append(f"Header on line {rows[index][0]}.")
    skipped = [(line, " ".join(c for c in cells if c)) for line, cells in rows[:index] if any(cells)]
    for line, text in skipped:
        notes.append(f"Line {line} skipped (above the header): “{text[:60]}”.")
    data = [(line, cells) for line, cells in rows[index + count:] if any(cells)]
    width = max([len(headers), *(len(c) for _, c in data)])
    headers += [""] * (width - len(headers))
    table.headers = _unique([h or f"Column {_letter(i)}" for i, h in enumerate(headers)])
    table.rows = [(line, cells + [""] * (width - len(cells))) for line, cells in data]
    table.notes = notes
    return table


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out
