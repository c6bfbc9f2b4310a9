"""The admin side of closing: confirmation with completeness, force + reason, progress, events,
PDF download, retry, cancel and re-issue, read-only issued invoices."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from invoicing import selectors, services
from invoicing.models import CancellationNote, Invoice, PdfState, SettlementPeriod
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
PERIODS = reverse("admin:invoicing_settlementperiod_changelist")


@pytest.fixture
def period():
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    for house_id, name in [("house_1", "Am Mühlbach 2"), ("house_2", "Sonnenweg 3")]:
        add_readings(HouseFactory(community=community, house_id=house_id, name=name), JANUARY, [("0.5", "0.25")] * 2976)
    return SettlementPeriodFactory(community=community)


def close(client, period, **extra):
    return client.post(PERIODS, {"action": "close_periods", ACTION_CHECKBOX_NAME: [period.pk], "post": "yes", **extra})


def test_close_confirmation_shows_what_happens_and_the_completeness(admin_client, period):
    HouseFactory(community=period.community, house_id="house_3")

    response = admin_client.post(PERIODS, {"action": "close_periods", ACTION_CHECKBOX_NAME: [period.pk], "index": "0"})

    assert response.status_code == 200
    assert "Its meter readings are frozen at once" in response.text
    assert "1 of 3 houses has gaps: 2,976 of 8,928 intervals missing." in response.text
    assert 'name="force"' in response.text and 'name="reason"' in response.text
    period.refresh_from_db()
    assert period.status == "open"


def test_close_action_closes_and_reports(admin_client, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = close(admin_client, period)

    assert response.status_code == 302
    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.CLOSED
    assert Invoice.objects.filter(status="pending", pdf_state=PdfState.RENDERED).count() == 2


def test_close_with_gaps_needs_force_and_reason(admin_client, period, django_capture_on_commit_callbacks):
    HouseFactory(community=period.community, house_id="house_3")

    refused = close(admin_client, period)
    period.refresh_from_db()
    assert period.status == "open"
    assert "incomplete" in " ".join(str(m) for m in refused.wsgi_request._messages)

    no_reason = close(admin_client, period, force="on", reason="")
    assert no_reason.status_code == 200 and "A forced close needs a written reason." in no_reason.text

    with django_capture_on_commit_callbacks(execute=True):
        close(admin_client, period, force="on", reason="Meter of house_3 installed late")
    period.refresh_from_db()
    assert period.status == "closed"
    assert (period.close_forced_by, period.close_forced_reason) == ("admin", "Meter of house_3 installed late")


def test_period_page_shows_progress_completeness_and_events(admin_client, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.period_close_start(period=period)

    response = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[period.pk]))

    assert "Invoices issued 2 / 2 &middot; PDFs 2 / 2" in response.text
    assert "All 2 houses complete: 5,952 of 5,952 intervals." in response.text
    assert "Close started" in response.text and "Closing &rarr; Closed" in response.text


def test_closing_period_page_reloads_itself(admin_client, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.period_close_start(period=period)

    response = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[period.pk]))

    assert '<meta http-equiv="refresh" content="3">' in response.text


@pytest.fixture
def closed(period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.period_close_start(period=period)
    return Invoice.objects.get(number="INV-2026-001")


def test_a_closed_period_page_keeps_reloading_while_pdfs_are_pending(admin_client, closed):
    Invoice.objects.filter(pk=closed.pk).update(pdf_state=PdfState.PENDING, pdf_file="")

    response = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[closed.period_id]))

    assert '<meta http-equiv="refresh" content="3">' in response.text
    assert "1 PDF still to render. This page reloads every 3 seconds." in response.text


def test_a_closed_period_page_stops_reloading_once_every_pdf_is_rendered(admin_client, closed):
    response = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[closed.period_id]))

    assert 'http-equiv="refresh"' not in response.text
    assert "reloads" not in response.text


def test_invoice_page_downloads_the_stored_bytes_twice_identically(admin_client, closed):
    url = reverse("admin:invoicing_invoice_pdf", args=[closed.pk])

    first, second = admin_client.get(url), admin_client.get(url)

    assert first["Content-Type"] == "application/pdf"
    assert first.content == second.content
    assert hashlib.sha256(first.content).hexdigest() == closed.pdf_sha256


def test_invoice_page_shows_events_pdf_and_the_cancel_button(admin_client, closed):
    response = admin_client.get(reverse("admin:invoicing_invoice_change", args=[closed.pk]))

    assert "Download PDF" in response.text and closed.pdf_sha256 in response.text
    assert "Draft &rarr; Pending (issued)" in response.text and "close task" in response.text
    assert reverse("admin:invoicing_invoice_cancel", args=[closed.pk]) in response.text
    assert 'name="_save"' not in response.text  # read-only


def test_cancel_in_the_admin_issues_a_cancellation_and_a_corrected_invoice(
    admin_client, closed, django_capture_on_commit_callbacks
):
    url = reverse("admin:invoicing_invoice_cancel", args=[closed.pk])
    assert "Cancel and re-issue" in admin_client.get(url).text

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"reason": "Wrong postal address"})

    note = CancellationNote.objects.get()
    assert note.number == "CN-2026-001" and note.corrected_by.number == "INV-2026-003"
    assert response["Location"] == reverse("admin:invoicing_invoice_change", args=[note.corrected_by.pk])
    note_page = admin_client.get(reverse("admin:invoicing_cancellationnote_change", args=[note.pk]))
    assert note_page.status_code == 200 and "Download PDF" in note_page.text
    assert (
        admin_client.get(reverse("admin:invoicing_cancellationnote_pdf", args=[note.pk]))["Content-Type"]
        == "application/pdf"
    )
    original_page = admin_client.get(reverse("admin:invoicing_invoice_change", args=[closed.pk]))
    assert "Cancelled by" in original_page.text and "Wrong postal address" in original_page.text


def test_cancel_without_a_reason_is_refused(admin_client, closed):
    response = admin_client.post(reverse("admin:invoicing_invoice_cancel", args=[closed.pk]), {"reason": ""})

    assert response.status_code == 200 and "This field is required" in response.text
    assert not CancellationNote.objects.exists()


def test_failed_pdf_is_shown_and_retried(admin_client, closed, django_capture_on_commit_callbacks):
    Invoice.objects.filter(pk=closed.pk).update(pdf_state=PdfState.FAILED, pdf_error="OSError: font missing")
    page = admin_client.get(reverse("admin:invoicing_invoice_change", args=[closed.pk]))
    assert "Rendering failed:" in page.text and "font missing" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:invoicing_invoice_retry_pdf", args=[closed.pk]))

    closed.refresh_from_db()
    assert closed.pdf_state == PdfState.RENDERED


@pytest.mark.parametrize("kind", ["invoice", "cancellationnote"])
def test_retry_link_asks_for_confirmation_then_renders_again(
    admin_client, closed, kind, django_capture_on_commit_callbacks
):
    if kind == "cancellationnote":
        with django_capture_on_commit_callbacks(execute=True):
            services.invoice_cancel(invoice=closed, reason="Wrong postal address")
        document = CancellationNote.objects.get()
    else:
        document = closed
    type(document).objects.filter(pk=document.pk).update(pdf_state=PdfState.FAILED, pdf_error="OSError: font missing")
    retry_url = reverse(f"admin:invoicing_{kind}_retry_pdf", args=[document.pk])

    confirmation = admin_client.get(retry_url)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(retry_url)

    assert (
        confirmation.status_code == 200 and "font missing" in confirmation.text and "Render again" in confirmation.text
    )
    assert response["Location"] == reverse(f"admin:invoicing_{kind}_change", args=[document.pk])
    document.refresh_from_db()
    assert document.pdf_state == PdfState.RENDERED


def test_issued_invoices_cannot_be_deleted_in_the_admin(admin_client, closed):
    changelist = admin_client.get(reverse("admin:invoicing_invoice_changelist"))
    delete_page = admin_client.get(reverse("admin:invoicing_invoice_delete", args=[closed.pk]))

    assert "delete_selected" not in changelist.text
    assert delete_page.status_code == 403


def test_staff_without_invoice_change_cannot_cancel(client, django_user_model, closed):
    user = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    member_of(user, closed.community)
    client.force_login(user)

    assert client.post(reverse("admin:invoicing_invoice_cancel", args=[closed.pk]), {"reason": "x"}).status_code == 403
    assert client.get(reverse("admin:invoicing_invoice_pdf", args=[closed.pk])).status_code == 200


def test_event_changelist_opens(admin_client, closed):
    assert admin_client.get(reverse("admin:invoicing_lifecycleevent_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:invoicing_cancellationnote_changelist")).status_code == 200


def test_an_invoice_issued_by_a_scheduled_close_says_so(admin_client, period):
    services.period_close_start(period=period, actor_name="schedule")
    services.period_close_run(period=period)
    invoice = Invoice.objects.filter(period=period).first()

    page = admin_client.get(reverse("admin:invoicing_invoice_change", args=[invoice.pk])).content.decode()

    assert "close task (close started by schedule)" in page


def test_an_invoice_issued_by_staff_names_them(admin_user, period):
    services.invoices_issue(period=period, acting_user=admin_user)
    invoice = Invoice.objects.filter(period=period).first()

    assert selectors.invoice_issuer(invoice=invoice) == str(admin_user)


def test_close_page_offers_force_only_to_users_with_the_force_permission(client, django_user_model, period):
    HouseFactory(community=period.community, house_id="house_3")
    clerk = django_user_model.objects.create_user(username="clerk", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_settlementperiod", "close_period"]))
    member_of(clerk, period.community)
    client.force_login(clerk)
    ask = {"action": "close_periods", ACTION_CHECKBOX_NAME: [period.pk], "index": "0"}

    without = client.post(PERIODS, ask)
    clerk.user_permissions.add(Permission.objects.get(codename="force_period"))
    with_permission = client.post(PERIODS, ask)

    assert 'name="force"' not in without.text and "You do not have it" in without.text
    assert 'name="force"' in with_permission.text and 'name="reason"' in with_permission.text


def test_close_page_says_when_a_running_month_can_be_closed(admin_client, period):
    with time_machine.travel(dt.datetime(2026, 1, 20, tzinfo=dt.UTC), tick=False):
        page = admin_client.post(PERIODS, {"action": "close_periods", ACTION_CHECKBOX_NAME: [period.pk], "index": "0"})
        refused = close(admin_client, period, force="on", reason="Early")

    assert "It can be closed from 2026-02-01 00:00 (UTC)." in page.text
    assert "has not ended yet: it can be closed from 2026-02-01 00:00 (UTC)" in " ".join(
        str(m) for m in refused.wsgi_request._messages
    )
    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.OPEN
