"""One archive holding the whole installation: the database and the stored PDFs (MEDIA_ROOT).

The archive is a gzip'd tar with ``manifest.json``, the database and ``media/``:
- PostgreSQL: ``database.pgdump`` from ``pg_dump --format=custom``, restored by ``pg_restore
  --clean --if-exists`` (the client tools of the server's major version must be installed);
- SQLite: ``database.sqlite3`` through SQLite's online-backup API, a consistent copy even while
  the web server and the task cluster keep writing (a plain file copy of a WAL database is not).

A restore replaces the database's content and adds the archive's files to MEDIA_ROOT. It is for
an empty or disposable database: stop the web server and the task cluster first.
"""

import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why."""


def backup_create(*, target: Path) -> dict:
    """Write the archive to ``target``; returns its manifest."""
    vendor = _vendor()
    if connection.in_atomic_block:
        # SQLite's backup would wait forever for the caller's own write lock; pg_dump would miss
        # the caller's uncommitted rows.
        raise BackupError("A backup runs outside any transaction, from the command line or a task.")
    with tempfile.TemporaryDirectory(prefix="legbilling-backup-") as work:
        dump = Path(work) / DUMPS[vendor]
        if vendor == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}"], _pg_environment())
        else:
            _sqlite_copy(source=_sqlite_connection(), target_path=dump)
        media_root = Path(settings.MEDIA_ROOT)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": vendor,
            "media_files": sum(1 for path in media_root.rglob("*") if path.is_file()) if media_root.exists() else 0,
        }
        (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        with tarfile.open(target, "w:gz") as archive:
            archive.add(Path(work) / MANIFEST, arcname=MANIFEST)
            archive.add(dump, arcname=dump.name)
            if media_root.exists():
                archive.add(media_root, arcname=MEDIA)
    return manifest


def backup_restore(*, source: Path) -> dict:
    """Replace the database with the archive's and add its files to MEDIA_ROOT; returns its manifest."""
    vendor = _vendor()
    with tempfile.TemporaryDirectory(prefix="legbilling-restore-") as work, tarfile.open(source, "r:*") as archive:
        manifest = _manifest(archive)
        if manifest["database"] != vendor:
            raise BackupError(
                f"{source} holds a {manifest['database']} database; this installation uses {vendor} (DATABASE_URL)."
            )
        # The "data" filter refuses absolute paths, links out of the target and device files.
        archive.extractall(work, filter="data")
        dump = Path(work) / DUMPS[vendor]
        connections.close_all()
        if vendor == "postgresql":
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    f"--dbname={_pg_name()}",
                    str(dump),
                ],
                _pg_environment(),
            )
        else:
            with sqlite3.connect(dump) as source_db:
                _sqlite_copy(source=source_db, target=_sqlite_connection())
        _restore_media(Path(work) / MEDIA)
    return manifest


def _vendor() -> str:
    if connection.vendor not in DUMPS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def _manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, TypeError, ValueError):
        raise BackupError("Not a LEG-Invoicing backup: the archive has no readable manifest.json.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')!r} is not supported (expected {FORMAT}).")
    return manifest


def _sqlite_connection() -> sqlite3.Connection:
    """The DB-API connection Django uses: for the in-memory test database it is the database itself."""
    connection.ensure_connection()
    return connection.connection


def _sqlite_copy(*, source: sqlite3.Connection, target_path: Path | None = None, target=None) -> None:
    destination = target if target is not None else sqlite3.connect(target_path)
    try:
        source.backup(destination)
    finally:
        if target is None:
            destination.close()


def _restore_media(extracted: Path) -> None:
    if not extracted.exists():
        return
    media_root = Path(settings.MEDIA_ROOT)
    for path in sorted(extracted.rglob("*")):
        destination = media_root / path.relative_to(extracted)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(path.read_bytes())


def _pg_name() -> str:
    return connection.settings_dict["NAME"]


def _pg_environment() -> dict:
    """libpq's variables from the Django settings, so no password appears on a command line."""
    database = connection.settings_dict
    values = {
        "PGHOST": database.get("HOST"),
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
    }
    return {**os.environ, **{name: value for name, value in values.items() if value}}


def _run(command: list[str], environment: dict) -> None:
    try:
        result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed (PostgreSQL's client tools, same major version as the server)."
        ) from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
