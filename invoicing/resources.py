"""django-import-export resources of the invoicing app (export only: invoices are never imported)."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from .exports import SPEC_FIELDS, invoice_record
from .models import Invoice


class InvoiceResource(resources.ModelResource):
    """Invoices with the spec's field names in its order (section 3.1), as ``export_invoices`` writes them."""

    invoice_id = fields.Field(column_name="invoice_id", readonly=True)
    house_id = fields.Field(column_name="house_id", readonly=True)
    period_start = fields.Field(column_name="period_start", readonly=True)
    period_end = fields.Field(column_name="period_end", readonly=True)
    energy_exported_kwh = fields.Field(column_name="energy_exported_kwh", readonly=True)
    energy_imported_kwh = fields.Field(column_name="energy_imported_kwh", readonly=True)
    export_revenue_ct = fields.Field(column_name="export_revenue_ct", readonly=True)
    import_cost_ct = fields.Field(column_name="import_cost_ct", readonly=True)
    net_amount_ct = fields.Field(column_name="net_amount_ct", readonly=True)
    status = fields.Field(column_name="status", readonly=True)

    class Meta:
        model = Invoice
        fields = SPEC_FIELDS
        export_order = SPEC_FIELDS
        name = _("Invoices (the spec's exchange format)")

    def export_field(self, field, instance, **kwargs):
        # One record builder for the command, the period page and this export: the same values.
        return invoice_record(instance)[field.column_name]
