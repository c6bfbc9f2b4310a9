"""E-mail sends at once on PostgreSQL: parallel connections, one per thread (skipped on SQLite)."""

import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from invoicing import queue, services
from invoicing.models import InvoiceDelivery
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory

from .test_concurrency import run_at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def period():
    """Two houses' invoices issued with their PDFs (tasks run at once in tests)."""
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    HouseFactory(community=community, house_id="house_1", email="anna@example.org")
    HouseFactory(community=community, house_id="house_2", email="ben@example.org")
    period = SettlementPeriodFactory(community=community)
    services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return period


@pytest.fixture
def slow_mail_server(monkeypatch):
    """A mail server that takes its time, so that parallel senders overlap."""
    send = EmailBackend.send_messages

    def slow(self, messages):
        time.sleep(0.2)
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow)


def test_four_tasks_on_one_email_send_it_once(period, slow_mail_server, monkeypatch):
    monkeypatch.setattr(queue, "deliveries_enqueue", lambda **kwargs: None)  # the tasks are run below
    services.deliveries_queue(period=period)
    delivery = InvoiceDelivery.objects.order_by("pk").first()

    results = run_at_once([lambda: services.delivery_send(delivery_pk=delivery.pk)] * 4)

    assert sorted(result for _, result in results) == ["sent", "skipped", "skipped", "skipped"]
    assert [message.to for message in mail.outbox] == [[delivery.recipient]]


def test_two_sends_of_a_period_at_once_queue_each_invoice_once(period, monkeypatch):
    monkeypatch.setattr(queue, "deliveries_enqueue", lambda **kwargs: None)

    results = run_at_once([lambda: len(services.deliveries_queue(period=period).queued)] * 2)

    assert sorted(count for _, count in results) == [0, 2]
    assert InvoiceDelivery.objects.count() == 2
