"""Benchmark: peak memory of reading an XLSX of meter data, streaming (the engine) against loading it whole.

    .venv/bin/python benchmarks/bench_xlsx_memory.py [--full] [--rows N] [--houses 100] [--json PATH]

(20,000 rows by default, 200,000 with ``--full``.)

Each measurement runs in a fresh process on a throwaway SQLite database of its own, so each peak RSS is its own:

- baseline: Django set up, database migrated, the community created, the engine and openpyxl
  imported, no file read;
- whole workbook: openpyxl's default load (every cell an object in memory), the way a reader that
  does not stream pays for a file;
- streaming read: the engine's reader alone (openpyxl read_only, rows streamed in chunks);
- engine import: ``readings_import`` of the same file: the read, every check and the write.

Prints each peak and its ratio to the baseline of this run. Target: the engine's peak stays within
a small constant of the baseline (it keeps ~36 bytes per valid row, not the workbook).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from results import Results, add_json_argument  # noqa: E402
from throwaway import throwaway_environment  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def write_xlsx(path: Path, *, rows: int, houses: int) -> None:
    """A sheet as grid operators send it: house, local timestamp text, kWh numbers; written streaming."""
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["house_id", "timestamp", "energy_exported_kwh", "energy_imported_kwh"])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for index in range(rows):
        instant = start + dt.timedelta(minutes=15 * (index // houses))
        sheet.append([f"house_{index % houses + 1}", f"{instant:%Y-%m-%dT%H:%M:%SZ}", (index % 2000) / 1000, 0.25])
    workbook.save(path)


def measure(mode: str, path: str, houses: int) -> dict:
    """Runs in the child process: set up, do ``mode``, report the peak RSS."""
    import django

    django.setup()
    from bench_import import create_houses
    from django.core.management import call_command

    from communities.models import Community

    call_command("migrate", verbosity=0)
    create_houses(houses)
    community = Community.objects.get(slug="bench")
    import openpyxl  # noqa: F401 - libraries loaded in every mode, so the differences are the file's
    import pandas  # noqa: F401

    import metering.imports  # noqa: F401

    started = time.perf_counter()
    detail = ""
    if mode == "whole workbook":
        from openpyxl import load_workbook

        workbook = load_workbook(path)
        detail = f"{workbook.active.max_row - 1:,} rows loaded"
    elif mode == "streaming read":
        from metering.imports.source import open_table

        with open(path, "rb") as handle:
            rows = sum(len(chunk.frame) for chunk in open_table(handle).chunks())
        detail = f"{rows:,} rows read in chunks, nothing checked or written"
    elif mode == "engine import":
        from metering.imports import readings_import

        with open(path, "rb") as handle:
            result = readings_import(community=community, fileobj=handle)
        assert result.ok, [str(error) for error in result.errors[:3]]
        detail = result.summary()
    return {"peak_mb": peak_mb(), "seconds": time.perf_counter() - started, "detail": detail}


def child(mode: str, path: Path, houses: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--file", str(path), "--houses", str(houses)],
        capture_output=True,
        text=True,
        # A database file of its own: each child migrates and creates the community.
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path.parent / mode.replace(' ', '-')}.sqlite3"},
    )
    if done.returncode:
        raise SystemExit(f"{mode} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="200,000 rows")
    parser.add_argument("--rows", type=int)
    parser.add_argument("--houses", type=int, default=100)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    add_json_argument(parser)
    args = parser.parse_args()
    args.rows = args.rows or (200_000 if args.full else 20_000)
    if args.child:
        print(json.dumps(measure(args.child, args.file, args.houses)))
        return

    with throwaway_environment("bench-xlsx-memory", LEG_IMPORT_MAX_BYTES=str(500 * 2**20)) as (workdir, database):
        path = workdir / "readings.xlsx"
        write_xlsx(path, rows=args.rows, houses=args.houses)
        print(f"database:        {database}")
        print(f"file:            {args.rows:,} rows, {args.houses} houses, {path.stat().st_size / 1e6:.1f} MB XLSX")
        baseline = child("baseline", path, args.houses)
        print(f"baseline:        {baseline['peak_mb']:.0f} MB peak (Django, database, community, libraries; no file)")
        results = Results("xlsx_memory")
        for mode in ("whole workbook", "streaming read", "engine import"):
            run = child(mode, path, args.houses)
            print(f"{mode + ':':<17}{run['seconds']:.1f} s ({run['detail']})")
            results.add(
                f"{mode}, peak RSS",
                run["peak_mb"],
                "MB",
                data=f"{args.rows:,} rows XLSX",
                baseline="the process before reading the file",
                baseline_value=baseline["peak_mb"],
            )
        results.write(args.json)


if __name__ == "__main__":
    main()
