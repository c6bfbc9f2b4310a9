"""Reads about communities that the other apps share."""

from .models import Community


def visible_communities(user):
    """The communities ``user`` may see on overview pages such as the admin index's dashboard.

    The one place that answers it: for now every staff user sees every community (and anybody
    else none); per-community access changes this function only.
    """
    if not (user.is_active and user.is_staff):
        return Community.objects.none()
    return Community.objects.all()
