"""The throwaway database and MEDIA_ROOT every benchmark runs on, so it never touches real data.

With a PostgreSQL ``DATABASE_URL`` a fresh database is created next to the one named and dropped
afterwards; otherwise a temporary SQLite file. The temporary folder goes on exit too. Sets the
environment the Django settings read.
"""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


@contextlib.contextmanager
def throwaway_environment(prefix: str, **extra_environment: str):
    """Yields ``(workdir, description of the database)``; drops a PostgreSQL database on exit."""
    workdir = Path(tempfile.mkdtemp(prefix=f"legbilling-{prefix}-"))
    url = os.environ.get("DATABASE_URL", "")
    pg_admin_url, name = None, f"legbilling_{prefix.replace('-', '_')}_{os.getpid()}"
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, _, _ = url.rpartition("/")
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error:
            shutil.rmtree(workdir, ignore_errors=True)  # e.g. the database named in the URL is missing
            raise
        pg_admin_url = url
        os.environ["DATABASE_URL"] = f"{base}/{name}"
        database = f"PostgreSQL ({name}, dropped afterwards)"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        database = f"SQLite ({workdir / 'bench.sqlite3'})"
    os.environ.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "benchmark-only",
            "MEDIA_ROOT": str(workdir / "media"),
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            "DJANGO_SETTINGS_MODULE": "legbilling_site.settings.base",
            **extra_environment,
        }
    )
    try:
        yield workdir, database
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if pg_admin_url:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(pg_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
