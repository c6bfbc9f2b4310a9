import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from invoicing import selectors, services
from invoicing.models import Invoice, InvoiceNumberCounter, LifecycleEvent, SettlementPeriod
from metering.models import FrozenMeterDataError, FrozenRange
from tests.factories import (
    CommunityFactory,
    HouseFactory,
    TariffFactory,
    add_readings,
)

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_issue_numbers_drafts_in_house_order(community, period):
    for house_id in ["house_2", "house_1", "house_3"]:
        HouseFactory(community=community, house_id=house_id)

    report = services.invoices_issue(period=period, force=True, reason="test data has gaps")

    numbered = list(Invoice.objects.order_by("number").values_list("number", "house__house_id", "status"))
    assert numbered == [
        ("INV-2026-001", "house_1", "pending"),
        ("INV-2026-002", "house_2", "pending"),
        ("INV-2026-003", "house_3", "pending"),
    ]
    assert report.issued_numbers == ["INV-2026-001", "INV-2026-002", "INV-2026-003"]
    assert Invoice.objects.filter(issued_at__isnull=True).count() == 0


def test_issue_numbers_every_draft_across_update_batches(community, period, monkeypatch, django_assert_max_num_queries):
    for number in range(1, 6):
        HouseFactory(community=community, house_id=f"house_{number}")
    services.invoices_generate(period=period)
    monkeypatch.setattr("invoicing.services.issuing.ISSUE_UPDATE_BATCH", 2)

    with django_assert_max_num_queries(40):
        services.invoices_issue(period=period, force=True, reason="test data has gaps")

    numbered = list(Invoice.objects.order_by("number").values_list("number", "house__house_id", "status"))
    assert numbered == [(f"INV-2026-00{n}", f"house_{n}", "pending") for n in range(1, 6)]
    assert Invoice.objects.filter(issued_at__isnull=True).count() == 0


def test_numbers_continue_across_periods_of_the_same_year(community, period):
    HouseFactory(community=community)
    services.invoices_issue(period=period, force=True, reason="test data has gaps")
    february = services.period_get_or_create(community=community, month="2026-02")

    services.invoices_issue(period=february, force=True, reason="test data has gaps")

    assert list(Invoice.objects.order_by("number").values_list("number", flat=True)) == [
        "INV-2026-001",
        "INV-2026-002",
    ]


def test_numbers_restart_each_year_and_per_community(community):
    HouseFactory(community=community)
    other = CommunityFactory(slug="other", invoice_prefix="SOL")
    TariffFactory(community=other)
    HouseFactory(community=other)

    with time_machine.travel(dt.datetime(2027, 2, 1, tzinfo=dt.UTC), tick=False):
        for target, month in [(community, "2026-12"), (community, "2027-01"), (other, "2026-12")]:
            services.invoices_issue(
                period=services.period_get_or_create(community=target, month=month),
                force=True,
                reason="test data has gaps",
            )

    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        "INV-2026-001",
        "INV-2027-001",
        "SOL-2026-001",
    ]


def test_issuing_twice_issues_nothing_new(community, period):
    HouseFactory(community=community)
    services.invoices_issue(period=period, force=True, reason="test data has gaps")

    report = services.invoices_issue(period=period, force=True, reason="test data has gaps")

    assert report.issued_numbers == []
    assert report.generation.already_issued == 1
    assert InvoiceNumberCounter.objects.get().last_number == 1


def test_issued_invoices_are_not_regenerated(community, period):
    house = HouseFactory(community=community, owner_name="Jörg Müller")
    add_readings(house, JANUARY, [("1", "0")])
    services.invoices_issue(period=period, force=True, reason="test data has gaps")
    house.owner_name = "Anna Schmidt"
    house.save()

    report = services.invoices_generate(period=period)

    assert report.already_issued == 1
    assert Invoice.objects.get().recipient_name == "Jörg Müller"


def test_issue_uses_current_readings(community, period):
    house = HouseFactory(community=community)
    services.invoices_generate(period=period)
    add_readings(house, JANUARY, [("7", "0")])

    services.invoices_issue(period=period, force=True, reason="test data has gaps")

    assert Invoice.objects.get().energy_exported_kwh == Decimal("7")


def test_a_rolled_back_issue_uses_up_no_number(community, period):
    HouseFactory(community=community)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.invoices_issue(period=period, force=True, reason="test data has gaps")
        raise RuntimeError("crash after numbering")
    services.invoices_issue(period=period, force=True, reason="test data has gaps")

    assert Invoice.objects.get().number == "INV-2026-001"


@pytest.mark.django_db(transaction=True)
def test_numbers_are_allocated_only_inside_a_transaction(community):
    with pytest.raises(RuntimeError, match="inside the issuing transaction"):
        services.invoice_numbers_allocate(community=community, series="INV", year=2026, count=1)


def test_closed_period_is_refused(community, period):
    period.status = SettlementPeriod.Status.CLOSED
    period.save()

    with pytest.raises(ValidationError, match="is closed"):
        services.invoices_generate(period=period)


def test_two_live_invoices_for_one_house_and_period_are_impossible(community, period):
    HouseFactory(community=community)
    services.invoices_generate(period=period)
    duplicate = Invoice.objects.get()
    duplicate.pk = None

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_number_without_issue_is_impossible(community, period):
    HouseFactory(community=community)
    services.invoices_generate(period=period)

    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.update(number="INV-2026-999")


def test_issuing_freezes_the_months_meter_data(community, period):
    house = HouseFactory(community=community)
    services.invoices_issue(period=period, force=True, reason="test data has gaps")

    with pytest.raises(FrozenMeterDataError):
        add_readings(house, JANUARY, [("1", "0")])


# The gate issuing shares with closing


def test_issue_with_gaps_is_refused_and_takes_no_number(community, period):
    HouseFactory(community=community)

    with pytest.raises(ValidationError, match=r"is incomplete.*force the issue with a written reason"):
        services.invoices_issue(period=period)

    assert not Invoice.objects.exists() and not InvoiceNumberCounter.objects.exists()
    assert services.invoices_issue(period=period, force=True, reason="Meter broken").issued_numbers == ["INV-2026-001"]


def test_issue_of_a_month_that_has_not_ended_is_refused_even_forced(community):
    community.time_zone = "Europe/Berlin"
    community.save()
    HouseFactory(community=community)
    march = services.period_get_or_create(community=community, month="2026-03")

    at_2359_in_berlin = dt.datetime(2026, 3, 31, 21, 59, tzinfo=dt.UTC)
    with time_machine.travel(at_2359_in_berlin, tick=False), pytest.raises(ValidationError) as refused:
        services.invoices_issue(period=march, force=True, reason="Issue it early")

    assert refused.value.messages == [
        f"Period {march} has not ended yet: its invoices can be issued from 2026-04-01 00:00 (Europe/Berlin), "
        "after its last day."
    ]
    assert not Invoice.objects.exists() and not FrozenRange.objects.exists()


def test_a_complete_month_is_issued_from_local_midnight_after_its_last_day(community):
    community.time_zone = "Europe/Berlin"
    community.save()
    march = services.period_get_or_create(community=community, month="2026-03")
    house = HouseFactory(community=community)
    add_readings(house, march.start, [("0.1", "0")] * 2972)  # March in Berlin: 743 hours

    with time_machine.travel(dt.datetime(2026, 3, 31, 22, tzinfo=dt.UTC), tick=False):
        report = services.invoices_issue(period=march)

    assert report.issued_numbers == ["INV-2026-001"] and not report.forced


def test_forced_issue_needs_a_written_reason(community, period):
    HouseFactory(community=community)

    with pytest.raises(ValidationError, match="A forced issue needs a written reason"):
        services.invoices_issue(period=period, force=True, reason="  ")

    assert not InvoiceNumberCounter.objects.exists()


def test_forced_issue_by_a_user_without_the_force_permission_is_refused(community, period, django_user_model):
    HouseFactory(community=community)
    clerk = django_user_model.objects.create_user(username="clerk", is_staff=True)

    with pytest.raises(ValidationError, match=r"Only a user with the permission .* clerk does not have it"):
        services.invoices_issue(period=period, acting_user=clerk, force=True, reason="Meter broken")

    assert not InvoiceNumberCounter.objects.exists()


def test_forced_issue_records_who_and_why(community, period, django_user_model):
    HouseFactory(community=community)
    clerk = django_user_model.objects.create_user(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="force_period"))

    report = services.invoices_issue(period=period, acting_user=clerk, force=True, reason="Meter broken")

    assert report.forced and str(report) == "Issued 1 invoice (forced despite gaps): INV-2026-001 to INV-2026-001."
    issued = LifecycleEvent.objects.get(invoice__isnull=False)
    assert issued.details | {"number": None} == {
        "number": None,
        "forced": True,
        "reason": "Meter broken",
        "forced_by": "clerk",
    }
    note = selectors.period_events(period=period).get()
    assert (note.what, note.actor, note.details["intervals_missing"]) == ("Invoices issued by force", clerk, 2976)


def test_generate_invoices_issue_refuses_gaps_and_forces_with_a_reason(community, period):
    HouseFactory(community=community)

    with pytest.raises(CommandError, match="is incomplete"):
        call_command("generate_invoices", community="sonnenfeld", period="2026-01", issue=True)
    with pytest.raises(CommandError, match="--reason is recorded only with --force"):
        call_command("generate_invoices", community="sonnenfeld", period="2026-01", issue=True, reason="x")
    call_command(
        "generate_invoices", community="sonnenfeld", period="2026-01", issue=True, force=True, reason="Meter broken"
    )

    issued = LifecycleEvent.objects.get(invoice__isnull=False)
    assert issued.actor_name.endswith("(generate_invoices command)")
    assert issued.details["forced_by"] == issued.actor_name
