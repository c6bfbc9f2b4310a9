from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.management.lookups import community_by_slug

from ... import selectors, services
from ._arguments import existing_period


class Command(BaseCommand):
    help = gettext_lazy(
        "E-mail a month's issued invoices (and the cancellation notes of e-mailed invoices) to their members, "
        "each with its PDF, through the task cluster (django-q2). Documents already queued or sent are not "
        "sent again, so a second run queues nothing; failed ones are resent from the admin. Houses without "
        "an e-mail address are listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help=gettext_lazy("Community slug."))
        parser.add_argument("--period", required=True, help=gettext_lazy("Month as YYYY-MM."))

    def handle(self, *args, community, period, **options):
        settlement_period = existing_period(community_by_slug(community), period)
        try:
            report = services.deliveries_queue(period=settlement_period, actor_name="send_invoices command")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for delivery in report.queued:
            self.stdout.write(
                _("Queued %(number)s to %(recipient)s")
                % {"number": delivery.document_number, "recipient": delivery.recipient}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(period)s: %(count)d e-mails queued.") % {"period": settlement_period, "count": len(report.queued)}
            )
        )
        if report.without_email:
            self.stdout.write(self.style.WARNING(_("Houses without an e-mail address (not sent):")))
            for house in report.without_email:
                self.stdout.write(f"  {house}")
        summary = selectors.period_deliveries(period=settlement_period)
        self.stdout.write(
            _("E-mails of %(period)s so far: %(summary)s.") % {"period": settlement_period, "summary": summary}
        )
