"""Template tags that place live regions on a page.

    {% live_region "guest_table" event=event.pk %}

needs `live_viewer` (a realtime.regions.Viewer) in the context; the page's
view puts it there (see realtime.views.live_context).

    {% morph_script %}

loads idiomorph's htmx extension (npm `idiomorph`, served from node_modules like
SortableJS); nothing when `npm ci` has not run, and live.js then swaps whole regions.
"""

from __future__ import annotations

from functools import cache

from django import template
from django.contrib.admin.templatetags.admin_list import result_list
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from realtime import regions

IDIOMORPH_EXT = "vendor/idiomorph/dist/idiomorph-ext.min.js"

register = template.Library()


@register.simple_tag(takes_context=True)
def live_region(context: template.Context, name: str, **params) -> SafeString:
    viewer = context.get("live_viewer")
    if viewer is None:
        raise template.TemplateSyntaxError(
            "{% live_region %} needs `live_viewer` in the context (realtime.views.live_context)"
        )
    return regions.render_region(name, viewer, {k: v for k, v in params.items() if v is not None})


@cache
def _idiomorph_installed() -> bool:
    return finders.find(IDIOMORPH_EXT) is not None


@register.simple_tag
def morph_script() -> SafeString:
    """The deferred <script> of idiomorph's htmx extension (after htmx's), or "" if not installed."""
    if not _idiomorph_installed():
        return SafeString("")
    return format_html('<script src="{}" defer></script>', static(IDIOMORPH_EXT))


@register.inclusion_tag("realtime/admin/change_list_results.html")
def live_result_list(cl) -> dict:
    """An admin change list's table (as `{% result_list %}`) whose rows carry their object's id."""
    context = result_list(cl)
    context["rows"] = list(zip((obj.pk for obj in cl.result_list), context["results"], strict=True))
    return context
