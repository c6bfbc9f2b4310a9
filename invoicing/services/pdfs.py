"""Rendering and storing the PDFs of issued documents, after the issuing transaction committed.

Invoices, cancellation notes and frozen statements share one mechanism: a row waits
(``PdfState.PENDING``), a task renders it, ``_pdf_store`` saves the file under MEDIA_ROOT with its
SHA-256 and marks the row rendered only if it is still waiting (so two tasks on one document keep
one file), a failure is kept on the row and in the history, and ``document_pdf_retry`` queues a
failed one again.
"""

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.formatting import site_time

from .. import documents, lifecycle, queue, selectors, statement
from .. import event_texts as texts
from ..documents.statement import statement_pdf_context
from ..models import CancellationNote, Invoice, PdfState, StatementDocument
from .deliveries import deliveries_after_render

STATEMENT_PDF_TEMPLATE = "invoicing/pdf/statement.html"
# What a render may raise that must stop the process rather than fail one document. Everything
# else fails that document only, BaseException included: WeasyPrint's FatalURLFetchingError
# derives from BaseException so that WeasyPrint's own handlers let it through.
PROCESS_EXITS = (KeyboardInterrupt, SystemExit)


@dataclass(frozen=True)
class RenderReport:
    rendered: int
    failed: int
    skipped: int

    def __str__(self):
        return _("%(rendered)d PDFs rendered, %(failed)d failed, %(skipped)d already done") % {
            "rendered": self.rendered,
            "failed": self.failed,
            "skipped": self.skipped,
        }


def _history_of(document):
    """Where a document's PDF events are written, and how they name it."""
    if isinstance(document, Invoice):
        return document, str(document)
    if isinstance(document, CancellationNote):
        return document.cancelled_invoice, str(document)
    return document.period, texts.STATEMENT


def _pdf_store(document, name: str, pdf: bytes) -> bool:
    """Save ``pdf`` and mark ``document`` rendered if it is still waiting; False if another task was first."""
    stored = default_storage.save(name, ContentFile(pdf))
    updated = (
        type(document)
        .objects.filter(pk=document.pk, pdf_state=PdfState.PENDING)
        .update(
            pdf_file=stored,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            pdf_state=PdfState.RENDERED,
            pdf_rendered_at=timezone.now(),
            pdf_error="",
        )
    )
    if not updated:
        default_storage.delete(stored)  # another task stored this document's PDF meanwhile
    return bool(updated)


@transaction.atomic
def _pdf_failed(document, error: BaseException) -> None:
    message = f"{type(error).__name__}: {error}"
    type(document).objects.filter(pk=document.pk, pdf_state=PdfState.PENDING).update(
        pdf_state=PdfState.FAILED, pdf_error=message
    )
    obj, label = _history_of(document)
    lifecycle.note(obj=obj, what=texts.PDF_FAILED % {"document": label}, details={"error": message})


def documents_render(*, invoice_pks=(), note_pks=()) -> RenderReport:
    """Render and store the PDFs of issued invoices and cancellation notes still waiting for one.

    Runs after the issuing transaction committed (from a task). A failure marks that document
    failed (visible and retryable in the admin) and the others go on.
    """
    invoices = list(
        Invoice.objects.filter(pk__in=list(invoice_pks), pdf_state=PdfState.PENDING).select_related(
            "community", "period"
        )
    )
    notes = list(
        CancellationNote.objects.filter(pk__in=list(note_pks), pdf_state=PdfState.PENDING).select_related(
            "community", "cancelled_invoice__period"
        )
    )
    skipped = len(set(invoice_pks)) + len(set(note_pks)) - len(invoices) - len(notes)
    targets = [(row, row.number, row.period) for row in invoices] + [
        (row, row.number, row.cancelled_invoice.period) for row in notes
    ]
    try:
        built = selectors.invoice_documents(invoices=invoices, notes=notes)
    except PROCESS_EXITS:
        raise
    except BaseException as error:  # noqa: BLE001 - any failure must become visible on every document
        built = [error] * len(targets)
    rendered = failed = 0
    stored = []
    for (row, number, period), document in zip(targets, built, strict=True):
        try:
            if isinstance(document, BaseException):
                raise document
            pdf = documents.render_pdf(document)
        except PROCESS_EXITS:
            raise
        except BaseException as error:  # noqa: BLE001 - one document fails, the batch goes on
            failed += 1
            _pdf_failed(row, error)
            continue
        if _pdf_store(row, f"invoices/{row.community.slug}/{period.year}/{number}.pdf", pdf):
            rendered += 1
            stored.append(row)
        else:
            skipped += 1
    deliveries_after_render(
        invoice_pks=[row.pk for row in stored if isinstance(row, Invoice)],
        note_pks=[row.pk for row in stored if isinstance(row, CancellationNote)],
    )
    return RenderReport(rendered=rendered, failed=failed, skipped=skipped)


def statement_pdf_render(*, document_pk: int) -> str:
    """Render and store a frozen statement's PDF, once; a failure is kept on the row for a retry."""
    document = (
        StatementDocument.objects.filter(pk=document_pk, pdf_state=PdfState.PENDING)
        .select_related("period__community")
        .first()
    )
    if document is None:
        return f"statement {document_pk}: no PDF waiting"
    period = document.period
    try:
        with translation.override(period.community.language):
            pdf = documents.render_template_pdf(
                STATEMENT_PDF_TEMPLATE,
                _statement_pdf_context(period),
                identifier=f"statement:{period.community.slug}:{period.month}",
            )
    except PROCESS_EXITS:
        raise
    except BaseException as error:  # noqa: BLE001 - any failure must become visible and retryable
        _pdf_failed(document, error)
        return f"{document}: failed"
    _pdf_store(document, f"statements/{period.community.slug}/{period.month}.pdf", pdf)
    return f"{document}: rendered"


def _statement_pdf_context(period) -> dict:
    return statement_pdf_context(
        statement.statement_for(period=period), community=period.community, font_family=documents.FONT_FAMILY
    )


@transaction.atomic
def document_pdf_retry(*, document, acting_user=None) -> str:
    """Queue a render again: an Invoice, a CancellationNote or a StatementDocument whose render failed,
    or has been pending for longer than ``LEG_STUCK_AFTER_MINUTES`` (its task lost with a cluster)."""
    model = type(document)
    locked = model.objects.select_for_update().get(pk=document.pk)
    stuck = selectors.pdf_is_stuck(locked)
    if locked.pdf_state != PdfState.FAILED and not stuck:
        if locked.pdf_state == PdfState.PENDING:
            minutes = int(selectors.stuck_after().total_seconds() // 60)
            raise ValidationError(
                _(
                    "The PDF of %(document)s is waiting to be rendered, queued %(since)s; "
                    "it can be queued again once it has waited %(minutes)d minutes."
                )
                % {"document": locked, "since": site_time(selectors.pdf_pending_since(locked)), "minutes": minutes}
            )
        raise ValidationError(
            _("The PDF of %(document)s has not failed (its state: %(state)s).")
            % {"document": locked, "state": locked.get_pdf_state_display()}
        )
    model.objects.filter(pk=locked.pk).update(pdf_state=PdfState.PENDING, pdf_error="")
    obj, label = _history_of(locked)
    lifecycle.note(
        obj=obj,
        what=(texts.PDF_QUEUED_AGAIN_STUCK if stuck else texts.PDF_QUEUED_AGAIN) % {"document": label},
        actor=acting_user,
    )
    if model is Invoice:
        queue.pdfs_enqueue(invoice_pks=[locked.pk])
    elif model is CancellationNote:
        queue.pdfs_enqueue(note_pks=[locked.pk])
    else:
        queue.statement_pdf_enqueue(document_pk=locked.pk)
    return _("The PDF of %(document)s is queued for rendering again.") % {"document": locked}
