"""Readings inside a frozen range of their house's community are refused by the database itself:
no INSERT, no changing UPDATE (moving a reading in or out of a frozen range included), no DELETE.

SQLite checks row by row. PostgreSQL checks once per statement, over the statement's transition
tables: an import writes hundreds of thousands of rows in one INSERT … ON CONFLICT, and one join
against the few frozen ranges costs far less than a look-up per row. Whether a frozen range may
thaw is invoicing's rule (its migration 0006): meter data does not know about invoices.
"""

from django.db import migrations

from core.db_triggers import Refusal, RunPerVendor, changed

READING = "communities_meterreading"
MESSAGE = "This reading lies in a closed settlement period, whose meter data never changes."
COLUMNS = ("id", "house_id", "interval_start", "exported_wh", "imported_wh")


def _in_frozen_range(row: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM communities_house h JOIN communities_frozenrange f ON f.community_id = h.community_id "
        f'WHERE h.id = {row}.house_id AND f.start <= {row}.interval_start AND f."end" > {row}.interval_start)'
    )


SQLITE_REFUSALS = (
    Refusal("leg_meterreading_frozen_insert", READING, "INSERT", _in_frozen_range("NEW"), MESSAGE),
    Refusal(
        "leg_meterreading_frozen_update",
        READING,
        "UPDATE",
        f"{changed(*COLUMNS)} AND ({_in_frozen_range('OLD')} OR {_in_frozen_range('NEW')})",
        MESSAGE,
    ),
    Refusal("leg_meterreading_frozen_delete", READING, "DELETE", _in_frozen_range("OLD"), MESSAGE),
)

# The rows a statement wrote or removed; for an UPDATE both versions of each row it changed.
_CHANGED_ROWS = {
    "INSERT": "SELECT * FROM leg_new_rows",
    "UPDATE": "(SELECT * FROM leg_new_rows EXCEPT SELECT * FROM leg_old_rows) "
    "UNION ALL (SELECT * FROM leg_old_rows EXCEPT SELECT * FROM leg_new_rows)",
    "DELETE": "SELECT * FROM leg_old_rows",
}
_TRANSITION_TABLES = {
    "INSERT": "NEW TABLE AS leg_new_rows",
    "UPDATE": "OLD TABLE AS leg_old_rows NEW TABLE AS leg_new_rows",
    "DELETE": "OLD TABLE AS leg_old_rows",
}


def _postgresql() -> tuple[list[str], list[str]]:
    create, drop = [], []
    for event, tables in _TRANSITION_TABLES.items():
        name = f"leg_meterreading_frozen_{event.lower()}"
        create += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE hit text; BEGIN "
            "SELECT h.house_id || ' at ' || to_char(r.interval_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') "
            f"INTO hit FROM ({_CHANGED_ROWS[event]}) r "
            "JOIN communities_house h ON h.id = r.house_id JOIN communities_frozenrange f "
            'ON f.community_id = h.community_id AND f.start <= r.interval_start AND f."end" > r.interval_start '
            "LIMIT 1; "
            "IF hit IS NOT NULL THEN RAISE EXCEPTION 'The reading of % UTC lies in a closed settlement period, "
            "whose meter data never changes.', hit USING ERRCODE = 'restrict_violation'; END IF; "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event} ON {READING} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
        drop += [f"DROP TRIGGER IF EXISTS {name} ON {READING}", f"DROP FUNCTION IF EXISTS {name}()"]
    return create, drop


class Migration(migrations.Migration):
    dependencies = [("metering", "0002_move_content_types")]

    operations = [
        RunPerVendor(
            {
                "postgresql": _postgresql(),
                "sqlite": (
                    [sql for refusal in SQLITE_REFUSALS for sql in refusal.create_sql("sqlite")],
                    [sql for refusal in SQLITE_REFUSALS for sql in refusal.drop_sql("sqlite")],
                ),
            },
            description="Refuse in the database: readings inside a frozen range",
        ),
    ]
