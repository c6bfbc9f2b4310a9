"""What was issued, the database keeps: triggers that refuse changing it, whatever wrote the SQL.

An issued invoice (status other than draft) keeps its content; its status moves only along the
lifecycle's issued transitions (pending -> paid, paid -> pending when a payment is undone,
pending -> cancelled) and its PDF fields are written by the renderer. Its lines, the lifecycle
events, cancellation notes and frozen statements never change; number counters never go back.

A frozen range of meter data may thaw (be deleted, or shrink) only while no invoice of its months
is issued: a close that fails before issuing anything reopens the month and deletes its range
(``services.closing.period_close_fail``), which stays possible; a month with an issued invoice
stays frozen for good. A house with issued invoices keeps its community and its house_id.

The house key is frozen on the invoice first (filled from the house for existing invoices), so
the triggers find every issued invoice complete.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from core.db_triggers import Refusal, RefuseInDatabase, changed

INVOICE = "invoicing_invoice"
ISSUED = "OLD.status <> 'draft'"
INVOICE_FROZEN_COLUMNS = (
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
ISSUED_TRANSITIONS = ("pending>paid", "paid>pending", "pending>cancelled")
EVENT_COLUMNS = ("id", "period_id", "invoice_id", "kind", "from_status", "to_status", "what", "actor_name", "at")
CANCELLATION_COLUMNS = (
    "id",
    "community_id",
    "cancelled_invoice_id",
    "corrected_by_id",
    "number",
    "reason",
    "net_amount_ct",
    "issued_at",
    "issued_by_id",
)
ALWAYS = "1 = 1"


def _invoice_of_line_issued(row: str) -> str:
    return f"(SELECT status FROM {INVOICE} WHERE id = {row}.invoice_id) <> 'draft'"


def _issued_in_range(row: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM {INVOICE} i JOIN invoicing_settlementperiod p ON p.id = i.period_id "
        f"WHERE i.community_id = {row}.community_id AND i.status <> 'draft' "
        f'AND p.start < {row}."end" AND p."end" > {row}.start)'
    )


REFUSALS = (
    Refusal(
        name="leg_invoice_issued_content",
        table=INVOICE,
        event="UPDATE",
        condition=f"{ISSUED} AND {changed(*INVOICE_FROZEN_COLUMNS)}",
        message="An issued invoice never changes (only its status and PDF do); cancel it to correct it.",
    ),
    Refusal(
        name="leg_invoice_issued_status",
        table=INVOICE,
        event="UPDATE",
        condition=f"{ISSUED} AND NEW.status <> OLD.status "
        f"AND OLD.status || '>' || NEW.status NOT IN ({', '.join(repr(t) for t in ISSUED_TRANSITIONS)})",
        message="An issued invoice only moves pending -> paid, paid -> pending or pending -> cancelled.",
    ),
    Refusal(
        name="leg_invoice_issued_delete",
        table=INVOICE,
        event="DELETE",
        condition=ISSUED,
        message="An issued invoice is never deleted; cancel it instead.",
    ),
    Refusal(
        name="leg_invoiceline_issued_insert",
        table="invoicing_invoiceline",
        event="INSERT",
        condition=_invoice_of_line_issued("NEW"),
        message="The lines of an issued invoice never change.",
    ),
    Refusal(
        name="leg_invoiceline_issued_update",
        table="invoicing_invoiceline",
        event="UPDATE",
        condition=f"{_invoice_of_line_issued('OLD')} OR {_invoice_of_line_issued('NEW')}",
        message="The lines of an issued invoice never change.",
    ),
    Refusal(
        name="leg_invoiceline_issued_delete",
        table="invoicing_invoiceline",
        event="DELETE",
        condition=_invoice_of_line_issued("OLD"),
        message="The lines of an issued invoice never change.",
    ),
    Refusal(
        # Deleting a user sets actor to NULL (the event keeps actor_name): the one change allowed.
        name="leg_lifecycleevent_update",
        table="invoicing_lifecycleevent",
        event="UPDATE",
        condition=f"NEW.actor_id IS NOT NULL OR {changed(*EVENT_COLUMNS)} OR {changed('details')}",
        message="Lifecycle events are history: they never change.",
    ),
    Refusal(
        name="leg_lifecycleevent_delete",
        table="invoicing_lifecycleevent",
        event="DELETE",
        condition=ALWAYS,
        message="Lifecycle events are history: they are never deleted.",
    ),
    Refusal(
        name="leg_numbercounter_update",
        table="invoicing_invoicenumbercounter",
        event="UPDATE",
        condition=f"NEW.last_number < OLD.last_number OR {changed('id', 'community_id', 'series', 'year')}",
        message="An invoice number counter never goes back: its numbers are given.",
    ),
    Refusal(
        name="leg_numbercounter_delete",
        table="invoicing_invoicenumbercounter",
        event="DELETE",
        condition=ALWAYS,
        message="An invoice number counter is never deleted: its numbers are given.",
    ),
    Refusal(
        name="leg_cancellationnote_update",
        table="invoicing_cancellationnote",
        event="UPDATE",
        condition=changed(*CANCELLATION_COLUMNS),
        message="A cancellation note never changes (only its PDF does).",
    ),
    Refusal(
        name="leg_cancellationnote_delete",
        table="invoicing_cancellationnote",
        event="DELETE",
        condition=ALWAYS,
        message="A cancellation note is never deleted.",
    ),
    Refusal(
        name="leg_statementdocument_update",
        table="invoicing_statementdocument",
        event="UPDATE",
        condition=changed("id", "period_id", "content_json", "frozen_at"),
        message="A closed period's statement is frozen (only its PDF changes).",
    ),
    Refusal(
        name="leg_statementdocument_delete",
        table="invoicing_statementdocument",
        event="DELETE",
        condition=ALWAYS,
        message="A closed period's statement is never deleted.",
    ),
    Refusal(
        name="leg_house_invoiced_move",
        table="communities_house",
        event="UPDATE",
        condition=f"{changed('community_id', 'house_id')} AND EXISTS "
        f"(SELECT 1 FROM {INVOICE} WHERE {INVOICE}.house_id = OLD.id AND {INVOICE}.status <> 'draft')",
        message="A house with issued invoices keeps its community and its house_id.",
    ),
    Refusal(
        name="leg_frozenrange_issued_delete",
        table="communities_frozenrange",
        event="DELETE",
        condition=_issued_in_range("OLD"),
        message="Meter data of a month with issued invoices stays frozen.",
    ),
    Refusal(
        name="leg_frozenrange_issued_shrink",
        table="communities_frozenrange",
        event="UPDATE",
        condition=f'(NEW.community_id <> OLD.community_id OR NEW.start > OLD.start OR NEW."end" < OLD."end") '
        f"AND {_issued_in_range('OLD')}",
        message="Meter data of a month with issued invoices stays frozen.",
    ),
)


def freeze_house_keys(apps, schema_editor):
    """Existing invoices take their house's current key: the best record there is of it."""
    Invoice, House = apps.get_model("invoicing", "Invoice"), apps.get_model("communities", "House")
    Invoice.objects.update(house_key=Subquery(House.objects.filter(pk=OuterRef("house_id")).values("house_id")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0007_tariff_valid_from_local_date"),
        ("metering", "0002_move_content_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="house_key",
            field=models.CharField(
                default="",
                editable=False,
                help_text="The house's identifier (house_id) when the invoice was drafted.",
                max_length=64,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(freeze_house_keys, migrations.RunPython.noop, elidable=False),
        RefuseInDatabase(*REFUSALS),
    ]
