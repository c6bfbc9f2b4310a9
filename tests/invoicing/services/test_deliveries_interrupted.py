"""E-mails a crashed worker left "sending": failed for staff to check, never sent twice by themselves."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from invoicing import selectors, services
from invoicing.models import InvoiceDelivery
from tests.invoicing.services.test_deliveries import period, run  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

Status = InvoiceDelivery.Status
CRASH = dt.datetime(2026, 2, 3, 9, 0, tzinfo=dt.UTC)
AFTER_THE_TIMEOUT = CRASH + dt.timedelta(minutes=11)  # LEG_STUCK_AFTER_MINUTES is 10
BEFORE_THE_TIMEOUT = CRASH + dt.timedelta(minutes=9)


@pytest.fixture
def cut_off(period, monkeypatch):  # noqa: F811 (fixture)
    """house_1's e-mail claimed at CRASH, then its worker killed in the middle of the SMTP talk."""

    def killed(self, messages):
        raise SystemExit("worker killed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", killed)
    services.deliveries_queue(period=period)  # its task would run after commit: never, in this test
    delivery = InvoiceDelivery.objects.get()
    with time_machine.travel(CRASH, tick=False), pytest.raises(SystemExit):
        services.delivery_send(delivery_pk=delivery.pk)
    monkeypatch.undo()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENDING and delivery.message_id
    return delivery


def test_an_e_mail_still_sending_after_the_timeout_is_failed_with_what_to_check(cut_off, period):  # noqa: F811
    failed = services.deliveries_interrupted_fail(now=AFTER_THE_TIMEOUT)

    cut_off.refresh_from_db()
    assert (failed, cut_off.status, mail.outbox) == (1, Status.FAILED, [])
    assert "Interrupted while sending" in cut_off.error
    assert f"Message-ID {cut_off.message_id} in the mail server's log" in cut_off.error
    assert selectors.period_deliveries(period=period).failed == 1


def test_an_e_mail_sending_for_less_than_the_timeout_is_left_alone(cut_off):
    assert services.deliveries_interrupted_fail(now=BEFORE_THE_TIMEOUT) == 0

    cut_off.refresh_from_db()
    assert cut_off.status == Status.SENDING


def test_staff_resend_it_once_after_checking(cut_off, period, run):  # noqa: F811
    services.deliveries_interrupted_fail(now=AFTER_THE_TIMEOUT)

    run(services.deliveries_resend_failed, period=period)
    run(services.deliveries_resend_failed, period=period)

    [message] = mail.outbox
    assert message.to == ["kaethe@example.org"]
    assert InvoiceDelivery.objects.get(resend_of=cut_off).status == Status.SENT


def test_the_nightly_schedule_fails_interrupted_e_mails(cut_off):
    report = services.periods_close_due(now=AFTER_THE_TIMEOUT)

    cut_off.refresh_from_db()
    assert (report.emails_interrupted, cut_off.status) == (1, Status.FAILED)
    assert "1 e-mail interrupted while sending marked failed" in str(report)


def test_resume_fails_the_periods_interrupted_e_mails(cut_off, period):  # noqa: F811
    with time_machine.travel(AFTER_THE_TIMEOUT, tick=False):
        message = services.period_close_resume(period=period)

    cut_off.refresh_from_db()
    assert cut_off.status == Status.FAILED
    assert "1 e-mail interrupted while sending marked failed: check, then resend." in message
