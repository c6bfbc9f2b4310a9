from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self):
        from core.audit import audit

        from .models import CancellationNote, Invoice, InvoiceDelivery, Payment, SettlementPeriod, Tariff

        audit(Tariff, SettlementPeriod, Invoice, CancellationNote, Payment, InvoiceDelivery)
