"""Refusals the database keeps itself: row triggers that abort a write, on PostgreSQL and SQLite.

The Python guards (model ``save``/``delete``, QuerySet ``update``/``delete``) give staff a clear
message; these triggers are the last line, for what bypasses the ORM's methods: ``bulk_update``,
raw SQL, a script. A migration lists its ``Refusal`` rows and adds them with ``RefuseInDatabase``.

Conditions are written once, in standard SQL over ``NEW``/``OLD``; ``IS DISTINCT FROM`` becomes
``IS NOT`` on SQLite, whose older releases lack it. Both vendors raise SQLSTATE class 23 (SQLite
``RAISE(ABORT, ...)`` is a constraint error; PostgreSQL raises ``restrict_violation``), so Django
raises ``IntegrityError`` on both.

SQLite rebuilds a table for most schema changes, which would drop its triggers and break the
triggers of other tables that name it: the project's SQLite backend (``core.backends.sqlite3``)
lifts the guards for a rebuild and restores them. ``tests/core/test_db_triggers.py`` fails when a
guard is missing after the migrations.
"""

from dataclasses import dataclass

from django.db import router
from django.db.migrations.operations.base import Operation

VENDORS = ("postgresql", "sqlite")


@dataclass(frozen=True)
class Refusal:
    """Refuse ``event`` (INSERT, UPDATE or DELETE) on ``table`` for each row where ``condition`` holds."""

    name: str
    table: str
    event: str
    condition: str
    message: str

    def create_sql(self, vendor: str) -> list[str]:
        message = self.message.replace("'", "''")
        if vendor == "sqlite":
            condition = self.condition.replace(" IS DISTINCT FROM ", " IS NOT ")
            return [
                *self.drop_sql(vendor),
                f"CREATE TRIGGER {self.name} BEFORE {self.event} ON {self.table} FOR EACH ROW WHEN {condition} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
            ]
        returned = "OLD" if self.event == "DELETE" else "NEW"
        return [
            *self.drop_sql(vendor),
            f"CREATE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {self.condition} THEN RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation'; END IF; "
            f"RETURN {returned}; END $$",
            f"CREATE TRIGGER {self.name} BEFORE {self.event} ON {self.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {self.name}()",
        ]

    def drop_sql(self, vendor: str) -> list[str]:
        if vendor == "sqlite":
            return [f"DROP TRIGGER IF EXISTS {self.name}"]
        return [f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}", f"DROP FUNCTION IF EXISTS {self.name}()"]


def changed(*columns: str) -> str:
    """SQL that holds when an UPDATE changes any of ``columns`` (NULL-safe)."""
    if not columns:
        raise ValueError("changed() needs at least one column.")
    new = ", ".join(f'NEW."{column}"' for column in columns)
    old = ", ".join(f'OLD."{column}"' for column in columns)
    return f"({new}) IS DISTINCT FROM ({old})" if len(columns) > 1 else f"{new} IS DISTINCT FROM {old}"


def _vendor(schema_editor) -> str:
    vendor = schema_editor.connection.vendor
    if vendor not in VENDORS:
        raise NotImplementedError(f"The database guards exist for {' and '.join(VENDORS)} only, not {vendor}.")
    return vendor


class RunPerVendor(Operation):
    """Run statements chosen by the database vendor: ``by_vendor = {vendor: (forwards, backwards)}``,
    each a list of SQL statements (run one by one, without parameters, so ``%`` stays literal)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, by_vendor: dict[str, tuple[list[str], list[str]]], description: str = ""):
        self.by_vendor = by_vendor
        self.description = description

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.by_vendor], {"description": self.description})

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(app_label, schema_editor, self.by_vendor[_vendor(schema_editor)][0])

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(app_label, schema_editor, self.by_vendor[_vendor(schema_editor)][1])

    def _run(self, app_label, schema_editor, statements: list[str]) -> None:
        if router.allow_migrate(schema_editor.connection.alias, app_label):
            for statement in statements:
                schema_editor.execute(statement, params=None)

    def describe(self):
        return self.description or "Raw SQL per database vendor"


class RefuseInDatabase(RunPerVendor):
    """Create the triggers of ``refusals`` (forwards) and drop them (backwards)."""

    def __init__(self, *refusals: Refusal):
        self.refusals = refusals
        super().__init__(
            {
                vendor: (
                    [sql for refusal in refusals for sql in refusal.create_sql(vendor)],
                    [sql for refusal in reversed(refusals) for sql in refusal.drop_sql(vendor)],
                )
                for vendor in VENDORS
            },
            description=f"Refuse in the database: {', '.join(refusal.name for refusal in refusals)}",
        )

    def deconstruct(self):
        return (self.__class__.__qualname__, list(self.refusals), {})
