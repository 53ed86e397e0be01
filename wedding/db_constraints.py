"""Cross-table rules the database itself enforces, whatever code writes the row.

* a response's meal belongs to the response's event;
* a seat's table belongs to the seat's event;
* a table never holds more seats than its capacity (also under concurrent
  assignment: PostgreSQL locks the table row inside the trigger; SQLite
  serialises writers).

Django cannot express these in a model, so they are installed after every
`migrate` (idempotently). On PostgreSQL the same-event rules are composite
foreign keys; on SQLite they are triggers. Violations raise IntegrityError.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

# (name, table, columns, referenced table, referenced columns, message)
SAME_EVENT_REFERENCES = [
    (
        "confetti_response_meal_event",
        "rsvp_response",
        ("meal_id", "event_id"),
        "rsvp_mealoption",
        ("id", "event_id"),
        "the meal belongs to another event",
    ),
    (
        "confetti_seat_table_event",
        "seating_seat",
        ("table_id", "event_id"),
        "seating_table",
        ("id", "event_id"),
        "the table belongs to another event",
    ),
]

TABLE_FULL = "table is full"
CAPACITY_BELOW_SEATED = "capacity is below the number of guests seated"

POSTGRES_CAPACITY = f"""
CREATE OR REPLACE FUNCTION confetti_seat_capacity() RETURNS trigger AS $$
DECLARE cap integer; taken integer;
BEGIN
    -- The row lock makes concurrent assignments to one table queue here.
    SELECT capacity INTO cap FROM seating_table WHERE id = NEW.table_id FOR UPDATE;
    SELECT count(*) INTO taken FROM seating_seat WHERE table_id = NEW.table_id AND id <> NEW.id;
    IF taken >= cap THEN
        RAISE EXCEPTION '{TABLE_FULL}' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION confetti_table_capacity() RETURNS trigger AS $$
BEGIN
    IF (SELECT count(*) FROM seating_seat WHERE table_id = NEW.id) > NEW.capacity THEN
        RAISE EXCEPTION '{CAPACITY_BELOW_SEATED}' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS confetti_seat_capacity ON seating_seat;
CREATE TRIGGER confetti_seat_capacity BEFORE INSERT OR UPDATE OF table_id ON seating_seat
    FOR EACH ROW EXECUTE FUNCTION confetti_seat_capacity();
DROP TRIGGER IF EXISTS confetti_table_capacity ON seating_table;
CREATE TRIGGER confetti_table_capacity BEFORE UPDATE OF capacity ON seating_table
    FOR EACH ROW EXECUTE FUNCTION confetti_table_capacity();
"""

SQLITE_CAPACITY = [
    f"""CREATE TRIGGER IF NOT EXISTS confetti_seat_capacity_ins BEFORE INSERT ON seating_seat
    WHEN (SELECT count(*) FROM seating_seat WHERE table_id = NEW.table_id)
         >= (SELECT capacity FROM seating_table WHERE id = NEW.table_id)
    BEGIN SELECT RAISE(ABORT, '{TABLE_FULL}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS confetti_seat_capacity_upd BEFORE UPDATE OF table_id ON seating_seat
    WHEN NEW.table_id <> OLD.table_id
     AND (SELECT count(*) FROM seating_seat WHERE table_id = NEW.table_id)
         >= (SELECT capacity FROM seating_table WHERE id = NEW.table_id)
    BEGIN SELECT RAISE(ABORT, '{TABLE_FULL}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS confetti_table_capacity_upd BEFORE UPDATE OF capacity ON seating_table
    WHEN (SELECT count(*) FROM seating_seat WHERE table_id = NEW.id) > NEW.capacity
    BEGIN SELECT RAISE(ABORT, '{CAPACITY_BELOW_SEATED}'); END""",
]


def _sqlite_same_event(name, table, cols, ref, ref_cols, message) -> list[str]:
    fk, ev = cols
    match = f"SELECT 1 FROM {ref} WHERE {ref_cols[0]} = NEW.{fk} AND {ref_cols[1]} = NEW.{ev}"
    when = f"WHEN NEW.{fk} IS NOT NULL AND NOT EXISTS ({match})"
    parent_moves = (
        f"WHEN NEW.{ref_cols[1]} <> OLD.{ref_cols[1]} AND EXISTS "
        f"(SELECT 1 FROM {table} WHERE {fk} = NEW.{ref_cols[0]})"
    )
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name}_ins BEFORE INSERT ON {table} {when} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_upd BEFORE UPDATE ON {table} {when} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {name}_parent BEFORE UPDATE OF {ref_cols[1]} ON {ref} {parent_moves} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]


def install(*, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver; safe to run any number of times."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if not {"rsvp_response", "rsvp_mealoption", "seating_seat", "seating_table"} <= tables:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, table, cols, ref, ref_cols, _ in SAME_EVENT_REFERENCES:
                cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [name])
                if cursor.fetchone() is None:
                    cursor.execute(
                        f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({', '.join(cols)}) "
                        f"REFERENCES {ref} ({', '.join(ref_cols)}) ON UPDATE RESTRICT"
                    )
            cursor.execute(POSTGRES_CAPACITY)
        elif connection.vendor == "sqlite":
            for rule in SAME_EVENT_REFERENCES:
                for statement in _sqlite_same_event(*rule):
                    cursor.execute(statement)
            for statement in SQLITE_CAPACITY:
                cursor.execute(statement)
