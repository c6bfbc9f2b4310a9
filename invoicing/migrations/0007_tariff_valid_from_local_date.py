"""Tariff.valid_from becomes the day a person typed, in force from 00:00 of it in the community's zone.

It was an instant read in UTC, so "valid from 2026-03-01" entered on a UTC site started at 01:00
in Berlin. Each stored instant becomes the local date it falls on in its community's zone:

- a local midnight (what the demo and careful staff stored) keeps its meaning exactly;
- any other instant (typically 00:00 UTC = 01:00 or 02:00 in Berlin, the bug this fixes) becomes
  the day it falls on, i.e. what the person meant to type. The tariff then also covers the first
  local hours of that day; invoices already issued keep the prices they quote.

Two versions of one community that fall on the same local day cannot both stay (the day is
unique per community); the migration refuses with their ids and changes nothing, so staff delete
the one that never applied and run it again. Going back turns each day into its local midnight.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations, models


def instants_to_local_days(apps, schema_editor):
    Tariff = apps.get_model("invoicing", "Tariff")
    seen: dict[tuple[int, dt.date], int] = {}
    tariffs = list(Tariff.objects.select_related("community").order_by("community_id", "valid_from"))
    for tariff in tariffs:
        tariff.valid_on = tariff.valid_from.astimezone(ZoneInfo(tariff.community.time_zone)).date()
        other = seen.setdefault((tariff.community_id, tariff.valid_on), tariff.pk)
        if other != tariff.pk:
            raise RuntimeError(
                f"Tariffs {other} and {tariff.pk} of community {tariff.community.slug!r} both start on "
                f"{tariff.valid_on} in {tariff.community.time_zone}; a tariff now starts on a day. "
                "Delete the one that never applied, then migrate again."
            )
    Tariff.objects.bulk_update(tariffs, ["valid_on"])


def local_days_to_instants(apps, schema_editor):
    Tariff = apps.get_model("invoicing", "Tariff")
    tariffs = list(Tariff.objects.select_related("community"))
    for tariff in tariffs:
        zone = ZoneInfo(tariff.community.time_zone)
        tariff.valid_from = dt.datetime.combine(tariff.valid_on, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    Tariff.objects.bulk_update(tariffs, ["valid_from"])


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0004_move_meter_data_to_metering"),
        ("invoicing", "0006_payments"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="tariff", name="one_tariff_per_community_and_start"),
        migrations.AddField(model_name="tariff", name="valid_on", field=models.DateField(null=True)),
        migrations.AlterField(model_name="tariff", name="valid_from", field=models.DateTimeField(null=True)),
        migrations.RunPython(instants_to_local_days, local_days_to_instants),
        migrations.RemoveField(model_name="tariff", name="valid_from"),
        migrations.RenameField(model_name="tariff", old_name="valid_on", new_name="valid_from"),
        migrations.AlterField(
            model_name="tariff",
            name="valid_from",
            field=models.DateField(
                help_text="In force from 00:00 of this day in the community's time zone until the next tariff's start."
            ),
        ),
        migrations.AddConstraint(
            model_name="tariff",
            constraint=models.UniqueConstraint(
                fields=("community", "valid_from"), name="one_tariff_per_community_and_start"
            ),
        ),
    ]
