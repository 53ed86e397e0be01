"""Cross-table rules the database itself enforces, whatever code writes the row.

Django cannot express "a row's reference belongs to the same event as the
row" in a model, so apps declare such rules (`SameEventReference`) and install
them after every `migrate`, idempotently, from their own `post_migrate`
receiver — a SQLite table rebuild can then never silently drop them. On
PostgreSQL a rule is a composite foreign key; on SQLite, triggers. A violation
raises IntegrityError with the rule's message.

The rules themselves live with the apps whose tables they guard
(`rsvp.db_rules`, `seating.db_rules`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class SameEventReference:
    """`table.(fk, event)` must match `ref.(id, event)`: the referenced row is of the same event."""

    name: str
    table: str
    columns: tuple[str, str]
    ref: str
    ref_columns: tuple[str, str]
    message: str

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
