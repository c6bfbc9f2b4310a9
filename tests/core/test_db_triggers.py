"""The database guards: their SQL per vendor, their presence after the migrations, and their
survival when SQLite rebuilds a guarded table."""

import importlib

import pytest
from django.db import connection

from core.db_triggers import Refusal, changed
from invoicing.models import Invoice

GUARD_MIGRATIONS = (
    "invoicing.migrations.0008_immutability_triggers",
    "invoicing.migrations.0010_payment_guards",
    "metering.migrations.0003_frozen_readings_trigger",
)
READINGS_VERSION_MIGRATION = "metering.migrations.0007_readings_version"
REFUSAL = Refusal("leg_example", "example", "UPDATE", changed("a", "b"), "It's frozen.")


def expected_guards() -> set[str]:
    invoicing, payments, metering = (importlib.import_module(name) for name in GUARD_MIGRATIONS)
    refusals = {refusal.name for refusal in invoicing.REFUSALS + payments.REFUSALS + metering.SQLITE_REFUSALS}
    versions = importlib.import_module(READINGS_VERSION_MIGRATION)
    counters = {*versions.TRIGGER_NAMES, *([versions.TRUNCATE_TRIGGER] if connection.vendor == "postgresql" else [])}
    return refusals | counters


def guards_in_the_database() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'leg%'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'leg%'")
        return {name for (name,) in cursor.fetchall()}


def test_sqlite_compares_with_is_not_and_aborts():
    [drop, create] = REFUSAL.create_sql("sqlite")

    assert drop == "DROP TRIGGER IF EXISTS leg_example"
    assert 'WHEN (NEW."a", NEW."b") IS NOT (OLD."a", OLD."b")' in create
    assert "RAISE(ABORT, 'It''s frozen.')" in create


def test_postgresql_raises_an_integrity_error_class_sqlstate():
    create_function = REFUSAL.create_sql("postgresql")[2]

    assert '(NEW."a", NEW."b") IS DISTINCT FROM (OLD."a", OLD."b")' in create_function
    assert "USING ERRCODE = 'restrict_violation'" in create_function


@pytest.mark.django_db
def test_every_guard_exists_after_the_migrations():
    assert guards_in_the_database() == expected_guards()


@pytest.mark.django_db(transaction=True)
def test_rebuilding_a_guarded_table_keeps_its_guards():
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite rebuilds tables to alter them")
    field = Invoice._meta.get_field("recipient_name")
    wider = field.clone()
    wider.set_attributes_from_name("recipient_name")
    wider.max_length = 300

    with connection.schema_editor() as editor:
        editor.alter_field(Invoice, field, wider)  # a rebuild: SQLite cannot widen a column in place
    with connection.schema_editor() as editor:
        editor.alter_field(Invoice, wider, field)

    assert guards_in_the_database() == expected_guards()
