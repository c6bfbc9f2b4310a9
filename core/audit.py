"""Who changed what: the audit trail, on django-auditlog.

django-auditlog writes one ``LogEntry`` per saved or deleted row of a registered model, with the
old and new value of every changed field, into one table the admin lists and filters. It was
chosen over django-simple-history because that one table is what staff search ("what changed last
week, and who did it"), it needs no history table or migration per model, and registering a
model is one line. Its middleware names the logged-in user of each request; ``acting_as`` names
everyone else: a ``manage.py`` command and the OS user who ran it, the schedule, a close task.
Bulk writes (imports, ``bulk_create``, ``QuerySet.update``) send no per-row signals; they write one
summary entry per job with ``audit_summary``.
"""

import contextlib
import getpass
import os

from auditlog.context import set_extra_data
from auditlog.models import LogEntry
from auditlog.registry import auditlog

# What the audit trail never records: bookkeeping columns that change on every save.
NOT_AUDITED = ["updated_at", "created_at"]


def audit(*models, exclude=()) -> None:
    """Record every change of ``models`` (called from each app's ``ready``)."""
    for model in models:
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=[*NOT_AUDITED, *exclude])


@contextlib.contextmanager
def acting_as(label: str, user=None):
    """Entries written inside name ``label`` as who did it (and ``user``, if one is known).

    The label goes into ``actor_email``, auditlog's column for naming an actor apart from a user
    row (it keeps a deleted user's address); ``actor_label`` reads it back.
    """
    with set_extra_data({"actor": user, "actor_email": label}):
        yield


def actor_label(entry: LogEntry) -> str:
    """Who wrote ``entry``: the staff user, else the command, schedule or task that did."""
    if entry.actor_id is not None:
        return str(entry.actor)
    return entry.actor_email or "system"


def command_line_actor(argv: list[str]) -> str:
    """``manage.py close_period (OS user anna)``: a command and who ran it. The task cluster's
    work (closes, PDFs, the schedule) is named as such."""
    command = os.path.basename(argv[1]) if len(argv) > 1 else "(no command)"
    try:
        user = getpass.getuser()
    except OSError:
        user = f"uid {os.getuid()}"
    if command == "qcluster":
        return f"background task (OS user {user})"
    return f"manage.py {command} (OS user {user})"


def audit_summary(*, obj, what: str, details: dict, actor=None) -> LogEntry:
    """One entry for a bulk change made on behalf of ``obj`` (e.g. a meter-data import of a
    community): ``what`` happened, with ``details`` (file, checksum, counts)."""
    return LogEntry.objects.log_create(
        obj,
        action=LogEntry.Action.UPDATE,
        changes={what: [None, ", ".join(f"{key} {value}" for key, value in details.items())]},
        actor=actor,
        force_log=True,
        additional_data={"summary": what, **details},
    )
