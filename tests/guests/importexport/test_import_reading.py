"""Reading any guest list file: encodings, delimiters, BOMs, sheets, title rows, two-row headers."""

from __future__ import annotations

import io

import openpyxl
import pytest

from guests.importexport.importing import ImportFileError, guests_import
from guests.importexport.importing.mapping import header_known
from guests.importexport.importing.reading import table_read
from guests.models import Guest


def read(content: bytes, filename: str = "g.csv", **kwargs):
    return table_read(content=content, filename=filename, known=header_known, **kwargs)


def workbook(*sheets: tuple[str, list[list[object]]], active: int = 0, merge: str = "") -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if merge:
            sheet.merge_cells(merge)
    book.active = active
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


TEXT = "First Name,Last Name,Email\nJosé,Muñoz,jose@example.org\nRené,Côté,\nZoë,Müller,\nÍñigo,Ibáñez,\n"


@pytest.mark.parametrize(("encoding", "label"), [
    ("mac_roman", "Mac Roman"), ("cp1252", "Windows-1252"), ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (with BOM)"),
    ("utf-16", "UTF-16"),
])
def test_any_common_encoding_is_read_and_named(encoding, label):
    table = read(TEXT.encode(encoding))

    assert [cells[:2] for _, cells in table.rows] == [
        ["José", "Muñoz"], ["René", "Côté"], ["Zoë", "Müller"], ["Íñigo", "Ibáñez"],
    ]
    assert table.headers == ["First Name", "Last Name", "Email"]
    assert any(f"Read as {label}" in note for note in table.notes), table.notes


def test_excel_for_mac_line_endings_and_encoding_import_without_garbling(wedding):
    content = TEXT.replace("\n", "\r").encode("mac_roman")

    report = guests_import(wedding=wedding, content=content, filename="Guests.csv")

    assert report.imported and "Read as Mac Roman" in report.notes[0]
    assert sorted(Guest.objects.values_list("first_name", "last_name")) == [
        ("José", "Muñoz"), ("René", "Côté"), ("Zoë", "Müller"), ("Íñigo", "Ibáñez"),
    ]


@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "vertical bar")])
def test_any_delimiter(delimiter, name):
    content = f"First{delimiter}Last{delimiter}Notes\nAna{delimiter}Ruiz{delimiter}likes, commas\n".encode()
    if delimiter == ",":
        content = b'First,Last,Notes\nAna,Ruiz,"likes, commas"\n'
    table = read(content)
    assert table.rows == [(2, ["Ana", "Ruiz", "likes, commas"])]
    assert f"{name}-separated" in table.notes[0]


def test_a_single_column_file_falls_back_to_comma():
    assert read(b"First name\nAna\nLuis\n").rows == [(2, ["Ana"]), (3, ["Luis"])]


def test_xlsx_default_sheet_is_the_first_with_data_not_the_active_one():
    content = workbook(
        ("Instructions", [["Fill in one row per guest"]]),
        ("Guests", [["First name", "Last name"], ["Ana", "Ruiz"]]),
        ("Summary", [["Total", 1], ["Adults", 1]]),
        active=2,
    )
    table = read(content, "g.xlsx")
    assert table.sheet == "Guests" and table.sheets == ["Instructions", "Guests", "Summary"]
    assert table.rows == [(2, ["Ana", "Ruiz"])]
    assert "Read the sheet “Guests” (3 sheets in the workbook)." in table.notes

    chosen = read(content, "g.xlsx", sheet="Summary")
    assert chosen.sheet == "Summary"
    with pytest.raises(ImportFileError, match="no sheet “Nope”"):
        read(content, "g.xlsx", sheet="Nope")


def test_title_rows_are_skipped_and_named():
    content = workbook(("Sheet1", [
        ["Smith–Jones Wedding Guest List"], [], ["Updated 2026-05-01"],
        ["Guest Name", "Email", "Phone"], ["Hannah Cohen", "h@example.org", 5551234567],
    ]))
    table = read(content, "g.xlsx")

    assert table.headers == ["Guest Name", "Email", "Phone"] and table.header_lines == [4]
    assert table.rows == [(5, ["Hannah Cohen", "h@example.org", "5551234567"])]
    assert "Line 1 skipped (above the header): “Smith–Jones Wedding Guest List”." in table.notes


def test_a_two_row_merged_header_becomes_one_label_per_column():
    content = workbook(("Sheet1", [
        ["Household", "Guest", None, "Partner", None, "Address", None],
        [None, "First Name", "Last Name", "First Name", "Last Name", "Street", "City"],
        ["Cohen", "Hannah", "Cohen", "Eli", "Cohen", "1 Main St", "Springfield"],
    ]), merge="B1:C1")
    table = read(content, "g.xlsx")

    assert table.headers == [
        "Household", "Guest › First Name", "Guest › Last Name", "Partner › First Name", "Partner › Last Name",
        "Address › Street", "Address › City",
    ]
    assert table.header_lines == [1, 2] and "Two-row header on lines 1–2." in table.notes
    assert [line for line, _ in table.rows] == [3]


def test_the_planner_can_override_the_header_line():
    content = b"Guest list\nFirst,Last\nAna,Ruiz\n"
    assert read(content).header_lines == [2]
    table = read(content, header_line=1)
    assert table.headers == ["Guest list", "Column B"] and table.rows[0][0] == 2
    with pytest.raises(ImportFileError, match="Line 9"):
        read(content, header_line=9)


@pytest.mark.parametrize("content", [b"\x00\x01\x02garbage\xff\xfe\x00", bytes(range(256)) * 3])
def test_binary_junk_as_csv_is_refused_clearly(wedding, content):
    with pytest.raises(ImportFileError) as refused:
        guests_import(wedding=wedding, content=content, filename="g.csv")
    assert str(refused.value)
