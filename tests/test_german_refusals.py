"""Refusals, row errors and history that reach staff in German: meter-data imports (also in the
background), the completeness summary, the period locks, the close's own messages and the events."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from core.local_time import month_bounds
from invoicing import lifecycle, selectors, services
from invoicing.event_texts import event_text
from invoicing.models import Invoice, SettlementPeriod
from invoicing.services.periods import period_lock
from metering.frozen import CLOSED_PERIOD_REASON
from metering.imports import readings_import
from metering.imports.jobs import import_job_create, import_job_run
from metering.models import FrozenRange, MeterReading
from tests.metering.import_helpers import INTERVAL_HEADER, csv_bytes
from tests.test_german import january_period  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

BAD_ROWS = [
    INTERVAL_HEADER,
    ["house_99", "2026-01-01T00:00:00Z", "1", "0"],
    ["{house}", "gestern", "1", "0"],
    ["{house}", "2026-01-01T00:15:00Z", "1 kWh", "0"],
]


def bad_file(period: SettlementPeriod) -> io.BytesIO:
    house = period.community.houses.order_by("pk").first().house_id
    return io.BytesIO(csv_bytes([[cell.format(house=house) for cell in row] for row in BAD_ROWS]))


def test_meter_import_row_errors_speak_german(january_period):  # noqa: F811
    with translation.override("de"):
        result = readings_import(community=january_period.community, fileobj=bad_file(january_period))
        lines = [str(error) for error in result.errors]

    assert lines[0].startswith("Zeile 2, Spalte 'house_id', Wert 'house_99': ist kein Haus von sonnenfeld.")
    assert lines[1].startswith("Zeile 3, Spalte 'timestamp', Wert 'gestern': ist kein Zeitstempel.")
    assert "ist keine Zahl. Schreiben Sie nur Ziffern mit Dezimalpunkt" in lines[2]
    assert not any("Check" in line or "Write" in line for line in lines)


def test_a_closed_month_is_named_in_german_with_german_counts(january_period):  # noqa: F811
    community = january_period.community
    start, end = month_bounds("2026-01", community.zone)
    FrozenRange.objects.create(
        community=community, start=start, end=end, reason=CLOSED_PERIOD_REASON % {"month": "2026-01"}
    )
    house = community.houses.order_by("pk").first().house_id
    rows = [INTERVAL_HEADER] + [
        [house, f"2026-01-{2 + day:02d}T{hour:02d}:{minute:02d}:00Z", "1", "0"]
        for day in range(11)
        for hour in range(24)
        for minute in (0, 15, 30, 45)
    ]

    with translation.override("de"):
        result = readings_import(community=community, fileobj=io.BytesIO(csv_bytes(rows)))

    [error] = result.errors
    assert error.message.startswith(
        "Januar 2026 ist abgeschlossen (Abrechnungszeitraum 2026-01 ist abgeschlossen): 1.056 Zeilen abgelehnt "
        "(Dateizeilen 2 bis 1057)."
    )


def test_a_background_import_reports_in_the_language_it_was_started_in(january_period):  # noqa: F811
    with translation.override("de"):
        job = import_job_create(
            community=january_period.community, fileobj=bad_file(january_period), original_name="januar.csv"
        )

    job = import_job_run(job_id=job.pk)  # a worker: no language of its own

    assert job.language == "de"
    assert job.errors[0]["message"].startswith("ist kein Haus von sonnenfeld.")


def test_the_completeness_summary_speaks_german(january_period):  # noqa: F811
    completeness = selectors.period_completeness(period=january_period)

    with translation.override("de"):
        summary = completeness.summary()

    assert summary == "2 von 2 Häusern haben Lücken: 5.950 von 5.952 Intervallen fehlen."


def test_a_closed_periods_refusal_speaks_german(january_period):  # noqa: F811
    SettlementPeriod.objects.filter(pk=january_period.pk).update(status=SettlementPeriod.Status.CLOSED)

    with translation.override("de"), transaction.atomic(), pytest.raises(ValidationError) as refused:
        period_lock(january_period)

    assert refused.value.messages == [
        f"Der Abrechnungszeitraum 2026-01 von {january_period.community} ist abgeschlossen; "
        "seine Rechnungen sind endgültig."
    ]


def test_a_forced_close_reports_its_start_in_german(january_period):  # noqa: F811
    with translation.override("de"):
        started = str(services.period_close_start(period=january_period, force=True, reason="Zähler getauscht"))

    assert started.startswith(f"Abschluss von {january_period} begonnen (trotz Lücken erzwungen): 2 von 2 Häusern")
    assert started.endswith("2 Rechnungen werden im Hintergrund ausgestellt.")


def test_history_is_stored_in_english_and_shown_in_german(admin_client, january_period):  # noqa: F811
    services.invoices_issue(period=january_period, force=True, reason="Zähler getauscht")
    invoice = january_period.invoices.get(net_amount_ct__gt=0)
    german = {"accept-language": "de"}

    period_page = admin_client.get(
        reverse("admin:invoicing_settlementperiod_change", args=[january_period.pk]), headers=german
    ).text
    invoice_page = admin_client.get(reverse("admin:invoicing_invoice_change", args=[invoice.pk]), headers=german).text

    assert january_period.events.filter(what="Invoices issued by force").exists()
    assert "Rechnungen erzwungen ausgestellt" in period_page and "Invoices issued by force" not in period_page
    assert "<td>Ausgestellt</td>" in invoice_page and "Entwurf &rarr; Offen (ausgestellt)" in invoice_page


@pytest.mark.parametrize(
    ("stored", "german"),
    [
        ("PDF of the community statement failed to render", "PDF von der Abrechnungsübersicht der Energiegemeinschaft"),
        ("PDF of INV-2026-007 queued again (stuck pending)", "PDF von INV-2026-007 erneut eingereiht (hing in der"),
        (
            "E-mail of CN-2026-001 to anna@example.org failed",
            "E-Mail von CN-2026-001 an anna@example.org fehlgeschlagen",
        ),
        ("Something an older version wrote", "Something an older version wrote"),
    ],
)
def test_a_stored_event_text_is_read_back_into_its_template(stored, german):
    with translation.override("de"):
        assert event_text(stored).startswith(german)


def test_a_refused_status_change_names_both_statuses_in_german():
    with translation.override("de"), pytest.raises(ValidationError) as refused:
        lifecycle.transition_check(
            obj=Invoice(number="INV-2026-004", status=Invoice.Status.PAID), to_status="cancelled"
        )

    assert refused.value.messages == [
        "Die Rechnung INV-2026-004 hat den Status „Bezahlt“; sie kann nicht zu „Storniert“ wechseln "
        "(von „Bezahlt“ aus möglich: „Offen (ausgestellt)“)."
    ]


def test_a_reading_in_a_closed_month_is_refused_in_german(january_period):  # noqa: F811
    community = january_period.community
    start, end = month_bounds("2026-01", community.zone)
    FrozenRange.objects.create(
        community=community, start=start, end=end, reason=CLOSED_PERIOD_REASON % {"month": "2026-01"}
    )
    reading = MeterReading.objects.filter(house__community=community).order_by("pk").first()
    reading.exported_wh += 1

    with translation.override("de"), pytest.raises(ValidationError) as refused:
        reading.save()

    assert refused.value.messages == [
        f"Der Zählerstand von {reading.house.house_id} um {reading.interval_start:%Y-%m-%d %H:%M} UTC kann nicht "
        "gespeichert werden: Abrechnungszeitraum 2026-01 ist abgeschlossen, und die Messdaten eines "
        "abgeschlossenen Abrechnungszeitraums ändern sich nie. Korrigieren Sie stattdessen die Rechnung durch "
        "Stornieren."
    ]
