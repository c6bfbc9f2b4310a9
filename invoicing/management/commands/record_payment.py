import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.formatting import eur

from ... import services
from ._payments import acting, add_common_arguments, invoice_by_number


class Command(BaseCommand):
    help = (
        "Record a payment on an issued invoice, as the bank statement shows it: the amount in euros (60.03), "
        "the date, the bank reference. The invoice becomes paid when its payments cover it."
    )

    def add_arguments(self, parser):
        add_common_arguments(parser)
        parser.add_argument(
            "--amount", required=True, help="Euros and cents without a sign, e.g. 60.03 (less is a partial payment)."
        )
        parser.add_argument("--date", default="", help="Day paid as YYYY-MM-DD (default: today in the site's zone).")
        parser.add_argument("--reference", required=True, help="Bank reference, as on the statement.")

    def handle(self, *args, invoice, community, user, amount, date, reference, **options):
        target = invoice_by_number(invoice, community)
        acting_user, actor_name = acting(user, "record_payment")
        try:
            paid_on = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date {date!r} is not a day; write it as YYYY-MM-DD.") from None
        try:
            payment = services.payment_record(
                invoice=target,
                paid_on=paid_on,
                amount_ct=services.eur_to_ct(amount),
                reference=reference,
                acting_user=acting_user,
                actor_name=actor_name,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        outstanding = services.invoice_outstanding_ct(invoice=target)
        self.stdout.write(
            self.style.SUCCESS(
                f"Recorded {eur(payment.amount_ct)} paid on {paid_on:%Y-%m-%d} (reference {payment.reference}) "
                f"on {target.number}: now {target.status}, {eur(outstanding)} outstanding."
            )
        )
