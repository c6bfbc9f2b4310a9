"""The invoice list and page ask the database a fixed number of questions, however many invoices there are."""

import pytest

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
