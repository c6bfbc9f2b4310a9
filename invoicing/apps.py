from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self):
        from core.audit import audit
        from core.log_context import connect_task_signals

        from .models import CancellationNote, Invoice, InvoiceDelivery, Payment, SettlementPeriod, Tariff

        audit(Tariff, SettlementPeriod, Invoice, CancellationNote, Payment, InvoiceDelivery)
        # The lines a django-q2 task logs carry its id (the tasks are invoicing's).
        connect_task_signals()
