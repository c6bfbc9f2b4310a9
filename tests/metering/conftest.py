import pytest
from django.test import override_settings
from django.utils import translation

from metering.imports import checks, engine, jobs, parsing, registers, rows, source
from tests.factories import CommunityFactory, HouseFactory

# The modules that word the import's row errors and refusals.
MESSAGE_MODULES = (checks, engine, jobs, parsing, registers, rows, source)


def _untranslated_ngettext(singular: str, plural: str, number: int) -> str:
    return singular if number == 1 else plural


@pytest.fixture(params=["en", "de"])
def language(request, monkeypatch):
    """Runs a test under LANGUAGE_CODE en and de: nothing the import reads may depend on it.

    The row errors keep their English wording and numbers in both runs, so one assertion checks
    both; their German wording is checked in tests/test_german_refusals.py.
    """
    for module in MESSAGE_MODULES:
        monkeypatch.setattr(module, "gettext", translation.gettext_noop)
        if hasattr(module, "ngettext"):
            monkeypatch.setattr(module, "ngettext", _untranslated_ngettext)
        if hasattr(module, "active_language"):  # months and counts in the messages
            monkeypatch.setattr(module, "active_language", lambda: "en")
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
