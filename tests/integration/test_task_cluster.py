"""The close, end to end, on a real django-q2 cluster with the Redis broker and PostgreSQL (CI-only).

Run by .ci/run's "task cluster" step: ``./dev test -m cluster tests/integration`` with DATABASE_URL
on PostgreSQL and Redis reachable at LEG_TEST_REDIS_URL (default redis://127.0.0.1:6379/0).
"""

import datetime as dt
import hashlib
import uuid

import pytest
from django.core.files.storage import default_storage

from communities.models import Community
from invoicing.models import Invoice, SettlementPeriod
from invoicing.models.stored_pdfs import PdfState
from metering.models import MeterReading
from tests.factories import CommunityFactory, HouseFactory, TariffFactory

from . import cluster

pytestmark = [pytest.mark.cluster, pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

HOUSES = 24  # two PDF batches of the queue's 20
MONTHS = ("2026-09", "2026-10")


@pytest.fixture
def community(settings, tmp_path) -> Community:
    if not cluster.redis_answers(cluster.redis_url()):
        pytest.skip(f"needs Redis at {cluster.redis_url()} (set LEG_TEST_REDIS_URL; .ci/run starts one)")
    settings.MEDIA_ROOT = tmp_path / "media"
    community = CommunityFactory(slug="cluster", time_zone="Europe/Berlin", interval_minutes=60)
    TariffFactory(community=community)
    houses = [HouseFactory(community=community, house_id=f"house_{n}") for n in range(1, HOUSES + 1)]
    start = dt.datetime(2026, 8, 31, 22, tzinfo=dt.UTC)  # 1 September, local midnight
    hours = int((dt.datetime(2026, 10, 31, 23, tzinfo=dt.UTC) - start).total_seconds() // 3600)
    MeterReading.objects.bulk_create(
        (
            MeterReading(
                house=house,
                interval_start=start + dt.timedelta(hours=hour),
                exported_wh=(index * 37 + hour * 11) % 900,
                imported_wh=(index * 53 + hour * 7) % 700,
            )
            for index, house in enumerate(houses)
            for hour in range(hours)
        ),
        batch_size=5000,
    )
    return community


@pytest.fixture
def env() -> dict[str, str]:
    return cluster.child_env(f"legbilling-test-{uuid.uuid4().hex[:8]}")


def assert_books_complete(community: Community, month: str) -> None:
    """One live invoice per house, numbers without gap or duplicate, every PDF stored as recorded."""
    period = SettlementPeriod.objects.get(community=community, month=month)
    assert period.status == SettlementPeriod.Status.CLOSED
    invoices = list(period.invoices.exclude(status=Invoice.Status.CANCELLED).order_by("number"))
    assert sorted(invoice.house.house_id for invoice in invoices) == sorted(f"house_{n}" for n in range(1, HOUSES + 1))
    serials = sorted(int(invoice.number.rsplit("-", 1)[1]) for invoice in invoices)
    assert serials == list(range(serials[0], serials[0] + HOUSES))
    for invoice in invoices:
        assert invoice.pdf_state == PdfState.RENDERED, invoice.number
        with default_storage.open(invoice.pdf_file.name, "rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == invoice.pdf_sha256, invoice.number


def test_a_month_closes_on_the_cluster_with_every_invoice_and_pdf(community, env):
    with cluster.running_cluster(env):
        result = cluster.manage(env, "close_period", "--community", "cluster", "--period", MONTHS[0], "--wait")
    assert result.returncode == 0, result.stderr
    assert_books_complete(community, MONTHS[0])


def test_a_close_whose_workers_are_killed_completes_on_resume_without_duplicates(community, env):
    with cluster.running_cluster(env) as running:
        assert (
            cluster.manage(env, "close_period", "--community", "cluster", "--period", MONTHS[0], "--wait").returncode
            == 0
        )
        started = cluster.manage(env, "close_period", "--community", "cluster", "--period", MONTHS[1])
        assert started.returncode == 0, started.stderr
        issued = Invoice.objects.filter(period__month=MONTHS[1], status=Invoice.Status.PENDING)
        cluster.wait_until(issued.exists, timeout=60, what="the second close to issue its invoices")
        assert cluster.kill_workers(running), "the cluster had no worker to kill"
        unfinished = issued.exclude(pdf_state=PdfState.RENDERED).count()
        assert unfinished, "every PDF was done before the kill: the test proved nothing"

        resumed = cluster.manage(env, "close_period", "--community", "cluster", "--period", MONTHS[1], "--resume")
        assert resumed.returncode == 0, resumed.stderr
        waited = cluster.manage(env, "close_period", "--community", "cluster", "--period", MONTHS[1], "--wait")
        assert waited.returncode == 0, waited.stdout + waited.stderr
    assert_books_complete(community, MONTHS[1])
