"""Enqueueing on the ORM broker reuses the open database connection instead of opening one per task."""

import pytest
from django import db
from django.db.backends.signals import connection_created
from django_q.conf import Conf
from django_q.models import OrmQ

from invoicing import queue


@pytest.fixture
def queued_for_real(monkeypatch):
    """Tasks go to the broker's queue table, as outside the tests, instead of running at once."""
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(queue, "_brokers", [])
    queue._broker()  # made once per process; what follows is the cost of each enqueue


@pytest.mark.django_db(transaction=True)
def test_enqueueing_never_closes_the_connection(queued_for_real, monkeypatch):
    closes = []
    monkeypatch.setattr(db, "close_old_connections", lambda **kwargs: closes.append(1))

    queue.pdfs_enqueue(invoice_pks=range(1, 3 * queue.PDF_BATCH_SIZE + 1))

    assert OrmQ.objects.count() == 3
    assert closes == []


@pytest.mark.django_db(transaction=True)
def test_each_task_costs_one_insert(queued_for_real, django_assert_num_queries):
    with django_assert_num_queries(3):
        queue.pdfs_enqueue(invoice_pks=range(1, 3 * queue.PDF_BATCH_SIZE + 1))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_no_new_connection_per_task(queued_for_real):
    assert not OrmQ.objects.exists()  # the connection is open
    opened = []
    connection_created.connect(lambda **kwargs: opened.append(1), weak=False, dispatch_uid="test_queue_opened")
    try:
        queue.pdfs_enqueue(invoice_pks=range(1, 3 * queue.PDF_BATCH_SIZE + 1))
    finally:
        connection_created.disconnect(dispatch_uid="test_queue_opened")

    assert OrmQ.objects.count() == 3
    assert opened == []
