"""Merges step by step in a real browser at 1280×720 (#13 §2, §3, §5): the slider by keyboard,
play and pause, a linkage-table row by mouse and by keyboard, two pins, the exercise, and
the dendrogram zoomed below the cut.

Run with ``python -m pytest tests/browser/test_merge_steps.py -q --headless``.
"""

import numpy as np
from scipy.cluster.hierarchy import linkage
from selenium.webdriver.common.keys import Keys

from hclust.cut import TreeIndex
from hclust.data import tutorial_blobs
from hclust.merge_steps import clusters_after
from tests.browser.test_foundation import TIMEOUT, drag_cut_line_to, input_value, wait_until
from tests.browser.test_instrument import (
    click_at,
    component_prop,
    graph_js,
    page_errors,
    scroll_to,
    stays,
    text_of,
    trace_by_name,
    viewport_xy,
    wait_for_text,
)

N = 150


def step_value(dash_duo):
    return component_prop(dash_duo, "merge-step", "value")


def wait_step(dash_duo, i, Z):
    a, b = int(Z[i, 0]), int(Z[i, 1])
    wait_for_text(dash_duo, "merge-info", f"Step {i} of", f"Z[{i}] = [{a}, {b},")
    assert step_value(dash_duo) == i


def sample_xy(dash_duo, sample):
    """Viewport position of a sample's point in the step scatter."""
    x, y = graph_js(
        dash_duo,
        "merge-scatter",
        "for (const t of gd._fullData) { if (!t.customdata) continue;"
        " const j = Array.from(t.customdata).indexOf(arguments[0]);"
        " if (j >= 0) return [t.x[j], t.y[j]]; } return null;",
        sample,
    )
    return viewport_xy(dash_duo, "merge-scatter", x, y)


def slider_keys(dash_duo, *keys):
    """Tab to the slider's thumb as a keyboard user would land on it, and press keys."""
    thumb = dash_duo.find_element('#merge-step [role="slider"]')
    dash_duo.driver.execute_script("arguments[0].focus()", thumb)
    for key in keys:
        dash_duo.driver.switch_to.active_element.send_keys(key)


def pick(dash_duo, sample):
    scroll_to(dash_duo, "merge-scatter")
    click_at(dash_duo, sample_xy(dash_duo, sample))


def test_stp001_step_play_table_pins_and_the_exercise(page):
    dash_duo = page
    dash_duo.driver.set_window_size(1280, 720)
    X, _ = tutorial_blobs()
    Z = linkage(X, "ward")  # scipy's own, to compare the page with
    tree = TreeIndex.from_linkage(Z)
    scroll_to(dash_duo, "merge-steps-panel")
    wait_step(dash_duo, 0, Z)

    # the slider by keyboard, as a person tabs to it and presses →
    slider_keys(dash_duo, *[Keys.ARROW_RIGHT] * 3)
    wait_step(dash_duo, 3, Z)
    a, b = int(Z[3, 0]), int(Z[3, 1])
    wait_until(
        dash_duo,
        lambda: (
            trace_by_name(dash_duo, "merge-scatter", f"merging now: {a}") is not None
            and trace_by_name(dash_duo, "merge-scatter", f"merging now: {b}") is not None
        ),
        "the two clusters of merge 3 ringed",
    )
    assert "✓" in text_of(dash_duo, "merge-evidence")  # recomputed = scipy's Z[3, 2]

    # play, then pause: the step advances by itself and then stays
    dash_duo.find_element("#merge-play").click()
    wait_until(dash_duo, lambda: step_value(dash_duo) >= 5, "play to advance the merges")
    dash_duo.find_element("#merge-play").click()
    wait_until(dash_duo, lambda: "Play" in text_of(dash_duo, "merge-play"), "pause")
    paused_at = step_value(dash_duo)
    stays(dash_duo, lambda: step_value(dash_duo) == paused_at, "the step after pausing", 2.5)
    wait_step(dash_duo, paused_at, Z)

    # a linkage-table row, by mouse, then another by keyboard (Tab order, Enter)
    scroll_to(dash_duo, "linkage-table")
    wait_until(
        dash_duo,
        lambda: len(dash_duo.find_elements('#linkage-table td[data-dash-column="row"]')) == 10,
        "the linkage table",
    )
    cells = dash_duo.find_elements('#linkage-table td[data-dash-column="row"]')
    cells[7].click()
    wait_step(dash_duo, 7, Z)
    cell = dash_duo.find_elements('#linkage-table td[data-dash-column="row"]')[2]
    assert cell.get_attribute("tabindex") == "0"
    dash_duo.driver.execute_script("arguments[0].focus()", cell)
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_step(dash_duo, 2, Z)

    # pin Z[13] and Z[14], as the tutorial colours their samples red and yellow
    scroll_to(dash_duo, "merge-steps-panel")
    slider_keys(dash_duo, *[Keys.ARROW_RIGHT] * (13 - step_value(dash_duo)))
    wait_step(dash_duo, 13, Z)
    dash_duo.find_element("#merge-pin").click()
    dash_duo.find_element("#merge-forward").click()
    wait_step(dash_duo, 14, Z)
    dash_duo.find_element("#merge-pin").click()
    wait_for_text(dash_duo, "merge-info", "Pinned: merge 13 (red), merge 14 (yellow)")
    for row, colour in ((13, "#D62728"), (14, "#FFC20A")):
        pinned = trace_by_name(dash_duo, "merge-scatter", f"merge {row} (pinned)")
        assert sorted(pinned["customdata"]) == sorted(
            np.flatnonzero(clusters_after(tree, row + 1)[1] == N + row).tolist()
        )
        assert (
            graph_js(
                dash_duo,
                "merge-dendrogram",
                "return gd._fullData.find(t => t.name === arguments[0]).line.color;",
                f"pinned merge {row}",
            )
            == colour
        )

    # the same pins on the main scatter and dendrogram, kept as the cut is dragged
    def main_pins():
        return [
            trace_by_name(dash_duo, "scatter", f"merge {row} (pinned)") is not None
            and trace_by_name(dash_duo, "dendrogram", f"pinned merge {row}") is not None
            for row in (13, 14)
        ]

    wait_until(dash_duo, lambda: main_pins() == [True, True], "pins on the main plots")
    scroll_to(dash_duo, "dendrogram-card")
    drag_cut_line_to(dash_duo, 16)
    wait_until(dash_duo, lambda: input_value(dash_duo, "#n-clusters") == "4", "the dragged cut")
    assert main_pins() == [True, True]
    red = trace_by_name(dash_duo, "scatter", "merge 13 (pinned)")
    assert sorted(red["customdata"]) == sorted(
        np.flatnonzero(clusters_after(tree, 14)[1] == N + 13).tolist()
    )

    # the exercise at the last merge: right, then one step back, wrong
    slider_keys(dash_duo, Keys.END)
    wait_step(dash_duo, N - 2, Z)
    dash_duo.find_element("#merge-predict").click()
    wait_for_text(dash_duo, "merge-verdict", "Click a point of each")
    wait_for_text(dash_duo, "merge-info", "which two clusters merge next")
    _, node_of_sample = clusters_after(tree, N - 2)
    a, b = int(Z[N - 2, 0]), int(Z[N - 2, 1])
    pick(dash_duo, int(np.flatnonzero(node_of_sample == a)[0]))
    wait_for_text(dash_duo, "merge-verdict", f"Picked cluster {a}")
    pick(dash_duo, int(np.flatnonzero(node_of_sample == b)[0]))
    wait_for_text(dash_duo, "merge-verdict", "Right!", f"{Z[N - 2, 2]:,.1f}")

    dash_duo.find_element("#merge-back").click()
    wait_for_text(dash_duo, "merge-info", f"Step {N - 3}:", "which two clusters merge next")
    _, node_of_sample = clusters_after(tree, N - 3)
    merged = {int(Z[N - 3, 0]), int(Z[N - 3, 1])}
    wrong = sorted(set(node_of_sample.tolist()) - merged)[0]
    pick(dash_duo, int(np.flatnonzero(node_of_sample == wrong)[0]))
    # as a person does: the second point once the page has taken the first
    wait_for_text(dash_duo, "merge-verdict", f"Picked cluster {wrong}")
    pick(dash_duo, int(np.flatnonzero(node_of_sample == sorted(merged)[0])[0]))
    verdict = wait_for_text(dash_duo, "merge-verdict", "Not this time", "closer")
    assert f"{Z[N - 3, 2]:.2f}" in verdict
    wait_until(
        dash_duo,
        lambda: trace_by_name(dash_duo, "merge-scatter", f"merging now: {sorted(merged)[0]}"),
        "the answer drawn after the guess",
        TIMEOUT,
    )

    # §5: the main dendrogram's height axis focused below the cut, kept as the cut moves
    def height_range():
        return graph_js(dash_duo, "dendrogram", "return Array.from(gd._fullLayout.yaxis.range);")

    scroll_to(dash_duo, "dendrogram-zoom")
    dash_duo.find_element("#dendrogram-zoom input").click()
    cut = float(dash_duo.find_element("#cut-height").get_attribute("value"))
    wait_until(
        dash_duo,
        lambda: abs(height_range()[1] - cut * 1.15) < 1e-6 * cut,
        "the height axis zoomed below the cut",
    )
    box = dash_duo.find_element("#cut-height")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("16", Keys.ENTER)
    wait_until(dash_duo, lambda: abs(height_range()[1] - 16 * 1.15) < 1e-6, "the zoom kept")
    assert page_errors(dash_duo) == []
