"""The guided lesson's second half (issue 13 §1, §4, §6) in headless Chromium at 1280×720.

The teacher opens the middle step's class link (the address the page's class-link button
gives, callbacks.lesson.step_query) and walks on to the last step with Next
(one step Back), each step shown in full as in test_lesson.py; then leaves the lesson,
finds the page's controls back, and comes back at the same step.

Run with ``python -m pytest tests/browser/test_lesson_end.py -q --headless``.
"""

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from callbacks.lesson import step_query
from devtools.lesson_screenshots import set_viewport, wait_for_step
from hclust import lesson
from tests.browser.lesson_page import MIDDLE, address, click, walk


@pytest.fixture(scope="module")
def facts():
    return lesson.tutorial_facts()


def test_les003_walk_from_the_middle_steps_link_to_the_end_leave_and_come_back(
    app_server, facts, chromium
):
    with chromium("1280,720") as driver:
        set_viewport(driver, 1280, 720)
        driver.get(app_server.rstrip("/") + step_query(MIDDLE, presenting=False))
        walk(driver, facts, MIDDLE, lesson.N_STEPS)
        assert driver.find_element("id", "lesson-next").get_attribute("disabled")
        # leave the lesson, explore (the controls are back), and come back at the same step
        click(driver, "lesson-close")
        WebDriverWait(driver, 30).until(
            lambda d: (
                not d.find_element("id", "lesson").is_displayed()
                and d.find_element("id", "method").is_displayed()
            )
        )
        assert "lesson" not in address(driver)
        assert f"step {lesson.N_STEPS}" in driver.find_element("id", "lesson-open").text
        click(driver, "lesson-open")
        wait_for_step(driver, lesson.N_STEPS)
