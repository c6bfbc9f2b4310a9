"""Moving the test database between migrations, for tests that upgrade a database filled at an older schema.

Such tests need ``transactional_db`` and must end with ``migrate_to()`` (the latest), so the tests
after them see the usual schema.
"""

import datetime as dt
from decimal import Decimal

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


JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FEBRUARY = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def issue_an_invoice_at(old_apps, *, number_field: str = "number", month_field: str = "month") -> None:
    """Write INV-2026-001 of house_1 for January 2026, issued, through the historical models
    ``old_apps`` (the field names are those of that schema)."""
    community = old_apps.get_model("communities", "Community").objects.create(
        name="Sonnenfeld", slug="sonnenfeld", legal_name="LEG Sonnenfeld", address="Weg 1"
    )
    house = old_apps.get_model("communities", "House").objects.create(
        community=community, house_id="house_1", name="Weg 1", owner_name="A", address="Weg 1", active_from=JANUARY
    )
    period = old_apps.get_model("invoicing", "SettlementPeriod").objects.create(
        community=community, start=JANUARY, end=FEBRUARY, status="closed", **{month_field: "2026-01"}
    )
    old_apps.get_model("invoicing", "Invoice").objects.create(
        community=community,
        house=house,
        period=period,
        status="pending",
        issued_at=FEBRUARY,
        period_start=JANUARY,
        period_end=FEBRUARY,
        energy_exported_kwh=Decimal("450.5"),
        energy_imported_kwh=Decimal("120.3"),
        export_revenue_ct=Decimal("9010"),
        import_cost_ct=Decimal("3007.5"),
        net_amount_ct=Decimal("6002.5"),
        **{number_field: "INV-2026-001"},
    )
