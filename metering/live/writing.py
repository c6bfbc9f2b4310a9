"""The live feed's reading upsert: one ``executemany`` of INSERT … ON CONFLICT, no model instances.

Readings are written as absolute values (the apportioning keeps the open interval on the meter's
state), so a repeated write changes nothing. Frozen ranges and active days were checked before;
the database's frozen-range triggers remain the last line of defence.
"""

from django.db import connection

from metering.models import MeterReading

TABLE = MeterReading._meta.db_table
UPSERT = (
    f"INSERT INTO {TABLE} (house_id, interval_start, imported_wh, exported_wh, estimated) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (house_id, interval_start) DO UPDATE SET "
    "imported_wh = excluded.imported_wh, exported_wh = excluded.exported_wh, estimated = excluded.estimated"
)


def live_readings_upsert(rows: list[tuple]) -> None:
    """``rows``: (house pk, interval start (aware), imported Wh, exported Wh, estimated)."""
    if not rows:
        return
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        (house, adapt(start), imported, exported, estimated) for house, start, imported, exported, estimated in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(UPSERT, params)
