"""Which models are tracked, under which topic, and how a change reads in the activity feed.

`realtime` names no domain model. Each app declares its own in `<app>/live.py`
(discovered at start-up, as the admin discovers `admin.py`):

    live.track("songs.SongVote", topic="song", describe=vote_summary,
               household=lambda vote: vote.guest.household_id)

The activity feed shows one entry per user action: the changes one
transaction logged (one version). The entry reads as its first change, or,
when that change's model declares `describe_group` and the action changed
several of its rows (an RSVP answering for five guests), as that group.

The topics are the vocabulary live regions depend on (`live.region(topics=…)`);
`realtime.checks` refuses a region that names a topic nobody tracks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class Tracked:
    topic: str
    describe: Callable[[Model, str], str]
    # The household whose own row this is, None for no household's (an opaque id,
    # no private data); see Region.own_topics.
    household: Callable[[Model], int | None] | None = None
    # The feed line of one action that changed several rows of the model: (changes) -> str.
    describe_group: Callable[[Sequence[Any]], str] | None = None


def generic_summary(obj: Model, action: str) -> str:
    """'Added guest “Ana Ruiz”': the activity-feed line of a model with nothing more to say."""
    verb = {"create": "Added", "update": "Updated", "delete": "Removed"}[action]
    return f"{verb} {obj._meta.verbose_name} “{obj}”"


# app_label.model_name → how it is tracked. Filled by the apps' live.py modules.
TRACKED: dict[str, Tracked] = {}


def track(
    model: str | type[Model],
    *,
    topic: str,
    describe: Callable[[Model, str], str] = generic_summary,
    household: Callable[[Model], int | None] | None = None,
    describe_group: Callable[[Sequence[Any]], str] | None = None,
) -> Tracked:
    """Declare that every create/update/delete of `model` is a change of `topic`.

    `model` is a label ("songs.SongVote") or the class. `describe(obj, action)`
    is the activity-feed line; `household(obj)` names the household whose own
    row this is (regions with `own_topics` then skip other households).
    `describe_group(changes)` is the feed line of one action that changed
    several rows of the model (the change-log rows, in write order).
    """
    label = model if isinstance(model, str) else model._meta.label
    spec = Tracked(topic=topic, describe=describe, household=household, describe_group=describe_group)
    TRACKED[label.lower()] = spec
    return spec


def topics() -> frozenset[str]:
    """Every topic some model is tracked under (complete once the live modules are discovered)."""
    return frozenset(spec.topic for spec in TRACKED.values())


def tracked(model: type[Model]) -> Tracked | None:
    return TRACKED.get(model._meta.label_lower)


def actor_words(change: Any) -> str:
    """Who made a logged change, as the feed says it: "The López household", "Ana Planner", "Confetti"."""
    label = change.actor_label or ""
    for role in (" (guest)", " (planner)"):
        label = label.removesuffix(role)
    return label if label and label != "system" else "Confetti"


def headline(changes: Sequence[Any]) -> str:
    """The activity-feed line of one action: the change-log rows of one version, in write order."""
    lead = changes[0]
    spec = TRACKED.get(lead.model)
    group = [change for change in changes if change.model == lead.model]
    if spec is not None and spec.describe_group is not None and len(group) > 1:
        return spec.describe_group(group)
    return lead.summary
