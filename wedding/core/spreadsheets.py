"""Cells that a spreadsheet will not run: OWASP's CSV-injection guidance."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is read as a formula (or DDE) by Excel,
# LibreOffice or Google Sheets.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` as it may go into a CSV or XLSX cell: text that would start a formula gets a leading `'`.

    Numbers, dates and None pass unchanged (they are never formulas), so
    counts and totals stay numeric.
    """
    if isinstance(value, str) and value.startswith(FORMULA_LEADERS):
        return "'" + value
    return value
