"""The dashboard's live regions (planners only), and the moderation queue that spans three apps.

Every context function reads through wedding.dashboard.reads / .reports,
scoped to `viewer.wedding`; parameters that point outside it answer 404.
"""

from __future__ import annotations

from django.http import Http404

from realtime import live
from realtime.live import ANY_TOPIC, Audience, Viewer
from wedding.core.models import Moderation
from wedding.dashboard import planners, reports
from wedding.dashboard import reads as dashboard
from wedding.guestbook.models import GuestbookEntry
from wedding.photos.models import Photo
from wedding.tributes.models import Remembrance


def stats_context(viewer: Viewer) -> dict:
    stats = dashboard.event_stats(viewer.wedding)
    invited = max((s.invited for s in stats), default=0)
    days_to_wedding = dashboard.days_to_wedding(viewer.wedding)
    return {
        "stats": stats,
        "chart": dashboard.rsvp_progress(viewer.wedding, invited=invited),
        "days_left": dashboard.days_to_deadline(viewer.wedding),
        "days_to_wedding": days_to_wedding,
        "days_since_wedding": -days_to_wedding,
    }


def responses_context(viewer: Viewer) -> dict:
    return {"responses": dashboard.latest_responses(viewer.wedding)}


def guests_context(viewer: Viewer, **filters: str) -> dict:
    return dashboard.guest_list(viewer.wedding, filters)


def requests_context(viewer: Viewer, status: str | None = None) -> dict:
    return {"requests": dashboard.request_list(viewer.wedding, status)}


def activity_context(viewer: Viewer, topic: str | None = None, actor: str | None = None) -> dict:
    return {"changes": dashboard.activity(viewer.wedding, topic=topic, actor=actor)}


def reports_context(viewer: Viewer, event: str | None = None) -> dict:
    try:
        return reports.report_context(viewer.wedding, event_id=int(event) if event else None)
    except ValueError:
        raise Http404("no such event") from None


live.region(
    "dash_stats", audience=Audience.PLANNER, topics={"rsvp", "guest", "event", "seating", "wedding"},
    template="admin/dashboard/home.html#stats", context=stats_context,
)
live.region(
    "dash_responses", audience=Audience.PLANNER, topics={"rsvp", "guest", "event"},
    template="admin/dashboard/home.html#responses", context=responses_context,
)
live.region(
    "dash_guests", audience=Audience.PLANNER, topics={"guest", "rsvp", "seating", "table", "event", "message"},
    template="admin/dashboard/guests.html#guests", context=guests_context, params=dashboard.GUEST_FILTERS,
)
live.region(
    "dash_requests", audience=Audience.PLANNER, topics={"request", "guest"},
    template="admin/dashboard/requests.html#requests", context=requests_context, params=("status",),
)
live.region(
    "dash_activity", audience=Audience.PLANNER, topics=ANY_TOPIC,
    template="admin/dashboard/activity.html#activity", context=activity_context, params=("topic", "actor"),
)
def planners_context(viewer: Viewer) -> dict:
    return planners.team_context(viewer.wedding)


live.region(
    "dash_planners", audience=Audience.PLANNER, topics={"planner", "wedding"},
    template="admin/dashboard/planners.html#team", context=planners_context,
)
live.region(
    "dash_reports", audience=Audience.PLANNER, topics={"rsvp", "guest", "event", "seating", "table"},
    template="admin/dashboard/reports.html#reports", context=reports_context, params=("event",),
)


def moderation_context(viewer: Viewer) -> dict:
    """What waits for a planner: pending photos, guestbook entries and remembrances."""
    pending = {"wedding": viewer.wedding, "status": Moderation.PENDING}
    return {
        "photos": list(
            Photo.objects.shown().filter(**pending).select_related("uploaded_by_household").order_by("created_at", "pk")
        ),
        "entries": list(
            GuestbookEntry.objects.filter(**pending).select_related("household").order_by("created_at", "pk")
        ),
        "remembrances": list(
            Remembrance.objects.filter(**pending).select_related("tribute", "household").order_by("created_at", "pk")
        ),
    }


live.region(
    "content_moderation", audience=Audience.PLANNER, topics={"photo", "guestbook", "tribute"},
    template="admin/dashboard/moderation.html#pending", context=moderation_context,
)
