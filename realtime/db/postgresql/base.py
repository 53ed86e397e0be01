"""Django's PostgreSQL backend, writing the change log at commit (see `realtime.db`)."""

from django.db.backends.postgresql import base

from realtime.db import CommitsChanges


class DatabaseWrapper(CommitsChanges, base.DatabaseWrapper):
    pass
