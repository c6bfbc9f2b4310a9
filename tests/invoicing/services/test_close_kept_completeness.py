"""The close's gate counts the readings once: it takes the completeness kept with the period's
figures while their key matches, and counts afresh when a reading changed after the page's view."""

import pytest
from django.core.exceptions import ValidationError

from invoicing import services
from invoicing.models import SettlementPeriod
from invoicing.period_figures import period_figures
from metering.models import MeterReading
from tests.factories import HouseFactory, add_readings

pytestmark = pytest.mark.django_db


@pytest.fixture
def complete_house(community, period):
    house = HouseFactory(community=community, house_id="house_1")
    quarter_hours = int((period.end - period.start).total_seconds() // 900)
    add_readings(house, period.start, [("0.1", "0.2")] * quarter_hours)
    return house


def counting_queries(captured) -> list[str]:
    """Queries that count the readings (the close's sums per interval are no count)."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if "communities_meterreading" in query["sql"] and "COUNT(" in query["sql"]
    ]


def test_a_close_after_the_page_view_takes_the_kept_completeness(
    period, complete_house, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    period_figures(period=period)

    with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(30) as captured:
        start = services.period_close_start(period=period)

    assert counting_queries(captured) == []
    assert start.completeness.complete and start.completeness.present == start.completeness.expected
    assert SettlementPeriod.objects.get(pk=period.pk).status == SettlementPeriod.Status.CLOSING


def test_a_reading_deleted_after_the_page_view_is_still_counted(
    period, complete_house, django_capture_on_commit_callbacks
):
    assert period_figures(period=period).completeness.complete
    MeterReading.objects.filter(house=complete_house).order_by("interval_start").first().delete()

    with django_capture_on_commit_callbacks(execute=False), pytest.raises(ValidationError, match="1 missing"):
        services.period_close_start(period=period)


def test_without_a_page_view_the_close_counts_the_readings(
    period, complete_house, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(30) as captured:
        start = services.period_close_start(period=period)

    assert len(counting_queries(captured)) == 1
    assert start.completeness.complete
