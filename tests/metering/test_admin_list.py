"""The readings change list at scale: a month filter instead of date_hierarchy, bounded counts, few queries."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CommunityFactory, HouseFactory, add_readings, member_of

pytestmark = pytest.mark.django_db

URL = reverse("admin:metering_meterreading_changelist")
# 23:00 UTC on 31 January is midnight of 1 February in Europe/Berlin, the zone the list is shown in.
LAST_JANUARY_HOUR = dt.datetime(2026, 1, 31, 22, 0, tzinfo=dt.UTC)
# Session, user, the month filter's two ends, the community filter's choices, a bounded count, the page;
# a search looks the houses up first (one more).
READING_LIST_QUERIES = 7


@pytest.fixture
def house():
    house = HouseFactory(house_id="house_1", community=CommunityFactory(slug="sonnenfeld"))
    add_readings(house, dt.datetime(2025, 11, 30, 23, 0, tzinfo=dt.UTC), [("1", "0")])
    add_readings(house, LAST_JANUARY_HOUR, [("2", "0")] * 8)
    return house


def month_choices(response) -> list[str]:
    [month_filter] = [
        spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", "") == "month"
    ]
    return [value for value, _ in month_filter.lookup_choices]


def test_the_month_filter_offers_every_month_from_the_first_to_the_last_reading_newest_first(admin_client, house):
    response = admin_client.get(URL)

    assert month_choices(response) == ["2026-02", "2026-01", "2025-12"]


def test_a_month_lists_the_readings_of_that_local_month(admin_client, house):
    response = admin_client.get(URL, {"month": "2026-01"})

    starts = [reading.interval_start for reading in response.context["cl"].result_list]
    assert starts == [LAST_JANUARY_HOUR + dt.timedelta(minutes=15 * n) for n in (3, 2, 1, 0)]


def test_a_malformed_month_is_answered_like_any_wrong_filter(admin_client, house):
    response = admin_client.get(URL, {"month": "2026-13"})

    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def test_a_manager_is_offered_only_the_months_of_their_communities(client, django_user_model, house):
    own = CommunityFactory(slug="windpark")
    add_readings(HouseFactory(community=own, house_id="wind_1"), dt.datetime(2026, 3, 10, tzinfo=dt.UTC), [("1", "0")])
    manager = django_user_model.objects.create_user(username="manager", is_staff=True)
    manager.user_permissions.add(Permission.objects.get(codename="view_meterreading"))
    member_of(manager, own)
    client.force_login(manager)

    assert month_choices(client.get(URL)) == ["2026-03"]


def test_the_list_never_runs_a_date_hierarchy_distinct_over_all_readings(admin_client, house):
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(URL)

    assert response.status_code == 200
    assert not [query["sql"] for query in captured if "DISTINCT" in query["sql"].upper()]


@pytest.mark.parametrize(
    ("query", "extra"),
    [({}, 0), ({"month": "2026-01"}, 0), ({"q": "house_1"}, 1), ({"house__community__id__exact": "house"}, 0)],
    ids=str,
)
def test_the_list_takes_a_fixed_number_of_queries_whatever_the_filter(
    admin_client, house, query, extra, django_assert_max_num_queries
):
    add_readings(house, dt.datetime(2026, 1, 10, tzinfo=dt.UTC), [("1", "1")] * 150)
    CommunityFactory(slug="windpark")  # with one community Django neither shows nor applies its filter
    query = {name: house.community_id if value == "house" else value for name, value in query.items()}
    if not query and connection.vendor == "postgresql":
        extra += 1  # the table's row estimate, before counting a table too small to trust it

    with django_assert_max_num_queries(READING_LIST_QUERIES + extra):
        response = admin_client.get(URL, query)

    assert response.status_code == 200


def test_beyond_the_exact_bound_the_list_says_more_than_and_counts_no_further(admin_client, house, monkeypatch):
    monkeypatch.setattr("core.admin.EXACT_COUNT_UP_TO", 5)

    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(URL, {"house__community__id__exact": house.community_id})

    assert "More than 5 meter readings" in response.content.decode()
    [count] = [query["sql"] for query in captured if "COUNT(" in query["sql"].upper()]
    assert "LIMIT 6" in count


def test_within_the_exact_bound_the_list_shows_the_exact_count(admin_client, house):
    response = admin_client.get(URL, {"month": "2026-01"})

    assert response.context["cl"].result_count == 4
    assert "4 meter readings" in response.content.decode()


def test_a_house_search_lists_the_readings_of_the_houses_whose_id_starts_with_it(admin_client, house):
    other = HouseFactory(community=house.community, house_id="house_10")
    add_readings(other, LAST_JANUARY_HOUR, [("1", "0")])
    HouseFactory(community=house.community, house_id="garage_1")

    response = admin_client.get(URL, {"q": "HOUSE_1"})

    houses = {reading.house.house_id for reading in response.context["cl"].result_list}
    assert houses == {"house_1", "house_10"}


def test_a_house_search_filters_the_readings_by_house_ids_not_by_a_join(admin_client, house):
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(URL, {"q": '"house_1"'})

    [page] = [
        query["sql"] for query in captured if 'ORDER BY "communities_meterreading"."interval_start"' in query["sql"]
    ]
    assert f'"house_id" IN ({house.pk})' in page
    assert "LIKE" not in page


@pytest.mark.parametrize("as_manager", [False, True], ids=["community filter", "manager's scope"])
def test_a_community_s_readings_are_picked_by_house_not_by_joining_the_houses(
    admin_client, client, django_user_model, house, as_manager
):
    other = HouseFactory(community=CommunityFactory(slug="windpark"), house_id="wind_1")
    add_readings(other, LAST_JANUARY_HOUR, [("1", "0")])
    if as_manager:
        manager = django_user_model.objects.create_user(username="manager", is_staff=True)
        manager.user_permissions.add(Permission.objects.get(codename="view_meterreading"))
        member_of(manager, house.community)
        client.force_login(manager)
    browser, query = (client, {}) if as_manager else (admin_client, {"house__community__id__exact": house.community_id})

    with CaptureQueriesContext(connection) as captured:
        response = browser.get(URL, query)

    assert {reading.house.house_id for reading in response.context["cl"].result_list} == {"house_1"}
    [page] = [
        query["sql"] for query in captured if 'ORDER BY "communities_meterreading"."interval_start"' in query["sql"]
    ]
    unindexed = "+" if connection.vendor == "sqlite" else ""
    assert f'{unindexed}"communities_meterreading"."house_id" IN (SELECT' in page
