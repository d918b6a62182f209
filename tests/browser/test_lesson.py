"""The guided lesson (issue 13 §1, §4, §6) in headless Chromium at 1280×720.

A teacher walks every step with Next (one step with the → key, one step Back), and at
each step the page shows that step's whole state, the card's numbers are the core's,
and the panel the step is about is on screen without scrolling. The walk is split in
two files that two test processes run side by side: here from the page's Lesson button
to the middle step, in test_lesson_end.py on from the middle step's class link to the
end. Presentation mode and the class link: test_lesson_present.py.

Run with ``python -m pytest tests/browser/test_lesson.py -q --headless``.
"""

import pytest

from devtools.lesson_screenshots import set_viewport
from hclust import lesson
from tests.browser.lesson_page import MIDDLE, click, open_page, walk


@pytest.fixture(scope="module")
def facts():
    return lesson.tutorial_facts()


def test_les001_walk_from_the_lesson_button_to_the_middle_step(app_server, facts, chromium):
    with chromium("1280,720") as driver:
        set_viewport(driver, 1280, 720)
        open_page(driver, app_server)
        click(driver, "lesson-open")
        walk(driver, facts, 1, MIDDLE)
