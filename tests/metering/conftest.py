import pytest
from django.test import override_settings
from django.utils import translation

from tests.factories import CommunityFactory, HouseFactory


@pytest.fixture(params=["en", "de"])
def language(request):
    """Runs a test under LANGUAGE_CODE en and de: nothing the import reads may depend on it."""
    with override_settings(LANGUAGE_CODE=request.param), translation.override(request.param):
        yield request.param


@pytest.fixture
def community():
    """A UTC community with house_1 and house_2 (modules with other needs define their own)."""
    community = CommunityFactory(slug="sonnenfeld", time_zone="UTC")
    HouseFactory(community=community, house_id="house_1")
    HouseFactory(community=community, house_id="house_2")
    return community


@pytest.fixture
def berlin():
    community = CommunityFactory(slug="berlin", time_zone="Europe/Berlin")
    HouseFactory(community=community, house_id="house_1")
    return community
