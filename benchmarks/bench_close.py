"""Benchmark: closing a big community's month, then rendering its PDFs on a real django-q2 cluster.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/bench_close.py [--houses 2000]
    .venv/bin/python benchmarks/bench_close.py --houses 50        # SQLite, small

Works on a throwaway database (a fresh PostgreSQL database next to the one named, dropped
afterwards; or a temporary SQLite file) and a temporary MEDIA_ROOT. Steps:

1. data: a Europe/Berlin community with ``--houses`` houses and every quarter hour of January 2026
   (2,976 per house; 2,000 houses = 5.95 million readings), written by one set-based
   INSERT ... SELECT in the database (generate_series / a recursive CTE), not through Python.
2. close without PDFs: ``period_close_start`` (completeness gate, freezing) and every close step
   in this process (``period_close_run``): all invoices computed, numbered and issued.
   Target (issue #4): <= 15 s for 2,000 houses.
3. PDFs: the close enqueued one render task per 20 invoices on the database broker; a real
   ``manage.py qcluster`` with ``--workers`` workers (default 2) is started and timed until every
   PDF is stored. Target: 2,000 PDFs in <= 240 s on 2 workers.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway import throwaway_environment  # noqa: E402

CLOSE_TARGET_S, PDF_TARGET_S, TARGET_HOUSES = 15.0, 240.0, 2000
PERIOD_ID = "2026-01"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--houses", type=int, default=TARGET_HOUSES)
    parser.add_argument("--workers", type=int, default=2, help="qcluster workers for the PDFs (default 2)")
    parser.add_argument("--no-pdfs", action="store_true", help="stop after the close")
    args = parser.parse_args()

    with throwaway_environment("bench-close", Q_WORKERS=str(args.workers)) as (workdir, database):
        run(args, workdir, database)


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


def run(args, workdir: Path, database: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from invoicing import services

    community = create_community(houses=args.houses)
    period = services.period_get_or_create(community=community, month=PERIOD_ID)
    load_readings(period, houses=args.houses, database=database)
    close_s = time_close(period, houses=args.houses)
    if args.no_pdfs:
        return
    pdf_s, progress, queued = time_pdfs(period)
    report_pdfs(period, args, close_s=close_s, pdf_s=pdf_s, progress=progress, queued=queued)


def create_community(*, houses: int):
    import datetime as dt

    from communities.models import Community, House
    from invoicing.models import Tariff

    community = Community.objects.create(
        name="Benchmark Energiegemeinschaft",
        slug="bench",
        time_zone="Europe/Berlin",
        legal_name="Benchmark Energiegemeinschaft eG",
        address="Rathausplatz 1\n79117 Freiburg",
    )
    Tariff.objects.create(community=community, valid_from=dt.date(2025, 12, 1))
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


def load_readings(period, *, houses: int, database: str) -> None:
    from metering.models import MeterReading

    t0 = time.perf_counter()
    insert_readings(period.community_id, period.start, period.end)
    generate_s = time.perf_counter() - t0
    rows = MeterReading.objects.filter(house__community=period.community_id).count()
    print(f"database:          {database}")
    print(
        f"data:              {houses:,} houses x {PERIOD_ID} (Europe/Berlin) = {rows:,} readings, "
        f"inserted set-based in {generate_s:.1f} s"
    )


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
    close_s = start_s + steps_s
    issued = Invoice.objects.filter(period=period, status=Invoice.Status.PENDING).count()
    assert issued == houses, (issued, houses)
    numbers = list(Invoice.objects.filter(period=period).order_by("house__house_id").values_list("number", flat=True))
    print(
        f"close start:       {start_s:.2f} s (completeness of {len(start.completeness.houses):,} houses, "
        f"freeze, open -> closing)"
    )
    print(
        f"close steps:       {steps_s:.2f} s ({issued:,} invoices computed, numbered {numbers[0]} .. {numbers[-1]} "
        f"and issued in batches of {services.CLOSE_BATCH_SIZE})"
    )
    scale = TARGET_HOUSES / houses
    print(
        f"close total:       {close_s:.2f} s = {issued / close_s:,.0f} invoices/s; target {CLOSE_TARGET_S:.0f} s for "
        f"{TARGET_HOUSES:,} houses -> {close_s / CLOSE_TARGET_S:.2f} of the budget"
        + (f" (x{scale:.1f} houses would take ~{close_s * scale:.1f} s)" if houses != TARGET_HOUSES else "")
    )
    return close_s


def time_pdfs(period):
    """Start a real qcluster and wait until every queued PDF is rendered; returns seconds, progress, tasks."""
    from django_q.models import OrmQ

    from invoicing import selectors

    queued = OrmQ.objects.count()
    env = {**os.environ}
    t0 = time.perf_counter()
    cluster = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "qcluster"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while True:
            progress = selectors.period_close_progress(period=period)
            if progress.pdfs_done + progress.pdfs_failed >= progress.pdfs_total:
                break
            if cluster.poll() is not None:
                raise SystemExit(f"qcluster exited early: {cluster.stderr.read()[-2000:]}")
            if time.perf_counter() - t0 > 30 * 60:
                raise SystemExit(f"PDFs not done after 30 minutes: {progress}")
            time.sleep(0.5)
        pdf_s = time.perf_counter() - t0
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)
        try:
            cluster.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
    return pdf_s, progress, queued


def report_pdfs(period, args, *, close_s: float, pdf_s: float, progress, queued: int) -> None:
    from invoicing.models import Invoice

    scale = TARGET_HOUSES / args.houses
    sizes = [
        os.path.getsize(Path(os.environ["MEDIA_ROOT"]) / name)
        for name in Invoice.objects.filter(period=period).values_list("pdf_file", flat=True)[:200]
    ]
    print(
        f"PDFs:              {progress.pdfs_done:,} rendered, {progress.pdfs_failed} failed, by `manage.py qcluster` "
        f"with {args.workers} workers from {queued} queued tasks, in {pdf_s:.1f} s incl. cluster start-up "
        f"= {progress.pdfs_done / pdf_s:.1f} PDFs/s ({pdf_s / max(progress.pdfs_done, 1) * args.workers:.3f} s per PDF "
        f"per worker, mean {sum(sizes) / max(len(sizes), 1) / 1024:.1f} KiB)"
    )
    projected = pdf_s * scale
    print(
        f"PDF target:        {PDF_TARGET_S:.0f} s for {TARGET_HOUSES:,} on 2 workers -> "
        f"{projected / PDF_TARGET_S:.2f} of the budget"
        + (f" (projected {projected:.0f} s)" if args.houses != TARGET_HOUSES else "")
    )
    met = close_s * scale <= CLOSE_TARGET_S and projected <= PDF_TARGET_S and not progress.pdfs_failed
    print(f"targets:           {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
