"""Accessibility in a real browser (issue #16): axe-core finds nothing to fix on the
page as it opens and after an upload.

axe-core comes from npm (package-lock.json; `make test` runs `npm ci`) and is
injected by ``tests.helpers.axe_violations``.

Run with ``python -m pytest tests/browser/test_a11y.py -q --headless``.
"""

from pathlib import Path

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
