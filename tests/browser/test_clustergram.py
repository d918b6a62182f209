"""The clustergram in a real browser (#15 §1): one person's path through it.

The tutorial's preset shows its heatmap in the dendrogram's leaf order; a
clicked merge focuses it; rows dragged over in its cluster bar highlight the
same samples in the scatter; and after a dragged and a typed cut the bar has
the scatter's (and so the dendrogram's) colours, sample by sample.

Run with ``python -m pytest tests/browser/test_clustergram.py -q --headless``.
"""

import numpy as np
from numpy.testing import assert_allclose
from scipy.cluster.hierarchy import leaves_list, linkage

from components.clustergram_figures import BAR_FILL_TRACE, HEATMAP_TRACE, MARK_TRACE
from hclust.data import tutorial_blobs
from tests.browser.test_choosing_k import type_into
from tests.browser.test_foundation import drag_cut_line_to, input_value, wait_until
from tests.browser.test_instrument import (
    QUICK,
    SAMPLE_VALUES,
    click_merge,
    drag,
    graph_js,
    highlighted_points,
    page_errors,
    scroll_to,
    viewport_xy,
)


def heatmap(dash_duo):
    """Rows of the heatmap as plotly holds them (decoded), or None before it is drawn."""
    return graph_js(
        dash_duo,
        "clustergram",
        "const t = gd && gd._fullData && gd._fullData[arguments[0]];"
        "return t && t.type === 'heatmap' && t.z ? Array.from(t.z, row => Array.from(row)) : null;",
        HEATMAP_TRACE,
    )


def bar_colours(dash_duo):
    """Each row's colour as the bar paints it: its code in the fill, through the stepped scale."""
    fill = graph_js(
        dash_duo,
        "clustergram",
        "const t = gd && gd._fullData && gd._fullData[arguments[0]];"
        "return t ? {z: Array.from(t.z, row => row[0]), zmin: t.zmin, zmax: t.zmax,"
        " scale: t.colorscale} : null;",
        BAR_FILL_TRACE,
    )
    if fill is None:
        return None
    colours = []
    for code in fill["z"]:
        position = (code - fill["zmin"]) / (fill["zmax"] - fill["zmin"])
        colours.append([colour for edge, colour in fill["scale"] if edge <= position][-1].upper())
    return colours


def scatter_colours(dash_duo):
    """Each sample's colour in the scatter, by sample index."""
    colours = graph_js(dash_duo, "scatter", SAMPLE_VALUES + "return bySample(t => t.marker.color);")
    return [c.upper() for c in colours]


def bar_matches_scatter(dash_duo, order, k):
    bar = bar_colours(dash_duo)
    if bar is None or len(bar) != len(order):
        return False
    scatter = scatter_colours(dash_duo)
    return len(set(bar)) == k and bar == [scatter[s] for s in order]


def test_cgm001_leaf_order_focus_selection_and_colours_after_new_cuts(page):
    X, _ = tutorial_blobs()
    order = leaves_list(linkage(X, "ward")).tolist()
    scroll_to(page, "clustergram-card")
    wait_until(page, lambda: (heatmap(page) or []) and len(heatmap(page)) == 150, "150 rows")
    # rows in scipy's leaf order, the values after scaling (none here: the tutorial's own)
    assert_allclose(np.array(heatmap(page)), X[order], rtol=1e-5)
    wait_until(
        page, lambda: bar_matches_scatter(page, order, 2), "the bar in the 2 clusters' colours"
    )
    card = page.find_element("#clustergram-card")
    wait_until(page, lambda: "stale" not in card.get_attribute("class"), "the card undimmed", QUICK)

    # click a branch: the heatmap shows its 76 samples, in the same order
    scroll_to(page, "dendrogram-card")
    click_merge(page, 145)
    scroll_to(page, "clustergram-card")
    wait_until(page, lambda: len(heatmap(page) or []) == 76, "the branch's 76 rows", QUICK)
    shown = np.array(heatmap(page))
    start = next(i for i in range(150) if np.allclose(X[order[i]], shown[0], rtol=1e-5))
    branch = order[start : start + 76]
    assert_allclose(shown, X[branch], rtol=1e-5)

    # drag down the cluster bar over rows 3..12: those ten samples are highlighted in the scatter
    top = viewport_xy(page, "clustergram", 0, 2.6, "xaxis2", "yaxis")
    bottom = viewport_xy(page, "clustergram", 0, 12.4, "xaxis2", "yaxis")
    drag(page, (top[0] - 12, top[1]), (bottom[0] + 12, bottom[1]))
    wanted = sorted(branch[3:13])
    wait_until(page, lambda: highlighted_points(page) == wanted, "the ten rows' samples", QUICK)
    assert len(heatmap(page)) == 76, "rows picked inside the branch keep it in view"
    marked = lambda: graph_js(  # noqa: E731
        page, "clustergram", "return Array.from(gd._fullData[arguments[0]].y);", MARK_TRACE
    )
    wait_until(page, lambda: marked() == list(range(3, 13)), "the ten rows marked", QUICK)

    # a dragged cut: the highlight clears, every row again, in the new clusters' colours
    scroll_to(page, "dendrogram-card")
    drag_cut_line_to(page, 16.0)
    wait_until(page, lambda: input_value(page, "#n-clusters") == "4", "k = 4", QUICK)
    scroll_to(page, "clustergram-card")
    wait_until(page, lambda: bar_matches_scatter(page, order, 4), "the bar in 4 colours", QUICK)

    # a typed k
    type_into(page, "n-clusters", 3)
    wait_until(page, lambda: bar_matches_scatter(page, order, 3), "the bar in 3 colours", QUICK)
    assert len(heatmap(page)) == 150
    # drawn for the page's choices, so no longer dimmed as out of date
    wait_until(page, lambda: "stale" not in card.get_attribute("class"), "the card undimmed", QUICK)
    assert page_errors(page) == []
