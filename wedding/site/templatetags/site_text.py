"""`{{ text|markdown }}`: couple-written Markdown as sanitised HTML (wedding.site.content)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from wedding.site.content import markdown_to_html

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return markdown_to_html(text)
