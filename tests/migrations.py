"""Moving the test database between migrations, for tests that upgrade a database filled at an older schema.

Such tests need ``transactional_db`` and must end with ``migrate_to()`` (the latest), so the tests
after them see the usual schema.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets=None):
    """Migrate to ``targets`` (default: the latest of every app) and return the project state there."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    targets = targets or leaves
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    # The state at the targets (and the latest of every other app), built afresh: what migrate()
    # returns after migrating backwards also mutates in migrations that come later in its plan.
    named = {app for app, _ in targets}
    nodes = [node for node in targets if node[1] is not None] + [node for node in leaves if node[0] not in named]
    return MigrationExecutor(connection).loader.project_state(nodes)
