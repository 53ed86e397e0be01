"""Invitation codes: unguessable, unambiguous when read aloud or typed on a phone."""

from __future__ import annotations

import math
import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: nothing a guest can misread.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 10
BITS = LENGTH * math.log2(len(ALPHABET))  # ≈ 46.4 bits

assert BITS >= 40


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(raw: str) -> str:
    """What a guest typed → the stored form (case, spaces and dashes ignored)."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def format_code(code: str) -> str:
    """ABCDE-FGHJK: easier to read aloud."""
    return f"{code[:5]}-{code[5:]}" if len(code) == LENGTH else code


def new_household_key() -> str:
    """A household's key in exported files: random, so keys from two weddings never meet by accident."""
    return "H" + "".join(secrets.choice(ALPHABET) for _ in range(9))
