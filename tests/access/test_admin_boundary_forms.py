"""The same boundary on what a page offers to choose from or act on: filter choices, foreign-key
choices, actions and exports, for every admin of the registry."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation
from django.test import RequestFactory

from core.admin import CommunityScopedAdminMixin

from .registry import objects_of, scoped_admins, snapshot, url

pytestmark = pytest.mark.django_db

SCOPED = [pytest.param(model, model_admin, id=model._meta.label) for model, model_admin in scoped_admins()]
SCOPED_BY_MODEL = dict(scoped_admins())


def as_manager(manager, path="/admin/"):
    request = RequestFactory().get(path)
    request.user = manager
    return request


def related_filters(response):
    """(related model, offered pks) for each filter of the list that offers related objects."""
    for spec in response.context["cl"].filter_specs:
        field = getattr(spec, "field", None)
        if getattr(spec, "lookup_choices", None) is not None and field is not None and field.is_relation:
            yield field.related_model, {pk for pk, _ in spec.lookup_choices}


@pytest.mark.parametrize(("model", "model_admin"), SCOPED)
def test_filters_offer_none_of_the_other_community(manager_client, other, model, model_admin):
    response = manager_client.get(url(model, "changelist"))

    leaks = {
        related._meta.label: offered
        & set(objects_of(related, SCOPED_BY_MODEL[related], other).values_list("pk", flat=True))
        for related, offered in related_filters(response)
        if related in SCOPED_BY_MODEL
    }

    assert not any(leaks.values()), leaks


FOREIGN_KEYS = [
    pytest.param(model, model_admin, field, id=f"{model._meta.label}.{field.name}")
    for model, model_admin in scoped_admins()
    for field in model._meta.fields
    if field.many_to_one and isinstance(SCOPED_BY_MODEL.get(field.related_model), CommunityScopedAdminMixin)
]


@pytest.mark.parametrize(("model", "model_admin", "field"), FOREIGN_KEYS)
def test_foreign_key_choices_offer_none_of_the_other_community(manager, own, other, model, model_admin, field):
    related_admin = SCOPED_BY_MODEL[field.related_model]

    formfield = model_admin.formfield_for_foreignkey(field, as_manager(manager))
    offered = set(formfield.queryset.values_list("pk", flat=True))

    assert offered & set(objects_of(field.related_model, related_admin, own).values_list("pk", flat=True))
    assert offered.isdisjoint(objects_of(field.related_model, related_admin, other).values_list("pk", flat=True))


def test_the_add_page_offers_only_own_communities(manager_client, own, other):
    from communities.models import House

    form = manager_client.get(url(House, "add")).context["adminform"].form

    assert list(form.fields["community"].queryset) == [own]


@pytest.mark.parametrize(("model", "model_admin"), SCOPED)
def test_no_action_touches_the_other_community(manager_client, manager, other, model, model_admin):
    actions = model_admin.get_actions(as_manager(manager), ActionLocation.CHANGE_LIST)
    theirs = list(objects_of(model, model_admin, other).values_list("pk", flat=True))
    before = snapshot(other)

    for action in actions:
        manager_client.post(url(model, "changelist"), {"action": action, ACTION_CHECKBOX_NAME: theirs, "post": "yes"})

    assert snapshot(other) == before


@pytest.mark.parametrize(("model", "model_admin"), [p for p in SCOPED if hasattr(p.values[1], "get_export_queryset")])
def test_exports_hold_none_of_the_other_community(manager, own, other, model, model_admin):
    exported = set(
        model_admin.get_export_queryset(as_manager(manager, url(model, "changelist"))).values_list("pk", flat=True)
    )

    assert exported >= set(objects_of(model, model_admin, own).values_list("pk", flat=True))
    assert exported.isdisjoint(objects_of(model, model_admin, other).values_list("pk", flat=True))
