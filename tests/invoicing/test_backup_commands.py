"""A backup restored into a fresh database passes the billing verification, every invoice and PDF there.

The restore and the verification run in fresh interpreters against the fresh database (SQLite: a
file in tmp_path; PostgreSQL: a database of its own), as an operator would run them.
"""

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from invoicing.models import Invoice

PROJECT = Path(__file__).resolve().parent.parent.parent


def manage(database_url: str, media_root: Path, *args) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "MEDIA_ROOT"}}
    env.update(
        DJANGO_SETTINGS_MODULE="legbilling_site.settings.base", DATABASE_URL=database_url, MEDIA_ROOT=str(media_root)
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database of its own: a file on SQLite, a database on the PostgreSQL server (dropped after)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    name = f"{connection.settings_dict['NAME']}_restored"
    params = {**connection.get_connection_params(), "dbname": "postgres"}
    with psycopg.connect(**params, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}"')
        server.execute(f'CREATE DATABASE "{name}"')
    user, host, port = (connection.settings_dict[key] for key in ("USER", "HOST", "PORT"))
    yield f"postgres://{user}@{host}:{port or 5432}/{name}"
    with psycopg.connect(**params, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_passes_verification_with_every_invoice_and_pdf(closed_january, fresh_database_url, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    pdfs = list(Invoice.objects.values_list("number", "pdf_file"))
    restored_media = tmp_path / "restored-media"
    database_url = fresh_database_url

    restore = manage(database_url, restored_media, "restore", str(archive))
    verify = manage(database_url, restored_media, "verify_billing")

    assert restore.returncode == 0, restore.stderr
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "2 issued invoices checked, no findings" in verify.stdout
    assert len(pdfs) == 2 and all((restored_media / name).is_file() for _, name in pdfs)


@pytest.mark.django_db(transaction=True)
def test_the_archive_holds_the_manifest_the_database_and_the_pdfs(closed_january, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))

    with tarfile.open(archive) as opened:
        names = opened.getnames()
    assert "manifest.json" in names
    assert {"database.sqlite3", "database.pgdump"} & set(names)
    assert all(f"media/{name}" in names for name in Invoice.objects.values_list("pdf_file", flat=True))


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    not_a_backup = tmp_path / "notes.tar.gz"
    with tarfile.open(not_a_backup, "w:gz"):
        pass

    with pytest.raises(CommandError, match="no readable manifest"):
        call_command("restore", str(not_a_backup))


@pytest.mark.django_db
def test_a_backup_inside_a_transaction_is_refused_not_left_waiting(tmp_path):
    with pytest.raises(CommandError, match="outside any transaction"):
        call_command("backup", str(tmp_path / "backup.tar.gz"))
