"""What a period's or an invoice's history says happened: the templates of an event's ``what``.

Events are written once and never changed (the database refuses updates), so ``what`` is stored in
English and shown in the reader's language through ``core.stored_texts``.
"""

from django.utils.translation import gettext_noop

from core.stored_texts import StoredTexts

CLOSE_STARTED = gettext_noop("Close started")
CLOSED = gettext_noop("Closed")
CLOSE_FAILED_REOPENED = gettext_noop("Close failed before anything was issued; reopened")
CLOSE_STEP_FAILED = gettext_noop(
    "Close step failed; invoices of the period are issued, so it stays closing. Resume the close."
)
CLOSE_RESUMED = gettext_noop("Close resumed")
SCHEDULED_CLOSE_REFUSED = gettext_noop("Scheduled close refused")
ISSUED = gettext_noop("Issued")
ISSUED_BY_FORCE = gettext_noop("Invoices issued by force")
PAID = gettext_noop("Paid")
PAYMENT_UNDONE = gettext_noop("Payment undone")
PAYMENT_RECORDED_OF = gettext_noop("Payment of %(amount)s recorded; %(outstanding)s outstanding")
PAYMENT_UNDONE_OF = gettext_noop("Payment of %(amount)s undone")
CANCELLED = gettext_noop("Cancelled")
PENDING_PDFS_QUEUED = gettext_noop("Pending PDFs queued again")
PDF_FAILED = gettext_noop("PDF of %(document)s failed to render")
PDF_QUEUED_AGAIN = gettext_noop("PDF of %(document)s queued again")
PDF_QUEUED_AGAIN_STUCK = gettext_noop("PDF of %(document)s queued again (stuck pending)")
STATEMENT = gettext_noop("the community statement")
QUEUED_FOR_EMAIL = gettext_noop("Invoices queued for e-mail")
EMAIL_RESENT = gettext_noop("E-mail of %(document)s queued again (resend)")
EMAIL_FAILED = gettext_noop("E-mail of %(document)s to %(recipient)s failed")

TEMPLATES = [
    CLOSE_STARTED,
    CLOSED,
    CLOSE_FAILED_REOPENED,
    CLOSE_STEP_FAILED,
    CLOSE_RESUMED,
    SCHEDULED_CLOSE_REFUSED,
    ISSUED,
    ISSUED_BY_FORCE,
    PAID,
    PAYMENT_UNDONE,
    PAYMENT_RECORDED_OF,
    PAYMENT_UNDONE_OF,
    CANCELLED,
    PENDING_PDFS_QUEUED,
    PDF_FAILED,
    PDF_QUEUED_AGAIN,
    PDF_QUEUED_AGAIN_STUCK,
    QUEUED_FOR_EMAIL,
    EMAIL_RESENT,
    EMAIL_FAILED,
]
EVENTS = StoredTexts(TEMPLATES, words=(STATEMENT,))


def event_text(what: str) -> str:
    """The stored English ``what`` in the active language."""
    return EVENTS.shown(what)
