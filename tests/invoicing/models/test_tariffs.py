"""A tariff may not change the prices of a closing or closed month, as a new version or as an edit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoicing import services
from invoicing.models import SettlementPeriod, Tariff
from tests.factories import CommunityFactory, SettlementPeriodFactory, TariffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_january():
    """A UTC community priced by one tariff from 2020, whose January 2026 is closed."""
    community = CommunityFactory()
    TariffFactory(community=community)
    return SettlementPeriodFactory(community=community, status=SettlementPeriod.Status.CLOSED)


def test_a_new_tariff_starting_inside_a_closed_month_is_refused(closed_january):
    tariff = Tariff(community=closed_january.community, valid_from=dt.date(2026, 1, 20))

    with pytest.raises(ValidationError, match=r"2026-01 is closed.*may start on 2026-02-01 or later"):
        tariff.full_clean()


def test_a_new_tariff_starting_before_a_closed_month_and_covering_it_is_refused(closed_january):
    tariff = Tariff(community=closed_january.community, valid_from=dt.date(2025, 12, 1))

    with pytest.raises(ValidationError, match="2026-01 is closed"):
        tariff.full_clean()


def test_a_new_tariff_from_the_day_after_a_closed_berlin_month_is_accepted():
    berlin = CommunityFactory(time_zone="Europe/Berlin")
    TariffFactory(community=berlin)
    march = services.period_get_or_create(community=berlin, month="2026-03")
    SettlementPeriod.objects.filter(pk=march.pk).update(status=SettlementPeriod.Status.CLOSED)

    Tariff(community=berlin, valid_from=dt.date(2026, 4, 1)).full_clean()


def test_a_closing_month_counts_as_closed(closed_january):
    SettlementPeriod.objects.filter(pk=closed_january.pk).update(status=SettlementPeriod.Status.CLOSING)

    with pytest.raises(ValidationError, match="2026-01 is closed"):
        Tariff(community=closed_january.community, valid_from=dt.date(2026, 1, 20)).full_clean()


def test_changing_the_prices_of_a_tariff_that_priced_a_closed_month_is_refused(closed_january):
    tariff = Tariff.objects.get()
    tariff.p_pv_ct_per_kwh = Decimal("21")

    with pytest.raises(ValidationError, match="2026-01 is closed"):
        tariff.full_clean()


def test_moving_a_later_tariff_into_a_closed_month_is_refused(closed_january):
    later = TariffFactory(community=closed_january.community, valid_from=dt.date(2026, 3, 1))
    later.valid_from = dt.date(2026, 1, 31)

    with pytest.raises(ValidationError, match="2026-01 is closed"):
        later.full_clean()


def test_changing_a_tariff_that_prices_only_open_months_is_accepted(closed_january):
    later = TariffFactory(community=closed_january.community, valid_from=dt.date(2026, 3, 1))
    later.valid_from, later.p_pv_ct_per_kwh = dt.date(2026, 2, 1), Decimal("21")

    later.full_clean()


def test_saving_a_tariff_unchanged_is_accepted(closed_january):
    Tariff.objects.get().full_clean()
