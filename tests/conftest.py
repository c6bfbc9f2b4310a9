import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _skip_postgres_only_on_other_databases(request):
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite ignores row locks and has no parallel writers (run .ci/run)")
