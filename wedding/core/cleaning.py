"""Input checks every guest contribution shares: tidy text with clear limits, the household's wedding."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError


def clean_text(value: Any, *, label: str, max_length: int, required: bool = True) -> str:
    """Short text has its white space folded; long text is only stripped. Errors name the field."""
    text = " ".join(str(value or "").split()) if max_length <= 300 else str(value or "").strip()
    if required and not text:
        raise ValidationError(f"Please write the {label}.")
    if len(text) > max_length:
        raise ValidationError(f"The {label} is too long ({len(text)} characters; at most {max_length}).")
    return text


def check_household(*, wedding, household) -> None:
    """Refuse a household of another wedding (None — a planner or the system — passes)."""
    if household is not None and household.wedding_id != wedding.pk:
        raise PermissionDenied("This household belongs to another wedding.")
