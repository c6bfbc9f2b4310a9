"""The client address the login throttle uses, behind 0, 1 or 2 trusted proxies."""

import pytest
from django.test import RequestFactory

from core.client_ip import client_ip


def request_from(remote_addr, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.LEG_TRUSTED_PROXIES = 0

    assert client_ip(request_from("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_behind_one_proxy_the_address_it_appended_is_the_client(settings):
    settings.LEG_TRUSTED_PROXIES = 1

    assert client_ip(request_from("10.0.0.2", "203.0.113.9")) == "203.0.113.9"


def test_an_address_the_client_wrote_itself_is_ignored(settings):
    settings.LEG_TRUSTED_PROXIES = 1

    assert client_ip(request_from("10.0.0.2", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"), [("1.1.1.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"), ("", "10.0.0.2")]
)
def test_behind_two_proxies_the_second_from_the_right_is_the_client(settings, forwarded, expected):
    settings.LEG_TRUSTED_PROXIES = 2

    assert client_ip(request_from("10.0.0.2", forwarded)) == expected
