"""Invoice numbers follow the houses' ids in natural order: house_2 before house_10."""

import datetime as dt

import pytest

from invoicing import services
from invoicing.models import Invoice
from tests.factories import HouseFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HOUSE_IDS = ["house_10", "house_2", "house_1"]


def numbered_houses() -> list[str]:
    return list(Invoice.objects.order_by("number").values_list("house__house_id", flat=True))


def test_issue_numbers_house_2_before_house_10(community, period):
    for house_id in HOUSE_IDS:
        HouseFactory(community=community, house_id=house_id)

    services.invoices_issue(period=period, force=True, reason="test data has gaps")

    assert numbered_houses() == ["house_1", "house_2", "house_10"]


def test_batched_close_numbers_house_2_before_house_10(community, period, django_capture_on_commit_callbacks):
    for house_id in HOUSE_IDS:
        add_readings(HouseFactory(community=community, house_id=house_id), JANUARY, [("0.1", "0.2")] * 31 * 96)
    with django_capture_on_commit_callbacks(execute=False):
        services.period_close_start(period=period)

    first = services.period_close_step(period=period, batch_size=2)
    services.period_close_step(period=period, batch_size=2)

    assert first.issued_numbers == ["INV-2026-001", "INV-2026-002"]
    assert numbered_houses() == ["house_1", "house_2", "house_10"]
