"""The analyst's views in a real browser (issue 15 §4, §5): clusters against the known
species of iris, and the clusters' profiles in the file's units.

One path, as a person takes it: the tutorial's data has no label column (the panel
says how to get one); load iris and read an ARI equal to scikit-learn's at the
default cut; type another k and see the scores follow; choose z-score scaling and
see the profiles still in centimetres.

Run with ``python -m pytest tests/browser/test_analyst_views.py -q --headless``.
"""

import time

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from devtools.local_app import choose_option as _choose
from hclust.cut import largest_gap_cut, monotone_heights
from hclust.datasets import load_bundled_table
from tests.browser.test_choosing_k import type_into
from tests.browser.test_foundation import TIMEOUT, wait_until
from tests.browser.test_instrument import (
    graph_js,
    page_errors,
    scroll_to,
    text_of,
    wait_for_text,
)

FEATURES = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"]
IRIS = load_bundled_table("iris").frame


def default_cut_labels(X):
    """scipy's ward tree of X, cut in the largest gap (the page's default cut)."""
    Z = linkage(X, "ward")
    height = largest_gap_cut(np.sort(monotone_heights(Z)))
    return Z, fcluster(Z, height, "distance")


# The dimming is a clientside callback answering the cut's change: a few ms, not a round trip.
DIM_WITHIN = 0.15
# In one script, so the three readings belong to the same moment: the cut's k in the page's
# store, the k the panel shows, and whether the panel is dimmed.
OBSERVE = """
const state = window.store.getState(), path = state.paths.strs["cut"];
let node = state.layout; for (const key of path) node = node[key];
const shown = document.querySelector("#label-agreement .agreement-k");
return [node.props.data && node.props.data.k, shown && shown.textContent,
        document.getElementById("label-agreement-panel").className];
"""


def column_texts(dash_duo, table_id, column):
    return [
        cell.text for cell in dash_duo.find_elements(f'#{table_id} td[data-dash-column="{column}"]')
    ]


def test_ana001_iris_scores_follow_k_and_profiles_keep_the_files_units(page):
    # the tutorial's blobs have no label column: the panel says how to get one
    scroll_to(page, "label-agreement")
    wait_for_text(page, "label-agreement", "no label column", "Label column")

    _choose(page.driver, "dataset", "Iris flowers")
    wait_for_text(page, "data-status", "150 rows", "Label column: species")
    species = IRIS["species"].to_numpy()
    Z, labels = default_cut_labels(IRIS[FEATURES].to_numpy(dtype=float))
    k = int(labels.max())
    ari = adjusted_rand_score(species, labels)
    scroll_to(page, "label-agreement")
    text = wait_for_text(page, "label-agreement", f"k = {k}", f"ARI = {ari:.4f}")
    assert f"NMI = {normalized_mutual_info_score(species, labels):.4f}" in text
    # the contingency table: one row per cluster, its counts summing to the cluster's size
    sizes = sorted(int(s) for s in column_texts(page, "label-agreement-table", "size"))
    assert sizes == sorted(np.bincount(labels)[1:].tolist())
    # the quality panel's agreement per k marks the same value at the current k
    scroll_to(page, "label-agreement-k")
    wait_until(
        page,
        lambda: graph_js(page, "label-agreement-k", "return gd._fullData.length") == 3,
        "the agreement per k drawn",
    )
    xs, ys = graph_js(
        page,
        "label-agreement-k",
        "const t = gd._fullData[0]; return [Array.from(t.x), Array.from(t.y)];",
    )
    assert abs(ys[xs.index(k)] - ari) < 1e-9

    # type another k: the scores and the table follow the cut. Once the page's cut holds the new
    # k, the panel is dimmed (at once: within the few ms a clientside callback takes) until it
    # shows that k; it never passes the old k for the current one while the server answers.
    new_k = 4 if k != 4 else 5
    type_into(page, "n-clusters", new_k)
    seen = []
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        seen.append((time.monotonic(), *page.driver.execute_script(OBSERVE)))
        if seen[-1][2] == f"k = {new_k}" and "analyst-stale" not in seen[-1][3]:
            break
    assert seen[-1][2] == f"k = {new_k}", seen[-1]
    moved = next(t for t, cut_k, _, _ in seen if cut_k == new_k)
    lying = [
        (round(t - moved, 3), shown, classes)
        for t, cut_k, shown, classes in seen
        if cut_k == new_k
        and shown != f"k = {new_k}"
        and "stale" not in classes
        and t - moved > DIM_WITHIN
    ]
    assert not lying, f"the panel showed another k as the current one: {lying[:3]}"
    new_labels = fcluster(Z, new_k, "maxclust")
    new_ari = adjusted_rand_score(species, new_labels)
    scroll_to(page, "label-agreement")
    wait_for_text(page, "label-agreement", f"k = {new_k}", f"ARI = {new_ari:.4f}", timeout=TIMEOUT)
    wait_until(
        page,
        lambda: len(column_texts(page, "label-agreement-table", "cluster")) == new_k,
        f"{new_k} rows in the contingency table",
    )

    # z-score scaling changes the tree, not the units the profiles speak
    _choose(page.driver, "scaling", "z-score")
    wait_for_text(page, "data-status", "z-score")
    scaled = IRIS[FEATURES].to_numpy(dtype=float)
    scaled = (scaled - scaled.mean(axis=0)) / scaled.std(axis=0)
    _, z_labels = default_cut_labels(scaled)
    means = IRIS[FEATURES].assign(cluster=z_labels).groupby("cluster")["petal_length_cm"].mean()
    expected = sorted(float(f"{m:.6g}") for m in means)
    scroll_to(page, "cluster-profiles")
    wait_for_text(page, "cluster-profiles-status", "before the z-score scaling")
    wait_until(
        page,
        lambda: (
            sorted(
                float(t)
                for t in column_texts(page, "cluster-profiles-table", "mean petal_length_cm")
            )
            == expected
        ),
        f"petal length means in cm {expected}",
    )
    # a box per cluster and feature, its quartiles in centimetres too
    boxes = graph_js(
        page,
        "cluster-profiles-graph",
        "return gd._fullData.filter(t => t.type === 'box').map(t => [t.name, t.q1[0], t.q3[0]]);",
    )
    assert len(boxes) == len(means) * len(FEATURES)
    assert all(0 < q1 <= q3 < 8 for _, q1, q3 in boxes)  # iris is measured in cm, < 8
    assert text_of(page, "label-agreement").count("ARI = ") == 1
    assert page_errors(page) == []
