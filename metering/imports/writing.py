"""Set-based upsert of one batch of validated readings: on PostgreSQL a binary COPY of the new ones
straight into the table (the changed ones through a staging table), on SQLite large ``executemany``
upserts. Call inside ``transaction.atomic``, batch after batch; counts created/updated.

Both paths skip Django's model layer on purpose (a million model instances would cost ~1 GB and
minutes); what the model would check is checked before: houses belong to the community, values
are non-negative integers (the database CheckConstraints stay the last line of defence) and no
reading lies in a frozen range (checks.FrozenRows, inside the same transaction).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection

from metering.models import MeterReading

from .checks import interval_keys

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
    """Writes one batch, sorted by house and start, each reading once (earlier batches hold others)."""
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
    """New readings go straight into the table with one binary COPY (once through PostgreSQL, like a
    raw COPY); only readings whose values changed pass through a staging table to an UPDATE."""
    keys = interval_keys(house, start_s)
    stored_keys, stored_values = _stored(house, start_s)
    exists = changed = np.zeros(len(keys), dtype=bool)
    if len(stored_keys):
        position = np.minimum(np.searchsorted(stored_keys, keys), len(stored_keys) - 1)
        exists = stored_keys[position] == keys
        stored = stored_values[position]
        # A file's value is measured: it also replaces a live feed's estimate of the same value.
        changed = exists & ((stored[:, 0] != exported_wh) | (stored[:, 1] != imported_wh) | (stored[:, 2] == 1))
    with connection.cursor() as cursor:
        new = ~exists
        if new.any():
            _copy_in(cursor, TABLE, house[new], start_s[new], exported_wh[new], imported_wh[new])
        if changed.any():
            _update(cursor, house[changed], start_s[changed], exported_wh[changed], imported_wh[changed])
    return Written(created=int(new.sum()), updated=int(changed.sum()))


# PostgreSQL's binary COPY: a signature, then per row a field count and each field's length and
# big-endian value; every column here is 8 bytes wide, so numpy lays out a whole batch at once.
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_TRAILER = b"\xff\xff"
_FIELDS = ("house_id", "interval_start", "exported_wh", "imported_wh")


def _row_dtype(names) -> np.dtype:
    return np.dtype([("count", ">i2")] + [item for name in names for item in ((f"{name}_len", ">i4"), (name, ">i8"))])


_ROW = _row_dtype(_FIELDS)
_STORED_ROW = _row_dtype((*_FIELDS, "estimated"))
# timestamptz travels as microseconds since 2000-01-01 UTC.
_PG_EPOCH_S = 946_684_800


def _binary_rows(house, start_s, exported_wh, imported_wh) -> bytes:
    rows = np.empty(len(house), dtype=_ROW)
    rows["count"] = len(_FIELDS)
    for name, values in zip(
        _FIELDS, (house, (start_s - _PG_EPOCH_S) * 1_000_000, exported_wh, imported_wh), strict=True
    ):
        rows[f"{name}_len"] = 8
        rows[name] = values
    return _SIGNATURE + rows.tobytes() + _TRAILER


def _copy_in(cursor, table: str, house, start_s, exported_wh, imported_wh) -> None:
    with cursor.cursor.copy(f"COPY {table} ({', '.join(_FIELDS)}) FROM STDIN (FORMAT BINARY)") as copy:
        for begin in range(0, len(house), BATCH_ROWS):
            end = begin + BATCH_ROWS
            copy.write(
                _binary_rows(house[begin:end], start_s[begin:end], exported_wh[begin:end], imported_wh[begin:end])
            )


def _stored(house: np.ndarray, start_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stored readings of the batch's houses within its time span: sorted keys and their values
    (exported, imported, estimated as 0/1).

    A fresh import finds none in one index range scan; a re-import reads its rows back in binary.
    """
    houses = ",".join(str(int(pk)) for pk in np.unique(house))
    buffer = bytearray()
    with connection.cursor() as cursor:
        query = (
            f"SELECT {', '.join(_FIELDS)}, estimated::int4::int8 FROM {TABLE} WHERE house_id IN ({houses}) "
            f"AND interval_start >= to_timestamp({int(start_s.min())}) "
            f"AND interval_start <= to_timestamp({int(start_s.max())})"
        )
        with cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT BINARY)") as copy:
            for block in copy:
                buffer += block
    count = (len(buffer) - len(_SIGNATURE) - len(_TRAILER)) // _STORED_ROW.itemsize
    rows = np.frombuffer(buffer, dtype=_STORED_ROW, count=count, offset=len(_SIGNATURE))
    keys = interval_keys(rows["house_id"], rows["interval_start"] // 1_000_000 + _PG_EPOCH_S)
    order = np.argsort(keys)
    values = np.stack([rows[name][order] for name in ("exported_wh", "imported_wh", "estimated")], axis=1)
    return keys[order], values.astype(np.int64)


def _update(cursor, house, start_s, exported_wh, imported_wh) -> None:
    cursor.execute(
        "CREATE TEMP TABLE IF NOT EXISTS meter_import_changes "
        "(house_id bigint NOT NULL, interval_start timestamptz NOT NULL, exported_wh bigint NOT NULL, "
        "imported_wh bigint NOT NULL) ON COMMIT DROP"
    )
    cursor.execute("TRUNCATE meter_import_changes")
    _copy_in(cursor, "meter_import_changes", house, start_s, exported_wh, imported_wh)
    cursor.execute(
        f"UPDATE {TABLE} AS reading SET exported_wh = changes.exported_wh, imported_wh = changes.imported_wh, "
        "estimated = false "
        "FROM meter_import_changes AS changes "
        "WHERE reading.house_id = changes.house_id AND reading.interval_start = changes.interval_start"
    )
