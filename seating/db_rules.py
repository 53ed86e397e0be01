"""Seating's database rules, enforced whatever code writes the row (see wedding.core.db_rules).

* a seat's table belongs to the seat's event;
* a table never holds more seats than its capacity, also under concurrent
  assignment: PostgreSQL locks the table row inside the trigger; SQLite
  serialises writers;
* a seat's number (its place at the table) never exceeds the table's capacity
  (uniqueness per table and "at least 1" are model constraints).

`seating.services` translates the messages below into the planner's words.
"""

from __future__ import annotations

from wedding.core.db_rules import SameEventReference, Triggers, installer

SEAT_TABLE_EVENT = SameEventReference.of(
    table="seating_seat", fk="table", ref="seating_table", message="the table belongs to another event"
)

TABLE_FULL = "table is full"
CAPACITY_BELOW_SEATED = "capacity is below the number of guests seated"
SEAT_NUMBER_BEYOND = "seat number beyond the table capacity"


def postgres_guard(name: str, *, table: str, on: str, refuse_if: str, message: str) -> str:
    """A PostgreSQL trigger (and its function, both `name`) refusing a row of `table` when `refuse_if`.

    `on` is the trigger's event (`UPDATE OF capacity`); `refuse_if` an SQL condition over NEW.
    The script replaces what it creates: safe to run after every migrate.
    """
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF {refuse_if} THEN
        RAISE EXCEPTION '{message}' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {name} ON {table};
CREATE TRIGGER {name} BEFORE {on} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}();
"""


def sqlite_guard(name: str, *, table: str, on: str, refuse_if: str, message: str) -> str:
    """The SQLite trigger refusing a row of `table` when `refuse_if` (one event per trigger)."""
    return f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {on} ON {table} WHEN {refuse_if} " \
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


# A table's capacity below the seats it holds (refused when the capacity changes).
OVER_CAPACITY = "(SELECT count(*) FROM seating_seat WHERE table_id = NEW.id) > NEW.capacity"
# The seat's new table is full already (SQLite: writers are serialised, so counting is enough).
TABLE_TAKEN = (
    "(SELECT count(*) FROM seating_seat WHERE table_id = NEW.table_id)"
    " >= (SELECT capacity FROM seating_table WHERE id = NEW.table_id)"
)
NUMBER_BEYOND = "NEW.number IS NOT NULL AND NEW.number > (SELECT capacity FROM seating_table WHERE id = NEW.table_id)"
NUMBERED_BEYOND = "EXISTS (SELECT 1 FROM seating_seat WHERE table_id = NEW.id AND number > NEW.capacity)"

CAPACITY = Triggers(
    postgresql=f"""
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
DROP TRIGGER IF EXISTS confetti_seat_capacity ON seating_seat;
CREATE TRIGGER confetti_seat_capacity BEFORE INSERT OR UPDATE OF table_id ON seating_seat
    FOR EACH ROW EXECUTE FUNCTION confetti_seat_capacity();
""" + postgres_guard(
        "confetti_table_capacity", table="seating_table", on="UPDATE OF capacity", refuse_if=OVER_CAPACITY,
        message=CAPACITY_BELOW_SEATED,
    ),
    sqlite=(
        sqlite_guard(
            "confetti_seat_capacity_ins", table="seating_seat", on="INSERT", refuse_if=TABLE_TAKEN, message=TABLE_FULL
        ),
        sqlite_guard(
            "confetti_seat_capacity_upd", table="seating_seat", on="UPDATE OF table_id",
            refuse_if=f"NEW.table_id <> OLD.table_id AND {TABLE_TAKEN}", message=TABLE_FULL,
        ),
        sqlite_guard(
            "confetti_table_capacity_upd", table="seating_table", on="UPDATE OF capacity", refuse_if=OVER_CAPACITY,
            message=CAPACITY_BELOW_SEATED,
        ),
    ),
)

SEAT_NUMBER = Triggers(
    postgresql=postgres_guard(
        "confetti_seat_number", table="seating_seat", on="INSERT OR UPDATE OF number, table_id",
        refuse_if=NUMBER_BEYOND, message=SEAT_NUMBER_BEYOND,
    ) + postgres_guard(
        "confetti_table_numbered_seats", table="seating_table", on="UPDATE OF capacity", refuse_if=NUMBERED_BEYOND,
        message=SEAT_NUMBER_BEYOND,
    ),
    sqlite=(
        sqlite_guard(
            "confetti_seat_number_ins", table="seating_seat", on="INSERT", refuse_if=NUMBER_BEYOND,
            message=SEAT_NUMBER_BEYOND,
        ),
        sqlite_guard(
            "confetti_seat_number_upd", table="seating_seat", on="UPDATE OF number, table_id",
            refuse_if=NUMBER_BEYOND, message=SEAT_NUMBER_BEYOND,
        ),
        sqlite_guard(
            "confetti_table_numbered_seats", table="seating_table", on="UPDATE OF capacity",
            refuse_if=NUMBERED_BEYOND, message=SEAT_NUMBER_BEYOND,
        ),
    ),
)

install = installer(
    tables=("seating_seat", "seating_table"),
    rules=(
        SEAT_TABLE_EVENT,
        CAPACITY,
        SEAT_NUMBER,
    ),
)
