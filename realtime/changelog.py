"""The change log's side of a message: what changed in a transaction, and reading it back.

A `ChangeSet` collects what one transaction changed in one wedding and turns it
into the message that is published (DESIGN §4.4: `{wedding, version, topics,
ids}`, no private data); `realtime.capture` fills one per transaction. The
change log (`realtime.models.Change`) keeps the same facts, so a process that
never got a message can read what it said.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# A change whose household is not known: every household region of its topic re-renders.
UNKNOWN = "unknown"

# Message ids per topic are capped: past this, receivers treat the topic as "anything changed".
MAX_IDS_PER_TOPIC = 200

CATCH_UP_LIMIT = 500  # versions read back from the log at most; past this every region is re-rendered


@dataclass(eq=False)
class ChangeSet:
    """What one transaction changed in one wedding, and the message that says so."""

    wedding_id: int
    version: int | None  # None until the transaction's commit bumps it (`capture.flush`)
    topics: set[str] = field(default_factory=set)
    ids: dict[str, set[str] | None] = field(default_factory=dict)
    # Per topic, the households whose own rows changed (None: unknown, maybe any).
    households: dict[str, set[int] | None] = field(default_factory=dict)

    def add_unknown(self, topic: str) -> None:
        """The topic changed, but not which rows (e.g. cascaded deletes)."""
        self.topics.add(topic)
        self.ids[topic] = None
        self.households[topic] = None

    def add(self, topic: str, object_ids: Iterable[object] | None, household_id: object = UNKNOWN) -> None:
        """`household_id`: the household whose own row changed, None for a row of no
        household (a planner's song), UNKNOWN when it cannot be told. `object_ids`
        None: not known which rows."""
        known_households = self.households.get(topic, set())
        if household_id == UNKNOWN or known_households is None:
            self.households[topic] = None
        else:
            if household_id is not None:
                known_households.add(household_id)
            self.households[topic] = known_households
        self.topics.add(topic)
        known = self.ids.setdefault(topic, set())
        if known is None:
            return
        if object_ids is None:
            self.ids[topic] = None
            return
        known.update(str(i) for i in object_ids if i is not None)
        if len(known) > MAX_IDS_PER_TOPIC:
            self.ids[topic] = None

    def message(self) -> dict:
        return {
            "wedding": self.wedding_id,
            "version": self.version,
            "topics": sorted(self.topics),
            "ids": {t: (sorted(v) if v is not None else None) for t, v in self.ids.items()},
            "households": {
                t: sorted(v) for t, v in self.households.items() if v is not None
            },
        }


def changed_topics(wedding_id: int, since: int, until: int) -> set[str] | None:
    """Topics changed in (since, until], or None when the log cannot tell (too many, pruned)."""
    messages = logged_messages(wedding_id, since, until) if since > 0 else None
    return None if messages is None else {topic for message in messages for topic in message["topics"]}


def logged_messages(wedding_id: int, since: int, until: int) -> list[dict] | None:
    """The messages of a wedding's versions (since, until], rebuilt from its change log, oldest first.

    What a hub reads for versions whose message never came. A rebuilt message may
    name more than the published one did (a row of several objects, or of no one
    household, counts as unknown), never less. None when the log cannot tell: a
    version missing from it (pruned), or more than `CATCH_UP_LIMIT` versions.
    """
    from realtime.models import Change

    if since < 0 or until - since > CATCH_UP_LIMIT:
        return None
    rows = (
        Change.objects.filter(wedding_id=wedding_id, version__gt=since, version__lte=until)
        .order_by("version", "id")
        .values_list("version", "topic", "object_id", "count", "owner_household", "side_topics")
    )
    versions: dict[int, ChangeSet] = {}
    for version, topic, object_id, count, household, side_topics in rows:
        changes = versions.get(version)
        if changes is None:
            changes = versions[version] = ChangeSet(wedding_id=wedding_id, version=version)
        changes.add(topic, [object_id] if count == 1 and object_id else None, UNKNOWN if household is None else household)
        for topic_too in side_topics.split():
            changes.add_unknown(topic_too)
    if len(versions) < until - since:
        return None
    return [changes.message() for changes in versions.values()]
