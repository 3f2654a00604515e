"""The verification page in a real browser: Debian's Chromium, headless, driven by Selenium through
chromedriver. A lawyer uploads a delivery certificate's PDF and reads that it holds; a PDF with one
changed byte, and the page says it does not; a browser set to Catalan gets the page in Catalan."""
import shutil

import pytest

from test_verification_page import certificate_pdf  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("chromedriver") is None,
                                reason="chromium and chromium-driver are installed by .ci/run")


def browser(language="en"):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--lang={language}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def upload(driver, url, path):
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    driver.get(url)
    # The form's page has no verdict: one found after the click is the answer's.
    assert not driver.find_elements(By.ID, "verdict")
    field = driver.find_element(By.ID, "pdf")
    # The input has its label: a screen reader names it, a click on the label focuses it.
    assert driver.find_element(By.CSS_SELECTOR, "label[for=pdf]").text
    field.send_keys(str(path))
    field.find_element(By.XPATH, "ancestor::form").find_element(By.TAG_NAME, "button").click()
    # While the browser swaps pages, chromedriver may answer with errors: polled through them.
    return WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.find_element(By.ID, "verdict").text)


def test_a_lawyer_checks_a_certificate_in_chromium(certificate_pdf, tmp_path):
    c, pdf = certificate_pdf
    good = tmp_path / "certificate.pdf"
    good.write_bytes(pdf)
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    bad = tmp_path / "changed.pdf"
    bad.write_bytes(bytes(changed))
    driver = browser()
    try:
        assert upload(driver, f"http://127.0.0.1:{c.http}/verify", good) == "This evidence holds: every check passed."
        verdict = upload(driver, f"http://127.0.0.1:{c.http}/verify", bad)
        assert verdict.startswith("This evidence does not hold:"), verdict
        from selenium.webdriver.common.by import By
        assert any(cell.text == "FAILS" for cell in driver.find_elements(By.CSS_SELECTOR, "td.fails"))
    finally:
        driver.quit()
    driver = browser("ca")
    try:
        verdict = upload(driver, f"http://127.0.0.1:{c.http}/verify", good)
        assert verdict == "Aquesta evidència és vàlida: totes les comprovacions són correctes."
        assert driver.find_element("tag name", "html").get_attribute("lang") == "ca"
    finally:
        driver.quit()
