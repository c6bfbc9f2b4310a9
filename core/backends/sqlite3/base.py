"""Django's SQLite backend, keeping the database guards (``core.db_triggers``) across table rebuilds.

SQLite alters most columns by rebuilding the table: create ``new__x``, copy, drop ``x``, rename.
Dropping ``x`` drops its triggers, and the rename is refused while a trigger on another table
names ``x`` ("error in trigger ...: no such table"), so any later migration that rebuilds a
guarded table would fail or silently lose its guards. This schema editor lifts the guards for
the rebuild and puts them back, unchanged, in the same transaction. PostgreSQL alters tables in
place and keeps its triggers: it needs nothing of this.
"""

from django.db.backends.sqlite3 import base, schema

GUARDS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'leg^_%' ESCAPE '^' ORDER BY name"


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    def _remake_table(self, model, *args, **kwargs):
        with self.connection.cursor() as cursor:
            guards = cursor.execute(GUARDS).fetchall()
        for name, _ in guards:
            self.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
        super()._remake_table(model, *args, **kwargs)
        for _, sql in guards:
            self.execute(sql, params=None)


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
