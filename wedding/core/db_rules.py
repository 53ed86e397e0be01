"""Cross-table rules the database itself enforces, whatever code writes the row.

Django cannot express "a row's reference belongs to the same event as the
row" in a model, so apps declare such rules (`SameEventReference`) and install
them after every `migrate`, idempotently, from their own `post_migrate`
receiver — a SQLite table rebuild can then never silently drop them. On
PostgreSQL a rule is a composite foreign key; on SQLite, triggers. A violation
raises IntegrityError with the rule's message.

The rules themselves live with the apps whose tables they guard
(`rsvp.db_rules`, `seating.db_rules`); `installer()` makes each app's
`post_migrate` receiver from its list of rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper


class Rule(Protocol):
    def install(self, connection: BaseDatabaseWrapper) -> None: ...


@dataclass(frozen=True)
class SameEventReference:
    """`table.(fk, event)` must match `ref.(id, event)`: the referenced row is of the same event."""

    name: str
    table: str
    columns: tuple[str, str]
    ref: str
    ref_columns: tuple[str, str]
    message: str

    @classmethod
    def of(cls, *, table: str, fk: str, ref: str, message: str) -> SameEventReference:
        """The rule that `table.<fk>_id` points at a `ref` row of the same event (`event_id` on both).

        Named `confetti_<model>_<fk>_event` (`confetti_seat_table_event`).
        """
        return cls(
            name=f"confetti_{table.split('_', 1)[1]}_{fk}_event", table=table, columns=(f"{fk}_id", "event_id"),
            ref=ref, ref_columns=("id", "event_id"), message=message,
        )

    def sqlite_statements(self) -> list[str]:
        fk, ev = self.columns
        ref_id, ref_ev = self.ref_columns
        match = f"SELECT 1 FROM {self.ref} WHERE {ref_id} = NEW.{fk} AND {ref_ev} = NEW.{ev}"
        when = f"WHEN NEW.{fk} IS NOT NULL AND NOT EXISTS ({match})"
        parent_moves = (
            f"WHEN NEW.{ref_ev} <> OLD.{ref_ev} AND EXISTS "
            f"(SELECT 1 FROM {self.table} WHERE {fk} = NEW.{ref_id})"
        )
        abort = f"BEGIN SELECT RAISE(ABORT, '{self.message}'); END"
        return [
            f"CREATE TRIGGER IF NOT EXISTS {self.name}_ins BEFORE INSERT ON {self.table} {when} {abort}",
            f"CREATE TRIGGER IF NOT EXISTS {self.name}_upd BEFORE UPDATE ON {self.table} {when} {abort}",
            f"CREATE TRIGGER IF NOT EXISTS {self.name}_parent BEFORE UPDATE OF {ref_ev} ON {self.ref} "
            f"{parent_moves} {abort}",
        ]

    def install(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [self.name])
                if cursor.fetchone() is None:
                    cursor.execute(
                        f"ALTER TABLE {self.table} ADD CONSTRAINT {self.name} FOREIGN KEY "
                        f"({', '.join(self.columns)}) REFERENCES {self.ref} ({', '.join(self.ref_columns)}) "
                        "ON UPDATE RESTRICT"
                    )
            elif connection.vendor == "sqlite":
                for statement in self.sqlite_statements():
                    cursor.execute(statement)


def tables_exist(connection: BaseDatabaseWrapper, tables: Iterable[str]) -> bool:
    """True once every table is migrated (post_migrate also fires for partial migrations)."""
    return set(tables) <= set(connection.introspection.table_names())


@dataclass(frozen=True)
class Triggers:
    """A rule written by hand as triggers: one PostgreSQL script, SQLite statements one by one.

    Both must be idempotent (`CREATE OR REPLACE`, `DROP … IF EXISTS`, `IF NOT EXISTS`).
    """

    postgresql: str
    sqlite: tuple[str, ...]

    def install(self, connection: BaseDatabaseWrapper) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(self.postgresql)
            elif connection.vendor == "sqlite":
                for statement in self.sqlite:
                    cursor.execute(statement)


def installer(*, tables: tuple[str, ...], rules: tuple[Rule, ...]) -> Callable[..., None]:
    """An app's post_migrate receiver: installs its rules once all of `tables` exist.

    Safe to run any number of times (every rule installs idempotently).
    """

    def install(*, using: str = "default", **kwargs: Any) -> None:
        connection = connections[using]
        if tables_exist(connection, tables):
            for rule in rules:
                rule.install(connection)

    return install


TRIGGER_PREFIX = "confetti_"


def sqlite_triggers_drop(*, using: str = "default", **kwargs: Any) -> None:
    """pre_migrate receiver: on SQLite, drop every rule's trigger before the migrations run.

    SQLite rebuilds a table to alter it (create, copy, drop, rename); a trigger on
    another table that names the one being rebuilt then fails the migration ("error
    in trigger …: no such table"). The apps' post_migrate installers put every
    trigger back, so the rules hold again once migrate returns. PostgreSQL alters
    tables in place and keeps its constraints and triggers.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [TRIGGER_PREFIX + "%"]
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
