from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.formatting import eur

from ... import services
from ._payments import acting, add_common_arguments, invoice_by_number


class Command(BaseCommand):
    help = (
        "Undo a payment booked by mistake, with a reason kept in the invoice's history. The payment stays "
        "listed as undone; a paid invoice that is no longer covered becomes pending again."
    )

    def add_arguments(self, parser):
        add_common_arguments(parser)
        parser.add_argument("--reason", required=True, help="Why, e.g. 'Direct debit returned'.")
        parser.add_argument(
            "--payment", type=int, default=None, help="Payment id; needed only when the invoice has several."
        )

    def handle(self, *args, invoice, community, user, reason, payment, **options):
        target = invoice_by_number(invoice, community)
        acting_user, actor_name = acting(user, "undo_payment")
        active = target.payments.active()
        if payment is not None:
            active = active.filter(pk=payment)
        found = list(active)
        if not found:
            raise CommandError(f"{target.number} has no payment to undo" + (f" with id {payment}." if payment else "."))
        if len(found) > 1:
            listed = "; ".join(f"id {p.pk}: {eur(p.amount_ct)} on {p.paid_on:%Y-%m-%d}, {p.reference}" for p in found)
            raise CommandError(f"{target.number} has {len(found)} payments ({listed}); choose one with --payment.")
        try:
            undone = services.payment_undo(
                payment=found[0], reason=reason, acting_user=acting_user, actor_name=actor_name
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        target.refresh_from_db(fields=["status"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Undid {eur(undone.amount_ct)} (reference {undone.reference}) on {target.number}: now {target.status}."
            )
        )
