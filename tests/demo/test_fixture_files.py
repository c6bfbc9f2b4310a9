"""The sample files under fixtures/ load and import cleanly through the real paths, and stay what the
generator (demo/fixture_files.py) writes, so the README's quick tour cannot rot."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from communities.house_import import houses_import
from communities.models import Community
from demo import fixture_files
from invoicing import services
from invoicing.models import Tariff
from invoicing.selectors.completeness import period_completeness
from metering.imports import readings_import

pytestmark = pytest.mark.django_db

FIXTURES = fixture_files.FIXTURES_DIR
# Readings each file yields: 2 houses x 2,880 quarter hours; 1 x 2,880; lh-06's 16 days of counters.
READINGS = {
    "readings-2026-09-iso.csv": 5760,
    "readings-2026-09-semicolon.csv": 5760,
    "readings-2026-09.xlsx": 2880,
    "registers-2026-09.csv": 1536,
}


@pytest.fixture(scope="module")
def generated():
    return fixture_files.file_contents()


@pytest.fixture
def lindenhof():
    call_command("loaddata", str(FIXTURES / "lindenhof.json"), verbosity=0)
    community = Community.objects.get(slug="lindenhof")
    with open(FIXTURES / fixture_files.HOUSES_FILE, "rb") as handle:
        report = houses_import(community=community, fileobj=handle)
    assert report.problems == []
    return community


def test_the_community_fixture_loads_its_community_and_tariff_and_loading_again_changes_nothing():
    call_command("loaddata", str(FIXTURES / "lindenhof.json"), verbosity=0)
    call_command("loaddata", str(FIXTURES / "lindenhof.json"), verbosity=0)

    community = Community.objects.get(slug="lindenhof")
    assert community.full_clean() is None
    assert Community.objects.count() == 1
    assert Tariff.objects.get(community=community).p_con_ct_per_kwh == 24


def test_the_houses_file_imports_six_houses_and_again_changes_nothing(lindenhof):
    assert lindenhof.houses.count() == 6

    with open(FIXTURES / fixture_files.HOUSES_FILE, "rb") as handle:
        again = houses_import(community=lindenhof, fileobj=handle)

    assert (again.new, again.updated, again.unchanged) == (0, 0, 6)


@pytest.mark.parametrize(("name", "readings"), READINGS.items())
def test_each_readings_file_imports_cleanly(lindenhof, name, readings):
    with open(FIXTURES / name, "rb") as handle:
        result = readings_import(community=lindenhof, fileobj=handle)

    assert result.errors == []
    assert (result.created, result.updated) == (readings, 0)


def test_the_four_readings_files_make_september_complete_and_billable(lindenhof):
    for name in READINGS:
        with open(FIXTURES / name, "rb") as handle:
            assert readings_import(community=lindenhof, fileobj=handle).ok

    period = services.period_get_or_create(community=lindenhof, month=fixture_files.MONTH)

    assert period_completeness(period=period).complete
    assert services.invoices_generate(period=period).created == 6


@pytest.mark.parametrize("name", [name for name in fixture_files.file_contents() if name.endswith(".csv")])
def test_the_committed_csv_files_are_what_the_generator_writes(generated, name):
    assert (FIXTURES / name).read_bytes() == generated[name]


def test_the_committed_xlsx_holds_what_the_generator_writes(generated):
    def cells(data: bytes):
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        return list(workbook.worksheets[0].iter_rows(values_only=True))

    name = "readings-2026-09.xlsx"
    assert cells((FIXTURES / name).read_bytes()) == cells(generated[name])


def test_every_sample_file_stays_small():
    sizes = {path.name: path.stat().st_size for path in FIXTURES.iterdir()}

    assert set(sizes) >= {"lindenhof.json", fixture_files.HOUSES_FILE, *READINGS}
    assert max(sizes.values()) < 1_000_000
