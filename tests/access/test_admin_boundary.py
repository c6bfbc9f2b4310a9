"""Every admin of the registry keeps a manager of one community out of another community's objects,
page by page: list, change page, history, delete, object pages, autocomplete, filters, foreign-key
choices, actions and exports. A new admin without ``community_field`` and the scoping mixin fails
the first test; one whose model has no object in ``billed_month`` fails the second."""

import pytest
from django.urls import reverse

from .registry import SUPERUSER_ONLY, community_path_problem, objects_of, registered, scoped_admins, snapshot, url

pytestmark = pytest.mark.django_db

SCOPED = [pytest.param(model, model_admin, id=model._meta.label) for model, model_admin in scoped_admins()]
CORE_PAGES = {"changelist", "add", "change", "delete", "history", "autocomplete"}


def test_every_admin_is_scoped_to_communities_or_for_superusers_only():
    problems = {
        model._meta.label: problem
        for model, model_admin in registered()
        if model._meta.label not in SUPERUSER_ONLY and (problem := community_path_problem(model, model_admin))
    }

    assert problems == {}


@pytest.mark.parametrize(("model", "model_admin"), SCOPED)
def test_both_communities_have_objects_of_every_scoped_admin(model, model_admin, own, other):
    assert objects_of(model, model_admin, own).exists(), f"build a {model._meta.label} in billed_month()"
    assert objects_of(model, model_admin, other).exists(), f"build a {model._meta.label} in billed_month()"


@pytest.mark.parametrize("label", sorted(SUPERUSER_ONLY))
def test_superuser_only_admins_refuse_a_manager(manager_client, label):
    model = next(model for model, _ in registered() if model._meta.label == label)

    assert manager_client.get(url(model, "changelist")).status_code == 403


@pytest.mark.parametrize(("model", "model_admin"), SCOPED)
def test_the_list_shows_own_objects_and_none_of_the_other_community(manager_client, own, other, model, model_admin):
    listed = set(manager_client.get(url(model, "changelist")).context["cl"].queryset.values_list("pk", flat=True))

    assert listed >= set(objects_of(model, model_admin, own).values_list("pk", flat=True))
    assert listed.isdisjoint(objects_of(model, model_admin, other).values_list("pk", flat=True))


@pytest.mark.parametrize(("model", "model_admin"), SCOPED)
def test_a_change_page_of_the_other_community_is_not_shown(manager_client, own, other, model, model_admin):
    mine = objects_of(model, model_admin, own).first()
    theirs = objects_of(model, model_admin, other).first()

    assert manager_client.get(url(model, "change", mine.pk)).status_code == 200
    response = manager_client.get(url(model, "change", theirs.pk))
    assert response.status_code == 404 or response.url == reverse("admin:index")


@pytest.mark.parametrize(("model", "model_admin"), SCOPED)
def test_the_history_of_an_object_of_the_other_community_is_404(manager_client, own, other, model, model_admin):
    mine = objects_of(model, model_admin, own).first()
    theirs = objects_of(model, model_admin, other).first()

    assert manager_client.get(url(model, "history", mine.pk)).status_code == 200
    assert manager_client.get(url(model, "history", theirs.pk)).status_code == 404


@pytest.mark.parametrize(("model", "model_admin"), SCOPED)
def test_an_object_of_the_other_community_cannot_be_deleted(manager_client, other, model, model_admin):
    theirs = objects_of(model, model_admin, other).first()

    response = manager_client.post(url(model, "delete", theirs.pk), {"post": "yes"})

    assert response.status_code in (302, 403, 404)
    assert model._default_manager.filter(pk=theirs.pk).exists()


def object_pages(model_admin):
    """The admin's own named pages of one object (PDF downloads, cancel, payments, statement files)."""
    for pattern in model_admin.get_urls():
        route, name = str(pattern.pattern), pattern.name
        if name and route.startswith("<path:object_id>/") and name.rsplit("_", 1)[-1] not in CORE_PAGES:
            yield name, [converter for converter in pattern.pattern.converters if converter != "object_id"]


OBJECT_PAGES = [
    pytest.param(model, model_admin, name, extra, id=name)
    for model, model_admin in scoped_admins()
    for name, extra in object_pages(model_admin)
]


@pytest.mark.parametrize(("model", "model_admin", "name", "extra"), OBJECT_PAGES)
def test_object_pages_of_the_other_community_are_404(manager_client, other, model, model_admin, name, extra):
    theirs = objects_of(model, model_admin, other).first()
    page = reverse(f"admin:{name}", kwargs={"object_id": theirs.pk, **dict.fromkeys(extra, "csv")})
    before = snapshot(other)

    assert manager_client.get(page).status_code == 404
    assert manager_client.post(page, {"reason": "x", "reference": "X", "amount_eur": "1"}).status_code == 404
    assert snapshot(other) == before


def autocomplete_sources():
    """For each scoped admin with a search, one foreign key pointing at its model (the widget's source)."""
    for model, model_admin in scoped_admins():
        if not model_admin.search_fields:
            continue
        for source, _ in registered():
            field = next((f for f in source._meta.fields if f.many_to_one and f.related_model is model), None)
            if field is not None:
                yield pytest.param(model, model_admin, field, id=f"{model._meta.label}<-{source._meta.label}")
                break


@pytest.mark.parametrize(("model", "model_admin", "field"), list(autocomplete_sources()))
def test_autocomplete_offers_none_of_the_other_community(manager_client, own, other, model, model_admin, field):
    query = {"app_label": field.model._meta.app_label, "model_name": field.model._meta.model_name}
    response = manager_client.get(reverse("admin:autocomplete"), {**query, "field_name": field.name, "term": ""})
    offered = {int(result["id"]) for result in response.json()["results"]}

    assert offered & set(objects_of(model, model_admin, own).values_list("pk", flat=True))
    assert offered.isdisjoint(objects_of(model, model_admin, other).values_list("pk", flat=True))
