"""HTTP side of live regions: the fragment URL (polling fallback and resync)."""

from __future__ import annotations

import dataclasses

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from realtime import regions
from realtime.principal import viewer_for
from realtime.regions import Audience, Viewer


def live_page_context(viewer: Viewer, *, read_now: bool = True) -> dict:
    """What a live page's template needs: its viewer and the version it was rendered at.

    The version is read *before* the regions render, so the page is at least
    that fresh; the socket resyncs anything committed after (DESIGN §4.7). The
    wedding (and a household viewer's household) are read in the same query, so the
    regions use them as they are (`Viewer.fresh`) instead of each reading them again.

    `read_now=False`: the viewer's wedding (and household) were read in this request,
    before any region's data, and nothing was written since (a guest page's GET, whose
    household the session middleware read): they, and the version with them, are used as
    they are.
    """
    if not read_now:
        viewer = dataclasses.replace(viewer, fresh=True)
        return {"live_viewer": viewer, "live_version": viewer.wedding.version, "wedding": viewer.wedding}
    weddings = viewer.wedding._meta.model.objects
    if viewer.audience is Audience.HOUSEHOLD and viewer.household is not None:
        household = (  # (_meta: the request's household is a lazy object)
            viewer.household._meta.model.objects.select_related("wedding")
            .filter(pk=viewer.household.pk, wedding=viewer.wedding.pk).first()
        )
        if household is not None:
            viewer = dataclasses.replace(viewer, wedding=household.wedding, household=household, fresh=True)
        else:  # gone, or of another wedding: its regions answer 404 as before
            viewer = dataclasses.replace(viewer, wedding=weddings.get(pk=viewer.wedding.pk))
    else:
        viewer = dataclasses.replace(viewer, wedding=weddings.get(pk=viewer.wedding.pk), fresh=True)
    wedding = viewer.wedding
    return {"live_viewer": viewer, "live_version": wedding.version, "wedding": wedding}


@never_cache
@require_GET
def fragment(request: HttpRequest, name: str) -> HttpResponse:
    """One region, rendered for the requester's audience. `X-Live-Version` says how fresh."""
    try:
        wedding_id = int(request.GET.get("wedding", ""))
    except ValueError:
        return HttpResponse("A wedding id is required.", status=400, content_type="text/plain")
    # A household region is asked for as the household (a planner may also have entered
    # as a guest in the same browser); the session still has to prove it.
    region = regions.all_regions().get(name)  # unknown → 404, but only once the requester may look
    prefer_household = (region is not None and region.audience is Audience.HOUSEHOLD) or (
        request.GET.get("as") == "household"
    )
    viewer = viewer_for(
        user=request.user, household=request.household, wedding_id=wedding_id, prefer_household=prefer_household
    )
    if viewer is None:
        raise PermissionDenied("Not allowed to view this wedding.")
    context = live_page_context(viewer)
    params = {k: v for k, v in request.GET.items() if k not in {"wedding", "as"}}
    html = regions.render_region(name, viewer, params)
    response = HttpResponse(html)
    response["X-Live-Version"] = str(context["live_version"])
    return response
