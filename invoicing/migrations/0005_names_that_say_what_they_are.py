"""Invoice.invoice_id and SettlementPeriod.period_id read like foreign keys; they are the invoice's
number and the period's month.

The columns are renamed in place, no data moves. PostgreSQL and SQLite (RENAME COLUMN) carry the
constraints and indexes over to the new column names themselves, so the constraints and the
ordering that name the fields are updated in Django's state only, not dropped and rebuilt.
"""

from django.db import migrations, models

NUMBER_EXACTLY_WHEN_ISSUED = models.Q(
    models.Q(("status", "draft"), ("number__isnull", True), ("issued_at__isnull", True)),
    models.Q(models.Q(("status", "draft"), _negated=True), ("number__isnull", False), ("issued_at__isnull", False)),
    _connector="OR",
)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0004_statement_document"),
    ]

    operations = [
        migrations.RenameField(model_name="invoice", old_name="invoice_id", new_name="number"),
        migrations.RenameField(model_name="settlementperiod", old_name="period_id", new_name="month"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterModelOptions(name="settlementperiod", options={"ordering": ["community", "-month"]}),
                migrations.RemoveConstraint(model_name="invoice", name="invoice_number_unique_per_community"),
                migrations.RemoveConstraint(model_name="invoice", name="invoice_number_exactly_when_issued"),
                migrations.RemoveConstraint(model_name="settlementperiod", name="one_period_per_community_and_month"),
                migrations.AddConstraint(
                    model_name="invoice",
                    constraint=models.UniqueConstraint(
                        fields=("community", "number"), name="invoice_number_unique_per_community"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="invoice",
                    constraint=models.CheckConstraint(
                        condition=NUMBER_EXACTLY_WHEN_ISSUED, name="invoice_number_exactly_when_issued"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="settlementperiod",
                    constraint=models.UniqueConstraint(
                        fields=("community", "month"), name="one_period_per_community_and_month"
                    ),
                ),
            ],
        ),
    ]
