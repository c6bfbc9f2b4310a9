"""Lookups shared by the invoicing commands, turning bad input into a CommandError that says what to do."""

from django.core.management.base import CommandError

from communities.models import Community
from core.local_time import parse_period_id

from ...models import SettlementPeriod


def checked_period_id(month: str) -> str:
    try:
        parse_period_id(month)
    except ValueError as error:
        raise CommandError(str(error)) from None
    return month


def existing_period(community: Community, month: str) -> SettlementPeriod:
    try:
        return SettlementPeriod.objects.get(community=community, month=checked_period_id(month))
    except SettlementPeriod.DoesNotExist:
        raise CommandError(
            f"{community.slug} has no period {month}; create it with "
            f"`manage.py generate_invoices --community {community.slug} --period {month}`."
        ) from None
