"""E-mail in the admin: the period's send button and panel, the invoice's column, panel and resend, permissions."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from invoicing import services
from invoicing.models import Invoice, InvoiceDelivery
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PERIODS = reverse("admin:invoicing_settlementperiod_changelist")
INVOICES = reverse("admin:invoicing_invoice_changelist")


@pytest.fixture
def period(django_capture_on_commit_callbacks):
    community = CommunityFactory(slug="sonnenfeld", name="Sonnenfeld")
    TariffFactory(community=community)
    add_readings(HouseFactory(community=community, house_id="house_1", email="kaethe@example.org"), JANUARY, [])
    HouseFactory(community=community, house_id="house_2", name="Sonnenweg 2", email="")
    period = SettlementPeriodFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return period


def send(client, period, **extra):
    return client.post(PERIODS, {"action": "send_invoice_emails", ACTION_CHECKBOX_NAME: [period.pk], **extra})


def test_send_button_confirms_first(admin_client, period):
    response = send(admin_client, period)

    assert response.status_code == 200
    assert "Yes: Send invoices by e-mail" in response.text
    assert "0 sent, 0 waiting, 0 failed, 2 invoices not e-mailed" in response.text
    assert InvoiceDelivery.objects.count() == 0


def test_send_button_on_the_period_page_sends(admin_client, period, django_capture_on_commit_callbacks):
    page = reverse("admin:invoicing_settlementperiod_change", args=[period.pk])
    assert 'value="send_invoice_emails"' in admin_client.get(page).text

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            page, {"CHANGE_FORM-action": "send_invoice_emails", ACTION_CHECKBOX_NAME: [period.pk], "post": "yes"}
        )

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["kaethe@example.org"]]
    messages = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "1 e-mails queued" in messages and "house_2 (Sonnenweg 2)" in messages


def test_period_page_lists_houses_without_email_and_counts(admin_client, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(admin_client, period, post="yes")

    page = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[period.pk])).text

    assert "1 sent, 0 waiting, 0 failed, 1 invoices not e-mailed" in page
    assert "Houses without an e-mail address:" in page and "house_2 (Sonnenweg 2)" in page


def test_invoice_list_and_page_show_the_email_status(admin_client, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(admin_client, period, post="yes")
    invoice = Invoice.objects.get(house__house_id="house_1")

    listing = admin_client.get(INVOICES).text
    page = admin_client.get(reverse("admin:invoicing_invoice_change", args=[invoice.pk])).text

    assert '<td class="field-email_status">sent</td>' in listing
    assert "kaethe@example.org" in page and "Sent" in page


def test_resend_one_invoice_is_confirmed_and_recorded(admin_client, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(admin_client, period, post="yes")
    invoice = Invoice.objects.get(house__house_id="house_1")
    page = admin_client.get(reverse("admin:invoicing_invoice_change", args=[invoice.pk])).text
    assert 'value="resend_emails"' in page  # the button on the invoice's own page
    data = {"action": "resend_emails", ACTION_CHECKBOX_NAME: [invoice.pk]}
    assert "Yes: Resend by e-mail" in admin_client.post(INVOICES, data).text

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(INVOICES, {**data, "post": "yes"})

    resent = InvoiceDelivery.objects.get(resend_of__isnull=False)
    assert (resent.status, resent.requested_by_name) == ("sent", "admin")
    assert len(mail.outbox) == 2


def test_resend_failed_from_the_period(admin_client, period, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        lambda self, messages: (_ for _ in ()).throw(ConnectionRefusedError("no mail server")),
    )
    with django_capture_on_commit_callbacks(execute=True):
        send(admin_client, period, post="yes")
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(PERIODS, {"action": "resend_failed_emails", ACTION_CHECKBOX_NAME: [period.pk], "post": "yes"})

    assert list(InvoiceDelivery.objects.order_by("pk").values_list("status", flat=True)) == ["failed", "sent"]


def test_sending_needs_its_own_permission(client, django_user_model, period):
    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_settlementperiod", "change_invoice"]))
    client.force_login(clerk)

    page = client.get(reverse("admin:invoicing_settlementperiod_change", args=[period.pk])).text
    send(client, period, post="yes")

    assert "send_invoice_emails" not in page
    assert InvoiceDelivery.objects.count() == 0


def test_delivery_list_renders(admin_client, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(admin_client, period, post="yes")

    response = admin_client.get(reverse("admin:invoicing_invoicedelivery_changelist"))

    assert response.status_code == 200 and "kaethe@example.org" in response.text
