"""``manage.py export``: the library's generic export, written by the spreadsheet-safe formats."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from invoicing.models import Tariff
from tests.factories import CommunityFactory, HouseFactory, TariffFactory

pytestmark = pytest.mark.django_db


def export(*args) -> str:
    out = StringIO()
    call_command("export", *args, stdout=out)
    return out.getvalue()


def test_the_generic_export_neutralises_formula_cells():
    HouseFactory(house_id="@SUM(A1)", name="=1+2")

    text = export("csv", "communities.House")

    assert "'@SUM(A1)" in text and "'=1+2" in text


def test_the_generic_export_writes_a_decimal_point_in_any_language():
    TariffFactory(community=CommunityFactory(), p_pv_ct_per_kwh=Decimal("20.5"))

    with translation.override("de"):
        text = export("csv", "invoicing.Tariff")

    assert ",20.5," in text and Tariff.objects.count() == 1


def test_the_generic_export_refuses_unsafe_formats():
    with pytest.raises(CommandError, match="use csv, xlsx or json"):
        export("html", "communities.House")
