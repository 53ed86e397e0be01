"""Template tags that place live regions on a page.

    {% live_region "guest_table" event=event.pk %}

needs `live_viewer` (a realtime.regions.Viewer) in the context; the page's
view puts it there (see realtime.views.live_context).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from realtime import regions

register = template.Library()


@register.simple_tag(takes_context=True)
def live_region(context: template.Context, name: str, **params) -> SafeString:
    viewer = context.get("live_viewer")
    if viewer is None:
        raise template.TemplateSyntaxError(
            "{% live_region %} needs `live_viewer` in the context (realtime.views.live_context)"
        )
    return regions.render_region(name, viewer, {k: v for k, v in params.items() if v is not None})
