import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _skip_postgres_only_on_other_databases(request):
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite ignores row locks and has no parallel writers (run .ci/run)")


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_database_guards():
    """Let transactional tests empty the database between them.

    Django empties every table after such a test: PostgreSQL with TRUNCATE, which row triggers do
    not see, SQLite with DELETE, which the guards of issued data refuse (core.db_triggers). On
    SQLite the flush drops the guards inside its own transaction and creates them again before it
    commits, so no test ever runs without them.
    """
    if connection.vendor != "sqlite":
        yield
        return
    operations = type(connection.ops)  # the SQLite backend's class, patched for the session
    original = operations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'leg^_%' ESCAPE '^'"
            )
            guards = cursor.fetchall()
        original(self, [*(f"DROP TRIGGER {name}" for name, _ in guards), *sql_list, *(sql for _, sql in guards)])

    operations.execute_sql_flush = execute_sql_flush
    yield
    operations.execute_sql_flush = original


@pytest.fixture(autouse=True, scope="session")
def _compiled_catalogues():
    """Compile the German catalogue when its .mo is missing or stale (CI runs pytest without ./dev)."""
    from django.utils.translation import trans_real

    from communities.catalogue import compile_catalogues

    if compile_catalogues():
        # Catalogues loaded before the compile (none usually) would otherwise stay English.
        trans_real._translations = {}
        trans_real._default = None
    yield


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise():
    """Start every test in the default language: a request with Accept-Language: de (LocaleMiddleware)
    or a German document leaves German active in the thread, which the next test would inherit."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
