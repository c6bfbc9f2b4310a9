"""Benchmark: the meter-data import engine against a plain django-import-export ModelResource.

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--houses 350] [--baseline-rows 20000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/bench_import.py

Works on a throwaway database: a temporary SQLite file, or (with a PostgreSQL DATABASE_URL) a fresh
database created next to the one named and dropped afterwards. Prints rows/s, peak RSS and the
per-row speed ratio. Targets (issue #3): >= 50,000 rows/s, <= 400 MB, >= 50x the ModelResource.
"""

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway import throwaway_environment  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def write_csv(path: Path, *, rows: int, houses: int, start_s: int) -> None:
    """Interval rows ordered by time then house, as grid-operator exports are; written in blocks."""
    rng = np.random.default_rng(2026)
    house_names = np.array([f"house_{index + 1}" for index in range(houses)], dtype=object)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("house_id,timestamp,energy_exported_kwh,energy_imported_kwh\n")
        block = 100_000
        for begin in range(0, rows, block):
            index = np.arange(begin, min(begin + block, rows))
            instants = (start_s + (index // houses) * 900).astype("datetime64[s]")
            stamps = np.char.add(np.datetime_as_string(instants, unit="s").astype(str), "Z")
            exported = rng.integers(0, 3000, len(index))
            imported = rng.integers(0, 1500, len(index))
            lines = [
                f"{h},{t},{e // 1000}.{e % 1000:03d},{i // 1000}.{i % 1000:03d}\n"
                for h, t, e, i in zip(
                    house_names[index % houses], stamps.tolist(), exported.tolist(), imported.tolist(), strict=True
                )
            ]
            handle.writelines(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--houses", type=int, default=350)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    args = parser.parse_args()

    with throwaway_environment("bench-import") as (workdir, database):
        run(args, workdir, database)


def run(args, workdir: Path, database: str) -> None:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    community = create_community(houses=args.houses)
    start_s = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp())
    path = workdir / "readings.csv"
    t0 = time.perf_counter()
    write_csv(path, rows=args.rows, houses=args.houses, start_s=start_s)
    print(f"database:        {database}")
    print(
        f"file:            {args.rows:,} interval rows, {args.houses} houses, "
        f"{path.stat().st_size / 1e6:.0f} MB (generated in {time.perf_counter() - t0:.1f} s)"
    )
    ours_rate, peak = time_engine(community, path, rows=args.rows)
    base_rate = time_model_resource(community, rows=args.baseline_rows, base_s=start_s - 365 * 86400)
    print(f"ratio per row:   {ours_rate / base_rate:.0f}x faster")
    verdict = ours_rate >= 50_000 and peak <= 400 and ours_rate / base_rate >= 50
    print(f"targets (>= 50,000 rows/s, <= 400 MB, >= 50x): {'met' if verdict else 'NOT met'}")


def create_community(*, houses: int):
    import datetime as dt

    from communities.models import Community, House

    community = Community.objects.create(name="Bench", slug="bench", legal_name="Bench eG", address="-")
    House.objects.bulk_create(
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
    return community


def time_engine(community, path: Path, *, rows: int) -> tuple[float, float]:
    """Import the file, then again (all unchanged); returns rows/s of the first import and peak RSS (MB)."""
    from metering.imports import readings_import

    rss_before = rss_mb()
    t0 = time.perf_counter()
    with open(path, "rb") as handle:
        result = readings_import(community=community, fileobj=handle)
    ours_s = time.perf_counter() - t0
    assert result.ok and result.created == rows, result.summary()
    peak = rss_mb()
    ours_rate = rows / ours_s
    print(f"engine import:   {ours_s:.2f} s = {ours_rate:,.0f} rows/s ({result.summary()})")
    print(f"peak RSS:        {peak:.0f} MB (process, {rss_before:.0f} MB before the import)")

    t0 = time.perf_counter()
    with open(path, "rb") as handle:
        again = readings_import(community=community, fileobj=handle)
    print(f"re-import:       {time.perf_counter() - t0:.2f} s ({again.summary()})")
    return ours_rate, peak


def time_model_resource(community, *, rows: int, base_s: int) -> float:
    """The same kind of rows through a default django-import-export ModelResource; returns rows/s."""
    import datetime as dt

    import tablib
    from import_export import resources

    from communities.models import House
    from metering.models import MeterReading

    class PlainResource(resources.ModelResource):
        class Meta:
            model = MeterReading

    houses = list(House.objects.filter(community=community).values_list("pk", flat=True))
    dataset = tablib.Dataset(headers=["house", "interval_start", "exported_wh", "imported_wh"])
    for index in range(rows):
        instant = dt.datetime.fromtimestamp(base_s + (index // len(houses)) * 900, tz=dt.UTC)
        dataset.append([houses[index % len(houses)], instant.strftime("%Y-%m-%d %H:%M:%S"), 1000 + index % 7, 500])
    t0 = time.perf_counter()
    baseline = PlainResource().import_data(dataset, dry_run=False)
    base_elapsed = time.perf_counter() - t0
    if baseline.has_errors() or baseline.has_validation_errors():
        first = (baseline.base_errors or [e for _, errs in baseline.row_errors() for e in errs] or [None])[0]
        raise SystemExit(f"baseline import failed: {getattr(first, 'traceback', first)}")
    base_rate = rows / base_elapsed
    print(f"ModelResource:   {rows:,} rows in {base_elapsed:.2f} s = {base_rate:,.0f} rows/s (defaults)")
    return base_rate


if __name__ == "__main__":
    main()
