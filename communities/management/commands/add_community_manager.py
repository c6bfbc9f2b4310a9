"""``manage.py add_community_manager USERNAME SLUG [--auditor]``: give a staff user a community."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from communities.access import community_manager_add
from communities.models import Community


class Command(BaseCommand):
    help = (
        "Let USERNAME see and change the community SLUG in the admin (its houses, readings, tariffs, "
        "periods, invoices and payments), in the group 'Community manager'; with --auditor, only see it "
        "(group 'Auditor'). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("slug", help="The community's slug, e.g. sonnenfeld.")
        parser.add_argument("--auditor", action="store_true", help="Read-only: view permissions only.")

    def handle(self, *args, username, slug, auditor, **options):
        try:
            membership, created = community_manager_add(username=username, community_slug=slug, auditor=auditor)
        except get_user_model().DoesNotExist:
            raise CommandError(_("No user %(username)r: create it first.") % {"username": username}) from None
        except Community.DoesNotExist:
            raise CommandError(_("No community with the slug %(slug)r.") % {"slug": slug}) from None
        values = {
            "username": username,
            "role": _("auditor") if auditor else _("manager"),
            "community": membership.community,
        }
        if created:
            self.stdout.write(self.style.SUCCESS(_("%(username)s is now %(role)s of %(community)s.") % values))
        else:
            self.stdout.write(_("%(username)s is %(role)s of %(community)s (already a member).") % values)
