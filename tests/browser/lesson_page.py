"""The lesson page as the lesson's browser tests read it (test_lesson.py,
test_lesson_end.py, test_lesson_present.py): opening it, its address, the card's numbers
against the core's, the pinned merges, walking the steps, and presentation mode's sizes."""

from urllib.parse import parse_qsl, urlparse

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from devtools.lesson_screenshots import TIMEOUT, in_view, prop, rect, shown_state, wait_for_step
from hclust import lesson


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


# Where the walk is split in two (test_lesson.py walks up to it, test_lesson_end.py on from
# it, opened by its class link) so that two test processes can share the steps.
MIDDLE = 7


def walk(driver, facts, first, last):
    """From step `first` (shown) to step `last` by Next (step 5 by the → key on the card,
    step 9 once Back to 8 and on again); each step in full, its numbers the core's and its
    panel highlighted in view."""
    number = first
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
        if number == last:
            return
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
