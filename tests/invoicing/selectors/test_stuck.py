"""Stuck work: closes without progress and PDFs pending for longer than LEG_STUCK_AFTER_MINUTES."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from core.formatting import site_time
from invoicing import selectors, services
from invoicing.models import Invoice, StatementDocument
from tests.factories import HouseFactory

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def issued_pending(community, period, django_capture_on_commit_callbacks):
    """January issued, its PDF tasks never run (a killed cluster)."""
    HouseFactory(community=community, house_id="house_1")
    HouseFactory(community=community, house_id="house_2")
    with django_capture_on_commit_callbacks(execute=False):
        services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return period


def test_pdfs_pending_longer_than_the_threshold_are_stuck(issued_pending, settings):
    settings.LEG_STUCK_AFTER_MINUTES = 10
    issued_at = issued_pending.invoices.first().issued_at

    fresh = selectors.stuck_work(now=issued_at + 9 * MINUTE)
    stuck = selectors.stuck_work(now=issued_at + 11 * MINUTE)

    assert not fresh
    assert [(item.period, item.pdfs, item.pdfs_pending_since) for item in stuck.periods] == [
        (issued_pending, 2, issued_at)
    ]
    assert stuck.periods[0].what == f"2 PDFs pending since {site_time(issued_at)}"  # in local time


def test_a_close_without_progress_is_stuck(community, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.period_close_start(period=period)
    period.refresh_from_db()

    stuck = selectors.stuck_work(now=period.close_started_at + 11 * MINUTE)

    assert stuck.periods[0].close_idle_since == period.close_started_at
    assert not selectors.stuck_work(now=period.close_started_at + 9 * MINUTE)


def test_a_close_that_issued_recently_is_not_stuck(community, period, django_capture_on_commit_callbacks):
    # Given: a close started at 10:00 whose step issued its invoices at 10:50.
    HouseFactory(community=community)
    started, issued = dt.datetime(2026, 2, 10, 10, tzinfo=dt.UTC), dt.datetime(2026, 2, 10, 10, 50, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=False):
        with time_machine.travel(started, tick=False):
            services.period_close_start(period=period, force=True, reason="test data has gaps")
        with time_machine.travel(issued, tick=False):
            services.period_close_step(period=period)
    Invoice.objects.update(pdf_state="rendered")

    assert not selectors.stuck_work(now=issued + 5 * MINUTE)
    assert selectors.stuck_work(now=issued + 11 * MINUTE).periods[0].close_idle_since == issued


def test_a_frozen_statement_waiting_for_its_pdf_is_stuck(period):
    frozen_at = timezone.now()
    StatementDocument.objects.create(period=period, content_json="{}", frozen_at=frozen_at, pdf_state="pending")

    stuck = selectors.stuck_work(now=frozen_at + 11 * MINUTE, period=period)

    assert [(item.pdfs, item.pdfs_pending_since) for item in stuck.periods] == [(1, frozen_at)]


def test_stuck_work_takes_five_queries(issued_pending, django_assert_num_queries):
    with django_assert_num_queries(5):
        selectors.stuck_work(now=timezone.now() + 11 * MINUTE)
