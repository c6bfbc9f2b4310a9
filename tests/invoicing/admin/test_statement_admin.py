import datetime as dt
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from invoicing import services
from invoicing.models import IssuedDocumentError, PdfState, StatementDocument, Tariff
from invoicing.statement import statement_compute, statement_from_json, statement_to_json
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


@pytest.fixture
def period():
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    add_readings(HouseFactory(community=community), JANUARY, [("10", "0")])
    add_readings(HouseFactory(community=community), JANUARY, [("0", "11")])
    return SettlementPeriodFactory(community=community)


def test_period_page_shows_the_statement_and_its_charts(admin_client, period):
    response = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[period.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Community result: <strong" in page and "€0.45" in page
    assert "20.9091\u00a0ct/kWh" in page  # break-even p_con, 230/11
    assert page.count('class="statement-chart"') == 2


@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_statement_downloads(admin_client, period, output_format):
    url = reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, output_format])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="statement-sonnenfeld-2026-01.{output_format}"'
    body = response.content.decode()
    if output_format == "json":
        assert json.loads(body)["total"]["community_result_ct"] == "45"
    else:
        assert body.splitlines()[-1] == "total,10,11,0,1,200,275,0,30,45"


def test_statement_download_needs_view_permission(client, django_user_model, period):
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    member_of(user, period.community)
    client.force_login(user)

    response = client.get(reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "csv"]))

    assert response.status_code == 403


def test_unknown_statement_format_is_404(admin_client, period):
    response = admin_client.get(reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "xml"]))

    assert response.status_code == 404


def test_tariff_form_suggests_p_con_halfway(admin_client):
    community = CommunityFactory()

    response = admin_client.post(
        reverse("admin:invoicing_tariff_add"),
        {
            "community": community.pk,
            "valid_from": "2026-01-01",
            "mode": "break_even",
            "p_pv_ct_per_kwh": "18",
            "p_con_ct_per_kwh": "99",
            "p_grid_del_ct_per_kwh": "6",
            "p_grid_con_ct_per_kwh": "32",
            "suggest_p_con": "on",
        },
    )

    assert response.status_code == 302
    tariff = Tariff.objects.get()
    assert tariff.p_con_ct_per_kwh == Decimal("25")
    assert tariff.mode == Tariff.Mode.BREAK_EVEN


@pytest.fixture
def close(django_capture_on_commit_callbacks):
    """Close a period the way the cluster would: tasks run (q2 sync mode) as each step commits."""

    def run(period):
        with django_capture_on_commit_callbacks(execute=True):
            services.period_close_start(period=period, force=True, reason="two intervals are enough for this test")
        period.refresh_from_db()
        return period

    return run


def test_closing_freezes_the_statement_with_a_pdf(admin_client, period, close):
    close(period)

    document = StatementDocument.objects.get(period=period)
    assert json.loads(document.content_json)["total"]["community_result_ct"] == "45"
    assert document.pdf_state == PdfState.RENDERED
    response = admin_client.get(reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "pdf"]))
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == document.pdf_sha256
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Community statement 2026-01" in text and "€0.45" in text and "20.9091 ct/kWh" in text


def test_a_german_communitys_statement_pdf_is_german(admin_client, period, close):
    period.community.language = "de"
    period.community.save()
    close(period)

    response = admin_client.get(reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "pdf"]))

    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Abrechnungsübersicht der Energiegemeinschaft 2026-01" in text
    assert "1. Januar 2026 – 31. Januar 2026" in text and "Einspeisung der Häuser" in text
    assert "Community statement" not in text and "Houses' export" not in text
    assert "0,45 €" in text and "20,9091 ct/kWh" in text and "EUR" not in text


def test_frozen_statement_never_changes(period, close):
    close(period)
    document = StatementDocument.objects.get(period=period)

    services.statement_freeze(period=period)
    document.content_json = "{}"
    with pytest.raises(IssuedDocumentError):
        document.save()
    with pytest.raises(IssuedDocumentError):
        document.delete()
    assert StatementDocument.objects.count() == 1


def test_frozen_statement_reads_back_as_the_live_one(period):
    live = statement_compute(period=period)

    frozen = statement_from_json(statement_to_json(live))

    assert frozen.total == live.total and frozen.days == live.days


def test_failed_statement_pdf_is_shown_and_can_be_retried(
    admin_client, period, close, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("no fonts today")

    monkeypatch.setattr("invoicing.documents.render_template_pdf", broken)
    close(period)
    page = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[period.pk])).content.decode()
    assert "Rendering failed:</strong> RuntimeError: no fonts today" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:invoicing_settlementperiod_changelist"),
            {"action": "retry_statement_pdf", "_selected_action": [period.pk]},
        )

    assert StatementDocument.objects.get(period=period).pdf_state == PdfState.RENDERED


def test_a_closed_periods_page_shows_the_frozen_statement(admin_client, period, close):
    close(period)

    page = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[period.pk])).content.decode()

    assert "Frozen when the period closed." in page and "€0.45" in page
