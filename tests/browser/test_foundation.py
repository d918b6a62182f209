"""The page in a real browser: load, drag the cut line, type k.

Run with ``python -m pytest tests/browser -q --headless``; Debian's chromium
and chromedriver are configured in ``tests/conftest.py``.
"""

import numpy as np
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from hclust.cut import height_for_k, monotone_heights, n_clusters_at
from hclust.data import tutorial_blobs
from hclust.linkage import compute_linkage
from tests.fixtures import tutorial_values as ref

TIMEOUT = 30

# The plotly div inside a dcc.Graph holds the rendered figure.
GRAPH = "document.querySelector('#{id} .js-plotly-plot')"


@pytest.fixture(scope="module")
def sorted_heights():
    X, _ = tutorial_blobs()
    return np.sort(monotone_heights(compute_linkage(X, "ward", "euclidean")))


def wait_until(dash_duo, condition, what, timeout=TIMEOUT):
    WebDriverWait(dash_duo.driver, timeout, poll_frequency=0.1).until(
        lambda _: condition(), message=f"waiting for {what}"
    )


def cut_line_y(dash_duo):
    """y0 of the dendrogram's shapes[0] as plotly drew it, or None before it exists."""
    return dash_duo.driver.execute_script(
        f"const gd = {GRAPH.format(id='dendrogram')};"
        "const shapes = gd && gd._fullLayout && gd._fullLayout.shapes;"
        "return shapes && shapes.length ? shapes[0].y0 : null;"
    )


def page_y_of_height(dash_duo, height):
    """Viewport y (CSS px) of a merge height on the dendrogram's y axis."""
    return dash_duo.driver.execute_script(
        f"const gd = {GRAPH.format(id='dendrogram')};"
        "const layout = gd._fullLayout;"
        "return gd.getBoundingClientRect().top + layout._size.t + layout.yaxis.l2p(arguments[0]);",
        height,
    )


def scatter_colours(dash_duo):
    """Distinct marker colours the scatter draws (per-point colour arrays flattened)."""
    return set(
        dash_duo.driver.execute_script(
            f"const gd = {GRAPH.format(id='scatter')};"
            "return gd && gd._fullData ? gd._fullData.flatMap(t => [].concat(t.marker.color)) : [];"
        )
    )


def input_value(dash_duo, selector):
    return dash_duo.find_element(selector).get_attribute("value")


def drag_cut_line_to(dash_duo, height):
    """Grab the cut line's drag handle with the mouse and drop it at `height`."""
    paths = dash_duo.find_elements("#dendrogram .shapelayer path")
    # plotly draws an editable line as two paths: the visible line, then its (invisible) drag handle
    assert len(paths) >= 2, "the cut line and its drag handle"
    handle = paths[1]
    rect = dash_duo.driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.width, r.height];",
        handle,
    )
    grab_y = rect[1] + rect[3] / 2
    assert abs(grab_y - page_y_of_height(dash_duo, cut_line_y(dash_duo))) < 2, (
        "the handle lies on the line"
    )
    dy = page_y_of_height(dash_duo, height) - grab_y
    steps = 5
    actions = ActionChains(dash_duo.driver).move_to_element(handle).click_and_hold()
    moved = 0
    for step in range(1, steps + 1):
        target = round(dy * step / steps)
        actions.move_by_offset(0, target - moved)
        moved = target
    actions.release().perform()


def type_k(dash_duo, k):
    box = dash_duo.find_element("#n-clusters")
    dash_duo.clear_input(box)
    box.send_keys(str(k), Keys.ENTER)


class TestFoundation:
    def test_fdn001_page_loads_with_the_tutorial(self, page):
        assert page.find_element("#cophenetic").text.startswith(
            f"c = {ref.COPHENETIC_CORRELATION:.5f}"
        )
        wait_until(page, lambda: input_value(page, "#n-clusters") == "2", "the default cut's k")
        wait_until(page, lambda: len(scatter_colours(page)) == 2, "two colours in the scatter")
        assert page.get_logs() == []

    def test_fdn002_drag_cut_to_16_gives_4_clusters(self, page, sorted_heights):
        drag_cut_line_to(page, 16.0)
        wait_until(
            page,
            lambda: input_value(page, "#n-clusters") == str(ref.FCLUSTER_DISTANCE_16_NCLUSTERS),
            "k = 4 after the drag",
        )
        wait_until(page, lambda: len(scatter_colours(page)) == 4, "four colours in the scatter")
        dropped = float(input_value(page, "#cut-height"))
        assert n_clusters_at(sorted_heights, dropped) == 4
        assert abs(dropped - 16.0) < 0.5
        assert page.get_logs() == []

    def test_fdn003_typing_k_moves_the_line(self, page, sorted_heights):
        drag_cut_line_to(page, 16.0)
        wait_until(page, lambda: input_value(page, "#n-clusters") == "4", "k = 4 after the drag")
        before = cut_line_y(page)
        type_k(page, 5)
        gap = height_for_k(sorted_heights, 5)
        wait_until(page, lambda: cut_line_y(page) != before, "the line to move")
        wait_until(
            page,
            lambda: abs(cut_line_y(page) - gap.height) < 1e-9,
            "the line at the middle of the 5-cluster gap",
        )
        after = cut_line_y(page)
        assert gap.low < after < gap.high
        assert n_clusters_at(sorted_heights, after) == 5
        wait_until(
            page,
            lambda: (
                input_value(page, "#cut-height")
                and abs(float(input_value(page, "#cut-height")) - gap.height) < 1e-5
            ),
            "the typed height field to follow",
        )
        wait_until(page, lambda: len(scatter_colours(page)) == 5, "five colours in the scatter")
        # out of range: the message names the range and the value typed; the cut stays
        type_k(page, 0)
        wait_until(
            page,
            lambda: (
                "between 1 and 150" in page.find_element("#cut-status").text
                and "got 0" in page.find_element("#cut-status").text
            ),
            "the k out of range named",
        )
        box = page.find_element("#cut-height")
        page.clear_input(box)
        box.send_keys("-2", Keys.ENTER)
        wait_until(
            page,
            lambda: (
                "0 or more" in page.find_element("#cut-status").text
                and "-2" in page.find_element("#cut-status").text
            ),
            "the negative height named",
        )
        assert abs(cut_line_y(page) - gap.height) < 1e-9 and len(scatter_colours(page)) == 5
        assert page.get_logs() == []
