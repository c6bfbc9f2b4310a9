"""One audit entry per imported file: an import writes thousands of rows in bulk, which send no
per-row signals, so the trail records the file as a whole (name, SHA-256, counts)."""

import hashlib
import os

from core.audit import audit_summary

CHUNK_BYTES = 1 << 20


def _sha256(fileobj) -> str:
    fileobj.seek(0)
    digest = hashlib.sha256()
    while chunk := fileobj.read(CHUNK_BYTES):
        digest.update(chunk)
    return digest.hexdigest()


def import_audited(*, community, fileobj, result) -> None:
    """Record a finished (non-dry-run) import of ``fileobj`` for ``community`` in the audit trail."""
    refused = result.error_count > 0
    audit_summary(
        obj=community,
        what="Meter data import refused" if refused else "Meter data imported",
        details={
            "file": os.path.basename(getattr(fileobj, "name", "") or "") or "(upload)",
            "sha256": _sha256(fileobj),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "errors": result.error_count,
        },
    )
