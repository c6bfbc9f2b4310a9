"""The invoice list at scale: an issued-month filter, the house id as invoiced, a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from invoicing import services
from invoicing.models import Invoice
from tests.factories import HouseFactory, add_readings

from .helpers import JANUARY, change_url, changelist

pytestmark = pytest.mark.django_db

# Session, user, the page's rows with their house, period and e-mail status, counts, filters' choices.
LIST_QUERIES = 9
# The invoice with what it links to, its lines, payments, events and who issued it.
PAGE_QUERIES = 15


@pytest.fixture
def many_invoices(billable):
    """Twelve issued invoices of one period, each with its line, e-mail status and issuer."""
    house, period = billable
    for number in range(2, 13):
        add_readings(HouseFactory(community=house.community, house_id=f"house_{number}"), JANUARY, [("1.5", "2.5")])
    services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return Invoice.objects.filter(period=period)


@pytest.mark.parametrize("query", [{}, {"q": "house_1"}, {"status__exact": "pending"}], ids=str)
def test_the_invoice_list_takes_a_fixed_number_of_queries(
    admin_client, many_invoices, query, django_assert_max_num_queries
):
    with django_assert_max_num_queries(LIST_QUERIES):
        response = admin_client.get(changelist(Invoice), query)

    assert response.status_code == 200


def test_the_invoice_page_takes_a_fixed_number_of_queries(admin_client, many_invoices, django_assert_max_num_queries):
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = admin_client.get(change_url(many_invoices.first()))

    assert response.status_code == 200


def issued_month_choices(response) -> list[str]:
    """The filter's months; an empty list when there is none to offer (then the filter is not shown)."""
    specs = [spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", "") == "issued"]
    return [value for spec in specs for value, _ in spec.lookup_choices]


def test_the_issued_filter_offers_the_local_month_the_invoices_were_issued_in(admin_client, many_invoices):
    issued = timezone.localtime(many_invoices.first().issued_at)

    response = admin_client.get(changelist(Invoice))

    assert issued_month_choices(response) == [f"{issued:%Y-%m}"]


def test_an_issued_month_lists_the_invoices_issued_in_it(admin_client, many_invoices):
    month = f"{timezone.localtime(many_invoices.first().issued_at):%Y-%m}"

    assert admin_client.get(changelist(Invoice), {"issued": month}).context["cl"].result_count == 12
    assert admin_client.get(changelist(Invoice), {"issued": "2020-01"}).context["cl"].result_count == 0


def test_drafts_have_no_issued_month(admin_client, draft_invoice):
    assert issued_month_choices(admin_client.get(changelist(Invoice))) == []


def test_the_invoice_list_runs_no_date_hierarchy_distinct(admin_client, many_invoices):
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(changelist(Invoice))

    assert not [query["sql"] for query in captured if "DISTINCT" in query["sql"].upper()]


def test_the_list_is_sorted_along_the_index_invoice_list_order_without_joining_the_houses(admin_client, many_invoices):
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(changelist(Invoice))

    [page] = [query["sql"] for query in captured if 'ORDER BY "invoicing_invoice"."period_start"' in query["sql"]]
    order = page.rsplit("ORDER BY", 1)[1]
    assert order.split() == [
        '"invoicing_invoice"."period_start"',
        "DESC,",
        '"invoicing_invoice"."house_key"',
        "ASC,",
        '"invoicing_invoice"."id"',
        "DESC",
    ]
    keys = [invoice.house_key for invoice in response.context["cl"].result_list]
    assert keys == sorted(keys)
