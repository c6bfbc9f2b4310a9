"""The live feed's upserts: INSERT … ON CONFLICT for a whole batch of rows, no model instances.

Readings are written as absolute values (the apportioning keeps the open interval on the meter's
state), so a repeated write changes nothing. Frozen ranges and active days were checked before;
the database's frozen-range triggers remain the last line of defence. The meters' states go the
same way: through ``bulk_create(update_conflicts=True)`` they took 40 % of a batch's time
(building 500 model instances and their SQL), as plain rows a few per cent.

On PostgreSQL one statement takes each column as an array (``SELECT … FROM unnest(…)``): even
pipelined, ``executemany`` runs the upsert once per row, which held a batch to ~500 messages/s.
SQLite runs in process, where ``executemany`` is the cheap way.
"""

from django.db import connection

from metering.models import LiveMeterState, MeterReading

READING_COLUMNS = ["house_id", "interval_start", "imported_wh", "exported_wh", "estimated"]
STATE_COLUMNS = [field.column for field in LiveMeterState._meta.concrete_fields]


def live_readings_upsert(rows: list[tuple]) -> None:
    """``rows``: (house pk, interval start (aware), imported Wh, exported Wh, estimated)."""
    _upsert(MeterReading, READING_COLUMNS, ["house_id", "interval_start"], rows)


def live_states_upsert(rows: list) -> None:
    """``rows``: one value per ``LiveMeterState`` column (``STATE_COLUMNS``), in the model's order."""
    _upsert(LiveMeterState, STATE_COLUMNS, ["house_id"], rows)


def _upsert(model, columns: list[str], key: list[str], rows: list) -> None:
    if not rows:
        return
    fields = {field.column: field for field in model._meta.concrete_fields}
    adapters = [_adapter(fields[column]) for column in columns]
    params = [tuple(adapt(value) for adapt, value in zip(adapters, row, strict=True)) for row in rows]
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns if column not in key)
    head = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
    tail = f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{fields[column].db_type(connection)}[]" for column in columns)
            cursor.execute(
                f"{head}SELECT * FROM unnest({arrays}){tail}", [list(values) for values in zip(*params, strict=True)]
            )
        else:
            cursor.executemany(f"{head}VALUES ({', '.join(['%s'] * len(columns))}){tail}", params)


def _adapter(field):
    ops = connection.ops
    match field.get_internal_type():
        case "DateTimeField":
            return ops.adapt_datetimefield_value
        case "DecimalField":
            return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        case _:
            return lambda value: value
