"""A seat's number (its place at the table) never exceeds the table's capacity: a database rule.

Uniqueness per table and "at least 1" are model constraints (0002); this cross-table rule
needs triggers, for PostgreSQL and SQLite alike. The message is matched by seating.services.
"""

from django.db import migrations

MESSAGE = "seat number beyond the table capacity"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION confetti_seat_number() RETURNS trigger AS $$
BEGIN
    IF NEW.number IS NOT NULL AND NEW.number > (SELECT capacity FROM seating_table WHERE id = NEW.table_id) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION confetti_table_numbered_seats() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM seating_seat WHERE table_id = NEW.id AND number > NEW.capacity) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23514';
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

SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS confetti_seat_number_ins BEFORE INSERT ON seating_seat
    WHEN NEW.number IS NOT NULL AND NEW.number > (SELECT capacity FROM seating_table WHERE id = NEW.table_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS confetti_seat_number_upd BEFORE UPDATE OF number, table_id ON seating_seat
    WHEN NEW.number IS NOT NULL AND NEW.number > (SELECT capacity FROM seating_table WHERE id = NEW.table_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS confetti_table_numbered_seats BEFORE UPDATE OF capacity ON seating_table
    WHEN EXISTS (SELECT 1 FROM seating_seat WHERE table_id = NEW.id AND number > NEW.capacity)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]


def install(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES)
        elif connection.vendor == "sqlite":
            for statement in SQLITE:
                cursor.execute(statement)


def remove(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS confetti_seat_number ON seating_seat")
            cursor.execute("DROP TRIGGER IF EXISTS confetti_table_numbered_seats ON seating_table")
        elif connection.vendor == "sqlite":
            for name in ("confetti_seat_number_ins", "confetti_seat_number_upd", "confetti_table_numbered_seats"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("seating", "0002_autoseat_floor_plan")]
    operations = [migrations.RunPython(install, remove)]
