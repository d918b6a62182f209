"""The index the browser recolours a dragged cut from (components/recolour.py).

What the browser does with it is checked in tests/browser/test_instrument.py
(TestRecolourInTheBrowser): its colours, labels and legend against the server's.
"""

import base64

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from components import recolour
from components.figures import child_links, dendrogram_figure
from hclust.cut import TreeIndex
from hclust.dendrogram import dendrogram_geometry
from hclust.linkage import compute_linkage
from tests.drawn_lines import strokes, strokes_of_steps

CLUSTERING = {"key": "abc", "method": "ward", "metric": "euclidean"}


def unpacked(index, name, dtype):
    return np.frombuffer(base64.b64decode(index[name]), dtype=dtype)


def build(n, truncate_mode="none", p=30, orientation="top", seed=0):
    X = np.random.default_rng(seed).normal(size=(n, 2))
    Z = compute_linkage(X, "ward", "euclidean")
    tree = TreeIndex.from_linkage(Z)
    geometry = dendrogram_geometry(Z, tree, truncate_mode, p)
    key = recolour.geometry_id(CLUSTERING, truncate_mode, p, None, orientation)
    return Z, tree, geometry, recolour.recolour_index(tree, Z, geometry, orientation, key)


class TestRecolourIndex:
    def test_small_tree_sends_every_merge_highest_first(self):
        Z, tree, _, index = build(300)
        heights = unpacked(index, "top_height", "<f8")
        assert len(heights) == 299 and index["floor"] is None
        assert np.all(np.diff(heights) <= 0)
        nodes = unpacked(index, "top_node", "<i4")
        assert_array_equal(heights, tree.node_height[nodes])
        assert_array_equal(unpacked(index, "left", "<i4"), Z[nodes - 300, 0])
        assert_array_equal(
            unpacked(index, "right_size", "<i4"), tree.size[Z[nodes - 300, 1].astype(int)]
        )
        assert_array_equal(unpacked(index, "leaf_order", "<i4"), tree.leaf_order)

    def test_large_tree_sends_the_top_merges_and_the_floor_below_which_it_cannot_cut(self):
        n = recolour.CLIENT_MAX_CLUSTERS + 500
        _, tree, _, index = build(n, truncate_mode="lastp", p=60)
        heights = unpacked(index, "top_height", "<f8")
        assert len(heights) == recolour.CLIENT_MAX_CLUSTERS - 1
        left_out = np.setdiff1d(np.arange(n, 2 * n - 1), unpacked(index, "top_node", "<i4"))
        assert index["floor"] == tree.node_height[left_out].max() <= heights.min()

    def test_links_are_the_figures_links_in_geometry_order(self):
        Z, tree, geometry, index = build(200, truncate_mode="lastp", p=40, orientation="left")
        x, y = unpacked(index, "link_x", "<f4"), unpacked(index, "link_y", "<f4")
        assert len(x) == len(y) == 4 * geometry.n_links and index["axis"] == "x"
        one_colour = np.zeros(geometry.n_links, dtype=np.int64)
        figure = dendrogram_figure(
            geometry, one_colour, 1.0, [str(i) for i in range(200)], Z, orientation="left"
        )
        drawn = next(trace for trace in figure.data if trace.name == "colour 0")
        # the SVG figure walks the links the index lists as 3 points and a gap each
        assert strokes(drawn.x, drawn.y) == strokes_of_steps(x, y, index["line_shape"])
        left, right = child_links(geometry, Z)
        assert_array_equal(unpacked(index, "link_left", "<i4"), left)
        assert_array_equal(unpacked(index, "link_right", "<i4"), right)
        # (a child of link j is drawn as link left[j]: its top is where j's leg ends)
        inner = left >= 0
        assert_array_equal(geometry.height[left[inner]], geometry.h_left[inner])
        assert_array_equal(
            unpacked(index, "link_height", "<f8"), tree.node_height[200 + geometry.merges]
        )
        assert_array_equal(unpacked(index, "link_start", "<i4"), tree.start[200 + geometry.merges])

    def test_too_many_samples_for_the_browser(self, monkeypatch):
        monkeypatch.setattr(recolour, "CLIENT_MAX_SAMPLES", 100)
        assert build(101)[3] is None

    @pytest.mark.parametrize("orientation", ["top", "right"])
    def test_names_the_geometry_the_figure_draws(self, orientation):
        index = build(50, orientation=orientation)[3]
        assert index["geometry"] == recolour.geometry_id(CLUSTERING, "none", 30, None, orientation)
        assert index["axis"] == ("y" if orientation == "top" else "x")


class TestSharedStringsAndLeaves:
    def test_the_index_carries_the_figures_strings(self):
        from components.figures import LEGEND_ENTRIES, STRINGS

        index = build(40)[3]
        assert index["strings"] == STRINGS and index["legend_entries"] == LEGEND_ENTRIES

    def test_drawn_leaves_say_which_cuts_make_them_a_whole_cluster(self):
        Z, tree, geometry, index = build(300, truncate_mode="lastp", p=12)
        leaf_height = unpacked(index, "leaf_height", "<f8")
        parent_height = unpacked(index, "leaf_parent_height", "<f8")
        starts = unpacked(index, "leaf_start", "<i4")
        assert_array_equal(starts, tree.start[geometry.leaf_nodes])
        from scipy.cluster.hierarchy import fcluster

        for h in np.unique(tree.sorted_heights)[-15:] - 1e-9:
            labels = fcluster(Z, h, "distance")
            for q, node in enumerate(geometry.leaf_nodes):
                samples = tree.leaf_order[tree.start[node] : tree.start[node] + tree.size[node]]
                whole = len(np.unique(labels[samples])) == 1 and np.sum(
                    labels == labels[samples[0]]
                ) == len(samples)
                assert whole == (leaf_height[q] <= h < parent_height[q])
