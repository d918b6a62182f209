"""callbacks.linking: clicks and selections to highlights, the node panel,
and focusing the dendrogram on a branch."""

import inspect

import numpy as np
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from callbacks.clustering import compute_clustering, request_clustering
from callbacks.linking import (
    MEMBERS_SHOWN,
    MERGES_CURVE,
    focus_buttons,
    focus_from_buttons,
    focus_from_zoom,
    node_details,
    node_from_click,
    samples_from_selection,
    update_highlight,
    zoom_of,
    zoomed_subtree,
)
from hclust.data import Dataset
from hclust.dendrogram import dendrogram_geometry
from hclust.errors import InputError
from services import store
from tests.fixtures import tutorial_values as ref
from tests.helpers import (
    call,
    new_session,
    options_store,
    page_context,
    put_preset,
    triggered_by,
    wiring,
)

BIG_N = 3_000


def clustered(session_id, data_version, method="ward", metric="euclidean"):
    summary, _ = compute_clustering(session_id, data_version, method, metric, False)
    return summary


@pytest.fixture(scope="module")
def tutorial_session():
    """The tutorial's two blobs, clustered with ward (150 samples: a full dendrogram)."""
    session_id = new_session()
    summary = clustered(session_id, put_preset(session_id))
    dataset, result = store.get_store().result_for(session_id, summary)
    cut = {
        "criterion": "distance",
        "height": 16.0,
        "k": 4,
        "t": None,
        "depth": None,
        "clustering": summary,
    }
    return dict(id=session_id, clustering=summary, cut=cut, dataset=dataset, result=result)


@pytest.fixture(scope="module")
def big_session():
    """3,000 samples: the overview dendrogram is truncated to the last merges."""
    rng = np.random.default_rng(3000)
    centres = rng.uniform(-50, 50, size=(6, 2))
    values = np.vstack([rng.normal(c, 4.0, size=(BIG_N // 6, 2)) for c in centres])
    dataset = Dataset(values=values, feature_names=("x", "y"), name="big")
    session_id = new_session()
    version = {"key": store.get_store().put_dataset(session_id, dataset), "n": BIG_N}
    summary = clustered(session_id, version)
    _, result = store.get_store().result_for(session_id, summary)
    assert result.geometry.truncated
    return dict(id=session_id, clustering=summary, result=result)


def smallest_covering_node(tree, nodes):
    """Brute force: the merge node of least size whose span holds every node's span."""
    first = tree.start[nodes].min()
    last = (tree.start[nodes] + tree.size[nodes]).max()
    candidates = [
        node
        for node in range(tree.n, 2 * tree.n - 1)
        if tree.start[node] <= first and tree.start[node] + tree.size[node] >= last
    ]
    return min(candidates, key=lambda node: tree.size[node])


def x_range(geometry, first, last):
    """The leaf axis's range of a zoom onto drawn leaves first..last."""
    return float(geometry.leaf_x[first] - 2), float(geometry.leaf_x[last] + 2)


def zoom_store(geometry, first, last):
    """The ``dendrogram-leaf-zoom`` store as assets/relayout.js writes it for that zoom."""
    return {"range": list(x_range(geometry, first, last))}


@pytest.fixture
def full_geometry(tutorial_session):
    return tutorial_session["result"].geometry


def merge_click(point_number, curve=MERGES_CURVE):
    return {"points": [{"curveNumber": curve, "pointNumber": point_number, "customdata": None}]}


class TestNodeFromClick:
    """Clicks are read by trace and position: dcc.Graph drops typed-array customdata."""

    def test_merge_marker(self, full_geometry):
        # on the full tree the merge markers are the rows of Z in order
        assert node_from_click(merge_click(13), full_geometry, 150) == 163

    def test_truncated_markers_map_through_the_geometry(self, tutorial_session):
        from hclust.dendrogram import dendrogram_geometry

        result = tutorial_session["result"]
        truncated = dendrogram_geometry(result.Z, result.tree, "lastp", 12)
        assert node_from_click(merge_click(0), truncated, 150) == 150 + int(truncated.merges[0])
        assert truncated.merges[0] != 0  # not the row number: the geometry's own order

    @pytest.mark.parametrize(
        "click",
        [
            None,
            {},
            {"points": []},
            {"points": [{}]},
            merge_click(-1),
            merge_click(149),
            merge_click("13"),
            merge_click(3, curve=2),
        ],
    )
    def test_anything_else_is_none(self, full_geometry, click):
        assert node_from_click(click, full_geometry, 150) is None

    def test_last_merge_is_the_root(self, full_geometry):
        assert node_from_click(merge_click(148), full_geometry, 150) == 298


def scatter_point(sample, curve=0):
    """A scatter point as plotly reports it: its trace, its position there, and its customdata (the sample)."""
    return {"curveNumber": curve, "pointNumber": 0, "customdata": sample}


class TestSamplesFromSelection:
    """Points name their sample by customdata: with one trace per colour, position says nothing."""

    def test_indices_sorted_and_unique_across_traces(self):
        selected = {
            "points": [
                scatter_point(5, 0),
                scatter_point(3, 2),
                scatter_point(5, 0),
                scatter_point(40, 1),
            ]
        }
        assert samples_from_selection(selected, 150) == [3, 5, 40]

    def test_points_outside_the_data_are_ignored(self):
        selected = {
            "points": [
                scatter_point(7),
                scatter_point(150),
                scatter_point(-1),
                {"curveNumber": 0, "pointNumber": 2},
            ]
        }
        assert samples_from_selection(selected, 150) == [7]

    @pytest.mark.parametrize(
        "selected",
        [
            None,
            {},
            {"points": []},
            {"points": [{"x": 1}]},
            {"points": [{"customdata": "a"}]},
            {"points": [{"customdata": True}]},
            {"points": [{"customdata": [3, 1]}]},
        ],
    )
    def test_nothing_selected(self, selected):
        assert samples_from_selection(selected, 150) is None


class TestNodeDetails:
    def test_tutorial_merge_13(self, tutorial_session):
        panel = node_details(tutorial_session["dataset"], tutorial_session["result"], 150 + 13)
        title, row = panel[0].children
        assert title.children == "Merge i = 13"
        assert row.startswith(" · Z[13] = [62, 152, ") and row.endswith(", 3]")
        shown_height = float(row.removeprefix(" · Z[13] = [62, 152, ").removesuffix(", 3]"))
        assert shown_height == pytest.approx(ref.Z_FIRST_20[13][2], abs=1e-4)
        assert "3 samples" in panel[1].children and "idx − 150" in panel[1].children
        assert panel[2].children == "Members: 33, 62, 68"

    def test_long_member_lists_are_cut_short(self, tutorial_session):
        root = 2 * 150 - 2
        text = node_details(tutorial_session["dataset"], tutorial_session["result"], root)[
            2
        ].children
        assert text.endswith(f" … and {150 - MEMBERS_SHOWN} more")
        assert text.startswith("Members: 0, 1, 2, ")
        assert len(text.removeprefix("Members: ").split(" … ")[0].split(", ")) == MEMBERS_SHOWN

    def test_members_named_by_labels(self):
        labels = ("ant", "bee", "cat", "dog")
        dataset = Dataset(
            values=np.array([[0.0], [0.1], [5.0], [5.2]]),
            feature_names=("v",),
            name="t",
            labels=labels,
        )
        from hclust.cut import TreeIndex
        from hclust.linkage import compute_linkage
        from services.store import Clustering

        Z = compute_linkage(dataset.values, "average", "euclidean")
        tree = TreeIndex.from_linkage(Z)
        result = Clustering(Z=Z, tree=tree, geometry=dendrogram_geometry(Z, tree), default_cut=1.0)
        first = int(np.flatnonzero((Z[:, 0] == 0) | (Z[:, 1] == 0))[0])
        assert node_details(dataset, result, 4 + first)[2].children == "Members: ant, bee"


def highlight(session, prop_id, **inputs):
    given = {"cut": session["cut"], "session_id": session["id"], **inputs}
    with triggered_by(prop_id):
        return call(update_highlight, **given)


class TestUpdateHighlight:
    def test_dendrogram_click_highlights_the_node(self, tutorial_session):
        data, panel = highlight(
            tutorial_session, "dendrogram.clickData", node_click=merge_click(13)
        )
        assert data == {"node": 163}
        assert panel[2].children == "Members: 33, 62, 68"

    def test_click_off_a_merge_changes_nothing(self, tutorial_session):
        with pytest.raises(PreventUpdate):
            highlight(
                tutorial_session, "dendrogram.clickData", node_click={"points": [{"x": 5, "y": 0}]}
            )

    def test_scatter_selection_highlights_samples(self, tutorial_session):
        selection = {"points": [scatter_point(12, curve=1), scatter_point(4, curve=0)]}
        data, panel = highlight(tutorial_session, "scatter-selection.data", selection=selection)
        assert data == {"samples": [4, 12]} and panel is no_update

    def test_deselect_clears(self, tutorial_session):
        assert highlight(tutorial_session, "scatter-selection.data", selection=None) == (
            None,
            no_update,
        )

    def test_an_empty_selection_after_a_redraw_keeps_the_highlight(self, tutorial_session):
        """Redrawing the scatter makes plotly report an empty selection; that must not clear the highlight."""
        with pytest.raises(PreventUpdate):
            highlight(tutorial_session, "scatter-selection.data", selection={"points": []})

    def test_summary_row_highlights_its_cluster(self, tutorial_session):
        rows = [{"cluster": 3, "size": 10}, {"cluster": 1, "size": 50}]
        data, panel = highlight(
            tutorial_session,
            "cluster-summary.active_cell",
            summary_cell={"row": 1, "column": 0},
            summary_rows=rows,
        )
        assert data == {"cluster": 1} and panel is no_update

    @pytest.mark.parametrize(
        "cell,rows",
        [
            (None, [{"cluster": 1}]),
            ({"row": 2, "column": 0}, [{"cluster": 1}]),
            ({"row": 0, "column": 0}, []),
        ],
    )
    def test_stale_summary_cell(self, tutorial_session, cell, rows):
        with pytest.raises(PreventUpdate):
            highlight(
                tutorial_session,
                "cluster-summary.active_cell",
                summary_cell=cell,
                summary_rows=rows,
            )

    def test_clear_button(self, tutorial_session):
        data, panel = highlight(tutorial_session, "clear-highlight.n_clicks", clear_clicks=1)
        assert data is None and panel.startswith("Click a merge")

    def test_a_new_cut_clears(self, tutorial_session):
        data, _ = highlight(tutorial_session, "cut-clears-highlight.data", current={"node": 163})
        assert data is None

    def test_a_new_cut_without_a_highlight_changes_nothing(self, tutorial_session):
        """Clearing an empty highlight would redraw both plots in full and lose the cut's fast path."""
        with pytest.raises(PreventUpdate):
            highlight(tutorial_session, "cut-clears-highlight.data", current=None)

    def test_no_cut_yet(self, tutorial_session):
        data, _ = highlight(
            tutorial_session,
            "dendrogram.clickData",
            cut=None,
            node_click={"points": [{"customdata": 13}]},
        )
        assert data is None

    def test_expired_session(self, tutorial_session):
        data, panel = highlight(
            tutorial_session,
            "dendrogram.clickData",
            session_id=new_session(),
            node_click={"points": [{"customdata": 13}]},
        )
        assert data is no_update and panel.startswith("⚠") and "No data is loaded" in panel


class TestZoomedSubtree:
    @pytest.mark.parametrize("first,last", [(0, 1), (10, 20), (3, 40), (25, 26), (58, 59)])
    def test_smallest_node_covering_the_leaves_in_range(self, big_session, first, last):
        result = big_session["result"]
        geometry, tree = result.geometry, result.tree
        node = zoomed_subtree(tree, geometry, x_range(geometry, first, last))
        expected = smallest_covering_node(tree, geometry.leaf_nodes[first : last + 1])
        assert node == (None if expected == geometry.root else expected)
        if node is not None:
            lo, hi = tree.start[node], tree.start[node] + tree.size[node]
            inside = geometry.leaf_nodes[first : last + 1]
            assert np.all(tree.start[inside] >= lo) and np.all(
                tree.start[inside] + tree.size[inside] <= hi
            )

    def test_reversed_range(self, big_session):
        geometry, tree = big_session["result"].geometry, big_session["result"].tree
        forward = zoomed_subtree(tree, geometry, x_range(geometry, 10, 20))
        low, high = x_range(geometry, 10, 20)
        assert zoomed_subtree(tree, geometry, zoom_of({"range": [high, low]})) == forward

    def test_whole_tree_is_none(self, big_session):
        geometry, tree = big_session["result"].geometry, big_session["result"].tree
        assert (
            zoomed_subtree(tree, geometry, x_range(geometry, 0, len(geometry.leaf_nodes) - 1))
            is None
        )

    def test_one_leaf_is_none(self, big_session):
        geometry, tree = big_session["result"].geometry, big_session["result"].tree
        assert zoomed_subtree(tree, geometry, x_range(geometry, 7, 7)) is None

    def test_full_geometry_is_none(self, big_session, tutorial_session):
        result = tutorial_session["result"]
        assert not result.geometry.truncated
        assert (
            zoomed_subtree(result.tree, result.geometry, x_range(result.geometry, 10, 20)) is None
        )

    @pytest.mark.parametrize("zoom", [None, {}, {"range": "out"}])
    def test_not_a_zoom(self, big_session, zoom):
        result = big_session["result"]
        assert zoomed_subtree(result.tree, result.geometry, zoom_of(zoom)) is None


class TestZoomOf:
    """The zoom store is the page's: read as any other input."""

    def test_a_range_in_either_order(self):
        assert zoom_of({"range": [9, 2.5]}) == (2.5, 9.0)
        assert zoom_of({"range": "out"}) == "out"
        assert zoom_of(None) is None

    @pytest.mark.parametrize(
        "zoom",
        [
            {"range": ["a", 5]},
            {"range": [1]},
            {"range": [1, 2, 3]},
            {"range": [1, float("inf")]},
            {"range": [True, 5]},
            {"range": "in"},
            {"to": [1, 2]},
            [1, 2],
        ],
    )
    def test_anything_else_is_refused_with_its_name(self, zoom):
        with pytest.raises(InputError, match="The dendrogram's zoom"):
            zoom_of(zoom)


FOCUS_INTENTS = {
    "focus-branch.n_clicks": focus_from_buttons,
    "focus-reset.n_clicks": focus_from_buttons,
    "dendrogram-leaf-zoom.data": focus_from_zoom,
}


def focus(session, prop_id, highlight=None, **inputs):
    """The focus callback `prop_id` reaches, then the buttons as they follow the new focus:
    (focus, branch button disabled, reset button disabled), as the page shows them."""
    given = {
        "clustering": session["clustering"],
        "view_options": options_store(),
        "session_id": session["id"],
        "highlight": highlight,
        **inputs,
    }
    callback = FOCUS_INTENTS[prop_id]
    parameters = inspect.signature(callback).parameters
    with triggered_by(prop_id):
        found = call(callback, **{k: v for k, v in given.items() if k in parameters})
    shown = inputs.get("focus") if found is no_update else found
    with triggered_by("focus.data"):
        buttons = focus_buttons(highlight, shown, session["clustering"])
    return (found, *buttons)


class TestUpdateFocus:
    def test_focus_branch_with_a_node_highlight(self, big_session):
        node = int(big_session["result"].tree.parent[0])
        out = focus(big_session, "focus-branch.n_clicks", branch_clicks=1, highlight={"node": node})
        assert out == ({"node": node, "clustering": big_session["clustering"]}, False, False)

    def test_focus_branch_needs_a_node(self, big_session):
        out = focus(big_session, "focus-branch.n_clicks", branch_clicks=1, highlight={"cluster": 2})
        assert out == (no_update, True, True)

    def test_reset_clears(self, big_session):
        current = {"node": BIG_N + 10, "clustering": big_session["clustering"]}
        out = focus(
            big_session,
            "focus-reset.n_clicks",
            reset_clicks=1,
            focus=current,
            highlight={"node": BIG_N + 10},
        )
        assert out == (None, False, True)

    def test_new_clustering_clears(self, big_session):
        # the answer that brings a new tree clears the focus (no request of its own, #11)
        session_id = new_session()
        version = put_preset(session_id, "tutorial-5-blobs")
        with triggered_by("data-version.data", version):
            outputs = call(
                request_clustering,
                data_version=version,
                method="ward",
                metric="euclidean",
                optimal_order=[],
                session_id=session_id,
                criterion="distance",
            )
        focus_index = wiring(request_clustering)["outputs"].index("focus.data")
        assert outputs[0]["n"] == 750 and outputs[focus_index] is None
        assert focus_buttons(None, outputs[focus_index], outputs[0]) == (True, True)

    def test_zoom_in_on_a_truncated_view_focuses(self, big_session):
        geometry, tree = big_session["result"].geometry, big_session["result"].tree
        expected = smallest_covering_node(tree, geometry.leaf_nodes[10:21])
        assert expected != geometry.root
        out = focus(big_session, "dendrogram-leaf-zoom.data", zoom=zoom_store(geometry, 10, 20))
        assert out == ({"node": expected, "clustering": big_session["clustering"]}, True, False)

    def test_zoom_in_within_a_focused_branch(self, big_session):
        tree = big_session["result"].tree
        branch = int(
            np.flatnonzero(
                (tree.size > 400) & (tree.size < 900) & (np.arange(2 * BIG_N - 1) >= BIG_N)
            )[0]
        )
        current = {"node": branch, "clustering": big_session["clustering"]}
        geometry = store.get_store().geometry(
            big_session["id"], big_session["clustering"], "lastp", 60, branch
        )
        assert geometry.truncated and geometry.root == branch
        out = focus(
            big_session,
            "dendrogram-leaf-zoom.data",
            zoom=zoom_store(geometry, 5, 12),
            focus=current,
        )
        node = out[0]["node"]
        assert node == smallest_covering_node(tree, geometry.leaf_nodes[5:13])
        assert (
            tree.start[branch] <= tree.start[node]
            and tree.start[node] + tree.size[node] <= tree.start[branch] + tree.size[branch]
        )
        assert tree.size[node] < tree.size[branch]

    def test_autorange_zooms_out_of_a_focus(self, big_session):
        current = {"node": BIG_N + 10, "clustering": big_session["clustering"]}
        out = focus(big_session, "dendrogram-leaf-zoom.data", zoom={"range": "out"}, focus=current)
        assert out == (None, True, True)

    @pytest.mark.parametrize("as_list", [False, True])
    def test_a_range_holding_every_leaf_zooms_out_of_a_focus(self, big_session, as_list):
        # a double-click resets to the graph's first ranges (wider than the branch drawn);
        # assets/relayout.js reads plotly's two forms of it (tests/js/relayout.test.js)
        current = {"node": BIG_N + 10, "clustering": big_session["clustering"]}
        zoom = {"range": [0, 1500]} if as_list else {"range": [-5, 1500]}
        out = focus(big_session, "dendrogram-leaf-zoom.data", zoom=zoom, focus=current)
        assert out == (None, True, True)

    def test_autorange_without_focus_changes_nothing(self, big_session):
        with pytest.raises(PreventUpdate):
            focus(big_session, "dendrogram-leaf-zoom.data", zoom={"range": "out"})

    def test_focus_of_another_clustering_is_ignored(self, big_session):
        stale = {
            "node": BIG_N + 10,
            "clustering": dict(big_session["clustering"], method="average"),
        }
        with pytest.raises(PreventUpdate):
            focus(big_session, "dendrogram-leaf-zoom.data", zoom={"range": "out"}, focus=stale)

    def test_zoom_on_a_full_view_changes_nothing(self, tutorial_session):
        geometry = tutorial_session["result"].geometry
        with pytest.raises(PreventUpdate):
            focus(tutorial_session, "dendrogram-leaf-zoom.data", zoom=zoom_store(geometry, 10, 20))

    def test_a_zoom_store_the_page_mangled_is_refused(self, big_session):
        with page_context("dendrogram-leaf-zoom.data") as sent:
            out = call(
                focus_from_zoom,
                zoom={"range": ["a", 5]},
                clustering=big_session["clustering"],
                session_id=big_session["id"],
            )
        assert out is no_update
        assert sent["view-status"]["children"].startswith("⚠ The dendrogram's zoom")

    def test_highlight_updates_the_buttons(self, big_session):
        current = {"node": BIG_N + 10, "clustering": big_session["clustering"]}
        clustering = big_session["clustering"]
        assert focus_buttons({"node": BIG_N + 5}, current, clustering) == (False, False)
        assert focus_buttons(None, None, clustering) == (True, True)
