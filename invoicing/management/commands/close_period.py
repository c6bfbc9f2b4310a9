import getpass
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities.management.lookups import community_by_slug

from ... import selectors, services
from ...models import SettlementPeriod
from ._arguments import checked_period_id


class Command(BaseCommand):
    help = (
        "Close one community's month: check completeness, freeze its readings, and issue and render every "
        "invoice in the background (django-q2). --wait follows the progress until the PDFs are done. The "
        "command acts as your OS user, which is trusted to --force; with --user, that user needs the force "
        "permission."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="Community slug.")
        parser.add_argument("--period", required=True, help="Month as YYYY-MM.")
        parser.add_argument(
            "--force", action="store_true", help="Close although readings are missing (needs --reason)."
        )
        parser.add_argument("--reason", default="", help="Why a forced close is right; recorded with your name.")
        parser.add_argument(
            "--user", default="", help="Staff user name to record as the closer (default: your login name)."
        )
        parser.add_argument(
            "--resume", action="store_true", help="Re-queue what a failed or crashed close left undone."
        )
        parser.add_argument(
            "--wait", action="store_true", help="Wait and print progress until the close and its PDFs are done."
        )
        parser.add_argument("--timeout", type=int, default=1800, help="Seconds --wait waits at most (default 1800).")

    def handle(self, *args, community, period, force, reason, user, resume, wait, timeout, **options):
        community = community_by_slug(community)
        acting_user, actor_name = None, f"{getpass.getuser()} (close_period command)"
        if user:
            acting_user = get_user_model().objects.filter(username=user, is_staff=True).first()
            if acting_user is None:
                raise CommandError(f"No staff user {user!r}.")
        if reason and not force:
            raise CommandError("--reason is recorded only with --force; add --force or drop --reason.")
        try:
            settlement_period = services.period_get_or_create(community=community, month=checked_period_id(period))
            if resume:
                self.stdout.write(services.period_close_resume(period=settlement_period, acting_user=acting_user))
            elif settlement_period.status == SettlementPeriod.Status.CLOSED:
                self.stdout.write(self.style.SUCCESS(f"{settlement_period} is already closed; nothing changed."))
            else:
                start = services.period_close_start(
                    period=settlement_period, acting_user=acting_user, actor_name=actor_name, force=force, reason=reason
                )
                self.stdout.write(self.style.SUCCESS(str(start)))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if wait:
            self._wait(settlement_period, timeout)

    def _wait(self, period, timeout):
        deadline, shown = time.monotonic() + timeout, None
        while True:
            progress = selectors.period_close_progress(period=period)
            if str(progress) != shown:
                shown = str(progress)
                self.stdout.write(f"{period}: {shown}")
            if progress.status == SettlementPeriod.Status.OPEN:
                failure = selectors.period_events(period=period).last()
                raise CommandError(f"The close failed and the period is open again: {failure.details.get('error', '')}")
            if progress.finished:
                message = f"{period} closed: {progress.invoices_done} invoices, {progress.pdfs_done} PDFs"
                if progress.pdfs_failed:
                    raise CommandError(f"{message}, {progress.pdfs_failed} PDFs failed (retry them in the admin).")
                self.stdout.write(self.style.SUCCESS(message + "."))
                return
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Still not done after {timeout} s ({shown}). Is the task cluster running (`manage.py qcluster`, "
                    "started by ./dev start)?"
                )
            time.sleep(1)
