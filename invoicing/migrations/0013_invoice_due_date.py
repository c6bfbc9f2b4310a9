"""An issued invoice's due date, stored when it is issued and frozen like the rest of it.

Invoices issued before this migration take their issue's local day plus their community's
current payment terms (the only record there is). The invoice trigger of migration 0008 is then
created again with ``due_date`` among the columns an issued invoice never changes.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations, models

from core.db_triggers import VENDORS, Refusal, RunPerVendor, changed

# Migration 0008's list, copied so that this migration reads the same whatever changes later.
INVOICE_FROZEN_COLUMNS_0008 = (
    "id",
    "community_id",
    "house_id",
    "period_id",
    "number",
    "period_start",
    "period_end",
    "energy_exported_kwh",
    "energy_imported_kwh",
    "export_revenue_ct",
    "import_cost_ct",
    "net_amount_ct",
    "recipient_name",
    "recipient_address",
    "house_name",
    "house_key",
    "created_at",
    "issued_at",
    "issued_by_id",
)
INVOICE_FROZEN_COLUMNS = (*INVOICE_FROZEN_COLUMNS_0008, "due_date")


def _content_refusal(columns) -> Refusal:
    return Refusal(
        name="leg_invoice_issued_content",
        table="invoicing_invoice",
        event="UPDATE",
        condition=f"OLD.status <> 'draft' AND {changed(*columns)}",
        message="An issued invoice never changes (only its status and PDF do); cancel it to correct it.",
    )


def fill_due_dates(apps, schema_editor):
    Invoice = apps.get_model("invoicing", "Invoice")
    issued = Invoice.objects.exclude(status="draft").filter(due_date__isnull=True).select_related("community")
    for invoice in issued.iterator():
        community = invoice.community
        local_day = invoice.issued_at.astimezone(ZoneInfo(community.time_zone)).date()
        invoice.due_date = local_day + dt.timedelta(days=community.payment_terms_days)
        invoice.save(update_fields=["due_date"])


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0012_access_permissions"),
        ("communities", "0005_issuer_details_and_meter_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="due_date",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="Set when issued: the invoice date plus the community's payment terms. "
                "Stored, so the document and later reminders agree even if the terms change.",
                null=True,
                verbose_name="due date",
            ),
        ),
        migrations.RunPython(fill_due_dates, migrations.RunPython.noop, elidable=False),
        # Forwards: the trigger with due_date; backwards: 0008's trigger again (create_sql drops first).
        RunPerVendor(
            {
                vendor: (
                    _content_refusal(INVOICE_FROZEN_COLUMNS).create_sql(vendor),
                    _content_refusal(INVOICE_FROZEN_COLUMNS_0008).create_sql(vendor),
                )
                for vendor in VENDORS
            },
            description="Refuse in the database: an issued invoice's due date changing",
        ),
    ]
