"""After a meter-data import, the figures of the open months it wrote are computed in the
background (``readings_imported`` -> ``period_figures_task``), so the first view of such a month's
page reads kept figures instead of summing the month (issue #14: "cache them per import")."""

import datetime as dt
from decimal import Decimal

import pytest

from invoicing.models import KeptPeriodFigures, SettlementPeriod
from invoicing.period_figures import period_statement_shown
from metering.models import MeterReading
from tests.factories import HouseFactory, SettlementPeriodFactory
from tests.metering.import_helpers import INTERVAL_HEADER, csv_bytes, run_import

pytestmark = pytest.mark.django_db

JANUARY_FILE = csv_bytes(
    [INTERVAL_HEADER, ["house_1", "2026-01-10T12:00:00Z", "3", "0"], ["house_1", "2026-01-10T12:15:00Z", "1", "0"]]
)


@pytest.fixture
def february(community):
    return SettlementPeriodFactory(
        community=community,
        month="2026-02",
        start=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
        end=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )


@pytest.fixture(autouse=True)
def house(community):
    return HouseFactory(community=community, house_id="house_1")


def imported(community, data, django_capture_on_commit_callbacks, **kwargs):
    """Import and run what the commit enqueues (the test settings run django-q2 tasks inline)."""
    with django_capture_on_commit_callbacks(execute=True):
        return run_import(community, data, **kwargs)


def test_the_first_view_after_an_import_reads_kept_figures(
    community, period, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    assert imported(community, JANUARY_FILE, django_capture_on_commit_callbacks).created == 2

    with django_assert_max_num_queries(5) as captured:
        statement = period_statement_shown(period=period)

    assert statement.total.flows.exported_kwh == Decimal("4")
    assert not any("communities_meterreading" in query["sql"] for query in captured.captured_queries)


def test_only_the_months_the_file_wrote_are_computed(community, period, february, django_capture_on_commit_callbacks):
    imported(community, JANUARY_FILE, django_capture_on_commit_callbacks)

    assert list(KeptPeriodFigures.objects.values_list("period", flat=True)) == [period.pk]


def test_a_month_being_closed_is_left_alone(community, period, django_capture_on_commit_callbacks):
    SettlementPeriod.objects.filter(pk=period.pk).update(status=SettlementPeriod.Status.CLOSING)

    imported(community, JANUARY_FILE, django_capture_on_commit_callbacks)

    assert not KeptPeriodFigures.objects.exists()


@pytest.mark.parametrize(
    ("data", "options"),
    [
        (JANUARY_FILE, {"dry_run": True}),
        (JANUARY_FILE + b"house_404,2026-01-10T12:30:00Z,1,0\n", {}),
    ],
    ids=["dry run", "file with an error"],
)
def test_an_import_that_writes_nothing_computes_nothing(
    community, period, data, options, django_capture_on_commit_callbacks
):
    imported(community, data, django_capture_on_commit_callbacks, **options)

    assert not MeterReading.objects.exists()
    assert not KeptPeriodFigures.objects.exists()


def test_an_unchanged_reimport_computes_nothing(community, period, django_capture_on_commit_callbacks):
    imported(community, JANUARY_FILE, django_capture_on_commit_callbacks)
    KeptPeriodFigures.objects.all().delete()

    again = imported(community, JANUARY_FILE, django_capture_on_commit_callbacks)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert not KeptPeriodFigures.objects.exists()
