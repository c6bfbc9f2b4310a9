"""Reads about communities that the other apps share."""

from .models import Community


def visible_communities(user):
    """The communities ``user`` may see on overview pages such as the admin index's dashboard.

    A superuser sees every community; other staff the communities they manage or audit
    (``CommunityManager``), the same scope as the admin's lists; anybody else none.
    """
    if not (user.is_active and user.is_staff):
        return Community.objects.none()
    if user.is_superuser:
        return Community.objects.all()
    return Community.objects.filter(managers__user=user)
