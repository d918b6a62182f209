"""Choosing k, in a real browser: the inconsistent criterion, clicking a k in the
quality and elbow plots, and clicking a cluster in the summary table.

Run with ``python -m pytest tests/browser -q --headless``.
"""

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from selenium.webdriver.common.keys import Keys

from devtools.local_app import choose_option as _choose
from hclust.cut import height_for_k, monotone_heights, n_clusters_at
from hclust.data import tutorial_blobs
from tests.browser.test_foundation import TIMEOUT, cut_line_y, input_value, wait_until
from tests.browser.test_instrument import (
    PAINT_RECORDER,
    QUICK,
    click_at,
    graph_js,
    highlighted_points,
    page_errors,
    painted,
    recolour_ready,
    scatter_colours_now,
    scroll_to,
    settle,
    text_of,
    trace_names,
    viewport_xy,
    wait_for_text,
)


@pytest.fixture(scope="module")
def scipy_Z():
    """The tutorial's ward linkage, from scipy itself."""
    X, _ = tutorial_blobs()
    return linkage(X, "ward")


@pytest.fixture(scope="module")
def sorted_heights(scipy_Z):
    return np.sort(monotone_heights(scipy_Z))


def cut_line_visible(dash_duo):
    return graph_js(dash_duo, "dendrogram", "return gd._fullLayout.shapes[0].visible;")


def summary_column(dash_duo, column):
    """The texts of one column of #cluster-summary's visible page."""
    return [
        cell.text
        for cell in dash_duo.find_elements(f'#cluster-summary td[data-dash-column="{column}"]')
    ]


def type_into(dash_duo, element_id, value):
    box = dash_duo.find_element(f"#{element_id}")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(value), Keys.ENTER)


def click_k(dash_duo, graph_id, k, trace=0, xaxis="xaxis", yaxis="yaxis"):
    """Click the point at x = k of one trace of a k plot."""
    scroll_to(dash_duo, graph_id)
    wait_until(
        dash_duo,
        lambda: graph_js(
            dash_duo, graph_id, "return !!(gd && gd._fullData && gd._fullData.length);"
        ),
        f"#{graph_id} drawn",
        QUICK,
    )
    xs, ys = graph_js(
        dash_duo,
        graph_id,
        "const t = gd._fullData[arguments[0]]; return [Array.from(t.x), Array.from(t.y)];",
        trace,
    )
    j = xs.index(k)
    click_at(dash_duo, viewport_xy(dash_duo, graph_id, xs[j], ys[j], xaxis, yaxis))


def assert_cut_at_k(dash_duo, sorted_heights, k):
    gap = height_for_k(sorted_heights, k)
    wait_until(dash_duo, lambda: input_value(dash_duo, "#n-clusters") == str(k), f"k = {k}", QUICK)
    wait_until(
        dash_duo,
        lambda: abs(cut_line_y(dash_duo) - gap.height) < 1e-9,
        f"the cut line in the middle of the {k}-cluster gap",
        QUICK,
    )
    assert n_clusters_at(sorted_heights, cut_line_y(dash_duo)) == k
    assert abs(float(input_value(dash_duo, "#cut-height")) - gap.height) < 1e-5
    wait_until(
        dash_duo,
        lambda: len(summary_column(dash_duo, "cluster")) == k,
        f"{k} rows in the cluster summary",
        QUICK,
    )


class TestChoosingK:
    def test_chk001_inconsistent_criterion_hides_the_line_and_follows_t(self, page, scipy_Z):
        expected = int(fcluster(scipy_Z, 8, "inconsistent", depth=10).max())
        assert expected == 2
        _choose(page.driver, "criterion", "inconsistent:")
        status = wait_for_text(page, "cut-status", "no single cut height", timeout=QUICK)
        assert f"It gives {expected} clusters" in status, status
        wait_until(page, lambda: cut_line_visible(page) is False, "the cut line hidden", QUICK)
        assert input_value(page, "#n-clusters") == str(expected)
        wait_until(
            page,
            lambda: len(summary_column(page, "cluster")) == expected,
            "two rows in the summary",
            QUICK,
        )
        assert sorted(summary_column(page, "size")) == ["100", "50"]

        smaller = int(fcluster(scipy_Z, 1.5, "inconsistent", depth=10).max())
        assert smaller > 12
        type_into(page, "criterion-t", 1.5)
        wait_until(
            page,
            lambda: input_value(page, "#n-clusters") == str(smaller),
            f"{smaller} clusters at t = 1.5 (as scipy)",
            QUICK,
        )
        wait_for_text(page, "cut-status", f"It gives {smaller} clusters", timeout=QUICK)
        # the summary's first page is full (12 rows), and its sizes add up to less than everything
        wait_until(
            page,
            lambda: len(summary_column(page, "cluster")) == 12,
            "a full first page of clusters",
            QUICK,
        )
        assert sum(int(size) for size in summary_column(page, "size")) < 150
        assert cut_line_visible(page) is False
        assert page_errors(page) == []

    def test_chk002_click_k_4_in_the_quality_plot(self, page, sorted_heights):
        wait_until(
            page,
            lambda: graph_js(
                page, "quality-graph", "return !!(gd && gd._fullData && gd._fullData.length === 3);"
            ),
            "the quality plot",
            TIMEOUT,
        )
        before = cut_line_y(page)
        click_k(page, "quality-graph", 4)  # first subplot: silhouette
        assert_cut_at_k(page, sorted_heights, 4)
        assert cut_line_y(page) != before
        assert page_errors(page) == []

    def test_chk003_click_k_5_in_the_elbow_plot(self, page, sorted_heights):
        wait_until(
            page,
            lambda: graph_js(
                page, "elbow-graph", "return !!(gd && gd._fullData && gd._fullData.length);"
            ),
            "the elbow plot",
            TIMEOUT,
        )
        click_k(page, "elbow-graph", 5)  # the merge-distance trace
        assert_cut_at_k(page, sorted_heights, 5)
        assert page_errors(page) == []

    def test_chk004_click_a_cluster_in_the_summary_highlights_it(self, page):
        wait_until(
            page,
            lambda: sorted(summary_column(page, "size")) == ["100", "50"],
            "the two clusters in the summary",
            QUICK,
        )
        row = summary_column(page, "size").index("50")
        cell = page.find_elements('#cluster-summary td[data-dash-column="cluster"]')[row]
        page.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
        cell.click()
        # the tutorial's 50-sample blob is samples 100-149
        wait_until(
            page,
            lambda: highlighted_points(page) == list(range(100, 150)),
            "the 50-sample cluster highlighted in the scatter",
            QUICK,
        )
        wait_until(
            page,
            lambda: "highlighted" in trace_names(page, "dendrogram"),
            "its branch highlighted in the dendrogram",
            QUICK,
        )
        assert "Highlighted: 50 samples" in text_of(page, "view-status")
        # a new cut clears it (the highlight named a cluster of the old cut)
        type_into(page, "n-clusters", "3")
        wait_until(
            page,
            lambda: (
                highlighted_points(page) is None
                and "highlighted" not in trace_names(page, "dendrogram")
            ),
            "the highlight cleared by the new cut",
            QUICK,
        )
        assert "Highlighted" not in text_of(page, "view-status")
        assert page_errors(page) == []

    def test_chk005_a_typed_k_or_height_is_painted_before_the_server_answers(
        self, page, sorted_heights
    ):
        """Issue 11: under a class's load the server's answer takes seconds; the page
        recolours both plots for a typed k (or height; Enter or Tab away) or a k clicked in
        the elbow plot at once, in the very colours,
        labels and legend the server's answer then draws. The server is made slow here
        (a second of network latency) so that the order does not depend on this machine."""
        recolour_ready(page)
        scroll_to(page, "dendrogram-card")
        page.driver.set_network_conditions(
            latency=1000, download_throughput=10**8, upload_throughput=10**8
        )
        try:
            for field, value, k, leave in (
                ("n-clusters", "4", 4, Keys.ENTER),
                ("cut-height", f"{height_for_k(sorted_heights, 3).height:.4f}", 3, Keys.ENTER),
                ("n-clusters", "5", 5, Keys.TAB),
                ("elbow-graph", "6", 6, None),
            ):
                page.driver.execute_script(PAINT_RECORDER)
                if leave is None:
                    click_k(page, field, k)  # the merge-distance trace
                else:
                    box = page.find_element(f"#{field}")
                    box.send_keys(Keys.CONTROL, "a")
                    box.send_keys(value, leave)
                wait_until(
                    page,
                    lambda k=k: input_value(page, "#n-clusters") == str(k),
                    f"k = {k}",
                    QUICK,
                )
                settle(page)
                by_graph, first_answer = painted(page)
                for graph, paints in by_graph.items():
                    before, final = paints[0][1], paints[-1][1]
                    assert final != before, f"{field}: {graph} recoloured"
                    first_final = next(at for at, signature in paints if signature == final)
                    assert first_final < first_answer, (
                        f"{field} = {value}: {graph} showed the server's colours before its answer"
                    )
                assert len(set(scatter_colours_now(page))) == k
        finally:
            page.driver.delete_network_conditions()
        assert page_errors(page) == []
