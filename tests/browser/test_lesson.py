"""The guided lesson (issue 13 §1, §4, §6) in headless Chromium at 1280×720.

A teacher walks every step with Next (one step with the → key, one step Back), and at
each step the page shows that step's whole state, the card's numbers are the core's,
and the panel the step is about is on screen without scrolling. Presentation mode and
the class link: test_lesson_present.py.

Run with ``python -m pytest tests/browser/test_lesson.py -q --headless``.
"""

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from devtools.lesson_screenshots import in_view, rect, set_viewport, wait_for_step
from devtools.local_app import headless_chromium
from hclust import lesson
from tests.browser.lesson_page import (
    address,
    check_numbers,
    check_pins,
    check_stale_drawing_is_redrawn,
    click,
    open_page,
)


@pytest.fixture(scope="module")
def facts():
    return lesson.tutorial_facts()


def test_les001_walk_every_step(app_server, facts):
    with headless_chromium("1280,720") as driver:
        set_viewport(driver, 1280, 720)
        open_page(driver, app_server)
        click(driver, "lesson-open")
        number = 1
        went_back = False
        while True:
            shown = wait_for_step(driver, number)
            check_numbers(driver, number, shown, facts)
            assert address(driver)["lesson"] == str(number)
            if number == 1:
                check_stale_drawing_is_redrawn(driver)
            if number == 4:
                check_pins(driver, facts)
            panel = lesson.step(number).panel
            assert "lesson-highlight" in driver.find_element("id", panel).get_attribute("class")
            assert in_view(rect(driver, panel)), f"step {number}: {panel} needs scrolling"
            if number == lesson.N_STEPS:
                break
            if number == 9 and not went_back:
                click(driver, "lesson-back")  # back to the cut at 50, then on again
                wait_for_step(driver, 8)
                went_back = True
                click(driver, "lesson-next")
                continue
            if number == 5:
                driver.find_element("id", "lesson").click()  # the card has focus
                driver.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
            else:
                click(driver, "lesson-next")
            number += 1
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
        assert "step 13" in driver.find_element("id", "lesson-open").text
        click(driver, "lesson-open")
        wait_for_step(driver, 13)
