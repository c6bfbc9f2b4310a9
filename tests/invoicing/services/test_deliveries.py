"""E-mailing issued invoices: the stored PDF attached, each document sent once, failures kept for a resend."""

import datetime as dt
import smtplib

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from invoicing import selectors, services, tasks
from invoicing.models import Invoice, InvoiceDelivery, PdfState
from invoicing.services import deliveries
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
Status = InvoiceDelivery.Status


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run what it enqueued on commit (django-q2 runs tasks at once in tests)."""

    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


@pytest.fixture
def period(run):
    """January issued for two houses, PDFs stored: house_1 has an e-mail address, house_2 has none."""
    community = CommunityFactory(slug="sonnenfeld", name="Sonnenfeld", language="en")
    TariffFactory(community=community)
    first = HouseFactory(community=community, house_id="house_1", email="kaethe@example.org")
    HouseFactory(community=community, house_id="house_2", name="Sonnenweg 2", email="")
    add_readings(first, JANUARY, [("200.25", "60.1")])
    period = SettlementPeriodFactory(community=community)
    run(services.invoices_issue, period=period, force=True, reason="test data has gaps")
    return period


def failing_send(monkeypatch):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"kaethe@example.org": (550, b"mailbox unavailable")})

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", send_messages)


def test_invoice_is_sent_with_its_stored_pdf_attached(period, run):
    run(services.deliveries_queue, period=period)

    [message] = mail.outbox
    invoice = Invoice.objects.get(number="INV-2026-001")
    assert message.to == ["kaethe@example.org"]
    assert message.subject == "Invoice INV-2026-001 for 2026-01 from Sonnenfeld"
    assert "attached is invoice INV-2026-001 for 2026-01" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("INV-2026-001.pdf", "application/pdf")
    assert content == selectors.document_pdf_bytes(document=invoice)
    delivery = InvoiceDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 1)
    assert delivery.sent_at is not None and delivery.message_id == message.extra_headers["Message-ID"]


def test_email_is_written_in_the_communitys_language(period, run, monkeypatch):
    period.community.language = "de"
    period.community.save()
    languages = []
    real_render = deliveries.render_to_string

    def render(template, context):
        languages.append(translation.get_language())
        return real_render(template, context)

    monkeypatch.setattr(deliveries, "render_to_string", render)

    run(services.deliveries_queue, period=period)

    assert languages == ["de", "de"]  # subject and body
    assert translation.get_language() == "en"


def test_second_send_queues_nothing(period, run):
    run(services.deliveries_queue, period=period)

    report = run(services.deliveries_queue, period=period)

    assert report.queued == [] and len(mail.outbox) == 1


def test_send_task_run_twice_sends_once(period, run):
    run(services.deliveries_queue, period=period)
    delivery = InvoiceDelivery.objects.get()

    assert tasks.deliveries_send_task([delivery.pk, delivery.pk]) == "2 skipped"
    assert len(mail.outbox) == 1


def test_claimed_delivery_is_not_sent_by_a_second_task(period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.deliveries_queue(period=period)
    delivery = InvoiceDelivery.objects.get()
    InvoiceDelivery.objects.filter(pk=delivery.pk).update(status=Status.SENDING)  # a first task is sending

    assert services.delivery_send(delivery_pk=delivery.pk) == "skipped"
    assert mail.outbox == []


def test_houses_without_email_are_reported_and_not_queued(period, run):
    report = run(services.deliveries_queue, period=period)

    assert report.without_email == ["house_2 (Sonnenweg 2)"]
    assert "house_2 (Sonnenweg 2)" in str(report)
    assert list(InvoiceDelivery.objects.values_list("invoice__house__house_id", flat=True)) == ["house_1"]


def test_send_waits_for_a_pdf_still_rendering_and_goes_once_it_is_stored(period, run):
    invoice = Invoice.objects.get(number="INV-2026-001")
    Invoice.objects.filter(pk=invoice.pk).update(pdf_state=PdfState.PENDING)  # its render task not run yet

    run(services.deliveries_queue, period=period)
    assert mail.outbox == [] and InvoiceDelivery.objects.get().status == Status.QUEUED

    run(services.documents_render, invoice_pks=[invoice.pk])
    assert len(mail.outbox) == 1 and InvoiceDelivery.objects.get().status == Status.SENT


def test_failure_records_the_error_on_the_delivery_and_the_invoice(period, run, monkeypatch):
    failing_send(monkeypatch)

    run(services.deliveries_queue, period=period)

    delivery = InvoiceDelivery.objects.get()
    assert delivery.status == Status.FAILED and "mailbox unavailable" in delivery.error
    assert selectors.invoice_events(invoice=delivery.invoice).last().what == (
        "E-mail of INV-2026-001 to kaethe@example.org failed"
    )


def test_resend_of_a_failed_delivery_sends_a_new_recorded_delivery(period, run, monkeypatch, admin_user):
    failing_send(monkeypatch)
    run(services.deliveries_queue, period=period)
    failed = InvoiceDelivery.objects.get()
    monkeypatch.undo()

    resent = run(services.delivery_resend, delivery=failed, acting_user=admin_user)

    resent.refresh_from_db()
    assert (resent.status, resent.resend_of, resent.requested_by) == (Status.SENT, failed, admin_user)
    assert len(mail.outbox) == 1
    assert LogEntry.objects.get_for_object(resent).filter(action=LogEntry.Action.CREATE).exists()
    assert selectors.invoice_events(invoice=failed.invoice).filter(what__contains="queued again (resend)").exists()


def test_resend_failed_resends_each_failed_delivery_once(period, run, monkeypatch):
    failing_send(monkeypatch)
    run(services.deliveries_queue, period=period)
    monkeypatch.undo()

    first = run(services.deliveries_resend_failed, period=period)
    second = run(services.deliveries_resend_failed, period=period)

    assert "1 failed e-mails queued again" in first and "0 failed" in second
    assert len(mail.outbox) == 1


def test_resend_needs_its_own_permission(period, run, django_user_model):
    run(services.deliveries_queue, period=period)
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="change_invoice"))

    with pytest.raises(PermissionDenied):
        services.delivery_resend(delivery=InvoiceDelivery.objects.get(), acting_user=clerk)


def test_resend_of_a_queued_email_is_refused(period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.deliveries_queue(period=period)

    with pytest.raises(ValidationError, match="is still queued"):
        services.delivery_resend(delivery=InvoiceDelivery.objects.get())


def test_resend_before_any_send_is_refused(period):
    with pytest.raises(ValidationError, match="has not been e-mailed yet"):
        services.document_resend(invoice=Invoice.objects.get(number="INV-2026-001"))


def test_cancellation_note_is_sent_with_the_period_once_the_invoice_was(period, run):
    run(services.deliveries_queue, period=period)
    original = Invoice.objects.get(number="INV-2026-001")
    run(services.invoice_cancel, invoice=original, reason="Wrong address")

    run(services.deliveries_queue, period=period)

    subjects = sorted(message.subject for message in mail.outbox[1:])
    assert subjects == [
        "Cancellation CN-2026-001 of invoice INV-2026-001 from Sonnenfeld",
        "Invoice INV-2026-003 for 2026-01 from Sonnenfeld",
    ]
    note_mail = next(message for message in mail.outbox if message.subject.startswith("Cancellation"))
    assert "Reason: Wrong address" in note_mail.body and note_mail.attachments[0][0] == "CN-2026-001.pdf"


def test_community_sending_when_closed_sends_a_cancellation_at_once(period, run):
    period.community.send_invoices_when_closed = True
    period.community.save()
    run(services.deliveries_queue, period=period)

    run(services.invoice_cancel, invoice=Invoice.objects.get(number="INV-2026-001"), reason="Wrong address")

    assert sorted(message.attachments[0][0] for message in mail.outbox[1:]) == ["CN-2026-001.pdf", "INV-2026-003.pdf"]


def test_other_communities_keep_a_cancellation_for_the_next_send(period, run):
    run(services.deliveries_queue, period=period)

    run(services.invoice_cancel, invoice=Invoice.objects.get(number="INV-2026-001"), reason="Wrong address")

    assert len(mail.outbox) == 1


@pytest.fixture
def open_month():
    community = CommunityFactory(slug="lindenhof", name="Lindenhof")
    TariffFactory(community=community)
    HouseFactory(community=community, house_id="house_1", email="anna@example.org")
    return SettlementPeriodFactory(community=community)


def test_community_sending_when_closed_emails_its_invoices_when_the_close_finishes(open_month, run):
    open_month.community.send_invoices_when_closed = True
    open_month.community.save()

    run(services.period_close_start, period=open_month, force=True, reason="test data has gaps")

    [message] = mail.outbox
    assert message.to == ["anna@example.org"] and message.attachments[0][0] == "INV-2026-001.pdf"
    assert InvoiceDelivery.objects.get().requested_by_name == "close task"


def test_closing_sends_nothing_unless_the_community_asks_for_it(open_month, run):
    run(services.period_close_start, period=open_month, force=True, reason="test data has gaps")

    assert mail.outbox == [] and not InvoiceDelivery.objects.exists()
