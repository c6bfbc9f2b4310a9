"""django-axes locks out a username from one client address after too many failed logins."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse

LOGIN = "admin:login"


@pytest.fixture
def staff_login(db):
    return get_user_model().objects.create_user("kassenwart", password="right-password-42", is_staff=True)


def log_in(client, password, address="203.0.113.9", forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse(LOGIN), {"username": "kassenwart", "password": password}, **extra)


def fail_until_locked(client, settings, **where):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong", **where)


def test_too_many_failures_lock_out_even_the_right_password(client, settings, staff_login):
    fail_until_locked(client, settings)

    response = log_in(client, "right-password-42")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_out_is_for_that_address_only(client, settings, staff_login):
    fail_until_locked(client, settings)

    response = log_in(client, "right-password-42", address="198.51.100.4")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_login.pk)


def test_behind_the_proxy_the_real_client_is_locked_out_not_the_proxy(client, settings, staff_login):
    settings.LEG_TRUSTED_PROXIES = 1
    fail_until_locked(client, settings, address="10.0.0.2", forwarded="203.0.113.9")

    locked = log_in(client, "right-password-42", address="10.0.0.2", forwarded="203.0.113.9")
    other_client = log_in(client, "right-password-42", address="10.0.0.2", forwarded="198.51.100.4")

    assert locked.status_code == 429
    assert other_client.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"


def test_superusers_see_the_lock_outs_in_the_admin(client, admin_client, settings, staff_login):
    fail_until_locked(client, settings)

    response = admin_client.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 200
    assert "kassenwart" in response.content.decode()
