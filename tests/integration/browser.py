"""Headless Chromium (Debian's chromium and chromium-driver) driven by Selenium, and its screenshots."""

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("LEG_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("LEG_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")


def missing() -> str:
    """Why the browser cannot start here, or '' when it can."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(path):
            return f"{path} is missing (apt install chromium chromium-driver; .ci/run installs them)"
    return ""


def artefacts_folder() -> Path:
    """Where screenshots go: $LEG_TEST_ARTEFACTS, else a new folder in the system's temp folder."""
    configured = os.environ.get("LEG_TEST_ARTEFACTS")
    if configured:
        folder = Path(configured)
    else:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = Path(tempfile.gettempdir()) / "legbilling-artefacts" / stamp
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def chromium() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900"):
        options.add_argument(argument)
    options.add_argument("--lang=en")
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


class Page:
    """The browser as a staff member uses it: open, fill, click, and a screenshot of what they see."""

    def __init__(self, driver: webdriver.Chrome, base_url: str, folder: Path):
        self.driver, self.base_url, self.folder = driver, base_url, folder
        self.shots: list[Path] = []

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def fill(self, name: str, value: str) -> None:
        field = self.driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)

    def choose(self, name: str, visible_text: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self.driver.find_element(By.NAME, name)).select_by_visible_text(visible_text)

    def submit(self, css: str = "#content input[type=submit], #content button[type=submit]") -> None:
        """The page's own button: the header's "Log out" is a submit button too."""
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def click_link(self, text: str) -> None:
        self.driver.find_element(By.PARTIAL_LINK_TEXT, text).click()

    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def wait_for_text(self, text: str, timeout: float = 30) -> None:
        """Wait until the page shows ``text`` (case-insensitive: the admin's CSS capitalises headers)."""
        try:
            # A page still loading replaces its body between finding it and reading it: look again.
            WebDriverWait(self.driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
                lambda driver: text.lower() in self.text().lower()
            )
        except TimeoutException:
            shot = self.screenshot("failed")
            raise AssertionError(
                f"{text!r} did not appear on {self.driver.current_url} (see {shot}):\n{self.text()}"
            ) from None

    def screenshot(self, name: str) -> Path:
        path = self.folder / f"{len(self.shots) + 1:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        self.shots.append(path)
        return path

    def session_cookie(self) -> str:
        return self.driver.get_cookie("sessionid")["value"]
