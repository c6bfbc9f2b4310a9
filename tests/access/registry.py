"""The admin's registry as the boundary tests walk it: scoped admins, superuser-only ones, their objects."""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.urls import reverse

from communities.models import Community
from core.admin import CommunityScopedAdminMixin

# Admins that span every community: shown to superusers only (core.admin.SuperuserOnlyAdminMixin).
SUPERUSER_ONLY = {
    "auth.User",
    "auth.Group",
    "auditlog.LogEntry",
    "django_q.Schedule",
    "django_q.Success",
    "django_q.Failure",
    "django_q.OrmQ",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "metering.UnknownMeter",  # a meter no house claims belongs to no community yet
}


def registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def scoped_admins():
    return [(model, model_admin) for model, model_admin in registered() if model._meta.label not in SUPERUSER_ONLY]


def community_path_problem(model, model_admin) -> str | None:
    """Why ``model_admin``'s ``community_field`` does not lead to a community, or ``None``."""
    path = getattr(model_admin, "community_field", None)
    if not isinstance(model_admin, CommunityScopedAdminMixin):
        return "does not use CommunityScopedAdminMixin"
    if not any(
        "community_field" in vars(cls) for cls in type(model_admin).__mro__[:-1] if cls is not CommunityScopedAdminMixin
    ):
        return "does not set community_field"
    if not path:
        return None if model is Community else "has an empty community_field but is not the community"
    if get_fields_from_path(model, path)[-1].related_model is not Community:
        return f"community_field {path!r} does not end at Community"
    return None


def objects_of(model, model_admin, community):
    """``model``'s objects that belong to ``community``, found by the admin's declared path."""
    lookup = model_admin.community_field or "pk"
    return model._default_manager.filter(**{lookup: community.pk})


def url(model, name, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def snapshot(community):
    """Every field of every object of ``community`` the admin shows: what no action may change."""
    return {
        model._meta.label: sorted(map(repr, objects_of(model, model_admin, community).values()))
        for model, model_admin in scoped_admins()
    }
