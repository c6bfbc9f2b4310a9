"""Every write to the readings bumps ``ReadingsVersion`` of the (community, UTC month) it touched, in
the writing statement's transaction: a page that keeps figures computed from readings then knows
they are stale, whichever way the readings changed (docs/period-figures.md says why triggers).

SQLite counts row by row (it has no statement triggers). PostgreSQL counts once per statement
over its transition tables, like the frozen-range guard (0003): an import's one INSERT of a
million rows costs one grouped pass, not a million updates. TRUNCATE bumps every version.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.db_triggers import RunPerVendor

READING = "communities_meterreading"
VERSION = "metering_readingsversion"
EVENTS = ("INSERT", "UPDATE", "DELETE")
TRIGGER_NAMES = tuple(f"leg_meterreading_version_{event.lower()}" for event in EVENTS)


def _sqlite_bump(row: str) -> str:
    return (
        f"INSERT INTO {VERSION} (community_id, month, version) "
        f"SELECT community_id, date({row}.interval_start, 'start of month'), 1 FROM communities_house "
        f"WHERE id = {row}.house_id ON CONFLICT (community_id, month) DO UPDATE SET version = version + 1;"
    )


_SQLITE_ROWS = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}


def _sqlite() -> tuple[list[str], list[str]]:
    create = [
        f"CREATE TRIGGER {name} AFTER {event} ON {READING} FOR EACH ROW BEGIN "
        + " ".join(_sqlite_bump(row) for row in _SQLITE_ROWS[event])
        + " END"
        for name, event in zip(TRIGGER_NAMES, EVENTS, strict=True)
    ]
    return create, [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGER_NAMES]


_PG_ROWS = {
    "INSERT": "SELECT house_id, interval_start FROM leg_new_rows",
    "UPDATE": "SELECT house_id, interval_start FROM leg_new_rows "
    "UNION ALL SELECT house_id, interval_start FROM leg_old_rows",
    "DELETE": "SELECT house_id, interval_start FROM leg_old_rows",
}
_PG_TABLES = {
    "INSERT": "NEW TABLE AS leg_new_rows",
    "UPDATE": "OLD TABLE AS leg_old_rows NEW TABLE AS leg_new_rows",
    "DELETE": "OLD TABLE AS leg_old_rows",
}
TRUNCATE_TRIGGER = "leg_meterreading_version_truncate"


def _postgresql() -> tuple[list[str], list[str]]:
    create, drop = [], []
    for name, event in zip(TRIGGER_NAMES, EVENTS, strict=True):
        create += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"INSERT INTO {VERSION} (community_id, month, version) "
            "SELECT DISTINCT h.community_id, r.month, 1 FROM (SELECT DISTINCT house_id, "
            f"date_trunc('month', interval_start AT TIME ZONE 'UTC')::date AS month FROM ({_PG_ROWS[event]}) c) r "
            "JOIN communities_house h ON h.id = r.house_id "
            # One lock order for every writer (two ingesters, an import): no deadlock on these rows.
            "ORDER BY 1, 2 "
            f"ON CONFLICT (community_id, month) DO UPDATE SET version = {VERSION}.version + 1; "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event} ON {READING} REFERENCING {_PG_TABLES[event]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
        drop += [f"DROP TRIGGER IF EXISTS {name} ON {READING}", f"DROP FUNCTION IF EXISTS {name}()"]
    create += [
        f"CREATE FUNCTION {TRUNCATE_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE {VERSION} SET version = version + 1; RETURN NULL; END $$",
        f"CREATE TRIGGER {TRUNCATE_TRIGGER} AFTER TRUNCATE ON {READING} FOR EACH STATEMENT EXECUTE FUNCTION {TRUNCATE_TRIGGER}()",
    ]
    drop += [f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER} ON {READING}", f"DROP FUNCTION IF EXISTS {TRUNCATE_TRIGGER}()"]
    return create, drop


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0006_community_managers"),
        ("metering", "0006_reading_interval_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReadingsVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(help_text="The first day of the UTC month.")),
                ("version", models.BigIntegerField(default=1)),
                (
                    "community",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="communities.community"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("community", "month"), name="one_readings_version_per_community_month"
                    )
                ],
            },
        ),
        RunPerVendor(
            {"postgresql": _postgresql(), "sqlite": _sqlite()},
            description="Count every write to the readings per community and UTC month",
        ),
    ]
