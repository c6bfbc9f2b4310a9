"""Set-based upsert of validated readings: COPY + one INSERT … ON CONFLICT on PostgreSQL, large
``executemany`` upserts on SQLite. Call inside ``transaction.atomic``; counts created/updated.

Both paths skip Django's model layer on purpose (a million model instances would cost ~1 GB and
minutes); what the model would check is checked before: houses belong to the community, values
are non-negative integers (the database CheckConstraints stay the last line of defence) and no
reading lies in a frozen range (engine.check_frozen, inside the same transaction).
"""

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection

from metering.models import MeterReading

# Rows per executemany / COPY batch. 100,000 keeps the parameter lists at ~40 MB.
BATCH_ROWS = 100_000

TABLE = MeterReading._meta.db_table


@dataclass
class Written:
    created: int
    updated: int


def _sqlite_datetimes(seconds: np.ndarray) -> list[str]:
    """UTC seconds -> Django's SQLite text form 'YYYY-MM-DD HH:MM:SS' (the unique index compares text)."""
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    chars = text.astype("U19").view(np.uint32).reshape(-1, 19)
    chars[:, 10] = ord(" ")
    return chars.view("U19").ravel().tolist()


def _count_in_range(cursor, houses: np.ndarray, first_s: int, last_s: int, param: str) -> int:
    house_list = ",".join(str(int(pk)) for pk in np.unique(houses))
    if connection.vendor == "sqlite":
        bounds = _sqlite_datetimes(np.array([first_s, last_s], dtype=np.int64))
    else:
        bounds = pd.to_datetime([first_s, last_s], unit="s", utc=True).to_pydatetime().tolist()
    cursor.execute(
        f"SELECT count(*) FROM {TABLE} WHERE house_id IN ({house_list}) "
        f"AND interval_start >= {param} AND interval_start <= {param}",
        bounds,
    )
    return cursor.fetchone()[0]


def upsert_readings(
    house: np.ndarray, start_s: np.ndarray, exported_wh: np.ndarray, imported_wh: np.ndarray
) -> Written:
    if len(house) == 0:
        return Written(0, 0)
    if connection.vendor == "postgresql":
        return _upsert_postgresql(house, start_s, exported_wh, imported_wh)
    return _upsert_sqlite(house, start_s, exported_wh, imported_wh)


def _upsert_sqlite(house, start_s, exported_wh, imported_wh) -> Written:
    connection.ensure_connection()
    raw = connection.connection.cursor()  # plain sqlite3: no per-row placeholder rewriting or debug logging
    before = _count_in_range(raw, house, int(start_s.min()), int(start_s.max()), "?")
    sql = (
        f"INSERT INTO {TABLE} (house_id, interval_start, exported_wh, imported_wh) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (house_id, interval_start) DO UPDATE SET "
        "exported_wh = excluded.exported_wh, imported_wh = excluded.imported_wh, estimated = 0 "
        f"WHERE {TABLE}.exported_wh != excluded.exported_wh OR {TABLE}.imported_wh != excluded.imported_wh "
        f"OR {TABLE}.estimated"  # a file's value is measured: it replaces a live feed's estimate
    )
    changed = 0
    for begin in range(0, len(house), BATCH_ROWS):
        end = begin + BATCH_ROWS
        raw.executemany(
            sql,
            zip(
                house[begin:end].tolist(),
                _sqlite_datetimes(start_s[begin:end]),
                exported_wh[begin:end].tolist(),
                imported_wh[begin:end].tolist(),
                strict=True,
            ),
        )
        changed += raw.rowcount  # inserted + actually updated rows (a DO UPDATE whose WHERE fails is no change)
    after = _count_in_range(raw, house, int(start_s.min()), int(start_s.max()), "?")
    raw.close()
    created = after - before
    return Written(created=created, updated=changed - created)


def _upsert_postgresql(house, start_s, exported_wh, imported_wh) -> Written:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS meter_import_staging "
            "(house_id bigint NOT NULL, start_s bigint NOT NULL, exported_wh bigint NOT NULL, imported_wh bigint NOT NULL) "
            "ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE meter_import_staging")
        for begin in range(0, len(house), BATCH_ROWS):
            end = begin + BATCH_ROWS
            frame = pd.DataFrame(
                {
                    "h": house[begin:end],
                    "s": start_s[begin:end],
                    "e": exported_wh[begin:end],
                    "i": imported_wh[begin:end],
                }
            )
            buffer = io.StringIO()
            frame.to_csv(buffer, sep="\t", header=False, index=False)
            with cursor.cursor.copy(
                "COPY meter_import_staging (house_id, start_s, exported_wh, imported_wh) FROM STDIN"
            ) as copy:
                copy.write(buffer.getvalue())
        # Sorted by the unique index: the index pages and the house FK look-ups are touched in order.
        cursor.execute(
            f"""
            WITH upserted AS (
                INSERT INTO {TABLE} AS reading (house_id, interval_start, exported_wh, imported_wh)
                SELECT house_id, to_timestamp(start_s), exported_wh, imported_wh
                FROM meter_import_staging ORDER BY house_id, start_s
                ON CONFLICT (house_id, interval_start) DO UPDATE
                SET exported_wh = EXCLUDED.exported_wh, imported_wh = EXCLUDED.imported_wh, estimated = false
                WHERE (reading.exported_wh, reading.imported_wh) IS DISTINCT FROM (EXCLUDED.exported_wh, EXCLUDED.imported_wh)
                    OR reading.estimated  -- a file's value is measured: it replaces a live feed's estimate
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
            """
        )
        created, updated = cursor.fetchone()
        cursor.execute("DROP TABLE meter_import_staging")
    return Written(created=created, updated=updated)
