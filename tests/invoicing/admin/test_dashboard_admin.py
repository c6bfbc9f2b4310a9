"""The admin index's dashboard: one panel per visible community, links to the filtered lists."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from communities.models import Community
from communities.selectors import visible_communities
from invoicing import services
from invoicing.models import Invoice, InvoiceDelivery, PdfState
from tests.factories import (
    CommunityFactory,
    HouseFactory,
    SettlementPeriodFactory,
    TariffFactory,
    add_readings,
    member_of,
)

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
INDEX = reverse("admin:index")
INVOICES = reverse("admin:invoicing_invoice_changelist")
DELIVERIES = reverse("admin:invoicing_invoicedelivery_changelist")


def community_with_invoices(slug: str) -> Community:
    """January issued on 2 February (due on the 16th), house_2's draft of February."""
    community = CommunityFactory(slug=slug, name=f"Gemeinschaft {slug}")
    TariffFactory(community=community)
    add_readings(HouseFactory(community=community, house_id="house_1"), JANUARY, [("1", "2")])
    january = SettlementPeriodFactory(community=community)
    with time_machine.travel(dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), tick=False):
        services.invoices_issue(period=january, force=True, reason="test data has gaps")
    february = services.period_get_or_create(community=community, month="2026-02")
    services.invoices_generate(period=february)
    return community


@pytest.fixture
def in_march():
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC), tick=False):
        yield


def test_index_shows_a_panel_per_community_with_its_open_period_and_charts(admin_client, in_march):
    first, second = community_with_invoices("a"), community_with_invoices("b")

    page = admin_client.get(INDEX).text

    for community in (first, second):
        assert f'id="dashboard-{community.slug}"' in page
        period = community.periods.get(month="2026-01")  # issued, not closed: the oldest open month
        assert reverse("admin:invoicing_settlementperiod_change", args=[period.pk]) in page
    assert page.count('class="dashboard-chart energy"') == 2
    assert "/static/invoicing/admin/dashboard.css" in page


def test_awaiting_action_links_to_the_filtered_invoice_lists(admin_client, in_march):
    community = community_with_invoices("a")
    Invoice.objects.filter(status=Invoice.Status.PENDING).update(pdf_state=PdfState.FAILED)

    page = admin_client.get(INDEX).text

    query = f"{INVOICES}?community__id__exact={community.pk}&amp;"
    assert f'{query}status__exact=draft">1 draft invoice</a>' in page
    assert f'{query}pdf_state__exact=failed">1 PDF failed</a>' in page
    assert f'{query}past_due=yes">1 unpaid invoice past due</a>' in page


def failed_email(invoice, recipient="member@example.org", **fields) -> InvoiceDelivery:
    return InvoiceDelivery.objects.create(
        community=invoice.community,
        invoice=invoice,
        recipient=recipient,
        status=InvoiceDelivery.Status.FAILED,
        error="550 mailbox unavailable",
        queued_at=dt.datetime(2026, 2, 2, 10, tzinfo=dt.UTC),
        requested_by_name="admin",
        **fields,
    )


def test_failed_e_mails_link_to_the_deliveries_nobody_has_resent(admin_client, in_march):
    community, other = community_with_invoices("a"), community_with_invoices("b")
    invoice = Invoice.objects.get(community=community, status=Invoice.Status.PENDING)
    resent = failed_email(invoice)
    failed_email(invoice, resend_of=resent, recipient="new@example.org")
    failed_email(Invoice.objects.get(community=other, status=Invoice.Status.PENDING))

    page = admin_client.get(INDEX).text
    linked = admin_client.get(
        f"{DELIVERIES}?community__id__exact={community.pk}&status__exact=failed&resends__isnull=True"
    )

    link = f"{DELIVERIES}?community__id__exact={community.pk}&amp;status__exact=failed&amp;resends__isnull=True"
    assert f'{link}">1 e-mail failed</a>' in page
    assert [delivery.recipient for delivery in linked.context["cl"].result_list] == ["new@example.org"]


@pytest.mark.parametrize(
    ("query", "month"),
    [("status__exact=draft", "2026-02"), ("pdf_state__exact=pending", "2026-01"), ("past_due=yes", "2026-01")],
)
def test_the_linked_lists_show_what_the_dashboard_counted(admin_client, in_march, query, month):
    community = community_with_invoices("a")
    community_with_invoices("b")

    page = admin_client.get(f"{INVOICES}?community__id__exact={community.pk}&{query}")

    assert page.status_code == 200
    assert [(invoice.community, invoice.period.month) for invoice in page.context["cl"].result_list] == [
        (community, month)
    ]


def test_past_due_filter_leaves_out_invoices_still_within_their_terms(admin_client):
    community_with_invoices("a")

    with time_machine.travel(dt.datetime(2026, 2, 16, 12, tzinfo=dt.UTC), tick=False):
        page = admin_client.get(f"{INVOICES}?past_due=yes")

    assert page.context["cl"].result_count == 0


def test_staff_without_period_permissions_see_no_dashboard(client, django_user_model, in_march):
    community_with_invoices("a")
    user = django_user_model.objects.create_user(username="clerk", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_house"))
    client.force_login(user)

    page = client.get(INDEX).text

    assert "dashboard-a" not in page


def test_the_index_queries_do_not_grow_with_communities(admin_client, in_march, django_assert_max_num_queries):
    for slug in ("a", "b", "c", "d", "e"):
        community_with_invoices(slug)

    with django_assert_max_num_queries(19):  # dashboards, stuck work and the last billing check, for any number
        page = admin_client.get(INDEX)

    assert page.text.count('class="module dashboard"') == 5


def test_superusers_see_every_community_and_managers_their_own(django_user_model):
    a, b = CommunityFactory(slug="a"), CommunityFactory(slug="b")
    superuser = django_user_model.objects.create_superuser(username="root", password="x")
    manager = django_user_model.objects.create_user(username="clerk", is_staff=True)
    member_of(manager, a)
    outsider = django_user_model.objects.create_user(username="member")

    assert set(visible_communities(superuser)) == {a, b}
    assert list(visible_communities(manager)) == [a]
    assert list(visible_communities(outsider)) == []


def test_the_invoice_list_shows_short_columns_with_the_issue_day_in_local_time(admin_client):
    community_with_invoices("a")

    with time_machine.travel(dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        services.invoices_issue(period=Invoice.objects.get(status=Invoice.Status.DRAFT).period, force=True, reason="x")
    page = admin_client.get(INVOICES)

    cl = page.context["cl"]
    assert [name for name in cl.list_display if name != "action_checkbox"] == [
        "number", "house_key_column", "period_column", "status", "energy", "net_amount", "pdf_state", "issued",
        "email_status",
    ]  # fmt: skip
    assert '<td class="field-issued">2026-03-02</td>' in page.text  # 00:30 in Berlin (TIME_ZONE)
    assert '<td class="field-period_column">a 2026-02</td>' in page.text
    assert "/static/invoicing/admin/invoice_list.css" in page.text
