"""Per-community access in the admin: a staff user sees and changes only their communities' objects.

Every ModelAdmin of the apps names the lookup path from its model to the community in
``community_field`` ("community", "house__community"; "" on the community itself). Memberships are
read through the user's reverse relation ``community_memberships`` (``communities.CommunityManager``),
so this module needs no import of the apps it serves. Superusers see everything.
"""

import dataclasses
from functools import cache

from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.http import Http404

ALL = None  # "every community": what a superuser's scope is


def community_ids(request, *, writable: bool = False) -> frozenset | None:
    """The ids of the communities ``request.user`` may see (or, ``writable``, change); ``ALL`` for a superuser.

    Kept on the request: a page asks many times and the answer cannot change during it.
    """
    user = request.user
    if user.is_active and user.is_superuser:
        return ALL
    cached = getattr(request, "_leg_community_scope", None)
    if cached is None:
        memberships = getattr(user, "community_memberships", None)
        rows = list(memberships.values_list("community_id", "is_auditor")) if memberships is not None else []
        cached = (frozenset(pk for pk, _ in rows), frozenset(pk for pk, auditor in rows if not auditor))
        request._leg_community_scope = cached
    return cached[1] if writable else cached[0]


def scope_queryset(queryset, community_field: str | None, ids):
    """``queryset`` restricted to objects of the communities ``ids`` (``ALL``: unchanged)."""
    if ids is ALL:
        return queryset
    lookup = f"{community_field}__in" if community_field else "pk__in"
    return queryset.filter(**{lookup: ids})


def community_id_of(obj, community_field: str | None):
    """The id of the community ``obj`` belongs to, following ``community_field``."""
    if not community_field:
        return obj.pk
    *path, last = community_field.split("__")
    for name in path:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def scoped_admin_of(admin_site, model):
    """The registered admin of ``model`` if it is community-scoped, else ``None``."""
    model_admin = admin_site._registry.get(model)
    return model_admin if isinstance(model_admin, CommunityScopedAdminMixin) else None


class ScopedChoicesMixin:
    """For a ``RelatedFieldListFilter``: offers only the related objects the user may see."""

    def field_choices(self, field, request, model_admin):
        choices = super().field_choices(field, request, model_admin)
        related_admin = scoped_admin_of(model_admin.admin_site, field.related_model)
        ids = community_ids(request)
        if related_admin is None or ids is ALL:
            return choices
        allowed = set(
            related_admin.scoped(field.related_model._default_manager.all(), request).values_list("pk", flat=True)
        )
        return [(pk, label) for pk, label in choices if pk in allowed]


@cache
def scoped_filter_class(filter_class):
    return type(f"Scoped{filter_class.__name__}", (ScopedChoicesMixin, filter_class), {})


class CommunityScopedAdminMixin:
    """Restricts an admin to the user's communities: lists, pages, history, delete, autocomplete,
    filter choices, foreign-key choices, actions and exports (which all start from ``get_queryset``).

    An auditor membership shows the community's objects; changing or deleting one, or running an
    action on it, takes a manager membership.
    """

    community_field: str | None = None

    def scoped(self, queryset, request, *, writable: bool = False):
        return scope_queryset(queryset, self.community_field, community_ids(request, writable=writable))

    def in_scope(self, request, obj, *, writable: bool = False) -> bool:
        ids = community_ids(request, writable=writable)
        return ids is ALL or community_id_of(obj, self.community_field) in ids

    def get_queryset(self, request):
        return self.scoped(super().get_queryset(request), request)

    def has_view_permission(self, request, obj=None):
        if obj is not None and not self.in_scope(request, obj):
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self.in_scope(request, obj, writable=True):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self.in_scope(request, obj, writable=True):
            return False
        return super().has_delete_permission(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        self._get_object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def auditlog_history_view(self, request, object_id, extra_context=None):
        """django-auditlog's own ``<id>/auditlog/`` page, which does not go through ``history_view``."""
        self._get_object_or_404(request, object_id)
        return super().auditlog_history_view(request, object_id, extra_context)

    def _get_object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such object in your communities.")
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        related_admin = scoped_admin_of(self.admin_site, db_field.related_model)
        if formfield is not None and related_admin is not None and hasattr(formfield, "queryset"):
            formfield.queryset = related_admin.scoped(formfield.queryset, request, writable=True)
        return formfield

    def get_list_filter(self, request):
        return [self._scoped_filter(entry) for entry in super().get_list_filter(request)]

    def _scoped_filter(self, entry):
        """A related-field filter on a scoped model, made to offer only the user's objects."""
        name, filter_class = entry if isinstance(entry, tuple) else (entry, None)
        if not isinstance(name, str):
            return entry  # a SimpleListFilter class: it filters the scoped queryset it is given
        field = get_fields_from_path(self.model, name)[-1]
        if not field.is_relation or scoped_admin_of(self.admin_site, field.related_model) is None:
            return entry
        if filter_class is None:
            filter_class = admin.RelatedFieldListFilter
        if not issubclass(filter_class, admin.RelatedFieldListFilter):
            return entry
        return (name, scoped_filter_class(filter_class))

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        return {name: self._scoped_action(action) for name, action in actions.items()}

    def _scoped_action(self, action):
        """``action`` run only on the selected objects of communities the user manages."""
        func = action.func if dataclasses.is_dataclass(action) else action[0]

        def scoped(modeladmin, request, queryset):
            if hasattr(queryset, "model"):
                queryset = modeladmin.scoped(queryset, request, writable=True)
            else:  # a list of objects (an action run from one object's page)
                queryset = [obj for obj in queryset if modeladmin.in_scope(request, obj, writable=True)]
            return func(modeladmin, request, queryset)

        if dataclasses.is_dataclass(action):
            return dataclasses.replace(action, func=scoped)
        return (scoped, *action[1:])


class SuperuserOnlyAdminMixin:
    """For admins across communities (the task queue, the whole audit trail, users and groups):
    only superusers see them at all; what the admin below allows a superuser stays as it was."""

    @staticmethod
    def _superuser(request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request) and super().has_delete_permission(request, obj)


class CommunityImportMixin:
    """An import page whose form asks for the community: only those the user may change are offered
    (and accepted on confirm); the rows then belong to that community."""

    def create_import_form(self, request):
        return self._only_writable_communities(super().create_import_form(request), request)

    def create_confirm_form(self, request, import_form=None):
        return self._only_writable_communities(super().create_confirm_form(request, import_form), request)

    def _only_writable_communities(self, form, request):
        field = form.fields["community"]
        field.queryset = scope_queryset(field.queryset, "", community_ids(request, writable=True))
        return form
