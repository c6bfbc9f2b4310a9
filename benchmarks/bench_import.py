"""Benchmark: the meter-data import engine against the physical limit and a tuned django-import-export.

    .venv/bin/python benchmarks/bench_import.py [--full] [--rows N] [--memory-rows N] [--houses 350] [--json PATH]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/bench_import.py --full

Runs on a throwaway database (benchmarks/throwaway.py). Baselines, measured in the same run on the
same rows and table: a raw ``COPY`` (PostgreSQL) or ``executemany`` INSERT (SQLite) of the already
converted rows in the unique index's order, committed with the foreign key checked (the physical
limit); and a tuned
``ModelResource`` (use_bulk, skip_diff, force_init_instance, batch_size, a ForeignKeyWidget for the
house) on fewer rows. Each engine import runs in a child process, so its peak RSS is the import's
own (Django loaded, no file generation). Small by default; ``--full``: 1 M rows for speed, 3 M for memory.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import Results, add_json_argument  # noqa: E402
from throwaway import throwaway_environment  # noqa: E402

START_S = 1_767_225_600  # 2026-01-01 00:00 UTC
BLOCK = 100_000
SPEED_GOAL = 0.77  # of the raw COPY's rows/s
MEMORY_GOAL_MB = 400


def rows_block(begin: int, end: int, houses: int) -> tuple[np.ndarray, ...]:
    """Rows ``begin``..``end`` of a file ordered by time then house, as grid operators export: house
    number (0-based), interval start (UTC s), exported and imported Wh (fixed, varied values)."""
    index = np.arange(begin, end, dtype=np.int64)
    return index % houses, START_S + (index // houses) * 900, (index * 7919) % 3000, (index * 104_729) % 1500


def write_csv(path: Path, *, rows: int, houses: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("house_id,timestamp,energy_exported_kwh,energy_imported_kwh\n")
        for begin in range(0, rows, BLOCK):
            house, at_s, exported, imported = rows_block(begin, min(begin + BLOCK, rows), houses)
            stamps = np.datetime_as_string(at_s.astype("datetime64[s]"), unit="s").tolist()
            handle.writelines(
                f"house_{h + 1},{t}Z,{e // 1000}.{e % 1000:03d},{i // 1000}.{i % 1000:03d}\n"
                for h, t, e, i in zip(house.tolist(), stamps, exported.tolist(), imported.tolist(), strict=True)
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the issue's sizes: 1 M rows for speed, 3 M for memory")
    parser.add_argument("--rows", type=int, help="rows of the speed run (default 100,000; --full 1,000,000)")
    parser.add_argument("--memory-rows", type=int, help="rows of the memory run (default: none; --full 3,000,000)")
    parser.add_argument("--houses", type=int, default=350)
    parser.add_argument(
        "--baseline-rows", type=int, help="rows through the ModelResource (default 2,000; --full 20,000)"
    )
    parser.add_argument("--child-import", metavar="CSV", help=argparse.SUPPRESS)
    add_json_argument(parser)
    args = parser.parse_args()
    if args.child_import:
        child_import(Path(args.child_import))
        return
    args.rows = args.rows or (1_000_000 if args.full else 100_000)
    args.memory_rows = args.memory_rows if args.memory_rows is not None else (3_000_000 if args.full else 0)
    args.baseline_rows = args.baseline_rows or (20_000 if args.full else 2_000)
    results = Results("import")
    # The memory run's 3 M rows are a 170 MB file, above the default LEG_IMPORT_MAX_BYTES.
    limits = {"LEG_IMPORT_MAX_BYTES": str(1 << 30), "LEG_IMPORT_MAX_ROWS": str(max(args.rows, args.memory_rows))}
    with throwaway_environment("bench-import", **limits) as (workdir, database):
        print(f"database: {database}; load: {os.getloadavg()[0]:.2f}", flush=True)
        run(args, workdir, results)
    results.write(args.json)


def run(args, workdir: Path, results: Results) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    pks = create_houses(args.houses)
    path = workdir / "readings.csv"
    write_csv(path, rows=args.rows, houses=args.houses)
    data = f"{args.rows:,} interval rows, {args.houses} houses, {path.stat().st_size / 1e6:.0f} MB CSV"

    raw_s = time_raw_insert(pks, rows=args.rows, houses=args.houses)
    clear_readings()
    ours = run_child(path)
    assert ours["created"] == args.rows, ours
    raw_name = "raw COPY" if database_is_postgresql() else "raw executemany"
    raw_rate, our_rate = args.rows / raw_s, args.rows / ours["seconds"]
    results.add(
        "import rows/s vs physical limit",
        our_rate,
        "rows/s",
        data=data,
        baseline=f"{raw_name} of the same rows into the same table",
        baseline_value=raw_rate,
        goal=f">= {SPEED_GOAL:.0%} of {raw_name}" if database_is_postgresql() else "",
        met=our_rate >= SPEED_GOAL * raw_rate if database_is_postgresql() else None,
    )
    tuned_rate = time_tuned_resource(pks, rows=args.baseline_rows, houses=args.houses)
    results.add(
        "import rows/s vs tuned ModelResource",
        our_rate,
        "rows/s",
        data=data,
        baseline=f"tuned ModelResource, {args.baseline_rows:,} rows",
        baseline_value=tuned_rate,
    )
    again = run_child(path)
    assert again["unchanged"] == args.rows, again
    results.add(
        "re-import (all unchanged)",
        again["seconds"],
        "s",
        data=data,
        baseline="first import",
        baseline_value=ours["seconds"],
    )
    add_memory_figure(args, path, results, speed_run=ours, speed_data=data)


def add_memory_figure(args, path: Path, results: Results, *, speed_run: dict, speed_data: str) -> None:
    """Peak RSS of the import: of a separate ``--memory-rows`` run if asked for, else of the speed run."""
    memory, data = speed_run, speed_data
    if args.memory_rows:
        clear_readings()
        path.unlink()
        write_csv(path, rows=args.memory_rows, houses=args.houses)
        memory = run_child(path)
        assert memory["created"] == args.memory_rows, memory
        data = f"{args.memory_rows:,} interval rows, {args.houses} houses"
    results.add(
        "import peak RSS",
        memory["peak_mb"],
        "MB",
        data=f"{data} (child process; {memory['before_mb']:.0f} MB before the import)",
        goal=f"<= {MEMORY_GOAL_MB} MB",
        met=memory["peak_mb"] <= MEMORY_GOAL_MB,
    )


def database_is_postgresql() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def create_houses(houses: int) -> np.ndarray:
    import datetime as dt

    from communities.models import Community, House

    community = Community.objects.create(name="Bench", slug="bench", legal_name="Bench eG", address="-")
    created = House.objects.bulk_create(
        House(
            community=community,
            house_id=f"house_{index + 1}",
            name=f"H{index + 1}",
            owner_name="-",
            address="-",
            active_from=dt.date(2020, 1, 1),
        )
        for index in range(houses)
    )
    return np.array([house.pk for house in created], dtype=np.int64)


def clear_readings() -> None:
    from django.db import connection

    from metering.models import MeterReading

    with connection.cursor() as cursor:
        table = MeterReading._meta.db_table
        cursor.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")


def time_raw_insert(pks: np.ndarray, *, rows: int, houses: int) -> float:
    """Seconds to write the converted rows with the database's own bulk path, committed (FK checked)."""
    from django.db import connection, transaction

    from metering.models import MeterReading

    table, columns = MeterReading._meta.db_table, "house_id, interval_start, exported_wh, imported_wh"
    zone = "+00" if connection.vendor == "postgresql" else ""
    # Prepared before the clock starts, and in the unique index's order (house, then time), the
    # cheapest order for its B-tree: the baseline is the database's own work at its best.
    everything = rows_block(0, rows, houses)
    everything = [column[np.lexsort((everything[1], everything[0]))] for column in everything]
    blocks = []
    for begin in range(0, rows, BLOCK):
        house, at_s, exported, imported = (column[begin : begin + BLOCK] for column in everything)
        stamps = np.char.replace(np.datetime_as_string(at_s.astype("datetime64[s]"), unit="s"), "T", " ")
        block = zip(
            pks[house].tolist(), [s + zone for s in stamps.tolist()], exported.tolist(), imported.tolist(), strict=True
        )
        if connection.vendor == "postgresql":
            blocks.append("".join(f"{h}\t{t}\t{e}\t{i}\n" for h, t, e, i in block))
        else:
            blocks.append(list(block))
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for block in blocks:
                    copy.write(block)
        else:
            raw = connection.connection.cursor()
            for block in blocks:
                raw.executemany(f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?, ?)", block)
    elapsed = time.perf_counter() - started
    print(f"raw bulk insert: {rows:,} rows in {elapsed:.2f} s", flush=True)
    return elapsed


def time_tuned_resource(pks: np.ndarray, *, rows: int, houses: int) -> float:
    """Rows/s of a django-import-export ModelResource tuned by its documented switches, on rows a year
    before the engine's (Wh values and plain date-time text, so it does less parsing than the engine)."""
    import tablib
    from import_export import fields, resources, widgets

    from communities.models import House
    from metering.models import MeterReading

    class TunedResource(resources.ModelResource):
        house = fields.Field(
            attribute="house", column_name="house_id", widget=widgets.ForeignKeyWidget(House, "house_id")
        )
        interval_start = fields.Field(
            attribute="interval_start", column_name="interval_start", widget=widgets.DateTimeWidget("%Y-%m-%d %H:%M:%S")
        )

        class Meta:
            model = MeterReading
            fields = ("house", "interval_start", "exported_wh", "imported_wh")
            import_id_fields = ("house", "interval_start")
            use_bulk = True
            batch_size = 5_000
            skip_diff = True
            force_init_instance = True

    house, at_s, exported, imported = rows_block(0, rows, houses)
    stamps = np.datetime_as_string((at_s - 365 * 86_400).astype("datetime64[s]"), unit="s").tolist()
    dataset = tablib.Dataset(headers=["house_id", "interval_start", "exported_wh", "imported_wh"])
    for h, t, e, i in zip(house.tolist(), stamps, exported.tolist(), imported.tolist(), strict=True):
        dataset.append([f"house_{h + 1}", t.replace("T", " "), e, i])
    started = time.perf_counter()
    outcome = TunedResource().import_data(dataset, dry_run=False)
    elapsed = time.perf_counter() - started
    if outcome.has_errors() or outcome.has_validation_errors():
        raise SystemExit(f"the ModelResource baseline failed: {(outcome.base_errors or outcome.invalid_rows)[:1]}")
    assert outcome.totals["new"] == rows, outcome.totals
    print(f"tuned ModelResource: {rows:,} rows in {elapsed:.2f} s", flush=True)
    return rows / elapsed


def run_child(path: Path) -> dict:
    """One engine import in a fresh process (the throwaway database's environment), its figures as a dict."""
    from django.db import connections

    connections.close_all()
    completed = subprocess.run(
        [sys.executable, __file__, "--child-import", str(path)], capture_output=True, text=True, check=False
    )
    if completed.returncode:
        raise SystemExit(f"the child import failed:\n{completed.stderr}")
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    print(f"engine import: {figures}", flush=True)
    return figures


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent
    through fork and exec, so a child would report the benchmark's own peak."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def child_import(path: Path) -> None:
    import django

    django.setup()
    from communities.models import Community
    from metering.imports import readings_import

    community = Community.objects.get(slug="bench")
    before_mb = peak_rss_mb()
    started = time.perf_counter()
    with open(path, "rb") as handle:
        result = readings_import(community=community, fileobj=handle)
    seconds = time.perf_counter() - started
    if not result.ok:
        raise SystemExit("; ".join(str(error) for error in result.errors[:5]))
    figures = {
        "seconds": seconds,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "before_mb": before_mb,
        "peak_mb": peak_rss_mb(),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
