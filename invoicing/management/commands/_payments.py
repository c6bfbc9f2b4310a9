"""What record_payment and undo_payment share: finding the invoice, and who is acting."""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from ...models import Invoice


def add_common_arguments(parser) -> None:
    parser.add_argument("--invoice", required=True, help="Invoice number, e.g. INV-2026-001.")
    parser.add_argument(
        "--community", default="", help="Community slug; needed only when several communities use the number."
    )
    parser.add_argument("--user", default="", help="Staff user name to record (default: your login name).")


def invoice_by_number(number: str, community: str) -> Invoice:
    invoices = Invoice.objects.filter(number=number).select_related("community")
    if community:
        invoices = invoices.filter(community__slug=community)
    found = list(invoices[:2])
    if not found:
        where = f" in {community}" if community else ""
        raise CommandError(f"No issued invoice {number}{where}.")
    if len(found) > 1:
        slugs = ", ".join(sorted(invoice.community.slug for invoice in invoices))
        raise CommandError(f"{number} exists in several communities ({slugs}); add --community.")
    return found[0]


def acting(user: str, command: str):
    """The staff user named by ``--user``, or none and the OS user's name with the command's."""
    if not user:
        return None, f"{getpass.getuser()} ({command} command)"
    acting_user = get_user_model().objects.filter(username=user, is_staff=True).first()
    if acting_user is None:
        raise CommandError(f"No staff user {user!r}.")
    return acting_user, ""
