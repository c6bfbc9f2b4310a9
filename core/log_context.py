"""Which request or background task a log line belongs to.

Web server and task workers write interleaved lines to one log; each line carries the id of the
request (``req-…``) or django-q2 task (``task-…``) it was written for, so one request's or task's
lines can be picked out. The id lives in a context variable: set by ``RequestIdMiddleware`` for a
request and by django-q2's ``pre_execute`` signal for a task, read by ``ContextIdFilter`` on the
log handler. Outside both it is ``-``.
"""

import logging
import re
import uuid
from contextvars import ContextVar, Token

NO_CONTEXT = "-"
_context_id: ContextVar[str] = ContextVar("leg_log_context_id", default=NO_CONTEXT)
# A proxy's X-Request-ID is kept when it looks like an id: a header anyone can send must not be
# able to write arbitrary text (newlines, fake log lines) into the log.
_PROXY_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_task_tokens: dict[str, Token] = {}


def current_context_id() -> str:
    return _context_id.get()


class ContextIdFilter(logging.Filter):
    """Adds ``context_id`` to every record the handler writes (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.context_id = _context_id.get()
        return True


def _request_id(request) -> str:
    offered = request.headers.get("X-Request-ID", "")
    if _PROXY_REQUEST_ID.fullmatch(offered):
        return f"req-{offered}"
    return f"req-{uuid.uuid4().hex[:12]}"


class RequestIdMiddleware:
    """Gives each request an id for its log lines and echoes it in the X-Request-ID response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _request_id(request)
        token = _context_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _context_id.reset(token)
        response.headers["X-Request-ID"] = request_id.removeprefix("req-")
        return response


def task_started(sender, func=None, task=None, **kwargs) -> None:
    """django-q2 ``pre_execute``: the task's lines carry its id until ``task_finished``."""
    task_id = (task or {}).get("id")
    if task_id:
        _task_tokens[task_id] = _context_id.set(f"task-{task_id}")


def task_finished(sender, func=None, task=None, **kwargs) -> None:
    """django-q2 ``post_execute_in_worker``: back to the id before the task (a request's, in sync mode)."""
    token = _task_tokens.pop((task or {}).get("id"), None)
    if token is not None:
        _context_id.reset(token)


def connect_task_signals() -> None:
    from django_q.signals import post_execute_in_worker, pre_execute

    pre_execute.connect(task_started, dispatch_uid="leg_log_task_started")
    post_execute_in_worker.connect(task_finished, dispatch_uid="leg_log_task_finished")
