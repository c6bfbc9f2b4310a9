"""Benchmark: the readings and invoice admin pages at scale, each against a bare SELECT of its rows.

    .venv/bin/python benchmarks/bench_admin.py                     # SQLite, small (40 houses)
    .venv/bin/python benchmarks/bench_admin.py --full              # SQLite, readings of 1,000 houses = 2.98 M
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/bench_admin.py --full
                                                                   # PostgreSQL, 2,000 houses = 5.95 M readings

On a throwaway database: a Europe/Berlin community with every quarter hour of January 2026 for
each house (``bench_close.insert_readings``, one INSERT ... SELECT), twelve months of issued
invoices per house with one line each (INSERT ... SELECT as drafts, then issued by one UPDATE),
and a small second community a manager does not see. A superuser and that manager log in with
django.test.Client; each page is requested once to warm up, then timed ``--repeat`` times (median).
The baseline of each page is the same run's median time of a bare ``SELECT ... LIMIT 100`` of the
rows it lists. Goal: every page <= 300 ms (issue 14). ``--explain`` prints each page's query plans.
"""

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_close import create_community, insert_readings
from results import Results, add_json_argument, database_vendor
from throwaway import throwaway_environment

GOAL_S = 0.300
# --full: 2,000 houses x 12 months = 24,000 invoices everywhere; January's readings of all 2,000
# houses on PostgreSQL (5.95 M), of 1,000 on SQLite (2.98 M, the 3 M).
SMALL_HOUSES, FULL_HOUSES, FULL_READING_HOUSES_SQLITE = 40, 2000, 1000
MONTHS = [f"2025-{month:02d}" for month in range(2, 13)] + ["2026-01"]
READINGS_MONTH = "2026-01"
OTHER_HOUSES = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--houses", type=int, help=f"houses with invoices (default {SMALL_HOUSES}; --full: 2,000)")
    parser.add_argument("--reading-houses", type=int, help="houses with readings (default all; --full SQLite: 1,000)")
    parser.add_argument("--full", action="store_true", help="the issue's sizes")
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page (median; default 7)")
    parser.add_argument("--explain", action="store_true", help="print the query plan of each page's queries")
    parser.add_argument("--profile", action="store_true", help="print where each page's time goes (cProfile)")
    parser.add_argument("--only", metavar="TEXT", help="time only the pages whose name contains TEXT")
    add_json_argument(parser)
    args = parser.parse_args()
    if args.houses is None:
        args.houses = FULL_HOUSES if args.full else SMALL_HOUSES
    if args.reading_houses is None:
        sqlite_full = args.full and database_vendor() == "sqlite"
        args.reading_houses = FULL_READING_HOUSES_SQLITE if sqlite_full else args.houses
    results = Results("admin")
    with throwaway_environment("bench-admin", ALLOWED_HOSTS="testserver") as (_workdir, database):
        run(args, results, database)
    results.write(args.json)


def run(args, results: Results, database: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    community, other = build_data(houses=args.houses, reading_houses=min(args.reading_houses, args.houses))
    superuser, manager = create_users(other_community=other, community=community)
    print(f"database: {database}")
    for case in page_cases(community):
        if args.only and args.only not in case[0]:
            continue
        time_case(case, results, args, superuser=superuser, manager=manager)


def build_data(*, houses: int, reading_houses: int):
    """The big community with its readings and invoices, and a small one only the superuser sees.

    Houses beyond ``reading_houses`` are added after the readings: invoiced, but with no readings.
    """
    from communities.models import Community, House
    from invoicing import services
    from metering.models import MeterReading

    community = create_community(houses=reading_houses, mode="fixed")
    other = Community.objects.create(name="Other", slug="other", time_zone="Europe/Berlin", legal_name="Other eG")
    House.objects.bulk_create(
        House(community=other, house_id=f"other_{index}", name=f"Other {index}", active_from=dt.date(2020, 1, 1))
        for index in range(OTHER_HOUSES)
    )
    t0 = time.perf_counter()
    for each in (community, other):
        january = services.period_get_or_create(community=each, month=READINGS_MONTH)
        insert_readings(each.pk, january.start, january.end)
    readings_s = time.perf_counter() - t0
    House.objects.bulk_create(
        House(
            community=community,
            house_id=f"house_{index + 1:05d}",
            name=f"Mühlenweg {index + 1}",
            owner_name=f"Jürgen Größ {index + 1}",
            address=f"Mühlenweg {index + 1}\n79117 Freiburg",
            active_from=dt.date(2020, 1, 1),
        )
        for index in range(reading_houses, houses)
    )
    t0 = time.perf_counter()
    periods = [services.period_get_or_create(community=community, month=month) for month in MONTHS]
    invoices = insert_invoices(community, periods)
    invoices_s = time.perf_counter() - t0
    print(
        f"data: {houses:,} houses, {MeterReading.objects.count():,} readings of {reading_houses:,} houses "
        f"in {readings_s:.1f} s, "
        f"{invoices:,} invoices in {invoices_s:.1f} s (set-based)"
    )
    return community, other


def insert_invoices(community, periods) -> int:
    """One invoice per house and period with one line, as drafts (lines may only join drafts), then issued."""
    from django.db import connection
    from django.utils import timezone

    from invoicing.models import Invoice, SettlementPeriod, Tariff

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    tariff = Tariff.objects.get(community=community)
    period_ids = [period.pk for period in periods]
    marks = ", ".join(["%s"] * len(period_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO invoicing_invoice (community_id, house_id, period_id, status, period_start, period_end,
                energy_exported_kwh, energy_imported_kwh, export_revenue_ct, import_cost_ct, net_amount_ct,
                recipient_name, recipient_address, house_name, house_key, created_at, updated_at,
                pdf_state, pdf_file, pdf_sha256, pdf_error)
            SELECT h.community_id, h.id, p.id, 'draft', p.start, p."end",
                100 + h.id %% 50, 80 + h.id %% 30, 1000 + h.id %% 500, 900 + h.id %% 400, 100 + h.id %% 100 - 50,
                h.owner_name, h.address, h.name, h.house_id, %s, %s, '', '', '', ''
            FROM communities_house h CROSS JOIN invoicing_settlementperiod p
            WHERE h.community_id = %s AND p.id IN ({marks})
            """,
            [now, now, community.pk, *period_ids],
        )
        cursor.execute(
            f"""
            INSERT INTO invoicing_invoiceline (invoice_id, tariff_id, segment_start, segment_end,
                energy_exported_kwh, energy_imported_kwh, p_pv_ct_per_kwh, p_con_ct_per_kwh,
                export_revenue_ct, import_cost_ct)
            SELECT i.id, %s, i.period_start, i.period_end, i.energy_exported_kwh, i.energy_imported_kwh,
                10, 20, i.export_revenue_ct, i.import_cost_ct
            FROM invoicing_invoice i WHERE i.period_id IN ({marks})
            """,
            [tariff.pk, *period_ids],
        )
        cursor.execute(
            f"""
            UPDATE invoicing_invoice SET status = 'pending', number = 'B-' || house_key || '-' || period_id,
                issued_at = period_end, due_date = %s
            WHERE period_id IN ({marks})
            """,
            [dt.date(2026, 2, 15), *period_ids],
        )
        cursor.execute("ANALYZE")  # the planner sees the table sizes a real installation has
    SettlementPeriod.objects.filter(pk__in=period_ids).update(status=SettlementPeriod.Status.CLOSED)
    return Invoice.objects.filter(community=community).count()


def create_users(*, community, other_community):
    from django.contrib.auth.models import Permission, User

    from communities.models import CommunityManager

    superuser = User.objects.create_superuser("bench-admin", "admin@example.org", "unused")
    manager = User.objects.create_user("bench-manager", is_staff=True)
    manager.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["metering", "invoicing"]))
    CommunityManager.objects.create(user=manager, community=community)
    assert other_community.pk != community.pk
    return superuser, manager


def page_cases(community):
    """(name, user, url, baseline queryset): each page and the rows it lists, as a bare query."""
    from django.urls import reverse

    from core.local_time import month_bounds
    from invoicing.models import Invoice
    from metering.admin import readings_of_communities
    from metering.models import MeterReading

    readings_url = reverse("admin:metering_meterreading_changelist")
    invoices_url = reverse("admin:invoicing_invoice_changelist")
    readings = MeterReading.objects.select_related("house").order_by("-interval_start", "-id")
    invoices = Invoice.objects.select_related("house", "period__community").order_by(
        "-period_start", "house_key", "-id"
    )
    start, end = month_bounds(READINGS_MONTH, community.zone)
    one_house = community.houses.order_by("house_id").first()
    invoice = Invoice.objects.filter(house=one_house).order_by("-period_start").first()
    of_community = readings_of_communities([community.pk])  # how the list picks a community's readings
    return [
        ("readings list", "superuser", readings_url, readings),
        (
            "readings list, community filter",
            "superuser",
            f"{readings_url}?house__community__id__exact={community.pk}",
            readings.filter(of_community),
        ),
        (
            "readings list, month filter",
            "superuser",
            f"{readings_url}?month={READINGS_MONTH}",
            readings.filter(interval_start__gte=start, interval_start__lt=end),
        ),
        (
            "readings list, house search",
            "superuser",
            f"{readings_url}?q={one_house.house_id}",
            readings.filter(house_id__in=[one_house.pk]),
        ),
        ("readings list, community manager", "manager", readings_url, readings.filter(of_community)),
        ("invoice list", "superuser", invoices_url, invoices),
        ("invoice list, community manager", "manager", invoices_url, invoices.filter(community=community)),
        (
            "invoice list, house search",
            "superuser",
            f"{invoices_url}?q={one_house.house_id}",
            invoices.filter(searched(one_house.house_id, "number", "house_key", "house_name", "recipient_name")),
        ),
        (
            "invoice page",
            "superuser",
            reverse("admin:invoicing_invoice_change", args=[invoice.pk]),
            Invoice.objects.filter(pk=invoice.pk).select_related("house", "period__community"),
        ),
    ]


def searched(term: str, *fields: str):
    """What the admin's search asks of the database: any of ``fields`` contains ``term``."""
    from django.db.models import Q

    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": term})
    return condition


def time_case(case, results: Results, args, *, superuser, manager) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    name, who, url, baseline_rows = case
    client = Client()
    client.force_login(superuser if who == "superuser" else manager)
    response = client.get(url)
    assert response.status_code == 200, (name, response.status_code)
    page_s, queries = [], None
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get(url)
            page_s.append(time.perf_counter() - t0)
        queries = captured.captured_queries
    sql, params = baseline_rows[:100].query.sql_with_params()
    bare_s = []
    for _ in range(args.repeat + 1):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
        bare_s.append(time.perf_counter() - t0)
    page, bare = statistics.median(page_s), statistics.median(bare_s[1:])
    results.add(
        name,
        page * 1000,
        "ms",
        data=f"{url} as {who}, {len(queries)} queries, median of {args.repeat}",
        baseline="bare SELECT ... LIMIT 100 of the same rows",
        baseline_value=bare * 1000,
        goal=f"<= {GOAL_S * 1000:.0f} ms",
        met=page <= GOAL_S,
    )
    if args.explain:
        explain(queries)
    if args.profile:
        profile(client, url)


def explain(queries) -> None:
    """The plan of each query the page ran that took 5 ms or more, slowest first."""
    from django.db import connection

    slow = sorted((q for q in queries if float(q["time"]) >= 0.005), key=lambda q: -float(q["time"]))
    prefix = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    for query in slow:
        print(f"  {float(query['time']) * 1000:.1f} ms: {query['sql'][:300]}")
        with connection.cursor() as cursor:
            cursor.execute(f"{prefix} {query['sql']}")
            for row in cursor.fetchall():
                print("     ", " ".join(str(cell) for cell in row), flush=True)


def profile(client, url: str) -> None:
    """The 60 functions one request spends most time in, callees included."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(client.get, url)
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
