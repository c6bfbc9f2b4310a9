"""Benchmark: closing a big community's month, fixed-price and break-even, then rendering its PDFs.

    .venv/bin/python benchmarks/bench_close.py                    # SQLite, small, both modes, no PDFs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/bench_close.py --full
    .venv/bin/python benchmarks/bench_close.py --mode break-even --houses 300 --no-pdfs

Works on a throwaway database (a fresh PostgreSQL database next to the one named, dropped
afterwards; or a temporary SQLite file) and a temporary MEDIA_ROOT. Per ``--mode`` (fixed,
break-even or both; one community each):

1. data: a Europe/Berlin community with ``--houses`` houses (default 40; ``--full`` 2,000) and
   every quarter hour of January 2026 (2,976 per house; 2,000 houses = 5.95 million readings),
   written by one set-based INSERT ... SELECT in the database, not through Python.
2. baseline: the bare aggregate of the month's readings (SUM per house over the period, best of
   two), the physical floor of any close, timed in the same run.
3. close without PDFs: ``period_close_start`` (completeness gate, freezing) and every close step
   in this process (``period_close_run``): all invoices computed, numbered and issued, the
   statement frozen. Goal (issue #14): <= 15 s on SQLite, <= 10 s on PostgreSQL for 2,000
   houses, fixed-price and break-even alike; smaller runs are projected linearly.

Then, with ``--pdfs`` or ``--full`` (unless ``--no-pdfs``): the close enqueued one render task
per 20 invoices on the database broker; a real ``manage.py qcluster`` with ``--workers`` workers
(default 2) is started and timed until every PDF of the closed periods is stored. Goal: 2,000 PDFs in <= 240 s on 2 workers.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import Results, add_json_argument, database_vendor  # noqa: E402
from throwaway import throwaway_environment  # noqa: E402

CLOSE_GOAL_S = {"sqlite": 15.0, "postgresql": 10.0}
PDF_GOAL_S, TARGET_HOUSES, SMALL_HOUSES = 240.0, 2000, 40
PERIOD_ID = "2026-01"
MODES = {"fixed": "fixed", "break-even": "break_even"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--houses", type=int, help=f"houses per mode (default {SMALL_HOUSES}; --full {TARGET_HOUSES})")
    parser.add_argument("--full", action="store_true", help=f"the issue's size: {TARGET_HOUSES:,} houses per mode")
    parser.add_argument("--mode", choices=[*MODES, "both"], default="both", help="tariff mode(s) to close")
    parser.add_argument("--workers", type=int, default=2, help="qcluster workers for the PDFs (default 2)")
    parser.add_argument("--pdfs", action="store_true", help="also render the PDFs (always with --full)")
    parser.add_argument("--no-pdfs", action="store_true", help="stop after the close, even with --full")
    add_json_argument(parser)
    args = parser.parse_args()
    args.houses = args.houses or (TARGET_HOUSES if args.full else SMALL_HOUSES)

    results = Results("close")
    with throwaway_environment("bench-close", Q_WORKERS=str(args.workers)) as (_workdir, database):
        run(args, results, database)
    results.write(args.json)


def insert_readings(community_id: int, start, end) -> int:
    """Every quarter hour of ``[start, end)`` for every house of the community, in one statement.

    Energies are deterministic functions of house and interval: PV-like export around noon UTC,
    a base import around the clock, all integer Wh.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                INSERT INTO communities_meterreading (house_id, interval_start, exported_wh, imported_wh)
                SELECT h.id, t,
                       CASE WHEN extract(hour FROM t) BETWEEN 8 AND 15
                            THEN (h.id * 37 + extract(epoch FROM t)::bigint / 900 * 11) %% 900 ELSE 0 END,
                       50 + (h.id * 13 + extract(epoch FROM t)::bigint / 900 * 7) %% 250
                FROM communities_house h
                CROSS JOIN generate_series(%s::timestamptz, %s::timestamptz - interval '15 minutes', interval '15 minutes') t
                WHERE h.community_id = %s
                """,
                [start, end, community_id],
            )
        else:
            intervals = int((end - start).total_seconds() // 900)
            cursor.execute(
                """
                WITH RECURSIVE q(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM q WHERE n + 1 < %s)
                INSERT INTO communities_meterreading (house_id, interval_start, exported_wh, imported_wh)
                SELECT h.id, datetime(%s, '+' || (q.n * 15) || ' minutes'),
                       CASE WHEN (q.n / 4) %% 24 BETWEEN 8 AND 15 THEN (h.id * 37 + q.n * 11) %% 900 ELSE 0 END,
                       50 + (h.id * 13 + q.n * 7) %% 250
                FROM communities_house h, q
                WHERE h.community_id = %s
                """,
                [intervals, start.strftime("%Y-%m-%d %H:%M:%S"), community_id],
            )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE communities_meterreading")
        return cursor.rowcount if cursor.rowcount and cursor.rowcount > 0 else 0


def run(args, results: Results, database: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from invoicing import services

    print(f"database:          {database}")
    modes = list(MODES) if args.mode == "both" else [args.mode]
    periods = []
    for mode in modes:
        community = create_community(houses=args.houses, mode=mode)
        period = services.period_get_or_create(community=community, month=PERIOD_ID)
        readings = load_readings(period, houses=args.houses)
        floor_s = time_floor(period)
        close_s = time_close(period, houses=args.houses)
        record_close(results, mode=mode, houses=args.houses, readings=readings, close_s=close_s, floor_s=floor_s)
        periods.append(period)
    if (args.pdfs or args.full) and not args.no_pdfs:
        pdf_s, done, failed, queued = time_pdfs(periods)
        report_pdfs(results, args, pdf_s=pdf_s, done=done, failed=failed, queued=queued)


def create_community(*, houses: int, mode: str):
    import datetime as dt

    from communities.models import Community, House
    from invoicing.models import Tariff

    community = Community.objects.create(
        name=f"Benchmark Energiegemeinschaft ({mode})",
        slug=f"bench-{mode}",
        time_zone="Europe/Berlin",
        legal_name="Benchmark Energiegemeinschaft eG",
        address="Rathausplatz 1\n79117 Freiburg",
    )
    Tariff.objects.create(community=community, valid_from=dt.date(2025, 12, 1), mode=MODES[mode])
    House.objects.bulk_create(
        House(
            community=community,
            house_id=f"house_{index + 1:05d}",
            name=f"Mühlenweg {index + 1}",
            owner_name=f"Jürgen Größ {index + 1}",
            address=f"Mühlenweg {index + 1}\n79117 Freiburg",
            active_from=dt.date(2020, 1, 1),
        )
        for index in range(houses)
    )
    return community


def load_readings(period, *, houses: int) -> int:
    from metering.models import MeterReading

    t0 = time.perf_counter()
    insert_readings(period.community_id, period.start, period.end)
    generate_s = time.perf_counter() - t0
    rows = MeterReading.objects.filter(house__community=period.community_id).count()
    print(
        f"data:              {period.community.slug}: {houses:,} houses x {PERIOD_ID} (Europe/Berlin) = "
        f"{rows:,} readings, inserted set-based in {generate_s:.1f} s"
    )
    return rows


def time_floor(period) -> float:
    """The bare aggregate of the month's readings, SUM per house: what any close must at least read."""
    from django.db.models import Sum

    from metering.models import MeterReading

    timings = []
    for _ in range(2):
        t0 = time.perf_counter()
        rows = list(
            MeterReading.objects.filter(
                house__community=period.community_id, interval_start__gte=period.start, interval_start__lt=period.end
            )
            .order_by()
            .values("house_id")
            .annotate(exported=Sum("exported_wh"), imported=Sum("imported_wh"))
        )
        timings.append(time.perf_counter() - t0)
    print(f"floor:             SUM per house over the month: {min(timings):.2f} s ({len(rows):,} houses)")
    return min(timings)


def time_close(period, *, houses: int) -> float:
    """Close the month in this process; returns the seconds start and steps took together."""
    from invoicing import services
    from invoicing.models import Invoice

    t0 = time.perf_counter()
    start = services.period_close_start(period=period)
    start_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    services.period_close_run(period=period)
    steps_s = time.perf_counter() - t0
    issued = Invoice.objects.filter(period=period, status=Invoice.Status.PENDING).count()
    assert issued == houses, (issued, houses)
    numbers = list(Invoice.objects.filter(period=period).order_by("house__house_id").values_list("number", flat=True))
    print(
        f"close start:       {start_s:.2f} s (completeness of {len(start.completeness.houses):,} houses, "
        f"freeze, open -> closing)"
    )
    print(
        f"close steps:       {steps_s:.2f} s ({issued:,} invoices computed, numbered {numbers[0]} .. {numbers[-1]} "
        f"and issued in batches of {services.CLOSE_BATCH_SIZE}, statement frozen)"
    )
    return start_s + steps_s


def record_close(results: Results, *, mode: str, houses: int, readings: int, close_s: float, floor_s: float) -> None:
    goal_s = CLOSE_GOAL_S[database_vendor()]
    projected_s = close_s * TARGET_HOUSES / houses
    data = f"{houses:,} houses, {readings:,} readings ({PERIOD_ID}, quarter hours)"
    if houses != TARGET_HOUSES:
        data += f"; x{TARGET_HOUSES / houses:.0f} projects {projected_s:.1f} s"
    results.add(
        f"close {mode} (no PDFs)",
        close_s,
        "s",
        data=data,
        baseline="SUM per house over the month",
        baseline_value=floor_s,
        goal=f"<= {goal_s:.0f} s at {TARGET_HOUSES:,} houses",
        # Fixed costs dominate a small run, so its linear projection is no verdict.
        met=close_s <= goal_s if houses >= TARGET_HOUSES else None,
    )


def time_pdfs(periods):
    """Start a real qcluster and wait until every queued PDF is rendered; returns seconds, done, failed, tasks."""
    from django_q.models import OrmQ

    from invoicing import selectors

    queued = OrmQ.objects.count()
    t0 = time.perf_counter()
    cluster = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "qcluster"],
        cwd=ROOT,
        env={**os.environ},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while True:
            progress = [selectors.period_close_progress(period=period) for period in periods]
            done, failed = sum(p.pdfs_done for p in progress), sum(p.pdfs_failed for p in progress)
            if done + failed >= sum(p.pdfs_total for p in progress):
                break
            if cluster.poll() is not None:
                raise SystemExit(f"qcluster exited early: {cluster.stderr.read()[-2000:]}")
            if time.perf_counter() - t0 > 30 * 60:
                raise SystemExit(f"PDFs not done after 30 minutes: {progress}")
            time.sleep(0.5)
        pdf_s = time.perf_counter() - t0
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            cluster.wait(30)
        # Workers outliving the cluster's main process would write into the folder being removed.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(cluster.pid, signal.SIGKILL)
    return pdf_s, done, failed, queued


def report_pdfs(results: Results, args, *, pdf_s: float, done: int, failed: int, queued: int) -> None:
    from invoicing.models import Invoice

    sizes = [
        os.path.getsize(Path(os.environ["MEDIA_ROOT"]) / name)
        for name in Invoice.objects.values_list("pdf_file", flat=True)[:200]
    ]
    print(
        f"PDFs:              {done:,} rendered, {failed} failed, by `manage.py qcluster` with {args.workers} workers "
        f"from {queued} queued tasks, mean {sum(sizes) / max(len(sizes), 1) / 1024:.1f} KiB"
    )
    projected_s = pdf_s * TARGET_HOUSES / max(done, 1)
    results.add(
        "close PDFs (qcluster, incl. start-up)",
        pdf_s,
        "s",
        data=f"{done:,} PDFs on {args.workers} workers; {TARGET_HOUSES:,} project {projected_s:.0f} s",
        goal=f"<= {PDF_GOAL_S:.0f} s for {TARGET_HOUSES:,} PDFs on 2 workers",
        met=projected_s <= PDF_GOAL_S and not failed,
    )


if __name__ == "__main__":
    main()
