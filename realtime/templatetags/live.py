"""Template tags that place live regions (placeholder until the delivery side lands)."""

from __future__ import annotations

from django import template

register = template.Library()
