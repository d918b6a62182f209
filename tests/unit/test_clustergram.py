"""The clustergram (#15 §1): its core against scipy and pandas, its figure, and
its callbacks as plain functions on the tutorial's data and on truncated trees."""

import numpy as np
import pandas as pd
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal
from scipy.cluster.hierarchy import dendrogram, fcluster, leaves_list, linkage
from scipy.stats import zscore as scipy_zscore

import callbacks.clustergram as cg
from callbacks.clustering import compute_clustering
from components.clustergram_figures import (
    BAR_FILL_TRACE,
    BAR_TRACE,
    COLUMN_TREE_TRACE,
    HEATMAP_TRACE,
    MARK_TRACE,
    clustergram_figure,
)
from hclust.clustergram import (
    RowGroups,
    aggregate_rows,
    column_linkage,
    groups_of_nodes,
    row_colour_indices,
    row_order,
    samples_of_node,
    zscore,
    zscore_columns,
)
from hclust.cut import TreeIndex, assign_colours, height_for_k
from hclust.data import Dataset
from hclust.dendrogram import ABOVE, dendrogram_geometry, members
from services import store
from tests.helpers import call, draw_views, new_session, options_store, put_preset, triggered_by

METHODS = ("single", "complete", "average", "weighted", "ward")
finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=32)


def matrices(min_rows=3, max_rows=40, min_cols=1, max_cols=5):
    return st.tuples(st.integers(min_rows, max_rows), st.integers(min_cols, max_cols)).flatmap(
        lambda shape: arrays(np.float64, shape, elements=finite)
    )


def bar_colours(fig):
    """Each row's colour as the bar's fill paints it: its code, through the stepped scale."""
    fill = fig.data[BAR_FILL_TRACE]
    colours = []
    for code in np.asarray(fill.z).ravel():
        position = (code - fill.zmin) / (fill.zmax - fill.zmin)
        assert 0 < position < 1
        colours.append([colour for edge, colour in fill.colorscale if edge <= position][-1])
    return colours


def truncated_groups(Z, p):
    """Rows for scipy's lastp truncation, and each sample's row, found through our tree."""
    tree = TreeIndex.from_linkage(Z)
    geometry = dendrogram_geometry(Z, tree, "lastp", p)
    groups = groups_of_nodes(tree, geometry.leaf_nodes)
    row_of_sample = np.empty(tree.n, dtype=np.int64)
    for row, node in enumerate(groups.nodes.tolist()):
        row_of_sample[members(tree, node)] = row
    return tree, groups, row_of_sample


class TestRowOrder:
    @pytest.mark.filterwarnings("ignore::scipy.cluster.hierarchy.ClusterWarning")
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(matrices(min_cols=2), st.sampled_from(METHODS))
    def test_is_scipys_leaf_order(self, X, method):
        Z = linkage(X, method)
        assert_array_equal(row_order(Z), leaves_list(Z))
        assert_array_equal(row_order(Z), dendrogram(Z, no_plot=True)["leaves"])

    def test_truncated_rows_are_the_leaves_scipy_draws(self, tutorial):
        Z = tutorial["Z"]
        _, groups, _ = truncated_groups(Z, 12)
        drawn = dendrogram(Z, truncate_mode="lastp", p=12, no_plot=True)["leaves"]
        assert_array_equal(groups.nodes, drawn)

    def test_a_branch_in_full_is_its_samples_in_leaf_order(self, tutorial):
        Z = tutorial["Z"]
        tree = TreeIndex.from_linkage(Z)
        node = int(Z[-1, 0])
        groups = samples_of_node(tree, node)
        order = leaves_list(Z)
        start = list(order).index(groups.nodes[0])
        assert_array_equal(groups.nodes, order[start : start + int(tree.size[node])])
        assert (groups.size == 1).all() and not groups.aggregated


class TestAggregation:
    @pytest.mark.filterwarnings("ignore::scipy.cluster.hierarchy.ClusterWarning")
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(matrices(min_rows=6, min_cols=1), st.integers(2, 8), st.sampled_from(METHODS))
    def test_equals_pandas_groupby_means(self, X, p, method):
        Z = linkage(X if X.shape[1] > 1 else np.column_stack([X, X]), method)
        tree, groups, row_of_sample = truncated_groups(Z, p)
        expected = pd.DataFrame(X).groupby(row_of_sample).mean().to_numpy()
        assert_allclose(aggregate_rows(X, tree.leaf_order, groups), expected, rtol=1e-9, atol=1e-9)

    def test_groups_are_maxclust_clusters_on_a_monotone_tree(self, tutorial):
        # lastp p leaves are the p clusters of fcluster's maxclust when no heights tie
        X, Z = tutorial["X"], tutorial["Z"]
        tree, groups, row_of_sample = truncated_groups(Z, 5)
        labels = fcluster(Z, 5, "maxclust")
        assert len(set(zip(labels, row_of_sample))) == 5
        expected = pd.DataFrame(X).groupby(labels).mean()
        ours = aggregate_rows(X, tree.leaf_order, groups)
        for row in range(5):
            label = labels[row_of_sample == row][0]
            assert_allclose(ours[row], expected.loc[label].to_numpy())

    def test_rows_of_single_samples_are_the_samples(self, tutorial):
        X, Z = tutorial["X"], tutorial["Z"]
        tree = TreeIndex.from_linkage(Z)
        groups = samples_of_node(tree, 2 * tree.n - 2)
        assert_array_equal(aggregate_rows(X, tree.leaf_order, groups), X[leaves_list(Z)])

    def test_refuses_groups_with_gaps(self):
        X = np.arange(12.0).reshape(6, 2)
        gappy = RowGroups(np.array([0, 2]), np.array([0, 3]), np.array([2, 2]))
        with pytest.raises(ValueError, match="contiguous"):
            aggregate_rows(X, np.arange(6), gappy)


class TestZscore:
    @pytest.mark.filterwarnings("ignore:Precision loss:RuntimeWarning")
    @settings(max_examples=60, deadline=None)
    @given(matrices(min_rows=2, min_cols=1))
    def test_equals_scipy_on_varying_columns(self, X):
        varying = X.std(axis=0) > 1e-6 * (1 + np.abs(X).max(axis=0))
        assert_allclose(zscore(X)[:, varying], scipy_zscore(X, axis=0)[:, varying], atol=1e-7)

    def test_constant_columns_score_zero_not_nan(self):
        X = np.column_stack([np.full(5, 3.0), np.arange(5.0)])
        assert_array_equal(zscore(X)[:, 0], 0.0)
        assert_allclose(zscore(X)[:, 1], scipy_zscore(X[:, 1]))

    def test_means_of_zscores_are_zscores_of_means(self, tutorial):
        X, Z = tutorial["X"], tutorial["Z"]
        tree, groups, _ = truncated_groups(Z, 6)
        mean, std = zscore_columns(X)
        assert_allclose(
            (aggregate_rows(X, tree.leaf_order, groups) - mean) / std,
            aggregate_rows(scipy_zscore(X, axis=0), tree.leaf_order, groups),
        )


class TestColumnLinkage:
    def test_is_scipys_complete_euclidean_on_the_columns(self):
        rng = np.random.default_rng(1)
        X = rng.normal(size=(50, 7)) * np.arange(1, 8)
        assert_allclose(column_linkage(X), linkage(X.T, "complete", "euclidean"))

    def test_needs_two_columns(self):
        with pytest.raises(ValueError, match="two columns"):
            column_linkage(np.ones((5, 1)))


class TestRowColours:
    def test_pure_rows_take_their_clusters_colour_mixed_rows_are_grey(self, tutorial):
        Z = tutorial["Z2"]
        labels = fcluster(Z, 4, "maxclust")
        mixed = 0
        for p in (2, 3, 8):  # fewer drawn leaves than clusters: some rows hold several
            tree, groups, row_of_sample = truncated_groups(Z, p)
            roots, pure = tree.partition_roots(labels)
            colours = assign_colours(tree, roots)
            by_label = dict(zip(tree.root_labels(roots, labels).tolist(), colours.tolist()))
            got = row_colour_indices(tree, groups, roots, colours, pure)
            for row in range(len(groups.nodes)):
                inside = np.unique(labels[row_of_sample == row])
                assert got[row] == (by_label[inside[0]] if len(inside) == 1 else ABOVE)
                mixed += len(inside) > 1
        assert mixed


class TestFigure:
    def test_traces_follow_the_arrays(self):
        matrix = np.arange(6.0).reshape(3, 2)
        fig = clustergram_figure(
            matrix,
            ["a", "b"],
            ["r0", "r1", "r2"],
            ["#332288", "#CC6677", "#9A9A9A"],
            ["x", "y", "z"],
            scale="zscore",
            column_tree=(np.array([0.0, 0.0, 1.0, 1.0, np.nan]), np.array([0, 1, 1, 0, np.nan])),
            highlighted_rows=np.array([False, True, False]),
        )
        assert_allclose(np.asarray(fig.data[HEATMAP_TRACE].z), matrix)
        assert list(fig.data[HEATMAP_TRACE].x) == ["a", "b"]
        assert fig.data[HEATMAP_TRACE].zmid == 0
        assert bar_colours(fig) == ["#332288", "#CC6677", "#9A9A9A"]
        assert list(fig.data[BAR_TRACE].text) == ["x", "y", "z"]
        assert list(fig.data[MARK_TRACE].y) == [1]
        assert fig.data[COLUMN_TREE_TRACE].yaxis == "y2"
        assert fig.layout.yaxis.autorange == "reversed"  # the first leaf on top

    def test_refuses_mismatched_arguments(self):
        with pytest.raises(ValueError):
            clustergram_figure(np.ones((2, 2)), ["a"], ["r", "s"], ["#000", "#000"], ["", ""])
        with pytest.raises(ValueError):
            clustergram_figure(np.ones((1, 1)), ["a"], ["r"], ["#000"], [""], scale="log")


# ---- callbacks, as plain functions ----------------------------------------------------------


def cut_for_k(summary, result, k):
    height = height_for_k(result.tree.sorted_heights, k).height
    return {
        "criterion": "distance",
        "height": height,
        "k": k,
        "t": 8,
        "depth": 10,
        "clustering": summary,
    }


def views(session_id, cut, highlight=None, focus=None, colour_map=None):
    """update_views as the page runs it: returns the colour map it writes."""
    return draw_views(session_id, cut, highlight=highlight, focus=focus, colour_map=colour_map)[2]


def draw(session, cut, highlight=None, focus=None, columns="data", scale="values", **given):
    colour_map = views(session["id"], cut, highlight, focus)
    zoom = given.get("zoom")
    if zoom is not None:  # the zoom store, as assets/relayout.js writes it
        given["prop_id"] = "dendrogram-leaf-zoom.data"
    with triggered_by(given.get("prop_id", "colour-map.data")):
        return call(
            cg.update_clustergram,
            colour_map=colour_map,
            columns=columns,
            scale=scale,
            cut=cut,
            highlight=highlight,
            focus=focus,
            view_options=options_store(
                truncate_mode=given.get("truncate_mode", "auto"),
                p=given.get("p", 60),
                orientation=given.get("orientation", "top"),
            ),
            zoom_event=zoom,
            view=given.get("view"),
            session_id=session["id"],
        ) + (colour_map,)


def select(session, view, click=None, selected=None):
    prop = "clustergram.clickData" if click is not None else "clustergram.selectedData"
    with triggered_by(prop):
        return call(
            cg.select_rows, click=click, selected=selected, view=view, session_id=session["id"]
        )


@pytest.fixture(scope="module")
def small():
    session_id = new_session()
    summary, _ = compute_clustering(session_id, put_preset(session_id), "ward", "euclidean", False)
    dataset, result = store.get_store().result_for(session_id, summary)
    return dict(id=session_id, clustering=summary, dataset=dataset, result=result)


@pytest.fixture(scope="module")
def large():
    """2,500 samples: the overview is truncated to 60 drawn leaves."""
    rng = np.random.default_rng(7)
    X = np.concatenate([rng.normal(c, 1.0, size=(500, 3)) for c in (0, 6, 12, 18, 24)])
    session_id = new_session()
    key = store.get_store().put_dataset(
        session_id, Dataset(values=X, feature_names=("a", "b", "c"), name="blobs")
    )
    dataset, result = store.get_store().clustering(session_id, "ward", "euclidean", data_key=key)
    summary = {
        "key": key,
        "method": "ward",
        "metric": "euclidean",
        "optimal_order": False,
        "n": dataset.n_samples,
        "default_cut": result.default_cut,
    }
    return dict(id=session_id, clustering=summary, dataset=dataset, result=result)


class TestUpdateClustergram:
    def test_rows_in_leaf_order_coloured_as_the_dendrogram(self, small):
        cut = cut_for_k(small["clustering"], small["result"], 3)
        fig, status, view, colour_map = draw(small, cut)
        X, Z = small["dataset"].values, small["result"].Z
        assert_allclose(np.asarray(fig.data[HEATMAP_TRACE].z), X[leaves_list(Z)], rtol=1e-6)
        labels = fcluster(Z, cut["height"], "distance")[leaves_list(Z)]
        expected = [colour_map["labels"][str(label)] for label in labels]
        assert bar_colours(fig) == expected
        assert status == "" and view["rows"] == "leaves" and view["root"] is None
        assert "3 clusters" in fig.layout.title.text

    def test_zscore_and_clustered_columns(self, small):
        cut = cut_for_k(small["clustering"], small["result"], 2)
        fig, _, _, _ = draw(small, cut, columns="clustered", scale="zscore")
        X, Z = small["dataset"].values, small["result"].Z
        order = leaves_list(linkage(X.T, "complete", "euclidean"))
        expected = scipy_zscore(X, axis=0)[leaves_list(Z)][:, order]
        assert_allclose(np.asarray(fig.data[HEATMAP_TRACE].z), expected, rtol=1e-5, atol=1e-6)
        assert list(fig.data[HEATMAP_TRACE].x) == [["x", "y"][j] for j in order]
        assert len(fig.data) == 5  # the columns' dendrogram
        assert "z-score per column" in fig.layout.title.text

    def test_a_focused_branch_is_shown_in_full(self, small):
        result = small["result"]
        cut = cut_for_k(small["clustering"], result, 3)
        node = int(result.Z[-1, 1])
        focus = {"node": node, "clustering": small["clustering"]}
        fig, status, view, _ = draw(small, cut, focus=focus)
        inside = members(result.tree, node)
        assert_allclose(
            np.asarray(fig.data[HEATMAP_TRACE].z), small["dataset"].values[inside], rtol=1e-6
        )
        assert {k: view[k] for k in ("clustering", "root", "rows")} == {
            "clustering": small["clustering"],
            "root": node,
            "rows": "samples",
        }
        assert view["drawn"]["focus"] == focus and view["drawn"]["cut"] == cut
        assert f"all {len(inside)} samples" in status

    def test_a_highlighted_cluster_focuses_the_heatmap(self, small):
        result = small["result"]
        cut = cut_for_k(small["clustering"], result, 3)
        labels = fcluster(result.Z, cut["height"], "distance")
        fig, _, view, colour_map = draw(small, cut, highlight={"cluster": 2})
        shown = np.asarray(fig.data[HEATMAP_TRACE].z)
        assert len(shown) == (labels == 2).sum()
        assert set(bar_colours(fig)) == {colour_map["labels"]["2"]}

    def test_highlighted_samples_are_marked_not_focused(self, small):
        cut = cut_for_k(small["clustering"], small["result"], 2)
        fig, _, _, _ = draw(small, cut, highlight={"samples": [0, 5]})
        order = list(leaves_list(small["result"].Z))
        assert sorted(fig.data[MARK_TRACE].y) == sorted([order.index(0), order.index(5)])
        assert len(np.asarray(fig.data[HEATMAP_TRACE].z)) == 150

    def test_rows_picked_in_a_focused_heatmap_keep_it_focused(self, small):
        result = small["result"]
        cut = cut_for_k(small["clustering"], result, 2)
        node = int(result.Z[-1, 1])
        _, _, view, _ = draw(small, cut, highlight={"node": node})
        inside = members(result.tree, node)
        picked = {"samples": sorted(inside[:3].tolist())}
        fig, _, kept, _ = draw(small, cut, highlight=picked, view=view)
        assert kept["root"] == node and len(np.asarray(fig.data[HEATMAP_TRACE].z)) == len(inside)
        assert list(fig.data[MARK_TRACE].y) == [0, 1, 2]  # members() is in leaf order
        outside = int(np.setdiff1d(np.arange(150), inside)[0])
        fig, _, whole, _ = draw(small, cut, highlight={"samples": [outside]}, view=view)
        assert whole["root"] is None and len(np.asarray(fig.data[HEATMAP_TRACE].z)) == 150

    @pytest.mark.parametrize("node", [3, 299, 10**6])
    def test_a_forged_focus_is_refused_naming_the_range(self, small, node):
        cut = cut_for_k(small["clustering"], small["result"], 2)
        colour_map = views(small["id"], cut)
        focus = {"node": node, "clustering": small["clustering"]}
        with triggered_by("focus.data"):
            fig, message, _ = call(
                cg.update_clustergram,
                colour_map=colour_map,
                cut=cut,
                focus=focus,
                session_id=small["id"],
            )
        assert fig is no_update and "must be a merge of this tree (150 to 298)" in message

    def test_a_zoom_into_the_full_dendrogram_shows_its_samples_and_stays(self, small):
        result = small["result"]
        cut = cut_for_k(small["clustering"], result, 2)
        order = leaves_list(result.Z)
        # leaves r = 20 .. 59 sit at x = 5 + 10 r
        fig, status, view, _ = draw(small, cut, zoom={"range": [200.0, 599.0]})
        assert_allclose(
            np.asarray(fig.data[HEATMAP_TRACE].z), small["dataset"].values[order[20:60]], rtol=1e-6
        )
        assert (view["rows"], view["first"], view["count"]) == ("range", 20, 40)
        assert "zoom: 40 samples" in status
        # a new cut keeps the zoom, as the dendrogram keeps its axes
        cut3 = cut_for_k(small["clustering"], result, 3)
        fig, _, kept, _ = draw(small, cut3, view=view)
        assert len(np.asarray(fig.data[HEATMAP_TRACE].z)) == 40 and kept["zoom"] == view["zoom"]
        # rows picked in it map to its own samples
        highlight, _ = select(small, kept, click={"points": [{"curveNumber": 0, "y": 0}]})
        assert highlight == {"samples": [int(order[20])]}
        # a double click (autorange) shows every row again
        fig, _, whole, _ = draw(small, cut3, zoom={"range": "out"}, view=kept)
        assert len(np.asarray(fig.data[HEATMAP_TRACE].z)) == 150 and whole["zoom"] is None

    def test_plotlys_autosize_is_no_zoom_and_the_colour_map_still_draws(self, small):
        # each new figure's autosize relayout comes with the colour map drawn with it: it writes
        # no zoom (tests/js/relayout.test.js), so no answer of the heatmap's callback can
        # supersede the colour map's
        fig, _, _, _ = draw(small, cut_for_k(small["clustering"], small["result"], 3))
        assert len(np.asarray(fig.data[HEATMAP_TRACE].z)) == 150

    @pytest.mark.parametrize(
        "forged",
        [
            {"range": [1.0]},
            {"range": "all"},
            {"zoom": 1},
            [0, 5],
            {"range": [10**400, 5.0]},
            {"range": [float("inf"), 5.0]},
            {"range": ["a", 5.0]},
        ],
    )
    def test_a_forged_zoom_is_named(self, small, forged):
        cut = cut_for_k(small["clustering"], small["result"], 2)
        colour_map = views(small["id"], cut)
        with triggered_by("dendrogram-leaf-zoom.data"):
            _, message, _ = call(
                cg.update_clustergram,
                colour_map=colour_map,
                cut=cut,
                zoom_event=forged,
                session_id=small["id"],
            )
        assert message.startswith("⚠") and "The dendrogram's zoom" in message

    def test_a_zoom_into_a_truncated_tree_is_left_to_the_branch_it_opens(self, large):
        cut = cut_for_k(large["clustering"], large["result"], 5)
        with pytest.raises(PreventUpdate):
            draw(large, cut, zoom={"range": [0.0, 200.0]})

    def test_a_forged_range_view_is_checked(self, small):
        view = {"clustering": small["clustering"], "rows": "range", "first": 140, "count": 40}
        highlight, message = select(small, view, click={"points": [{"curveNumber": 0, "y": 0}]})
        assert highlight is no_update and "must be a whole number from 1 to 10" in message

    def test_waits_for_the_views_to_draw_the_cut(self, small):
        cut = cut_for_k(small["clustering"], small["result"], 2)
        other = dict(small["clustering"], method="average")
        with triggered_by("colour-map.data"), pytest.raises(PreventUpdate):
            call(
                cg.update_clustergram,
                colour_map={"clustering": other, "nodes": {}},
                cut=cut,
                session_id=small["id"],
            )

    def test_a_forged_scale_is_named(self, small):
        cut = cut_for_k(small["clustering"], small["result"], 2)
        colour_map = views(small["id"], cut)
        with triggered_by("colour-map.data"):
            fig, message, view = call(
                cg.update_clustergram,
                colour_map=colour_map,
                scale="log",
                cut=cut,
                session_id=small["id"],
            )
        assert fig is no_update and view is no_update
        assert message.startswith("⚠") and "colour scale" in message

    def test_large_data_rows_are_means_per_drawn_leaf(self, large):
        result, X = large["result"], large["dataset"].values
        cut = cut_for_k(large["clustering"], result, 5)
        fig, status, view, _ = draw(large, cut)
        drawn = dendrogram(result.Z, truncate_mode="lastp", p=60, no_plot=True)["leaves"]
        row_of_sample = np.empty(len(X), dtype=np.int64)
        for row, node in enumerate(drawn):
            row_of_sample[members(result.tree, node)] = row
        expected = pd.DataFrame(X).groupby(row_of_sample).mean().to_numpy()
        assert_allclose(np.asarray(fig.data[HEATMAP_TRACE].z), expected, rtol=1e-5)
        assert view["rows"] == "leaves" and "mean of a drawn leaf" in status
        assert "60 rows" in status and "2,500 samples" in status
        labels = fcluster(result.Z, cut["height"], "distance")
        colours = views(large["id"], cut)["labels"]
        for row in range(len(drawn)):
            inside = np.unique(labels[row_of_sample == row])
            assert len(inside) == 1  # five well separated blobs: no drawn leaf straddles two
            assert bar_colours(fig)[row] == colours[str(inside[0])]

    def test_a_branch_past_the_cap_stays_aggregated_and_says_so(self, large, monkeypatch):
        monkeypatch.setattr(cg, "ROW_CAP", 100)
        result = large["result"]
        cut = cut_for_k(large["clustering"], result, 5)
        node = int(result.Z[-1, 0])
        focus = {"node": node, "clustering": large["clustering"]}
        fig, status, view, _ = draw(large, cut, focus=focus)
        assert view["rows"] == "leaves" and view["root"] == node
        assert len(np.asarray(fig.data[HEATMAP_TRACE].z)) == 60
        assert f"{int(result.tree.size[node]):,} samples, more than the 100 rows" in status

    def test_a_distance_matrix_is_refused_with_a_reason(self):
        session_id = new_session()
        rng = np.random.default_rng(0)
        P = rng.normal(size=(12, 2))
        D = np.sqrt(((P[:, None] - P[None]) ** 2).sum(-1))
        key = store.get_store().put_dataset(
            session_id,
            Dataset(
                values=D,
                feature_names=tuple(f"s{i}" for i in range(12)),
                name="d",
                is_distance_matrix=True,
            ),
        )
        summary, _ = compute_clustering(
            session_id, {"key": key, "n": 12}, "average", "euclidean", False
        )
        _, result = store.get_store().result_for(session_id, summary)
        cut = cut_for_k(summary, result, 2)
        colour_map = views(session_id, cut)
        with triggered_by("colour-map.data"):
            _, message, _ = call(
                cg.update_clustergram, colour_map=colour_map, cut=cut, session_id=session_id
            )
        assert "distance matrix has no features" in message


class TestSelectRows:
    def test_clicked_sample_row_highlights_that_sample(self, small):
        cut = cut_for_k(small["clustering"], small["result"], 2)
        _, _, view, _ = draw(small, cut)
        highlight, _ = select(small, view, click={"points": [{"curveNumber": 0, "y": 4, "x": "x"}]})
        assert highlight == {"samples": [int(leaves_list(small["result"].Z)[4])]}

    def test_box_over_the_bar_highlights_the_rows_samples(self, small):
        cut = cut_for_k(small["clustering"], small["result"], 2)
        _, _, view, _ = draw(small, cut)
        points = [{"curveNumber": BAR_TRACE, "y": y, "x": 0} for y in range(10, 20)]
        highlight, _ = select(small, view, selected={"points": points})
        assert highlight == {"samples": sorted(leaves_list(small["result"].Z)[10:20].tolist())}

    def test_a_clicked_mean_row_highlights_its_merge(self, large):
        result = large["result"]
        cut = cut_for_k(large["clustering"], result, 5)
        _, _, view, _ = draw(large, cut)
        highlight, _ = select(large, view, click={"points": [{"curveNumber": 1, "y": 7}]})
        drawn = dendrogram(result.Z, truncate_mode="lastp", p=60, no_plot=True)["leaves"]
        assert highlight == {"node": int(drawn[7])}
        # ... which then focuses the heatmap on that merge, in full
        fig, status, view2, _ = draw(large, cut, highlight=highlight)
        assert (view2["root"], view2["rows"]) == (drawn[7], "samples")
        assert view2["drawn"]["highlight"] == highlight
        assert_allclose(
            np.asarray(fig.data[HEATMAP_TRACE].z),
            large["dataset"].values[members(result.tree, drawn[7])],
            rtol=1e-6,
        )

    def test_too_large_a_selection_is_refused_naming_the_limit(self, large, monkeypatch):
        monkeypatch.setattr(cg, "SELECTION_CAP", 100)
        cut = cut_for_k(large["clustering"], large["result"], 5)
        _, _, view, _ = draw(large, cut)
        points = [{"curveNumber": BAR_TRACE, "y": y} for y in range(0, 30)]
        highlight, message = select(large, view, selected={"points": points})
        assert highlight is no_update
        assert "more than the 100 a selection may highlight" in message

    def test_a_forged_view_is_checked_against_the_servers_tree(self, small):
        view = {"clustering": small["clustering"], "root": 10**6, "rows": "samples"}
        highlight, message = select(small, view, click={"points": [{"curveNumber": 0, "y": 0}]})
        assert highlight is no_update and "branch" in message

    @pytest.mark.parametrize("points", [5, "rows", {"y": 1}])
    def test_points_that_are_not_a_list_are_named(self, small, points):
        highlight, message = select(small, None, click={"points": points})
        assert highlight is no_update and "picked rows" in message

    def test_junk_points_pick_nothing(self, small):
        cut = cut_for_k(small["clustering"], small["result"], 2)
        _, _, view, _ = draw(small, cut)
        junk = [
            "x",
            {"curveNumber": 0, "y": float("nan")},
            {"curveNumber": 0, "y": 1e308},
            {"curveNumber": 0, "y": 2.5},
            {"curveNumber": 0, "y": True},
            {"curveNumber": 7, "y": 1},
            {"curveNumber": 0, "y": -1},
        ]
        with pytest.raises(PreventUpdate):
            select(small, view, selected={"points": junk})

    def test_an_empty_selection_changes_nothing(self, small):
        with pytest.raises(PreventUpdate):
            select(small, None, selected={"points": []})
