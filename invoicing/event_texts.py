"""What a period's or an invoice's history says happened, in the reader's language.

An event's ``what`` is stored in English: the record, written once and never changed (the database
refuses updates), searchable in one language. Every text comes from a template here; a page reads
the stored text back into its template and values and shows it in the reader's language. A text
no template matches (written before its template existed) is shown as stored.
"""

import re

from django.utils.translation import gettext, gettext_noop

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
# Values that are themselves texts of this module (a document named in words) are translated too.
_WORDS = {STATEMENT}


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", template)  # literal, name, literal, name, ..., literal
    return re.compile("".join(f"(?P<{part}>.+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)))


_FIXED = {template for template in TEMPLATES if "%(" not in template}
# Longest first, so a template that extends another ("... (stuck pending)") is tried before it.
_PATTERNS = [
    (_pattern(template), template) for template in sorted((t for t in TEMPLATES if "%(" in t), key=len, reverse=True)
]


def event_text(what: str) -> str:
    """The stored English ``what`` in the active language."""
    if what in _FIXED:
        return gettext(what)
    for pattern, template in _PATTERNS:
        if match := pattern.fullmatch(what):
            values = {name: gettext(value) if value in _WORDS else value for name, value in match.groupdict().items()}
            return gettext(template) % values
    return what
