"""Which models are tracked, under which topic, and how a change reads in the activity feed.

The topics are the vocabulary live regions depend on (`regions.register(topics=…)`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model


@dataclass(frozen=True)
class Tracked:
    topic: str
    describe: Callable[[Model, str], str]
    # The household whose own row this is, None for no household's (an opaque id,
    # no private data); see Region.own_topics.
    household: Callable[[Model], int | None] | None = None


def _name(obj: Model) -> str:
    return str(obj)


def _generic(obj: Model, action: str) -> str:
    verb = {"create": "Added", "update": "Updated", "delete": "Removed"}[action]
    return f"{verb} {obj._meta.verbose_name} “{_name(obj)}”"


def _response(obj: Model, action: str) -> str:
    if action == "delete":
        return f"Removed {obj.guest}'s answer for {obj.event}"
    verb = {"attending": "accepted", "declined": "declined", "pending": "has not answered"}.get(
        obj.status, obj.status
    )
    behalf = " (recorded by a planner)" if obj.answered_by == "planner" else ""
    meal = f", {obj.meal}" if obj.status == "attending" and obj.meal_id else ""
    return f"{obj.guest} {verb} the {obj.event}{meal}{behalf}"


def _seat(obj: Model, action: str) -> str:
    if action == "delete":
        return f"{obj.guest} unseated from {obj.table}"
    return f"{obj.guest} seated at {obj.table} ({obj.event})"


def _invitation(obj: Model, action: str) -> str:
    if action == "delete":
        return f"{obj.guest} uninvited from {obj.event}"
    return f"{obj.guest} invited to {obj.event}"


def _guest_request(obj: Model, action: str) -> str:
    if action == "create":
        return f"New request from {obj.household}: {obj.get_kind_display()}"
    return f"Request from {obj.household} is {obj.get_status_display().lower()}"


def _song(obj: Model, action: str) -> str:
    if action == "create":
        return f"Song requested: {obj}"
    return f"Song {obj} is {obj.get_status_display().lower()}" if action == "update" else _generic(obj, action)


def _vote(obj: Model, action: str) -> str:
    return f"{'Vote for' if action != 'delete' else 'Vote withdrawn from'} {obj.song}"


def _wedding(obj: Model, action: str) -> str:
    if action == "create":
        return f"Wedding “{obj}” created"
    return f"Wedding settings updated (seating {'published' if obj.seating_published else 'hidden'})"


# app_label.model_name → how it is tracked. Change here to track a new model.
TRACKED: dict[str, Tracked] = {
    "wedding.wedding": Tracked("wedding", _wedding),
    "wedding.event": Tracked("event", _generic),
    "wedding.weddingpartymember": Tracked("party", _generic),
    "wedding.tribute": Tracked("tribute", _generic),
    "wedding.remembrance": Tracked("tribute", _generic),
    "wedding.songrequest": Tracked("song", _song, household=lambda o: o.requested_by_id),
    "wedding.songvote": Tracked("song", _vote, household=lambda o: o.guest.household_id),
    "wedding.photo": Tracked("photo", _generic),
    "wedding.guestbookentry": Tracked("guestbook", _generic),
    "guests.household": Tracked("guest", _generic),
    "guests.guest": Tracked("guest", _generic),
    "guests.tag": Tracked("guest", _generic),
    "guests.guestrequest": Tracked("request", _guest_request),
    "rsvp.mealoption": Tracked("event", _generic),
    "rsvp.invitation": Tracked("rsvp", _invitation),
    "rsvp.response": Tracked("rsvp", _response),
    "seating.table": Tracked("table", _generic),
    "seating.seat": Tracked("seating", _seat),
    "seating.keeptogether": Tracked("table", _generic),
    "seating.keepapart": Tracked("table", _generic),
    "seating.floorplan": Tracked("table", _generic),
    "seating.floorobject": Tracked("table", _generic),
}

# Every topic a region may depend on.
TOPICS = frozenset(t.topic for t in TRACKED.values())


def tracked(model: type[Model]) -> Tracked | None:
    return TRACKED.get(model._meta.label_lower)
