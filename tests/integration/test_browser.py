"""A staff member's month in a real headless Chromium against a live server (CI-only).

Log in, import a readings CSV on the admin's import page, close the month and watch its page say so,
download an invoice PDF and read it, cancel an invoice. Screenshots of each page are kept; the run
prints their folder. Run by .ci/run's "browser" step: ``./dev test -m browser tests/integration``.
"""

import datetime as dt
import io
import urllib.request
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from selenium.webdriver.common.by import By

from invoicing import services
from invoicing.models import Invoice, SettlementPeriod
from metering.models import MeterReading
from tests.factories import CommunityFactory, HouseFactory, TariffFactory

from . import browser
from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONTH = "2026-10"
PASSWORD = "a-long-treasurer-password-2026"


@pytest.fixture
def page(live_server):
    why = browser.missing()
    if why:
        pytest.skip(why)
    driver = browser.chromium()
    page = browser.Page(driver, live_server.url, browser.artefacts_folder())
    yield page
    SCREENSHOTS.extend(page.shots)
    driver.quit()


@pytest.fixture
def community(django_user_model):
    django_user_model.objects.create_superuser("treasurer", "kasse@sonnenfeld.example", PASSWORD)
    community = CommunityFactory(name="Energiegemeinschaft Sonnenfeld", slug="sonnenfeld", time_zone="Europe/Berlin")
    TariffFactory(community=community)
    HouseFactory(community=community, house_id="house_1", owner_name="Jörg Müller")
    HouseFactory(community=community, house_id="house_2", owner_name="Ayşe Yıldız")
    services.period_get_or_create(community=community, month=MONTH)
    return community


@pytest.fixture
def readings_csv(tmp_path, community):
    """Every quarter hour of October 2026 in Berlin (2,980 with the autumn's extra hour) for both houses."""
    zone = ZoneInfo(community.time_zone)
    start = dt.datetime(2026, 10, 1, tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime(2026, 11, 1, tzinfo=zone).astimezone(dt.UTC)
    lines = ["house_id,timestamp,energy_exported_kwh,energy_imported_kwh"]
    instant = start
    while instant < end:
        stamp = instant.strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"house_1,{stamp},0.125,0.05")
        lines.append(f"house_2,{stamp},0,0.1")
        instant += dt.timedelta(minutes=15)
    path = tmp_path / "october.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def log_in(page):
    page.open("/admin/login/")
    page.fill("username", "treasurer")
    page.fill("password", PASSWORD)
    page.submit()
    page.wait_for_text("Log out")
    page.screenshot("admin-index")


def import_readings(page, path):
    page.open("/admin/metering/meterreading/import/")
    page.choose("community", "Energiegemeinschaft Sonnenfeld")
    page.driver.find_element(By.NAME, "import_file").send_keys(str(path))
    page.submit()
    page.wait_for_text("Confirm import")
    page.screenshot("import-preview")
    page.driver.find_element(By.CSS_SELECTOR, "#content input[name=confirm], #content form input[type=submit]").click()
    page.wait_for_text("Import finished", timeout=60)
    page.screenshot("import-finished")


def close_month(page, period):
    page.open("/admin/invoicing/settlementperiod/")
    page.driver.find_element(By.CSS_SELECTOR, f"input[name=_selected_action][value='{period.pk}']").click()
    page.driver.find_element(By.CSS_SELECTOR, "select[name=action] option[value=close_periods]").click()
    page.driver.find_element(By.CSS_SELECTOR, "button[name=index]").click()
    page.screenshot("close-confirmation")
    page.submit("#content form input[type=submit]")
    page.open(f"/admin/invoicing/settlementperiod/{period.pk}/change/")
    page.wait_for_text("Closed", timeout=60)
    page.screenshot("period-closed")


def download_pdf(page, invoice) -> str:
    page.open(f"/admin/invoicing/invoice/{invoice.pk}/change/")
    link = page.driver.find_element(By.PARTIAL_LINK_TEXT, "Download PDF").get_attribute("href")
    page.screenshot("invoice")
    request = urllib.request.Request(link, headers={"Cookie": f"sessionid={page.session_cookie()}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.read())).pages)


def cancel(page, invoice):
    page.open(f"/admin/invoicing/invoice/{invoice.pk}/cancel/")
    page.fill("reason", "Meter of house_1 was read twice in October")
    page.screenshot("cancel-confirmation")
    page.submit("#content form input[type=submit]")
    page.wait_for_text("cancel")
    page.screenshot("corrected-invoice")


def test_a_treasurers_month_in_a_real_browser(page, community, readings_csv):
    log_in(page)
    import_readings(page, readings_csv)
    assert MeterReading.objects.filter(house__community=community).count() == 2 * 2980

    period = SettlementPeriod.objects.get(community=community, month=MONTH)
    close_month(page, period)
    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.CLOSED

    invoice = Invoice.objects.get(period=period, house__house_id="house_1")
    text = download_pdf(page, invoice)
    assert invoice.number in text
    assert "Jörg Müller" in text

    cancel(page, invoice)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.CANCELLED
    assert Invoice.objects.filter(period=period, house__house_id="house_1", status=Invoice.Status.PENDING).exists()


def test_select_all_on_the_export_page_works_under_the_content_security_policy(page, community):
    log_in(page)
    page.open("/admin/invoicing/invoice/export/")
    fields = page.driver.find_elements(By.CSS_SELECTOR, '.selectable-field-export-row input[type="checkbox"]')
    assert fields and all(field.is_selected() for field in fields if field.is_displayed())

    page.driver.find_element(By.CSS_SELECTOR, "input.select-toggle").click()

    assert not any(field.is_selected() for field in fields)
    page.screenshot("export-fields-unselected")
