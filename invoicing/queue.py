"""Enqueueing background work on django-q2, always after the surrounding transaction commits.

A task enqueued inside a transaction that then rolls back would work on rows that never existed
(or, worse, on a period whose close was refused); ``transaction.on_commit`` makes enqueueing part
of the commit. Tasks are named by dotted path so this module does not import ``tasks`` (which
imports the services that call this).
"""

from django.db import transaction

CLOSE_TASK = "invoicing.tasks.period_close_task"
PDF_TASK = "invoicing.tasks.pdfs_render_task"
STATEMENT_PDF_TASK = "invoicing.tasks.statement_pdf_task"
EMAIL_TASK = "invoicing.tasks.deliveries_send_task"
FIGURES_TASK = "invoicing.tasks.period_figures_task"
# 20 one-page PDFs take about 6-8 s on one core (0.3-0.4 s each with fonts and CSS reused), far
# inside Q_CLUSTER's timeout, while amortising the task's start-up (renderer, queries) over many.
PDF_BATCH_SIZE = 20
# E-mails per task: one connection to the mail server each; 20 messages with a ~100 kB PDF each
# take a few seconds over SMTP, far inside the timeout.
EMAIL_BATCH_SIZE = 20


_brokers: list = []


def _orm_broker_on_current_connection():
    """django-q2's ORM broker, enqueueing through the connection the caller already has open.

    The stock broker calls ``close_old_connections()`` before each enqueue; outside a transaction
    (where ``on_commit`` callbacks run) with the default CONN_MAX_AGE=0 that closes the connection,
    so every task cost a new database connection: a close that queues 100 PDF batches opened 100.
    Closing stale connections is the request's and the worker's business, at their end.
    """
    from django_q.brokers.orm import ORM
    from django_q.conf import Conf
    from django_q.models import OrmQ

    broker = ORM(list_key=Conf.CLUSTER_NAME)
    broker.get_connection = lambda list_key=None: OrmQ.objects.using(Conf.ORM)
    return broker


def _broker():
    """One broker per process: Redis keeps its connection pool, the ORM broker the open connection."""
    from django_q.brokers import get_broker
    from django_q.conf import Conf

    if not _brokers:
        _brokers.append(_orm_broker_on_current_connection() if Conf.ORM else get_broker())
    return _brokers[0]


def _async_task(func: str, *args, **kwargs) -> None:
    from django_q.tasks import async_task

    async_task(func, *args, broker=_broker(), **kwargs)


def close_step_enqueue(*, period_pk: int) -> None:
    transaction.on_commit(lambda: _async_task(CLOSE_TASK, period_pk, group=f"close-period-{period_pk}"))


def pdfs_enqueue(*, invoice_pks=(), note_pks=()) -> None:
    invoice_pks, note_pks = list(invoice_pks), list(note_pks)

    def enqueue():
        for first in range(0, len(invoice_pks), PDF_BATCH_SIZE):
            _async_task(PDF_TASK, invoice_pks[first : first + PDF_BATCH_SIZE], [], group="pdfs")
        for first in range(0, len(note_pks), PDF_BATCH_SIZE):
            _async_task(PDF_TASK, [], note_pks[first : first + PDF_BATCH_SIZE], group="pdfs")

    if invoice_pks or note_pks:
        transaction.on_commit(enqueue)


def statement_pdf_enqueue(*, document_pk: int) -> None:
    transaction.on_commit(lambda: _async_task(STATEMENT_PDF_TASK, document_pk, group="pdfs"))


def deliveries_enqueue(*, delivery_pks=()) -> None:
    """Send these queued e-mails in the background, after commit (the task claims each row once)."""
    delivery_pks = list(delivery_pks)

    def enqueue():
        for first in range(0, len(delivery_pks), EMAIL_BATCH_SIZE):
            _async_task(EMAIL_TASK, delivery_pks[first : first + EMAIL_BATCH_SIZE], group="emails")

    if delivery_pks:
        transaction.on_commit(enqueue)


def period_figures_enqueue(*, period_pks=()) -> None:
    """Compute and keep these periods' page figures in the background, after commit."""
    period_pks = list(period_pks)

    def enqueue():
        for period_pk in period_pks:
            _async_task(FIGURES_TASK, period_pk, group=f"period-figures-{period_pk}")

    if period_pks:
        transaction.on_commit(enqueue)
