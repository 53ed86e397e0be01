"""Change capture: the one place that turns a write into a version and a log row.

Contract (DESIGN §4.1–4.3):

* `record_change()` must be called inside the transaction that made the
  change (it opens one if there is none). The change rows wait in the
  transaction; as it commits (`realtime.db`, the database backend), each
  wedding it changed gets its version bumped once — `UPDATE … RETURNING` takes
  the wedding's row lock, so versions are gapless and in commit order — and
  its rows are inserted under that version in one statement. The wedding's row is
  so locked for the commit only, not from the transaction's first change on
  (bench/README.md "The version's lock").
* One message per wedding per transaction is published by
  `transaction.on_commit` (robust): a rolled-back transaction, or a rolled-back
  savepoint that made the change, publishes nothing and logs nothing.
* Writes that fire no signals (`QuerySet.update`, `bulk_create`, imports,
  admin bulk actions) call `record_bulk()` themselves.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connections, transaction

from realtime.changelog import UNKNOWN, ChangeSet
from realtime.context import current_actor

_suspended: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "confetti_capture_suspended", default=frozenset()
)
_all_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar("confetti_capture_off", default=False)


@dataclass(eq=False)
class PendingPublish(ChangeSet):
    """What one transaction changed in one wedding; called once, after commit."""

    token: object = None

    def __call__(self) -> None:
        from realtime.publish import publish

        if self.version is None:  # every change of it was rolled back (or its wedding deleted)
            return
        publish(self.message())


@dataclass(eq=False)
class _Queued:
    """One change row waiting for its transaction's commit (`flush`), with the savepoints it
    was made in: rolling back any of them drops it (`discard`), as Django drops on-commit
    callbacks."""

    pending: PendingPublish
    row: object  # an unsaved realtime.models.Change
    savepoints: frozenset[str]


def _transaction_token(connection) -> object:
    """Identifies the transaction a change belongs to.

    In production that is simply the outermost atomic block. Inside a test
    wrapped in TestCase atomics (which never commit), the outermost block
    *not* opened by the test stands for the transaction — identified by its
    savepoint id, unique per entry — and a change made directly inside the
    test's wrapper is its own transaction, as it would be in autocommit.
    """
    for depth, block in enumerate(connection.atomic_blocks):
        if not getattr(block, "_from_testcase", False):
            return "outermost" if depth == 0 else (connection.savepoint_ids[depth - 1] or id(block))
    return None


def _pending_for(connection, wedding_id: int, token: object) -> PendingPublish | None:
    """The wedding's pending publish of the current transaction, if it is still alive.

    A callback that is no longer in `run_on_commit` was discarded by a
    rollback (of the transaction or of the savepoint that created it): its
    version bump was rolled back with it, so the next change bumps again.
    """
    pending_by_wedding = getattr(connection, "_confetti_pending", None)
    if not pending_by_wedding or token is None:
        return None
    pending = pending_by_wedding.get(wedding_id)
    if pending is None:
        return None
    if pending.token == token and any(func is pending for _sids, func, _robust in connection.run_on_commit):
        return pending
    del pending_by_wedding[wedding_id]
    return None


def _bump_version(connection, wedding_id: int) -> int | None:
    from wedding.core.models import Wedding

    table = connection.ops.quote_name(Wedding._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET version = version + 1 WHERE id = %s RETURNING version", [wedding_id]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _log(
    *,
    using: str,
    wedding_id: int,
    topic: str,
    action: str,
    model: str,
    object_ids: list[str],
    summary: str,
    also_topics: Iterable[str] = (),
    household_id: object = UNKNOWN,
) -> None:
    from realtime.models import Change

    if _all_suspended.get() or wedding_id in _suspended.get():
        return
    also_topics = tuple(also_topics)  # read twice: the message and the log row
    connection = connections[using]
    if not connection.in_atomic_block:
        with transaction.atomic(using=using):
            _log(
                using=using, wedding_id=wedding_id, topic=topic, action=action,
                model=model, object_ids=object_ids, summary=summary, also_topics=also_topics,
                household_id=household_id,
            )
            return
    token = _transaction_token(connection)
    # A transaction that ends in a commit (or, under a test's wrapper, in its savepoint's
    # release) logs at its end (`flush`); a change made straight in a test's wrapper logs now.
    deferred = isinstance(token, str)
    pending = _pending_for(connection, wedding_id, token)
    if pending is None:
        version = None
        if not deferred:
            version = _bump_version(connection, wedding_id)
            if version is None:  # the wedding itself is gone
                return
        pending = PendingPublish(wedding_id=wedding_id, version=version, token=token)
        if not hasattr(connection, "_confetti_pending"):
            connection._confetti_pending = {}
        connection._confetti_pending[wedding_id] = pending
        transaction.on_commit(pending, using=using, robust=True)
    pending.add(topic, object_ids, household_id)
    for extra in also_topics:
        pending.add_unknown(extra)
    actor = current_actor()
    row = Change(
        wedding_id=wedding_id,
        version=pending.version,
        topic=topic,
        action=action,
        model=model,
        object_id=object_ids[0] if len(object_ids) == 1 else "",
        count=max(len(object_ids), 1),
        summary=summary[:300],
        actor_user_id=actor.user_id,
        actor_household_id=actor.household_id,
        actor_label=actor.label[:150],
        owner_household=household_id if isinstance(household_id, int) else None,
        side_topics=" ".join(also_topics),
    )
    if deferred:
        if not hasattr(connection, "_confetti_queued"):
            connection._confetti_queued = []
        connection._confetti_queued.append(_Queued(pending, row, frozenset(connection.savepoint_ids)))
    else:
        row.save(using=using)


def flush(connection, token: object = "outermost") -> None:
    """Log what the ending transaction changed: per wedding, bump the version, insert its rows.

    Called by the database backend (`realtime.db`) as the transaction commits, and as a
    savepoint standing for the transaction under a test's wrapper is released (`token`: its
    id). The weddings' rows are locked in id order, so two transactions changing the same
    weddings never wait on each other in a circle. Raising a DatabaseError here fails the
    commit: the transaction is rolled back whole.
    """
    queued = getattr(connection, "_confetti_queued", None)
    if not queued:
        return
    # A pending publish no longer in the on-commit list was discarded with its transaction.
    live = {id(func) for _sids, func, _robust in connection.run_on_commit if isinstance(func, PendingPublish)}
    waiting: dict[PendingPublish, list[object]] = {}
    kept = []
    for item in queued:
        if item.pending.token != token:
            kept.append(item)  # another (test) transaction's
        elif id(item.pending) in live:
            waiting.setdefault(item.pending, []).append(item.row)
    connection._confetti_queued = kept
    for pending in sorted(waiting, key=lambda p: p.wedding_id):
        pending.version = _bump_version(connection, pending.wedding_id)
        if pending.version is None:  # the wedding was deleted in this transaction
            continue
        for row in waiting[pending]:
            row.version = pending.version
        _insert(connection, waiting[pending])


def discard(connection, savepoint: str | None = None) -> None:
    """Drop the change rows made since `savepoint`, rolled back (None: the whole transaction)."""
    queued = getattr(connection, "_confetti_queued", None)
    if queued:
        connection._confetti_queued = [] if savepoint is None else [i for i in queued if savepoint not in i.savepoints]


def _insert(connection, rows: list) -> None:
    """One INSERT for the rows (not `bulk_create`: this runs inside the backend's commit,
    where an atomic block of its own would commit early)."""
    from realtime.models import Change

    fields = [f for f in Change._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [f.get_db_prep_save(f.pre_save(row, True), connection) for row in rows for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Change._meta.db_table)} ({columns}) VALUES {', '.join([one] * len(rows))}",
            params,
        )


def record_change(
    *, wedding_id: int, topic: str, action: str, model: str, object_id: object, summary: str,
    household_id: object = UNKNOWN, using: str = "default",
) -> None:
    """Log one changed object under the wedding's next version (one per transaction).

    `household_id` names the household whose own row this is (a vote, a
    request; None: no household's), so household regions that only show their
    own rows skip other households' changes. Nothing is logged while capture is
    suspended for the wedding.
    """
    _log(
        using=using, wedding_id=wedding_id, topic=topic, action=action, model=model,
        object_ids=[str(object_id)] if object_id is not None else [], summary=summary,
        household_id=household_id,
    )


def record_bulk(
    *, wedding_id: int, topic: str, action: str, model: str, object_ids: Iterable[object],
    summary: str, also_topics: Iterable[str] = (), using: str = "default",
) -> None:
    """Log a write that fired no signals (update(), bulk_create(), imports) as ONE change row.

    Call inside the transaction that made the write, after it. `also_topics`
    names topics the write touched as a side effect (deleting guests also
    deletes their responses and seats) — announced without ids.
    """
    _log(
        using=using, wedding_id=wedding_id, topic=topic, action=action, model=model,
        object_ids=[str(i) for i in object_ids], summary=summary, also_topics=also_topics,
    )


@contextlib.contextmanager
def suspended(*wedding_ids: int) -> Iterator[None]:
    """Switch per-object capture off for these weddings (or for all, with no ids).

    For bulk work that records itself with one `record_bulk()` call afterwards,
    and for deleting a whole wedding (its log goes with it).
    """
    if wedding_ids:
        token = _suspended.set(_suspended.get() | frozenset(wedding_ids))
        try:
            yield
        finally:
            _suspended.reset(token)
    else:
        token = _all_suspended.set(True)
        try:
            yield
        finally:
            _all_suspended.reset(token)


@contextlib.contextmanager
def bulk_change(
    *, wedding_id: int, topic: str, action: str, model: str, summary: str,
    also_topics: Iterable[str] = (), using: str = "default",
) -> Iterator[list[object]]:
    """Group a batch of writes into one change: per-object capture is off inside,
    and one row (and one message) is recorded at the end for the ids collected.

        with transaction.atomic(), bulk_change(wedding_id=w.pk, topic="guest", action="update",
                                               model="guests.guest", summary="Tagged 40 guests") as ids:
            ...; ids.extend(changed_pks)
    """
    ids: list[object] = []
    with transaction.atomic(using=using):
        with suspended(wedding_id):
            yield ids
        record_bulk(
            wedding_id=wedding_id, topic=topic, action=action, model=model,
            object_ids=ids, summary=summary, also_topics=also_topics, using=using,
        )
