"""The live feed's upserts: one ``executemany`` of INSERT … ON CONFLICT each, no model instances.

Readings are written as absolute values (the apportioning keeps the open interval on the meter's
state), so a repeated write changes nothing. Frozen ranges and active days were checked before;
the database's frozen-range triggers remain the last line of defence. The meters' states go the
same way: through ``bulk_create(update_conflicts=True)`` they took 40 % of a batch's time
(building 500 model instances and their SQL), as plain rows a few per cent.
"""

from django.db import connection

from metering.models import LiveMeterState, MeterReading


def _upsert(table: str, columns: list[str], key: str) -> str:
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns if column != key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


READING_UPSERT = (
    f"INSERT INTO {MeterReading._meta.db_table} (house_id, interval_start, imported_wh, exported_wh, estimated) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (house_id, interval_start) DO UPDATE SET "
    "imported_wh = excluded.imported_wh, exported_wh = excluded.exported_wh, estimated = excluded.estimated"
)
STATE_COLUMNS = [field.column for field in LiveMeterState._meta.concrete_fields]
STATE_UPSERT = _upsert(LiveMeterState._meta.db_table, STATE_COLUMNS, "house_id")


def live_readings_upsert(rows: list[tuple]) -> None:
    """``rows``: (house pk, interval start (aware), imported Wh, exported Wh, estimated)."""
    if not rows:
        return
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        (house, adapt(start), imported, exported, estimated) for house, start, imported, exported, estimated in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(READING_UPSERT, params)


def live_states_upsert(rows: list[tuple]) -> None:
    """``rows``: one value per ``LiveMeterState`` column, in the model's field order."""
    if not rows:
        return
    adapters = [_adapter(field) for field in LiveMeterState._meta.concrete_fields]
    params = [tuple(adapt(value) for adapt, value in zip(adapters, row, strict=True)) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(STATE_UPSERT, params)


def _adapter(field):
    ops = connection.ops
    match field.get_internal_type():
        case "DateTimeField":
            return ops.adapt_datetimefield_value
        case "DecimalField":
            return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        case _:
            return lambda value: value
