"""Comparing two trees, in a real browser: open the panel, pick the other tree's method and
metric, meet a refusal, and watch the lines and the ARI follow a typed k.

Run with ``python -m pytest tests/browser/test_tanglegram.py -q --headless``.
"""

from scipy.cluster.hierarchy import linkage

from devtools.local_app import choose_option as _choose
from hclust.compare import bakers_gamma
from hclust.data import tutorial_blobs
from tests.browser.test_choosing_k import type_into
from tests.browser.test_foundation import wait_until
from tests.browser.test_instrument import (
    QUICK,
    graph_js,
    page_errors,
    scroll_to,
    text_of,
    wait_for_text,
)


def line_colours(dash_duo):
    """Colours of the tanglegram's lines as plotly drew them."""
    return graph_js(
        dash_duo,
        "tanglegram",
        "return gd && gd._fullData ? gd._fullData.filter(t => t.name.startsWith('lines '))"
        ".map(t => t.line.color) : [];",
    )


def dendrogram_colours(dash_duo):
    """Colours of the dendrogram's cluster links (not the grey between clusters)."""
    return graph_js(
        dash_duo,
        "dendrogram",
        "return gd._fullData.filter(t => t.mode === 'lines' && t.name.startsWith('colour '))"
        ".map(t => t.line.color);",
    )


def test_tgl001_compare_with_other_trees(page):
    X, _ = tutorial_blobs()
    ward = linkage(X, "ward")
    scroll_to(page, "tanglegram-panel")
    page.find_element("#tanglegram-panel > summary").click()

    # the default other tree: average linkage, euclidean
    gamma = bakers_gamma(ward, linkage(X, "average"))
    text = wait_for_text(page, "tree-agreement", "Baker's gamma", f"{gamma:.3f}", "k = 2")
    assert "Entanglement" in text and "Exact, over all 11,175 pairs" in text
    wait_until(page, lambda: len(set(line_colours(page))) == 2, "lines in two cluster colours")
    assert set(line_colours(page)) <= set(dendrogram_colours(page)) | {"#D4D4D4"}

    # another metric for the other tree
    _choose(page.driver, "tanglegram-metric", "cityblock")
    gamma = bakers_gamma(ward, linkage(X, "average", metric="cityblock"))
    wait_for_text(page, "tree-agreement", f"{gamma:.3f}")
    wait_for_text(page, "tanglegram-status", "average, cityblock")

    # a pair scipy refuses: the reason, and no result for another choice left on the page
    _choose(page.driver, "tanglegram-method", "ward")
    wait_for_text(page, "tanglegram-status", "⚠", "euclidean")
    wait_until(page, lambda: text_of(page, "tree-agreement") == "", "the measures cleared")
    assert line_colours(page) == []

    _choose(page.driver, "tanglegram-metric", "euclidean")
    _choose(page.driver, "tanglegram-method", "single")
    gamma = bakers_gamma(ward, linkage(X, "single"))
    wait_for_text(page, "tree-agreement", f"{gamma:.3f}", "k = 2")

    # a typed k recolours the lines and moves the ARI to that k
    type_into(page, "n-clusters", 4)
    wait_for_text(page, "tree-agreement", "k = 4", timeout=QUICK)
    wait_until(page, lambda: len(set(line_colours(page))) == 4, "lines in four cluster colours")
    assert set(line_colours(page)) == set(dendrogram_colours(page))
    assert page_errors(page) == []
