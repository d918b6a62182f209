"""Accessibility in a real browser (issue #16): axe-core finds nothing to fix on the
page as it opens and after an upload.

axe-core comes from npm (package-lock.json; `make test` runs `npm ci`) and is
injected by ``tests.helpers.axe_violations``.

Run with ``python -m pytest tests/browser/test_a11y.py -q --headless``.
"""

from pathlib import Path

from selenium.webdriver.common.keys import Keys

from tests.browser.test_foundation import input_value, wait_until
from tests.browser.test_instrument import (  # noqa: F401  (page and shared_duo are fixtures)
    page,
    page_errors,
    shared_duo,
    wait_for_text,
)
from tests.helpers import axe_violations

UPLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "uploads"


class TestAccessibility:
    def test_a11y001_no_axe_violations_on_the_default_page_and_after_an_upload(self, page):
        found = axe_violations(page.driver)
        assert found == [], "\n".join(found)

        page.find_element("#upload-data input[type=file]").send_keys(
            str(UPLOADS / "people_labelled.csv")
        )
        wait_for_text(page, "data-status", "people_labelled.csv", "Label column: name")
        wait_until(page, lambda: input_value(page, "#n-clusters") == "2", "the upload's cut")
        wait_until(page, lambda: page.redux_state_rqs == [], "the page's callbacks to settle")
        # the upload's own fields (feature and label columns) are shown now
        assert page.find_element("#upload-options").is_displayed()
        found = axe_violations(page.driver)
        assert found == [], "\n".join(found)
        assert page_errors(page) == []

    def test_a11y002_main_controls_fit_1280_by_720_and_menus_open_over_the_plots(self, page):
        driver = page.driver
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False},
        )
        try:
            driver.execute_script("window.scrollTo(0, 0)")
            # the main loop, visible without scrolling: cut height, k, criterion, download
            for element_id in ("criterion", "cut-height", "n-clusters", "download-labels"):
                top, bottom = driver.execute_script(
                    "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
                    "return [r.top, r.bottom];",
                    element_id,
                )
                assert 0 <= top and bottom <= 720, f"#{element_id} spans {top}..{bottom} px"
            # nothing in the controls column sticks out sideways
            scroll, client = driver.execute_script(
                "const c = document.querySelector('.controls'); return [c.scrollWidth, c.clientWidth];"
            )
            assert scroll <= client, f"the controls overflow sideways by {scroll - client} px"
            # a menu opened over the plots is drawn on top of them, whole
            scaling = page.find_element("#scaling")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", scaling)
            scaling.click()
            wait_until(
                page,
                lambda: driver.execute_script(
                    "return !!document.querySelector('.dash-dropdown-content [role=option]');"
                ),
                "the scaling menu to open",
            )
            covered = driver.execute_script(
                "return Array.from(document.querySelectorAll('.dash-dropdown-content [role=option]'))"
                ".filter(o => { const r = o.getBoundingClientRect();"
                " const hit = document.elementFromPoint(r.right - 4, r.top + r.height / 2);"
                " return !(hit && o.contains(hit)); }).map(o => o.textContent);"
            )
            assert covered == [], f"options drawn under something else: {covered}"
            scaling.send_keys(Keys.ESCAPE)
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
