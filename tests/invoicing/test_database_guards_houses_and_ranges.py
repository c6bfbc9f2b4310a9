"""The database keeps an invoiced house where it was, and a month with issued invoices frozen
(invoicing migration 0006), while a close that failed before issuing can still thaw its month."""

import pytest

from metering.models import FrozenRange
from tests.database_guards import draft, issue, refused, sql
from tests.factories import CommunityFactory, SettlementPeriodFactory, TariffFactory

pytestmark = pytest.mark.django_db

STAYS_FROZEN = "Meter data of a month with issued invoices stays frozen"


@pytest.fixture
def frozen(period):
    return FrozenRange.objects.create(
        community=period.community, start=period.start, end=period.end, reason="settlement period 2026-01 is closed"
    )


def test_an_invoiced_house_cannot_move_to_another_community(period):
    invoice = issue(draft(period))
    elsewhere = CommunityFactory(slug="elsewhere")

    refused(
        "UPDATE communities_house SET community_id = %s WHERE id = %s",
        [elsewhere.pk, invoice.house_id],
        match="A house with issued invoices keeps its community and its house_id",
    )


def test_an_invoiced_house_keeps_its_house_id(period):
    invoice = issue(draft(period))

    refused(
        "UPDATE communities_house SET house_id = 'house_9' WHERE id = %s",
        [invoice.house_id],
        match="A house with issued invoices keeps its community and its house_id",
    )


def test_an_invoiced_house_still_changes_its_owner_and_address(period):
    invoice = issue(draft(period))

    sql("UPDATE communities_house SET owner_name = 'New Owner', address = 'Weg 2' WHERE id = %s", [invoice.house_id])


def test_a_house_with_drafts_only_can_still_move(period):
    invoice = draft(period)

    sql("UPDATE communities_house SET house_id = 'house_9' WHERE id = %s", [invoice.house_id])


def test_a_frozen_month_with_an_issued_invoice_never_thaws(period, frozen):
    issue(draft(period))

    refused("DELETE FROM communities_frozenrange", match=STAYS_FROZEN)


@pytest.mark.parametrize(
    "change",
    ["start = '2026-01-15 00:00:00'", "\"end\" = '2026-01-15 00:00:00'", "community_id = community_id + 1"],
    ids=["start", "end", "community"],
)
def test_a_frozen_month_with_an_issued_invoice_never_shrinks(period, frozen, change):
    issue(draft(period))

    refused(f"UPDATE communities_frozenrange SET {change}", match=STAYS_FROZEN)


def test_a_frozen_month_with_an_issued_invoice_may_grow(period, frozen):
    issue(draft(period))

    sql("UPDATE communities_frozenrange SET \"end\" = '2026-03-01 00:00:00'")


def test_a_failed_close_that_issued_nothing_still_thaws_its_month(period, frozen):
    draft(period)

    sql("DELETE FROM communities_frozenrange")

    assert not FrozenRange.objects.exists()


def test_issued_invoices_of_another_community_do_not_hold_a_month_frozen(period, frozen):
    elsewhere = CommunityFactory(slug="elsewhere")
    TariffFactory(community=elsewhere)
    issue(draft(SettlementPeriodFactory(community=elsewhere)))

    sql("DELETE FROM communities_frozenrange")

    assert not FrozenRange.objects.exists()
