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

SQLITE_CAPACITY = (
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
)


SEAT_NUMBER_BEYOND = "seat number beyond the table capacity"

POSTGRES_SEAT_NUMBER = f"""
CREATE OR REPLACE FUNCTION confetti_seat_number() RETURNS trigger AS $$
BEGIN
    IF NEW.number IS NOT NULL AND NEW.number > (SELECT capacity FROM seating_table WHERE id = NEW.table_id) THEN
        RAISE EXCEPTION '{SEAT_NUMBER_BEYOND}' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION confetti_table_numbered_seats() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM seating_seat WHERE table_id = NEW.id AND number > NEW.capacity) THEN
        RAISE EXCEPTION '{SEAT_NUMBER_BEYOND}' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS confetti_seat_number ON seating_seat;
CREATE TRIGGER confetti_seat_number BEFORE INSERT OR UPDATE OF number, table_id ON seating_seat
    FOR EACH ROW EXECUTE FUNCTION confetti_seat_number();
DROP TRIGGER IF EXISTS confetti_table_numbered_seats ON seating_table;
CREATE TRIGGER confetti_table_numbered_seats BEFORE UPDATE OF capacity ON seating_table
    FOR EACH ROW EXECUTE FUNCTION confetti_table_numbered_seats();
"""

SQLITE_SEAT_NUMBER = (
    f"""CREATE TRIGGER IF NOT EXISTS confetti_seat_number_ins BEFORE INSERT ON seating_seat
    WHEN NEW.number IS NOT NULL AND NEW.number > (SELECT capacity FROM seating_table WHERE id = NEW.table_id)
    BEGIN SELECT RAISE(ABORT, '{SEAT_NUMBER_BEYOND}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS confetti_seat_number_upd BEFORE UPDATE OF number, table_id ON seating_seat
    WHEN NEW.number IS NOT NULL AND NEW.number > (SELECT capacity FROM seating_table WHERE id = NEW.table_id)
    BEGIN SELECT RAISE(ABORT, '{SEAT_NUMBER_BEYOND}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS confetti_table_numbered_seats BEFORE UPDATE OF capacity ON seating_table
    WHEN EXISTS (SELECT 1 FROM seating_seat WHERE table_id = NEW.id AND number > NEW.capacity)
    BEGIN SELECT RAISE(ABORT, '{SEAT_NUMBER_BEYOND}'); END""",
)


install = installer(
    tables=("seating_seat", "seating_table"),
    rules=(
        SEAT_TABLE_EVENT,
        Triggers(postgresql=POSTGRES_CAPACITY, sqlite=SQLITE_CAPACITY),
        Triggers(postgresql=POSTGRES_SEAT_NUMBER, sqlite=SQLITE_SEAT_NUMBER),
    ),
)
