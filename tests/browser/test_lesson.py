"""The guided lesson (issue 13 §1, §4, §6) in headless Chromium at 1280×720.

A teacher walks every step with Next (one step with the → key, one step Back), and at
each step the page shows that step's whole state, the card's numbers are the core's,
and the panel the step is about is on screen without scrolling. In presentation mode
every piece of text is at least 16 px (the plots' SVG text too), the plots are as tall
as the window and side by side with the card, at 1280×720 and at 150 % zoom (853×480).
A student opens the teacher's class link in another browser: their own session, the
same step and state.

Run with ``python -m pytest tests/browser/test_lesson.py -q --headless``.
"""

import re
from urllib.parse import parse_qsl, urlparse

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from devtools.lesson_screenshots import (
    TIMEOUT,
    in_view,
    prop,
    rect,
    set_viewport,
    shown_state,
    wait_for_step,
)
from devtools.local_app import app_env, gunicorn, headless_chromium
from hclust import lesson
from tests.helpers import axe_violations


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lesson")
    with gunicorn(app_env(tmp / "cache"), tmp / "gunicorn.log", workers=2) as url:
        yield url


@pytest.fixture(scope="module")
def facts():
    return lesson.tutorial_facts()


def open_page(driver, url):
    driver.get(url)
    WebDriverWait(driver, TIMEOUT).until(
        lambda d: (prop(d, "cut", "data") or {}).get("clustering") is not None
    )


def click(driver, element_id):
    driver.find_element("id", element_id).click()


def address(driver) -> dict:
    return dict(parse_qsl(urlparse(driver.current_url).query))


def check_numbers(driver, number, shown, facts):
    """The card's sentences are the core's, and the page's own panels say the same."""
    assert driver.find_element("id", "lesson-text").text == lesson.step_text(number, facts)
    state = lesson.step(number).state
    if state["dataset"] == "tutorial-2-blobs":
        assert "0.98001" in driver.find_element("id", "cophenetic").text
        if state["criterion"] == "distance":
            expected = facts["k16"] if state["height"] == facts["height16"] else facts["k50"]
            assert shown["k"] == expected
    else:
        assert f"Suggested k = {facts['elbow_x2']}:" in driver.find_element("id", "elbow").text
        assert shown["k"] == state["k"]
    if number == 10:
        cells = driver.find_elements("css selector", "#lesson-table td")
        assert cells[-1].text == "2.25872" and cells[-2].text == "5.22936"


PINNED = """
const gd = document.querySelector('#scatter .js-plotly-plot'), pinned = {};
for (const t of (gd && gd._fullData) || []) {
  const m = /^merge (\\d+) \\(pinned\\)$/.exec(t.name || '');
  if (m) pinned[m[1]] = Array.from(t.customdata || [], Number).sort((a, b) => a - b);
}
return pinned;
"""


def check_pins(driver, facts):
    """Step 4: the samples of Z[13] and Z[14] are drawn pinned on the page's own scatter."""
    expected = {row: facts["z"][row]["members"] for row in ("13", "14")}
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(PINNED) == expected)


STALE_DRAWING = """
const state = window.store.getState(), path = state.paths.strs['dendrogram'];
let node = state.layout; for (const key of path) node = node[key];
const figure = JSON.parse(JSON.stringify(node.props.figure));
figure.layout.shapes[0].y0 = figure.layout.shapes[0].y1 = arguments[0];
window.dash_clientside.set_props('dendrogram', {figure: figure});
"""


def check_stale_drawing_is_redrawn(driver):
    """A dendrogram left on an earlier answer (a race of two quick changes) is asked for again."""
    driver.execute_script(STALE_DRAWING, 120)
    WebDriverWait(driver, 5).until(lambda d: shown_state(d)["line"] == 120)
    wait_for_step(driver, 1, timeout=20)


def test_les001_walk_every_step(server, facts):
    with headless_chromium("1280,720") as driver:
        set_viewport(driver, 1280, 720)
        open_page(driver, server)
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


FONTS = """
const small = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, element = node.parentElement;
  if (!node.textContent.trim() || !element || element.closest('[hidden], script, style')) continue;
  if (element.closest('svg') && !element.closest('.js-plotly-plot')) continue; // plotly's tester
  const boxes = element.getClientRects(), style = getComputedStyle(element);
  if (!boxes.length || style.visibility === 'hidden' || style.display === 'none') continue;
  const size = parseFloat(style.fontSize);
  if (size < 16) small.push([element.tagName, element.id || element.className.baseVal
    || element.className, node.textContent.trim().slice(0, 30), size]);
}
return small;
"""


def check_presentation(driver):
    """Text at least 16 px, plots side by side with the card, as tall as the window allows."""
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.body.classList.contains('presenting')")
    )
    dendrogram, scatter, card = (rect(driver, i) for i in ("dendrogram", "scatter", "lesson"))
    size = f"{dendrogram['vw']}×{dendrogram['vh']}"
    assert abs(dendrogram["top"] - scatter["top"]) < 2, size
    assert dendrogram["right"] <= scatter["left"] and scatter["right"] <= card["left"], size
    assert in_view(card) and scatter["right"] <= scatter["vw"], size
    assert dendrogram["height"] >= 0.7 * dendrogram["vh"], size
    small = driver.execute_script(FONTS)
    assert small == [], f"{size}: text under 16 px: {small[:10]}"
    svg_text = driver.execute_script(
        "return [...document.querySelectorAll('#dendrogram svg text, #scatter svg text')]"
        ".filter(t => t.textContent.trim()).map(t => parseFloat(getComputedStyle(t).fontSize))"
    )
    assert len(svg_text) > 20 and min(svg_text) >= 16, size
    # at 16 px the leaf labels would run into a black band: those shown never touch
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(LEAF_LABEL_OVERLAPS) == 0)


# Pairs of neighbouring leaf labels on the dendrogram that overlap, among those shown.
LEAF_LABEL_OVERLAPS = """
const boxes = [...document.querySelectorAll('#dendrogram g.xtick text')]
  .filter(t => t.textContent.trim() && getComputedStyle(t).display !== 'none')
  .map(t => t.getBoundingClientRect()).filter(b => b.width > 0).sort((a, b) => a.left - b.left);
return boxes.filter((b, i) => i > 0 && b.left < boxes[i - 1].right).length;
"""


def test_les002_presentation_mode_and_the_class_link(server):
    with headless_chromium("1280,720") as teacher:
        set_viewport(teacher, 1280, 720)
        open_page(teacher, server)
        teacher.find_element("css selector", "#presentation-mode input").click()
        click(teacher, "lesson-open")
        wait_for_step(teacher, 1)
        for _ in range(5):
            click(teacher, "lesson-next")
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
    with headless_chromium("1280,720") as student:
        set_viewport(student, 1280, 720)
        student.get(link)
        wait_for_step(student, 6)
        assert prop(student, "session-id", "data") != teacher_session
        assert prop(student, "presentation-mode", "value") == ["on"]
        check_presentation(student)
