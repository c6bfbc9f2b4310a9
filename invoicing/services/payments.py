from django.db import transaction

from .. import lifecycle
from ..models import Invoice


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, acting_user=None) -> Invoice:
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    lifecycle.transition(obj=locked, to_status=Invoice.Status.PAID, actor=acting_user)
    return locked
