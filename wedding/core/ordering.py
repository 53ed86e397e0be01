"""The order a person expects of names: "Table 2" before "Table 10", "Álvaro" beside "Alvaro"."""

from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Sort key a person expects: "Table 2" before "Table 10", "Álvaro" beside "Alvaro", case ignored.

    Digit runs compare as numbers; letters compare without accents and case
    (accents still break ties, so the order is total and stable).
    """
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in _DIGITS.split(folded) if p)
    return parts, text
