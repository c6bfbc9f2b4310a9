"""manage.py send_invoices: what it queued, the houses it cannot e-mail, and nothing on a second run."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from invoicing import services
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def issued(django_capture_on_commit_callbacks):
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    HouseFactory(community=community, house_id="house_1", email="kaethe@example.org")
    HouseFactory(community=community, house_id="house_2", name="Sonnenweg 2", email="")
    period = SettlementPeriodFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return period


def send_invoices(capture):
    out = StringIO()
    with capture(execute=True):
        call_command("send_invoices", "--community", "sonnenfeld", "--period", "2026-01", stdout=out)
    return out.getvalue()


def test_command_prints_what_it_queued_and_the_houses_without_email(issued, django_capture_on_commit_callbacks):
    output = send_invoices(django_capture_on_commit_callbacks)

    assert "Queued INV-2026-001 to kaethe@example.org" in output
    assert "1 e-mails queued." in output
    assert "Houses without an e-mail address (not sent):\n  house_2 (Sonnenweg 2)" in output
    assert "so far: 0 sent, 1 waiting, 0 failed, 1 invoices not e-mailed" in output  # sent by the task after
    assert len(mail.outbox) == 1


def test_second_run_queues_nothing(issued, django_capture_on_commit_callbacks):
    send_invoices(django_capture_on_commit_callbacks)

    output = send_invoices(django_capture_on_commit_callbacks)

    assert "0 e-mails queued." in output and "Queued INV" not in output
    assert len(mail.outbox) == 1


def test_unknown_period_is_refused_with_a_hint(issued):
    with pytest.raises(CommandError, match="has no period 2026-02"):
        call_command("send_invoices", "--community", "sonnenfeld", "--period", "2026-02")
