"""The one surface domain apps use from `realtime` (tests/realtime/test_layout.py keeps them to it).

Declarations, in an app's `live.py`:
    track(...)          a model's changes are changes of a topic (activity-feed line, household)
    region(...)         a live region: name, audience, topics, template fragment, context
Writes:
    bulk_change(...)    a write that fires no signal (update, bulk_create) recorded as one change
    acting_as_planner(...), acting_as(...), actor_for(...)   who a write is credited to
Pages:
    Audience, Viewer, render_region, live_page_context, and the planner-page helpers
    (planner_view, planner_viewer, page_context, action_result, error_text, planner_live_page,
    int_param); the admin's own lists live: admin_list_region(...) in live.py, LiveChangeList
    on the ModelAdmin.
Principals:
    declare_household(...)       which model is the guest principal (guests/live.py)
    close_sockets_after_commit(...)  a sign-out or a revoked access closes its sockets
Reads:
    Change (the change log: the activity feed), topics(), headline() and actor_words() (one
    action's feed line).
"""

from __future__ import annotations

from realtime.capture import bulk_change, record_bulk, record_change, suspended
from realtime.context import acting_as, acting_as_planner, actor_for
from realtime.pages import (
    LiveChangeList,
    action_result,
    admin_list_region,
    error_text,
    int_param,
    page_context,
    planner_live_page,
    planner_view,
    planner_viewer,
)
from realtime.principal import close_sockets_after_commit, declare_household
from realtime.regions import ANY_TOPIC, Audience, Viewer, fragment_url, render_region
from realtime.regions import register as region
from realtime.tracking import actor_words, generic_summary, headline, topics, track, tracked
from realtime.views import live_page_context


def __getattr__(name: str):
    # The change log model, imported on first use: domain apps may import this module
    # while the app registry is still loading models.
    if name == "Change":
        from realtime.models import Change

        return Change
    raise AttributeError(name)


__all__ = [
    "ANY_TOPIC", "Audience", "LiveChangeList", "Viewer", "acting_as", "admin_list_region", "acting_as_planner", "action_result",
    "actor_for", "actor_words", "bulk_change", "headline", "record_change", "close_sockets_after_commit", "declare_household", "record_bulk", "suspended", "error_text", "fragment_url", "generic_summary", "int_param", "live_page_context",
    "page_context", "planner_live_page", "planner_view", "planner_viewer", "region", "render_region",
    "topics", "track", "tracked",
]
