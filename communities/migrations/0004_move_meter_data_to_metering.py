from django.db import migrations


class Migration(migrations.Migration):
    """Meter data moved to the ``metering`` app: gone from this app's state, its tables stay as they are.

    ``metering.0001_initial`` takes the models over (same ``db_table``), so no row moves.
    """

    dependencies = [
        ("communities", "0003_meter_data_import"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="MeterReading"),
                migrations.DeleteModel(name="FrozenRange"),
                migrations.DeleteModel(name="MeterChange"),
                migrations.DeleteModel(name="RegisterState"),
                migrations.DeleteModel(name="ImportJob"),
            ],
            database_operations=[],
        ),
    ]
