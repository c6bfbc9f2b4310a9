"""A schedule runs any function as the server's user: only superusers may write one (issue #10, point 15)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_q.models import Schedule

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:django_q_schedule_add")


@pytest.fixture
def schedule_clerk(client, django_user_model):
    """Staff holding every django-q2 schedule permission, but not a superuser."""
    user = django_user_model.objects.create_user(username="clerk", password="secret", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="django_q", codename__endswith="schedule")
    )
    client.force_login(user)
    return client


@pytest.fixture
def schedule():
    return Schedule.objects.create(name="Close periods", func="invoicing.tasks.periods_close_due_task")


def test_staff_with_schedule_permissions_cannot_add_a_schedule(schedule_clerk):
    response = schedule_clerk.post(ADD_URL, {"name": "shell", "func": "os.system", "args": "'id'"})

    assert response.status_code == 403
    assert not Schedule.objects.filter(func="os.system").exists()


def test_staff_with_schedule_permissions_cannot_change_a_schedules_function(schedule_clerk, schedule):
    url = reverse("admin:django_q_schedule_change", args=[schedule.pk])

    response = schedule_clerk.post(url, {"name": schedule.name, "func": "os.system"})

    assert response.status_code == 403
    schedule.refresh_from_db()
    assert schedule.func == "invoicing.tasks.periods_close_due_task"


def test_staff_with_schedule_permissions_cannot_even_look(schedule_clerk, schedule):
    assert schedule_clerk.get(reverse("admin:django_q_schedule_changelist")).status_code == 403
    assert schedule_clerk.get(reverse("admin:django_q_schedule_change", args=[schedule.pk])).status_code == 403


def test_a_superuser_may_add_a_schedule(admin_client):
    assert admin_client.get(ADD_URL).status_code == 200
