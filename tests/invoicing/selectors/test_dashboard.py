"""The dashboard's figures per community: open period, last import, work waiting, twelve months."""

import datetime as dt
from decimal import Decimal

import pytest

from communities.models import Community
from invoicing import selectors, services
from invoicing.models import Invoice, InvoiceDelivery, PdfState, StatementDocument
from invoicing.statement import statement_compute, statement_to_json
from metering.models import ImportJob
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC)
JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FEBRUARY = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def billable(slug: str) -> Community:
    """A community with one house, readings in January, January and February open."""
    community = CommunityFactory(slug=slug)
    TariffFactory(community=community)
    add_readings(HouseFactory(community=community, house_id="house_1"), JANUARY, [("1.5", "0.5")] * 10)
    SettlementPeriodFactory(community=community, month="2026-01", start=JANUARY, end=FEBRUARY)
    SettlementPeriodFactory(
        community=community, month="2026-02", start=FEBRUARY, end=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    )
    return community


def freeze_statement(period) -> None:
    """What a finished close leaves: the frozen statement of the month."""
    StatementDocument.objects.create(
        period=period, content_json=statement_to_json(statement_compute(period=period)), frozen_at=NOW
    )


def board_of(community):
    (board,) = selectors.community_dashboards(communities=[community], now=NOW)
    return board


def test_chart_months_are_the_twelve_ending_with_the_given_one():
    assert selectors.chart_months("2026-03") == [
        "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09",
        "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03",
    ]  # fmt: skip


def test_the_open_period_is_the_oldest_open_month_with_its_completeness():
    community = billable("a")

    board = board_of(community)

    assert board.open_period.month == "2026-01"
    assert (board.completeness.expected, board.completeness.present) == (2976, 10)


def test_the_last_import_is_the_newest_job_of_the_community():
    community, other = billable("a"), billable("b")
    ImportJob.objects.create(community=community, file="a.csv", original_name="old.csv")
    newest = ImportJob.objects.create(community=community, file="b.csv", original_name="new.csv")
    ImportJob.objects.create(community=other, file="c.csv", original_name="other.csv")

    assert board_of(community).last_import == newest


def test_work_waiting_counts_drafts_and_pdfs_by_state():
    community = billable("a")
    january = community.periods.get(month="2026-01")
    services.invoices_issue(period=january, force=True, reason="test data has gaps")
    Invoice.objects.filter(period=january).update(pdf_state=PdfState.FAILED)
    services.invoices_generate(period=community.periods.get(month="2026-02"))

    board = board_of(community)

    assert (board.drafts, board.pdfs_failed, board.pdfs_pending, board.awaits_action) == (1, 1, 0, True)


def test_work_waiting_counts_failed_e_mails_not_resent_yet():
    community = billable("a")
    january = community.periods.get(month="2026-01")
    services.invoices_issue(period=january, force=True, reason="test data has gaps")
    Invoice.objects.filter(period=january).update(pdf_state=PdfState.RENDERED)  # nothing else waits
    invoice = january.invoices.get()
    failed = {"community": community, "invoice": invoice, "status": InvoiceDelivery.Status.FAILED}
    first = InvoiceDelivery.objects.create(recipient="a@example.org", queued_at=NOW, **failed)
    InvoiceDelivery.objects.create(recipient="b@example.org", queued_at=NOW, resend_of=first, **failed)

    board = board_of(community)

    assert (board.emails_failed, board.pdfs_failed, board.awaits_action) == (1, 0, True)


def test_a_quiet_community_awaits_nothing():
    board = board_of(CommunityFactory(slug="quiet"))

    assert (board.open_period, board.completeness, board.last_import, board.awaits_action) == (None, None, None, False)


def test_a_closed_month_charts_its_frozen_statement_and_an_open_one_its_invoices():
    community = billable("a")
    january, february = community.periods.get(month="2026-01"), community.periods.get(month="2026-02")
    services.invoices_generate(period=january)
    freeze_statement(january)
    add_readings(community.houses.get(), FEBRUARY, [("0", "2")])
    services.invoices_generate(period=february)

    months = {month.month: month for month in board_of(community).months}

    assert (months["2026-01"].exported_kwh, months["2026-01"].imported_kwh) == (Decimal("15"), Decimal("5"))
    assert months["2026-01"].grid_delivery_kwh == Decimal("10")
    assert months["2026-01"].community_result_ct is not None
    assert (months["2026-02"].imported_kwh, months["2026-02"].grid_delivery_kwh) == (Decimal("2"), None)
    assert (months["2025-12"].exported_kwh, months["2025-12"].community_result_ct) == (Decimal("0"), None)


def test_the_queries_do_not_grow_with_communities_or_months(django_assert_max_num_queries):
    communities = [billable(slug) for slug in ("a", "b", "c", "d")]
    for community in communities:
        ImportJob.objects.create(community=community, file="a.csv", original_name="a.csv")
        january = community.periods.get(month="2026-01")
        services.invoices_issue(period=january, force=True, reason="test data has gaps")
        freeze_statement(january)
        services.invoices_generate(period=community.periods.get(month="2026-02"))

    with django_assert_max_num_queries(9):
        boards = selectors.community_dashboards(communities=communities, now=NOW)
        assert [len(board.months) for board in boards] == [12] * 4
        assert all(board.completeness.houses for board in boards)


def test_completeness_of_several_periods_takes_two_queries(django_assert_max_num_queries):
    periods = [billable(slug).periods.select_related("community").get(month="2026-01") for slug in ("a", "b", "c")]
    HouseFactory(community=periods[0].community, house_id="late", active_from=dt.date(2026, 1, 20))

    with django_assert_max_num_queries(2):
        by_period = selectors.periods_completeness(periods=periods)

    assert [by_period[period.pk].present for period in periods] == [10, 10, 10]
    assert [house.expected for house in by_period[periods[0].pk].houses] == [2976, 12 * 96]  # house_1, late
