"""The guided lesson in presentation mode (issue 13 §4, §6) in headless Chromium.

In presentation mode every piece of text is at least 16 px (the plots' SVG text too),
the plots are as tall as the window and side by side with the card, at 1280×720 and
at 150 % zoom (853×480). A student opens the teacher's class link in another browser:
their own session, the same step and state. The walk through every step:
test_lesson.py.

Run with ``python -m pytest tests/browser/test_lesson_present.py -q --headless``.
"""

import re

from selenium.webdriver.support.ui import WebDriverWait

from devtools.lesson_screenshots import prop, rect, set_viewport, wait_for_step
from tests.browser.lesson_page import address, check_presentation, click, open_page
from tests.helpers import axe_violations


def test_les002_presentation_mode_and_the_class_link(app_server, chromium):
    with chromium("1280,720") as teacher:
        set_viewport(teacher, 1280, 720)
        open_page(teacher, app_server)
        teacher.find_element("css selector", "#presentation-mode input").click()
        click(teacher, "lesson-open")
        wait_for_step(teacher, 1)
        # five quick clicks of Next, each before the last one's answer has come: every one
        # counts (assets/lesson_move.js counts them in the browser)
        for _ in range(2, 7):
            click(teacher, "lesson-next")
        assert prop(teacher, "lesson-move", "data")["step"] == 6
        WebDriverWait(teacher, 30).until(lambda d: address(d).get("lesson") == "6")
        wait_for_step(teacher, 6)
        assert address(teacher)["present"] == "1" and address(teacher)["lesson"] == "6"
        check_presentation(teacher)
        # the lesson in presentation mode, as accessible as the page (issue #16)
        assert axe_violations(teacher) == []
        set_viewport(teacher, 853, 480)  # 1280×720 at 150 % zoom
        teacher.execute_script("window.dispatchEvent(new Event('resize'))")
        WebDriverWait(teacher, 30).until(lambda d: rect(d, "dendrogram")["vw"] == 853)
        check_presentation(teacher)
        set_viewport(teacher, 1280, 720)
        click(teacher, "lesson-link")
        WebDriverWait(teacher, 10).until(
            lambda d: d.find_element("id", "lesson-link-box").get_attribute("value")
        )
        link = teacher.find_element("id", "lesson-link-box").get_attribute("value")
        assert re.search(r"[?&]lesson=6(&|$)", link) and "present=1" in link
        teacher_session = prop(teacher, "session-id", "data")
    with chromium("1280,720") as student:
        set_viewport(student, 1280, 720)
        student.get(link)
        wait_for_step(student, 6)
        assert prop(student, "session-id", "data") != teacher_session
        assert prop(student, "presentation-mode", "value") == ["on"]
        check_presentation(student)
