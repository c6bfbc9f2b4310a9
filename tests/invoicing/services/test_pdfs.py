"""PDFs of issued documents: rendered after commit, stored under MEDIA_ROOT with their SHA-256."""

import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from invoicing import documents, queue, selectors, services
from invoicing.models import CancellationNote, Invoice, PdfState, StatementDocument
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def issued(django_capture_on_commit_callbacks):
    community = CommunityFactory(slug="sonnenfeld", legal_name="Energiegemeinschaft Sonnenfeld eG")
    TariffFactory(community=community)
    house = HouseFactory(community=community, house_id="house_1", name="Am Mühlbach 2", owner_name="Käthe Schäfer")
    add_readings(house, JANUARY, [("200.25", "60.1"), ("250.25", "60.2")])
    period = SettlementPeriodFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.invoices_issue(period=period, force=True, reason="test data has gaps")
    assert callbacks, "PDFs are enqueued on commit"
    return Invoice.objects.get()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\xa0", " ")


def test_issued_invoice_pdf_is_stored_under_media_root_with_its_hash(issued):
    assert issued.pdf_state == PdfState.RENDERED
    path = default_storage.path(issued.pdf_file.name)
    assert path.startswith(str(settings.MEDIA_ROOT))
    # The storage adds a suffix when another test already stored this number in the shared MEDIA_ROOT.
    assert issued.pdf_file.name.startswith("invoices/sonnenfeld/2026/INV-2026-001")
    with default_storage.open(issued.pdf_file.name) as stored:
        data = stored.read()
    assert hashlib.sha256(data).hexdigest() == issued.pdf_sha256


def test_pdf_shows_number_amounts_and_the_house_name_with_umlauts(issued):
    text = pdf_text(selectors.document_pdf_bytes(document=issued))

    assert "INV-2026-001" in text
    assert "Am Mühlbach 2" in text and "Käthe Schäfer" in text
    assert "€60.03" in text
    assert "450.500 kWh" in text and "120.300 kWh" in text


def test_rendering_again_skips_documents_already_rendered(issued):
    before = (issued.pdf_file.name, issued.pdf_sha256)

    report = services.documents_render(invoice_pks=[issued.pk])

    issued.refresh_from_db()
    assert (report.rendered, report.skipped) == (0, 1)
    assert (issued.pdf_file.name, issued.pdf_sha256) == before


def test_tampered_file_is_refused_on_download(issued):
    with default_storage.open(issued.pdf_file.name, "wb") as stored:
        stored.write(b"%PDF-1.7 something else")

    with pytest.raises(ValidationError, match="does not match"):
        selectors.document_pdf_bytes(document=issued)


def test_failed_render_is_visible_and_can_be_retried(django_capture_on_commit_callbacks, monkeypatch):
    community = CommunityFactory(slug="other")
    TariffFactory(community=community)
    HouseFactory(community=community)
    period = SettlementPeriodFactory(community=community)
    real_render = documents.render_pdf
    monkeypatch.setattr(documents, "render_pdf", lambda document: (_ for _ in ()).throw(OSError("font missing")))
    with django_capture_on_commit_callbacks(execute=True):
        services.invoices_issue(period=period, force=True, reason="test data has gaps")
    invoice = Invoice.objects.get()
    assert (invoice.pdf_state, invoice.pdf_error) == (PdfState.FAILED, "OSError: font missing")
    assert selectors.invoice_events(invoice=invoice).last().what == "PDF of INV-2026-001 failed to render"
    assert selectors.period_close_progress(period=period).pdfs_failed == 1

    monkeypatch.setattr(documents, "render_pdf", real_render)
    with django_capture_on_commit_callbacks(execute=True):
        services.document_pdf_retry(document=invoice)

    invoice.refresh_from_db()
    assert invoice.pdf_state == PdfState.RENDERED and invoice.pdf_error == ""


def test_retry_of_a_rendered_pdf_is_refused(issued):
    with pytest.raises(ValidationError, match="has not failed"):
        services.document_pdf_retry(document=issued)


def test_cancellation_gets_its_own_pdf_and_the_original_keeps_its_own(issued, django_capture_on_commit_callbacks):
    original_pdf = selectors.document_pdf_bytes(document=issued)

    with django_capture_on_commit_callbacks(execute=True):
        result = services.invoice_cancel(invoice=issued, reason="Wrong address")

    note = CancellationNote.objects.get()
    assert note.pdf_state == PdfState.RENDERED
    text = pdf_text(selectors.document_pdf_bytes(document=note))
    assert "CN-2026-001" in text and "INV-2026-001" in text and "Wrong address" in text
    assert "-€60.03" in text
    corrected = Invoice.objects.get(pk=result.corrected.pk)
    assert corrected.pdf_state == PdfState.RENDERED
    assert selectors.document_pdf_bytes(document=Invoice.objects.get(pk=issued.pk)) == original_pdf


def test_documents_are_built_in_a_fixed_number_of_queries(issued, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        (document,) = selectors.invoice_documents(invoices=[issued])

    assert document.number == "INV-2026-001" and document.house_name == "Am Mühlbach 2"
    assert [day.exported_kwh for day in document.daily] == [Decimal("450.5")]


@pytest.fixture
def two_pending(django_capture_on_commit_callbacks):
    """Two issued invoices whose PDF tasks never ran."""
    community = CommunityFactory(slug="other")
    TariffFactory(community=community)
    HouseFactory(community=community, house_id="house_1")
    HouseFactory(community=community, house_id="house_2")
    with django_capture_on_commit_callbacks(execute=False):
        services.invoices_issue(
            period=SettlementPeriodFactory(community=community), force=True, reason="test data has gaps"
        )
    return list(Invoice.objects.order_by("number"))


def test_a_fatal_url_fetching_error_fails_that_document_and_the_batch_goes_on(two_pending, monkeypatch):
    real_render = documents.render_pdf

    def render(document):
        if document.number == "INV-2026-001":
            raise FatalURLFetchingError('Error fetching "https://example.org/logo.png"')
        return real_render(document)

    monkeypatch.setattr(documents, "render_pdf", render)

    report = services.documents_render(invoice_pks=[invoice.pk for invoice in two_pending])

    assert (report.rendered, report.failed) == (1, 1)
    states = dict(Invoice.objects.values_list("number", "pdf_state"))
    assert states == {"INV-2026-001": PdfState.FAILED, "INV-2026-002": PdfState.RENDERED}
    assert Invoice.objects.get(number="INV-2026-001").pdf_error.startswith("FatalURLFetchingError: Error fetching")


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
def test_a_process_exit_during_a_render_is_not_swallowed(two_pending, monkeypatch, interrupt):
    monkeypatch.setattr(documents, "render_pdf", lambda document: (_ for _ in ()).throw(interrupt()))

    with pytest.raises(interrupt):
        services.documents_render(invoice_pks=[invoice.pk for invoice in two_pending])

    assert set(Invoice.objects.values_list("pdf_state", flat=True)) == {PdfState.PENDING}


def test_retry_accepts_a_pdf_stuck_pending_and_refuses_a_fresh_one(two_pending, django_capture_on_commit_callbacks):
    invoice = two_pending[0]
    with pytest.raises(ValidationError, match="can be queued again once it has waited 10 minutes"):
        services.document_pdf_retry(document=invoice)

    with (
        time_machine.travel(invoice.issued_at + dt.timedelta(minutes=11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.document_pdf_retry(document=invoice)

    invoice.refresh_from_db()
    assert invoice.pdf_state == PdfState.RENDERED
    assert selectors.invoice_events(invoice=invoice).last().what == "PDF of INV-2026-001 queued again (stuck pending)"


def test_retry_accepts_a_statement_stuck_pending(
    period_closed_without_statement_pdf, django_capture_on_commit_callbacks
):
    document = period_closed_without_statement_pdf.statement_document

    with (
        time_machine.travel(document.frozen_at + dt.timedelta(minutes=11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.document_pdf_retry(document=document)

    document.refresh_from_db()
    assert document.pdf_state == PdfState.RENDERED


@pytest.fixture
def period_closed_without_statement_pdf(two_pending, django_capture_on_commit_callbacks, monkeypatch):
    """A closed period whose statement PDF task was lost (Redis does not re-deliver it)."""
    period = two_pending[0].period
    monkeypatch.setattr(queue, "statement_pdf_enqueue", lambda **kwargs: None)
    with django_capture_on_commit_callbacks(execute=False):
        services.period_close_start(period=period, force=True, reason="test data has gaps")
        services.period_close_run(period=period)
    monkeypatch.undo()
    period.refresh_from_db()
    assert period.statement_document.pdf_state == PdfState.PENDING
    return period


def test_resume_requeues_the_frozen_statements_pdf(
    period_closed_without_statement_pdf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.period_close_resume(period=period_closed_without_statement_pdf)

    assert message.endswith("it is closed; 3 PDFs queued again.")
    assert StatementDocument.objects.get().pdf_state == PdfState.RENDERED


def test_resume_of_an_open_period_renders_its_pending_pdfs(two_pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.period_close_resume(period=two_pending[0].period)

    assert message.endswith("it is open; 2 PDFs queued again.")
    assert set(Invoice.objects.values_list("pdf_state", flat=True)) == {PdfState.RENDERED}
