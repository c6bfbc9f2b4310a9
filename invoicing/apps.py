from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = _("Invoicing")

    def ready(self):
        from core.audit import audit
        from core.log_context import connect_task_signals

        from . import receivers
        from .models import CancellationNote, Invoice, InvoiceDelivery, Payment, SettlementPeriod, Tariff

        audit(Tariff, SettlementPeriod, Invoice, CancellationNote, Payment, InvoiceDelivery)
        # The lines a django-q2 task logs carry its id (the tasks are invoicing's).
        connect_task_signals()
        # An import's months get their page figures computed in the background.
        receivers.connect()
