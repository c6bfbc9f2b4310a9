import pytest
from django.test import override_settings
from django.utils import translation


@pytest.fixture(params=["en", "de"])
def language(request):
    """Runs a test under LANGUAGE_CODE en and de: nothing the import reads may depend on it."""
    with override_settings(LANGUAGE_CODE=request.param), translation.override(request.param):
        yield request.param
