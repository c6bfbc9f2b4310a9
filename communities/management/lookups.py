"""Lookups the management commands of every app share, turning bad input into a CommandError that says what to do."""

from django.core.management.base import CommandError

from communities.models import Community


def community_by_slug(slug: str) -> Community:
    """The community named by ``--community``; an unknown slug lists the known ones."""
    try:
        return Community.objects.get(slug=slug)
    except Community.DoesNotExist:
        known = ", ".join(Community.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
        raise CommandError(f"No community with slug {slug!r}. Known communities: {known}.") from None
