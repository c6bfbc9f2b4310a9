"""Houses in bulk (communities/house_import.py): create, update, idempotence and the refusals, all or nothing."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from communities.house_import import HouseResource, houses_import
from communities.models import House
from tests.factories import CommunityFactory, HouseFactory

pytestmark = pytest.mark.django_db

HEADER = "house_id,name,owner_name,address,email,meter_id,active_from,active_until"
ANNA = 'house_1,Lindenweg 1,Anna Beispiel,"Lindenweg 1\n12345 Dorf",anna@example.org,1ESY001,2026-01-01,'
BERND = "house_2,Lindenweg 2,Bernd Beispiel,Lindenweg 2,bernd@example.org,,2026-09-15,"


@pytest.fixture
def community():
    return CommunityFactory(slug="lindenhof")


def run(community, *lines, dry_run=False, encoding="utf-8"):
    data = ("\n".join(lines) + "\n").encode(encoding)
    return houses_import(community=community, fileobj=io.BytesIO(data), dry_run=dry_run)


def problems(report):
    return [(problem.row, problem.column) for problem in report.problems]


def test_a_file_creates_its_houses_with_every_column(community):
    report = run(community, HEADER, ANNA, BERND)

    assert (report.ok, report.new, report.updated, report.unchanged) == (True, 2, 0, 0)
    anna = House.objects.get(community=community, house_id="house_1")
    assert (anna.name, anna.owner_name, anna.address) == ("Lindenweg 1", "Anna Beispiel", "Lindenweg 1\n12345 Dorf")
    assert (anna.email, anna.meter_id, anna.active_from, anna.active_until) == (
        "anna@example.org",
        "1ESY001",
        dt.date(2026, 1, 1),
        None,
    )


def test_importing_the_same_file_again_changes_nothing(community):
    run(community, HEADER, ANNA, BERND)

    again = run(community, HEADER, ANNA, BERND)

    assert (again.ok, again.new, again.updated, again.unchanged) == (True, 0, 0, 2)
    assert not again.changed_anything


def test_a_row_of_a_known_house_id_updates_owner_address_email_meter_and_membership(community):
    house = HouseFactory(community=community, house_id="house_1", active_from=dt.date(2025, 1, 1))
    row = "house_1,Lindenweg 1a,Carla Neu,Lindenweg 1a,carla@example.org,1ESY999,2025-02-01,2026-12-31"

    report = run(community, HEADER, row)

    assert (report.new, report.updated) == (0, 1)
    house.refresh_from_db()
    assert (house.name, house.owner_name, house.address, house.email, house.meter_id) == (
        "Lindenweg 1a",
        "Carla Neu",
        "Lindenweg 1a",
        "carla@example.org",
        "1ESY999",
    )
    assert (house.active_from, house.active_until) == (dt.date(2025, 2, 1), dt.date(2026, 12, 31))


def test_columns_left_out_of_the_file_keep_their_stored_values(community):
    HouseFactory(community=community, house_id="house_1", email="old@example.org", meter_id="1ESY001")

    report = run(community, "house_id,owner_name", "house_1,Carla Neu")

    house = House.objects.get(house_id="house_1")
    assert report.updated == 1
    assert (house.owner_name, house.email, house.meter_id) == ("Carla Neu", "old@example.org", "1ESY001")


def test_a_house_id_twice_in_the_file_is_refused_naming_both_rows_and_nothing_is_written(community):
    report = run(community, HEADER, ANNA, BERND, ANNA.replace("Anna", "Anne"))

    assert problems(report) == [(4, "house_id")]
    assert "already in row 2" in report.problems[0].message
    assert House.objects.count() == 0


def test_a_bad_email_is_refused_with_its_row_and_column_and_nothing_is_written(community):
    report = run(community, HEADER, ANNA, BERND.replace("bernd@example.org", "bernd@example"))

    assert problems(report) == [(3, "email")]
    assert report.problems[0].value == "bernd@example"
    assert str(report.problems[0]).startswith("Row 3, email 'bernd@example': ")
    assert House.objects.count() == 0


def test_a_date_that_does_not_parse_is_refused_with_how_to_write_it(community):
    report = run(community, HEADER, BERND.replace("2026-09-15", "15/09/2026"))

    assert problems(report) == [(2, "active_from")]
    assert "YYYY-MM-DD" in report.problems[0].message


def test_german_dates_are_read_too(community):
    run(community, HEADER, BERND.replace("2026-09-15", "15.09.2026"))

    assert House.objects.get().active_from == dt.date(2026, 9, 15)


def test_a_row_naming_an_unknown_community_is_refused(community):
    report = run(community, "community," + HEADER, "nowhere," + ANNA)

    assert problems(report) == [(2, "community")]
    assert "There is no community nowhere" in report.problems[0].message
    assert House.objects.count() == 0


def test_a_row_of_another_community_is_refused_and_its_house_stays(community):
    other = CommunityFactory(slug="sonnenfeld")
    HouseFactory(community=other, house_id="house_1", owner_name="Jörg Müller")

    report = run(community, "community," + HEADER, "sonnenfeld," + ANNA)

    assert problems(report) == [(2, "community")]
    assert "Import it into sonnenfeld" in report.problems[0].message
    assert House.objects.get().owner_name == "Jörg Müller"


def test_a_meter_id_another_house_has_is_refused_by_the_model_rules(community):
    HouseFactory(community=CommunityFactory(slug="other"), meter_id="1ESY001")

    report = run(community, HEADER, ANNA)

    assert problems(report) == [(2, "meter_id")]
    assert report.problems[0].message == "Another house already has this meter ID."


def test_active_until_before_active_from_is_refused(community):
    report = run(community, HEADER, BERND.rstrip(",") + ",2026-09-01")

    assert [problem.row for problem in report.problems] == [2]
    assert "cannot be before" in report.problems[0].message


def test_a_new_house_without_its_required_columns_is_refused(community):
    report = run(community, "house_id,owner_name", "house_9,Carla Neu")

    assert {column for _, column in problems(report)} == {"name", "address", "active_from"}


def test_a_dry_run_counts_what_would_change_and_writes_nothing(community):
    report = run(community, HEADER, ANNA, BERND, dry_run=True)

    assert (report.ok, report.new) == (True, 2)
    assert House.objects.count() == 0


def test_a_header_without_house_id_is_refused_once_for_the_whole_file(community):
    report = run(community, "name,owner_name", "A,B", "C,D")

    assert problems(report) == [(1, "")]
    assert "no column house_id" in report.problems[0].message


def test_headers_are_read_in_any_case_and_spelling_from_a_semicolon_file_in_windows_1252(community):
    header = "House ID;Name;Owner name;Address;E-Mail;Meter-ID;Active from;Active until"

    report = run(
        community, header, "house_1;Mühlweg 1;Käthe Schäfer;Mühlweg 1;k@example.org;;01.01.2026;", encoding="cp1252"
    )

    assert (report.ok, report.new) == (True, 1)
    assert House.objects.get().owner_name == "Käthe Schäfer"


def test_an_empty_line_between_houses_is_neither_a_house_nor_an_unchanged_one(community):
    run(community, HEADER, ANNA, BERND)

    report = run(community, HEADER, ANNA, ",,,,,,,", BERND)

    assert (report.rows, report.unchanged) == (2, 2)


def test_an_empty_line_between_houses_is_skipped_without_shifting_row_numbers(community):
    report = run(community, HEADER, ANNA, ",,,,,,,", BERND.replace("bernd@example.org", "x"))

    assert problems(report) == [(4, "email")]


def test_an_xlsx_file_with_date_cells_and_a_numeric_meter_id_imports(community):
    workbook = Workbook()
    workbook.active.append(HEADER.split(","))
    workbook.active.append(["house_1", "Lindenweg 1", "Anna", "Lindenweg 1", "", 1160123456, dt.datetime(2026, 1, 1)])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)

    report = houses_import(community=community, fileobj=data)

    house = House.objects.get()
    assert (report.ok, house.meter_id, house.active_from) == (True, "1160123456", dt.date(2026, 1, 1))
    data.seek(0)
    assert houses_import(community=community, fileobj=data).unchanged == 1


def test_an_export_imports_back_unchanged(community):
    run(community, HEADER, ANNA, BERND)

    exported = HouseResource().export(House.objects.all()).csv

    assert exported.splitlines()[0] == "community," + HEADER
    report = houses_import(community=community, fileobj=io.BytesIO(exported.encode()))
    assert (report.ok, report.unchanged) == (True, 2)


def test_an_old_excel_file_is_refused_as_a_whole(community):
    report = houses_import(community=community, fileobj=io.BytesIO(b"\xd0\xcf\x11\xe0" + b"\x00" * 100))

    assert problems(report) == [(0, "")]
    assert "Save it as XLSX or CSV" in report.problems[0].message
