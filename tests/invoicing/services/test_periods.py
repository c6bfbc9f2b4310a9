import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from invoicing import services
from tests.factories import (
    CommunityFactory,
)

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_period_get_or_create_uses_the_community_time_zone():
    berlin = CommunityFactory(time_zone="Europe/Berlin")

    period = services.period_get_or_create(community=berlin, month="2026-03")

    assert period.start == dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC)
    assert period.end == dt.datetime(2026, 3, 31, 22, tzinfo=dt.UTC)
    assert services.period_get_or_create(community=berlin, month="2026-03") == period


def test_period_get_or_create_rejects_a_malformed_month(community):
    with pytest.raises(ValidationError, match="YYYY-MM"):
        services.period_get_or_create(community=community, month="2026-3")
