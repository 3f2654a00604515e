"""Openum in a real browser (Debian's Chromium, headless, Selenium): the recipient follows the link,
reads the landing page in Catalan, presses "open", the document downloads, and the ContentHandover
record names that browser. Merely loading the page records nothing."""
import shutil
import time

import pytest

from test_openum import DOCUMENT, link_of, openum, records, send  # noqa: F401 (fixture)
from test_verification_browser import browser

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("chromedriver") is None,
                                reason="chromium and chromium-driver are installed by .ci/run")


def test_follow_the_link_press_open_and_download(openum, tmp_path):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    sent = send(openum)
    _, link = link_of(openum, "bob@example.test")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver = browser("ca")
    try:
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        driver.get(link)
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ca"
        assert driver.find_element(By.TAG_NAME, "h1").text == "Un document certificat per a vós"
        assert "Acme Legal" in driver.find_element(By.ID, "intro").text
        assert driver.find_element(By.ID, "document").text == "termination.pdf"
        time.sleep(1.5)
        assert records(openum, sent["id"], "ContentHandover") == []  # looking is not opening
        button = driver.find_element(By.ID, "open")
        assert button.text == "Obre el document"
        button.click()
        file = downloads / "termination.pdf"
        WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(
            lambda _: file.exists() and file.read_bytes() == DOCUMENT)
        agent = driver.execute_script("return navigator.userAgent")
    finally:
        driver.quit()
    [handover] = openum.wait(lambda: records(openum, sent["id"], "ContentHandover"), "the ContentHandover record")
    assert handover["event"]["userAgent"] == agent and handover["recipients"] == ["bob@example.test"]
    assert records(openum, sent["id"], "DocumentLinkFetched") == []
