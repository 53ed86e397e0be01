"""`{{ event|translated:"name" }}`: couple-written text in the reader's language (a builtin library)."""

from __future__ import annotations

from typing import Any

from django import template

from wedding.core.i18n import translated as translated_text

register = template.Library()


@register.filter
def translated(obj: Any, field: str) -> Any:
    """`obj.<field>` in the active language, falling back to the text in the wedding's default."""
    if obj is None or obj == "":
        return ""
    return translated_text(obj, field)
