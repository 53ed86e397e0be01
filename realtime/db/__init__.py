"""The database backends Confetti runs on: Django's own, with the change log written at commit.

`settings.DATABASES` names `realtime.db.postgresql` or `realtime.db.sqlite3` as ENGINE.
Each is Django's backend of that name with one addition (`CommitsChanges`): right before a
transaction commits, `realtime.capture.flush` bumps the version of each wedding the
transaction changed and inserts its change rows. The wedding's row lock, which keeps
versions gapless and in commit order, is then held for the commit alone, where it was held
from a transaction's first change to its end: an RSVP waited for every other RSVP of its
wedding then in flight (bench/README.md "The version's lock").
"""

from __future__ import annotations

from realtime import capture


class CommitsChanges:
    """Mixed into a backend's DatabaseWrapper."""

    def _commit(self):
        capture.flush(self)
        return super()._commit()

    def _savepoint_commit(self, sid):
        # Under a test's wrapper (TestCase) a transaction is a savepoint; its release ends it.
        capture.flush(self, sid)
        return super()._savepoint_commit(sid)

    def _rollback(self):
        capture.discard(self)
        return super()._rollback()

    def _savepoint_rollback(self, sid):
        capture.discard(self, sid)
        return super()._savepoint_rollback(sid)
