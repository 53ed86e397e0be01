"""Stored counters kept equal to the rows they count, on every delete path.

A counter such as a song's `vote_count` is recounted by the app's own
services when they add or remove a row. Rows also go by cascade — a guest or
household deleted takes its votes with it — and the deleting code must not
have to know every counter of every app. So apps declare their counters
(`counter_register`, from `AppConfig.ready()`), and code that deletes rows
which may cascade calls `delete_recounting(queryset)`: Django's own deletion
collector says which counted rows go, and their parents are recounted in the
same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models, router, transaction
from django.db.models.deletion import Collector


@dataclass(frozen=True)
class Counter:
    parent: type[models.Model]  # the model holding the count (SongRequest)
    field: str  # its counter field ("vote_count")
    rows: type[models.Model]  # the rows counted (SongVote)
    via: str  # the rows' foreign key to the parent ("song")


_COUNTERS: list[Counter] = []


def counter_register(*, parent: type[models.Model], field: str, rows: type[models.Model], via: str) -> None:
    """Declare `parent.field` as the number of `rows` pointing at it through `via`."""
    counter = Counter(parent=parent, field=field, rows=rows, via=via)
    if counter not in _COUNTERS:
        _COUNTERS.append(counter)


def _parents_losing_rows(collector: Collector, counter: Counter) -> set[int]:
    attname = counter.rows._meta.get_field(counter.via).attname
    ids = {getattr(row, attname) for row in collector.data.get(counter.rows, ())}
    for qs in collector.fast_deletes:  # rows Django deletes by query, without loading them
        if getattr(qs, "model", None) is counter.rows:
            ids.update(qs.values_list(attname, flat=True))
    return ids


def delete_recounting(queryset: models.QuerySet) -> int:
    """Delete `queryset` (with its cascades) and recount every declared counter it changes.

    Runs in one transaction (the caller's, if any): the parents are locked
    before the rows go, so a concurrent vote waits and then counts right.
    Recounts are saved with `save(update_fields=…)`, so change capture sees
    them (inside a `bulk_change` they are part of its one change). Returns
    the number of rows deleted (all models).
    """
    with transaction.atomic():
        collector = Collector(using=router.db_for_write(queryset.model))
        collector.collect(queryset)
        affected = {c: _parents_losing_rows(collector, c) for c in _COUNTERS}
        parents = {
            c: list(c.parent._default_manager.select_for_update().filter(pk__in=ids).order_by("pk"))
            for c, ids in affected.items() if ids
        }
        deleted, _ = queryset.delete()
        for counter, rows in parents.items():
            for parent in rows:
                setattr(parent, counter.field, counter.rows._default_manager.filter(**{counter.via: parent}).count())
                parent.save(update_fields=[counter.field])
    return deleted
