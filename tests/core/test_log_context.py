"""Log lines come out once and name the request or task they were written for."""

import io
import logging
import logging.config
import sys

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import DEFAULT_LOGGING
from django_q.tasks import async_task

from core.log_context import NO_CONTEXT, ContextIdFilter, RequestIdMiddleware, current_context_id

logger = logging.getLogger("tests.log_context")


def log_line(request):
    logger.warning("inside the view")
    return HttpResponse(current_context_id())


def log_from_task():
    logger.warning("inside the task")
    return current_context_id()


@pytest.fixture
def with_context_filter(caplog):
    context_filter = ContextIdFilter()
    caplog.handler.addFilter(context_filter)
    yield caplog
    caplog.handler.removeFilter(context_filter)


def test_a_request_s_lines_carry_its_id_and_the_response_echoes_it(with_context_filter):
    response = RequestIdMiddleware(log_line)(RequestFactory().get("/"))

    (record,) = [r for r in with_context_filter.records if r.name == "tests.log_context"]
    assert record.context_id == response.content.decode()
    assert record.context_id == "req-" + response.headers["X-Request-ID"]
    assert current_context_id() == NO_CONTEXT


def test_a_proxy_s_request_id_is_kept_and_a_forged_one_is_not():
    kept = RequestIdMiddleware(log_line)(RequestFactory().get("/", HTTP_X_REQUEST_ID="abc-123"))
    forged = RequestIdMiddleware(log_line)(RequestFactory().get("/", HTTP_X_REQUEST_ID="x\nFAKE LINE"))

    assert kept.content == b"req-abc-123"
    assert "FAKE" not in forged.content.decode()


@pytest.mark.django_db
def test_a_task_s_lines_carry_its_id(with_context_filter):
    task_id = async_task("tests.core.test_log_context.log_from_task")

    (record,) = [r for r in with_context_filter.records if r.getMessage() == "inside the task"]
    assert record.context_id == f"task-{task_id}"
    assert current_context_id() == NO_CONTEXT


def configure_logging_as_django_does():
    logging.config.dictConfig(DEFAULT_LOGGING)
    logging.config.dictConfig(settings.LOGGING)


@pytest.fixture
def log_output():
    """What the project's logging configuration writes to stderr."""
    real_stderr, sys.stderr = sys.stderr, io.StringIO()
    try:
        configure_logging_as_django_does()
        yield sys.stderr
    finally:
        sys.stderr = real_stderr
        configure_logging_as_django_does()


def test_django_s_own_lines_are_written_once(log_output, settings):
    settings.DEBUG = True  # Django's default console handler for "django" writes only then

    logging.getLogger("django.request").warning("one line please")

    assert log_output.getvalue().count("one line please") == 1


def test_lines_name_their_context(log_output):
    logging.getLogger("invoicing").warning("with context")

    assert "[-] invoicing: with context" in log_output.getvalue()
