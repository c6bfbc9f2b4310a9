"""The commands ./dev start runs: load_demo (the Sonnenfeld demo) and ensure_admin_login."""

import datetime as dt
import io
import stat

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Sum

from communities.models import Community, House
from core.local_time import month_bounds
from demo import sonnenfeld
from invoicing.models import Invoice, SettlementPeriod, Tariff
from metering.models import MeterReading

BERLIN_OCTOBER_2026_QUARTER_HOURS = 2980  # 31 days x 96 + the 4 quarter hours of the repeated hour


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Community, House, Tariff, MeterReading, SettlementPeriod, Invoice)
    }


# --- The generator, no database -------------------------------------------------------------


@pytest.fixture(scope="module")
def readings():
    return sonnenfeld.demo_readings()


def test_generator_gives_the_same_numbers_every_time(readings):
    assert sonnenfeld.demo_readings() == readings


def test_a_full_month_house_has_every_quarter_hour_of_berlin_october(readings):
    start, end = month_bounds("2026-10", sonnenfeld.DEMO_ZONE)
    starts = [interval_start for interval_start, _, _ in readings["house_1"]]

    assert len(starts) == BERLIN_OCTOBER_2026_QUARTER_HOURS
    assert (starts[0], starts[-1]) == (start, end - dt.timedelta(minutes=15))


def test_a_house_never_exports_and_imports_in_the_same_quarter_hour(readings):
    assert all(exported == 0 or imported == 0 for rows in readings.values() for _, exported, imported in rows)


def test_the_house_without_pv_never_exports(readings):
    without_pv = [house.house_id for house in sonnenfeld.HOUSES if house.pv_kwp == 0]

    assert without_pv
    for house_id in without_pv:
        assert sum(exported for _, exported, _ in readings[house_id]) == 0
        assert sum(imported for _, _, imported in readings[house_id]) > 0


def test_pv_houses_export_around_noon_and_import_at_night(readings):
    def local_hour(instant):
        return instant.astimezone(sonnenfeld.DEMO_ZONE).hour

    for house in sonnenfeld.HOUSES:
        if house.pv_kwp == 0:
            continue
        rows = readings[house.house_id]
        noon_export = sum(exported for start, exported, _ in rows if 11 <= local_hour(start) < 14)
        night_export = sum(exported for start, exported, _ in rows if 0 <= local_hour(start) < 5)
        night_import = sum(imported for start, _, imported in rows if 0 <= local_hour(start) < 5)

        assert night_export == 0
        assert noon_export > 0
        assert night_import > 0


def test_the_mid_month_house_has_readings_from_its_first_day_only(readings):
    late = next(house for house in sonnenfeld.HOUSES if house.active_from > dt.date(2026, 10, 1))
    first_local_day = min(start for start, _, _ in readings[late.house_id]).astimezone(sonnenfeld.DEMO_ZONE)

    assert first_local_day == dt.datetime.combine(late.active_from, dt.time.min, tzinfo=sonnenfeld.DEMO_ZONE)
    assert 0 < len(readings[late.house_id]) < BERLIN_OCTOBER_2026_QUARTER_HOURS


# --- load_demo --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_demo_creates_the_community_houses_tariff_and_readings():
    load_demo()

    community = Community.objects.get(slug="sonnenfeld")
    assert (community.time_zone, community.interval_minutes, community.invoice_prefix) == ("Europe/Berlin", 15, "INV")
    assert community.houses.count() == 8
    assert community.houses.filter(owner_name="Jürgen Größ").exists()
    tariff = community.tariffs.get()
    assert (
        tariff.p_pv_ct_per_kwh,
        tariff.p_con_ct_per_kwh,
        tariff.p_grid_del_ct_per_kwh,
        tariff.p_grid_con_ct_per_kwh,
    ) == (
        20,
        25,
        6,
        30,
    )
    assert tariff.valid_from == dt.date(2026, 1, 1)
    assert tariff.starts_at == dt.datetime(2025, 12, 31, 23, tzinfo=dt.UTC)  # 2026-01-01 00:00 in Berlin


@pytest.mark.django_db
def test_load_demo_stores_every_quarter_hour_of_october_for_full_month_houses():
    load_demo()

    counts = dict(
        MeterReading.objects.filter(house__active_from__lte=dt.date(2026, 10, 1))
        .values_list("house__house_id")
        .annotate(Count("id"))
    )
    assert len(counts) == 7
    assert set(counts.values()) == {BERLIN_OCTOBER_2026_QUARTER_HOURS}


@pytest.mark.django_db
def test_load_demo_stores_what_the_generator_gives():
    load_demo()

    totals = MeterReading.objects.filter(house__house_id="house_1").aggregate(Sum("exported_wh"), Sum("imported_wh"))
    rows = sonnenfeld.demo_readings()["house_1"]
    assert totals == {
        "exported_wh__sum": sum(exported for _, exported, _ in rows),
        "imported_wh__sum": sum(imported for _, _, imported in rows),
    }


@pytest.mark.django_db
def test_load_demo_leaves_a_draft_for_every_active_house_and_issues_nothing():
    load_demo()

    period = SettlementPeriod.objects.get(community__slug="sonnenfeld", month="2026-10")
    assert period.status == SettlementPeriod.Status.OPEN
    assert sorted(period.invoices.values_list("house__house_id", flat=True)) == [f"house_{n}" for n in range(1, 9)]
    assert set(period.invoices.values_list("status", flat=True)) == {Invoice.Status.DRAFT}
    assert period.invoices.get(house__house_id="house_4").energy_exported_kwh == 0


@pytest.mark.django_db
def test_a_second_load_demo_changes_nothing_and_says_so():
    first_output = load_demo()
    counts = table_counts()
    draft_updates = dict(Invoice.objects.values_list("house__house_id", "updated_at"))

    second_output = load_demo()

    assert "readings" in first_output
    assert "nothing changed" in second_output
    assert table_counts() == counts
    assert dict(Invoice.objects.values_list("house__house_id", "updated_at")) == draft_updates


@pytest.mark.django_db
def test_load_demo_keeps_what_staff_edited():
    load_demo()
    House.objects.filter(house_id="house_2").update(owner_name="Anna Müller-Lüdenscheidt")

    load_demo()

    assert House.objects.get(house_id="house_2").owner_name == "Anna Müller-Lüdenscheidt"


@pytest.mark.django_db
def test_load_demo_adds_nothing_to_a_closed_demo_period():
    load_demo()
    MeterReading.objects.filter(house__house_id="house_3").delete()
    SettlementPeriod.objects.filter(month="2026-10").update(status=SettlementPeriod.Status.CLOSED)
    counts = table_counts()

    output = load_demo()

    assert table_counts() == counts
    assert "nothing changed" in output


# --- ensure_admin_login -----------------------------------------------------------------------


def ensure_admin_login(login_file) -> str:
    out = io.StringIO()
    call_command("ensure_admin_login", login_file=login_file, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def admin_env(monkeypatch):
    monkeypatch.delenv("LEG_ADMIN_USER", raising=False)
    monkeypatch.delenv("LEG_ADMIN_PASSWORD", raising=False)
    return monkeypatch


@pytest.mark.django_db
def test_ensure_admin_login_creates_a_superuser_with_a_generated_password_kept_private(admin_env, tmp_path):
    login_file = tmp_path / ".admin-login"

    output = ensure_admin_login(login_file)

    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    password = login_file.read_text().split("password: ")[1].strip()
    assert len(password) >= 20
    assert user.check_password(password)
    assert f"admin / {password}" in output
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_ensure_admin_login_again_keeps_the_password_and_prints_it_from_the_file(admin_env, tmp_path):
    login_file = tmp_path / ".admin-login"
    ensure_admin_login(login_file)
    password_hash = get_user_model().objects.get(username="admin").password

    output = ensure_admin_login(login_file)

    assert get_user_model().objects.get(username="admin").password == password_hash
    assert get_user_model().objects.count() == 1
    assert f"from {login_file}" in output


@pytest.mark.django_db
def test_ensure_admin_login_uses_the_environment_and_writes_no_file(admin_env, tmp_path):
    admin_env.setenv("LEG_ADMIN_USER", "kassenwart")
    admin_env.setenv("LEG_ADMIN_PASSWORD", "Sonnenfeld-2026-Abrechnung")
    login_file = tmp_path / ".admin-login"

    output = ensure_admin_login(login_file)

    assert get_user_model().objects.get(username="kassenwart").check_password("Sonnenfeld-2026-Abrechnung")
    assert not login_file.exists()
    assert "as you set it" in output


@pytest.mark.django_db
def test_ensure_admin_login_never_changes_an_existing_password(admin_env, tmp_path):
    get_user_model().objects.create_superuser("admin", "", "chosen-by-staff-42")
    admin_env.setenv("LEG_ADMIN_PASSWORD", "something-else-entirely")

    output = ensure_admin_login(tmp_path / ".admin-login")

    assert get_user_model().objects.get(username="admin").check_password("chosen-by-staff-42")
    assert "as you set it" in output


@pytest.mark.django_db
def test_ensure_admin_login_on_another_database_reuses_the_saved_password(admin_env, tmp_path):
    # Given: the login file a first database's start wrote; the new database has no users yet.
    login_file = tmp_path / ".admin-login"
    ensure_admin_login(login_file)
    saved = login_file.read_text()
    get_user_model().objects.all().delete()

    # When: ./dev start on the other database (DATABASE_URL switched).
    output = ensure_admin_login(login_file)

    # Then: the same login works on both; the file is unchanged.
    password = saved.split("password: ")[1].strip()
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert login_file.read_text() == saved
    assert f"admin / {password}  (from {login_file})" in output
