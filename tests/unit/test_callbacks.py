"""Callbacks called as plain functions, with a real store in a temporary cache.

Dash's ``@callback`` registers the function and returns it unchanged, so the
functions can be called directly. Those that read ``dash.ctx.triggered_id``
get a callback context the way Dash's own documentation shows for testing.
"""

import numpy as np
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from numpy.testing import assert_array_equal

from callbacks.clustering import INLINE_MAX_N, request_clustering, restrict_metrics, run_clustering
from callbacks.cut import cut_for_tree, cut_from_fields, resolve_cut
from callbacks.diagnostics import inconsistency_view, linkage_table_page, update_linkage_diagnostics
from hclust.cut import (
    ABOVE_CUT_COLOUR,
    PALETTE,
    labels_at,
    largest_gap_cut,
    monotone_heights,
    n_clusters_at,
)
from hclust.data import Dataset
from hclust.linkage import METRICS
from services import store
from tests.fixtures import random_observations, scatter_by_sample
from tests.fixtures import tutorial_values as ref
from tests.helpers import (
    CUT_DEFAULTS,
    LOAD_OUTPUTS,
    call,
    cluster,
    drag_to,
    draw_views,
    load,
    move_cut,
    new_session,
    put_preset,
    triggered_by,
)


class TestCallbacksArePlainFunctions:
    def test_decorator_returns_the_function(self):
        assert cut_from_fields.__module__ == "callbacks.cut"
        assert cut_from_fields.__name__ == "cut_from_fields"
        # a wrapped callback would return a JSON response string
        assert isinstance(restrict_metrics("average", "cosine"), tuple)

    def test_context_helper_sets_triggered_id(self):
        from dash import ctx

        with triggered_by("n-clusters.value", 5):
            assert ctx.triggered_id == "n-clusters"
            assert ctx.triggered[0]["value"] == 5


class TestLoadDataset:
    def test_loads_the_tutorial(self):
        session_id = new_session()
        out = load(session_id, "tutorial-2-blobs")
        version, status, x_options, x, y_options, y, order = (out[name] for name in LOAD_OUTPUTS)
        dataset = store.get_store().dataset(session_id)
        assert (version["key"], version["n"]) == (store.dataset_id(dataset), ref.X_SHAPE[0])
        assert version["source"] == "tutorial-2-blobs"
        assert f"{ref.X_SHAPE[0]} rows × {ref.X_SHAPE[1]} columns" in status
        assert (x, y) == ("x", "y")
        assert [o["value"] for o in x_options] == ["x", "y"] == [o["value"] for o in y_options]
        assert order == [{"label": " optimal leaf ordering", "value": "on", "disabled": False}]

    def test_unknown_preset_keeps_what_was_loaded(self):
        session_id = new_session()
        out = load(session_id, "no-such-preset")
        assert all(out[name] is no_update for name in LOAD_OUTPUTS if name != "status")
        assert out["status"].startswith("⚠") and "Unknown dataset 'no-such-preset'" in out["status"]
        assert store.get_store().dataset(session_id) is None

    @pytest.mark.parametrize("session_id", ["not-a-session", None, "A" * 32, "../../etc/passwd"])
    def test_invalid_session_id(self, session_id):
        out = load(session_id, "tutorial-2-blobs")
        assert out["version"] is no_update
        assert out["status"].startswith("⚠") and "reload the page" in out["status"]


class TestRestrictMetrics:
    @pytest.mark.parametrize("method", ["ward", "centroid", "median"])
    def test_euclidean_only_methods_disable_other_metrics(self, method):
        options, value = restrict_metrics(method, "cosine")
        assert value == "euclidean"
        assert [o["value"] for o in options] == list(METRICS)
        assert {o["value"] for o in options if not o["disabled"]} == {"euclidean"}

    @pytest.mark.parametrize("method", ["single", "complete", "average", "weighted"])
    def test_other_methods_keep_the_metric(self, method):
        options, value = restrict_metrics(method, "cosine")
        assert value == "cosine"
        assert not any(o["disabled"] for o in options)

    def test_the_browser_follows_the_method_from_the_layouts_rules(self):
        # no request and no round of its own before the clustering (#11): the browser
        # answers (assets/answered_here.js restrictMetrics, under Node) from the rules the
        # layout holds, and the layout holds the first method's menu
        from app import app
        from callbacks.first_view import registered
        from components.layout import serve_layout
        from hclust.linkage import DEFAULT_METHOD, DEFAULT_METRIC, METHODS, compatible_metrics

        [follows] = [w for w in registered(app) if w.outputs == ("metric.options", "metric.value")]
        assert follows.in_browser and not follows.fires_at_load
        assert follows.inputs == ("method.value",)
        assert follows.states == ("metric.value", "metric-rules.data")
        components = {
            c.id: c for c in serve_layout()._traverse() if isinstance(getattr(c, "id", 0), str)
        }
        rules = components["metric-rules"].data
        assert rules == {
            "metrics": list(METRICS),
            "allowed": {m: list(compatible_metrics(m)) for m in METHODS},
        }
        menu = (components["metric"].options, components["metric"].value)
        assert menu == restrict_metrics(DEFAULT_METHOD, DEFAULT_METRIC)


class TestRunClustering:
    def test_summary_and_status(self, session):
        summary = session["clustering"]
        result = store.get_store().result_for(session["id"], summary)[1]
        assert summary["method"] == "ward" and summary["metric"] == "euclidean"
        assert summary["n"] == ref.X_SHAPE[0]
        assert summary["key"] == session["data_version"]["key"]
        assert summary["default_cut"] == largest_gap_cut(np.sort(monotone_heights(result.Z)))
        assert_array_equal(np.round(result.Z[:20], ref.DECIMALS), ref.Z_FIRST_20)

    def test_reports_progress(self):
        session_id = new_session()
        version = put_preset(session_id, "three-squares")
        summary, status, progress = cluster(session_id, version, "average", "cityblock")
        assert "Average linkage, cityblock distance: 89 merges." in status
        steps = [step for step, _, _ in progress]
        assert steps == sorted(steps) and steps[-1] == progress[-1][1]

    def test_refused_pair_keeps_the_last_result(self, session):
        summary, status, _ = cluster(session["id"], session["data_version"], "ward", "cosine")
        assert summary is no_update
        assert status.startswith("⚠")
        assert "ward" in status and "euclidean" in status and "cosine" in status

    @pytest.mark.parametrize("method,metric", [("wards", "euclidean"), ("average", "minkowski")])
    def test_unknown_names(self, session, method, metric):
        summary, status, _ = cluster(session["id"], session["data_version"], method, metric)
        assert summary is no_update and status.startswith("⚠ Unknown")

    def test_nothing_loaded_yet(self):
        with pytest.raises(PreventUpdate):
            call(
                request_clustering,
                data_version=None,
                method="ward",
                metric="euclidean",
                session_id=new_session(),
            )
        with pytest.raises(PreventUpdate):
            call(
                run_clustering, set_progress=lambda _: None, request=None, session_id=new_session()
            )

    def test_expired_session(self):
        summary, status, _ = cluster(new_session(), {"key": "gone", "n": 3})
        assert summary is no_update and "No data is loaded" in status

    def test_warns_about_inversions(self):
        session_id = new_session()
        X = random_observations(0)
        dataset = Dataset(
            values=X, feature_names=tuple(f"f{j}" for j in range(X.shape[1])), name="random"
        )
        key = store.get_store().put_dataset(session_id, dataset)
        _, status, _ = cluster(
            session_id, {"key": key, "n": dataset.n_samples}, "centroid", "euclidean"
        )
        assert "inversions" in status


class TestTiesOnTheStatusLine:
    """#12 1f: above SCIPY_TREE_MAX_N, tied distances are named on the status line."""

    @staticmethod
    def status_for(X, method="average", metric="cityblock"):
        session_id = new_session()
        key = store.get_store().put_dataset(
            session_id, Dataset(values=X, feature_names=("a", "b"), name="large")
        )
        return cluster(session_id, {"key": key, "n": len(X)}, method, metric)[1]

    def test_integer_data_says_the_tree_is_one_of_several(self):
        from hclust.linkage import SCIPY_TREE_MAX_N

        X = np.random.default_rng(0).integers(0, 60, size=(SCIPY_TREE_MAX_N + 1, 2)).astype(float)
        status = self.status_for(X)
        assert "Tied distances (identical rows and equal merge heights)" in status
        assert "one of several equally valid ones" in status

    def test_continuous_data_says_nothing(self):
        from hclust.linkage import SCIPY_TREE_MAX_N

        X = np.random.default_rng(0).normal(size=(SCIPY_TREE_MAX_N + 1, 2))
        assert "Tied" not in self.status_for(X)

    def test_small_tied_data_is_scipys_own_tree_and_says_nothing(self):
        X = np.random.default_rng(0).integers(0, 6, size=(300, 2)).astype(float)
        assert "Tied" not in self.status_for(X)


class TestRequestClustering:
    """Small data is clustered in the request; large data goes to the background job."""

    def test_small_data_is_clustered_at_once_like_the_job_would(self):
        session_id = new_session()
        version = put_preset(session_id, "tutorial-5-blobs")
        summary, status, offer, job = call(
            request_clustering,
            data_version=version,
            method="average",
            metric="cityblock",
            optimal_order=[],
            session_id=session_id,
        )[:4]
        from_job, job_status, _ = cluster(session_id, version, "average", "cityblock")
        assert summary == from_job and status == job_status and offer is None
        assert job is no_update  # no job is started

    def test_large_data_is_handed_to_the_job(self):
        session_id = new_session()
        X = np.random.default_rng(0).normal(size=(INLINE_MAX_N + 1, 2))
        key = store.get_store().put_dataset(
            session_id, Dataset(values=X, feature_names=("a", "b"), name="large")
        )
        version = {"key": key, "n": len(X)}
        summary, status, offer, job = call(
            request_clustering,
            data_version=version,
            method="ward",
            metric="euclidean",
            optimal_order=[],
            session_id=session_id,
        )[:4]
        assert (summary, status, offer) == (no_update,) * 3
        assert {k: v for k, v in job.items() if k != "id"} == {
            "data_version": version,
            "method": "ward",
            "metric": "euclidean",
            "optimal_order": False,
        }
        result, _, _, job_tree, focus = call(
            run_clustering, set_progress=lambda _: None, request=job, session_id=session_id
        )
        assert job_tree == result  # names the tree whose cut follows (cut_for_tree)
        assert focus is None  # and it is shown whole
        assert result["n"] == len(X)

    def test_a_job_overtaken_by_a_newer_choice_stays_silent(self):
        session_id = new_session()
        X = np.random.default_rng(0).normal(size=(INLINE_MAX_N + 1, 2))
        key = store.get_store().put_dataset(
            session_id, Dataset(values=X, feature_names=("a", "b"), name="large")
        )
        job = call(
            request_clustering,
            data_version={"key": key, "n": len(X)},
            method="ward",
            metric="euclidean",
            optimal_order=[],
            session_id=session_id,
        )[3]
        # the person changes their mind; the new choice is answered at once
        version = put_preset(session_id, "tutorial-5-blobs")
        newer = call(
            request_clustering,
            data_version=version,
            method="ward",
            metric="euclidean",
            optimal_order=[],
            session_id=session_id,
        )
        assert newer[0]["n"] == 750
        progress = []
        with pytest.raises(PreventUpdate):
            call(run_clustering, set_progress=progress.append, request=job, session_id=session_id)
        assert progress == []  # it stopped at its first stage

    def test_the_same_choice_twice_never_silences_itself(self):
        session_id = new_session()
        X = np.random.default_rng(0).normal(size=(INLINE_MAX_N + 1, 2))
        key = store.get_store().put_dataset(
            session_id, Dataset(values=X, feature_names=("a", "b"), name="large")
        )
        inputs = dict(
            data_version={"key": key, "n": len(X)},
            method="ward",
            metric="euclidean",
            optimal_order=[],
            session_id=session_id,
        )
        first, second = call(request_clustering, **inputs)[3], call(request_clustering, **inputs)[3]
        # the page may start either job, in either order
        assert call(
            run_clustering, set_progress=lambda _: None, request=first, session_id=session_id
        )[0]["n"] == len(X)
        assert call(
            run_clustering, set_progress=lambda _: None, request=second, session_id=session_id
        )[0]["n"] == len(X)

    def test_slow_optimal_ordering_goes_to_the_job_even_for_small_data(self):
        session_id = new_session()
        version = put_preset(session_id, "tutorial-5-blobs")  # 750 samples: ordering takes seconds
        outputs = call(
            request_clustering,
            data_version=version,
            method="ward",
            metric="euclidean",
            optimal_order=["on"],
            session_id=session_id,
        )
        assert outputs[0] is no_update and outputs[3]["optimal_order"] is True

    def test_refused_pair_is_explained_at_once(self):
        session_id = new_session()
        version = put_preset(session_id)
        summary, status, _, job = call(
            request_clustering,
            data_version=version,
            method="ward",
            metric="cosine",
            optimal_order=[],
            session_id=session_id,
        )[:4]
        assert summary is no_update and job is no_update and status.startswith("⚠")


class TestResolveCut:
    def test_k_gives_the_middle_of_its_gap(self, tutorial):
        state, message = resolve_cut(
            tutorial["tree"], tutorial["Z"], {"criterion": "distance"}, "n-clusters", 4, 101.0
        )
        expected = (ref.Z_LAST_4_HEIGHTS[0] + ref.Z_LAST_4_HEIGHTS[1]) / 2
        assert state["height"] == pytest.approx(expected, abs=1e-5)
        assert state["k"] == 4 and state["criterion"] == "distance"
        assert "gives 4 clusters" in message

    def test_height(self, tutorial):
        state, message = resolve_cut(
            tutorial["tree"], tutorial["Z"], {"criterion": "distance"}, "cut-height", 16.0, 101.0
        )
        assert (state["height"], state["k"]) == (16.0, ref.FCLUSTER_DISTANCE_16_NCLUSTERS)
        assert message == "Cut at 16 gives 4 clusters."

    def test_default(self, tutorial):
        state, _ = resolve_cut(
            tutorial["tree"], tutorial["Z"], {"criterion": "distance"}, "clustering", None, 101.0
        )
        assert (state["height"], state["k"]) == (101.0, 2)


class TestSyncCut:
    def test_first_cut_is_the_default(self, session):
        out = move_cut(session, "clustering.data", cut=None)
        assert out["cut_height"] == round(session["clustering"]["default_cut"], 6)
        assert out["n_clusters"] == 2
        assert out["cut"]["height"] == session["clustering"]["default_cut"]
        assert out["cut"]["clustering"] == session["clustering"]
        assert "largest jump" in out["status"]

    @pytest.mark.parametrize("k", [5, 2, 3, 10, 150])
    def test_typing_k_gives_a_height_with_k_clusters(self, session, tutorial, k):
        out = move_cut(session, "n-clusters.value", typed_k=k)
        assert out["n_clusters"] == k
        height = out["cut"]["height"]
        assert n_clusters_at(np.sort(monotone_heights(tutorial["Z"])), height) == k
        assert len(np.unique(labels_at(tutorial["Z"], height))) == k
        assert out["cut_height"] == round(height, 6)
        assert not out["status"].startswith("⚠")

    def test_dragging_the_line_to_16_gives_4(self, session):
        out = move_cut(session, "cut-drag.data", drag=drag_to(16))
        assert out["n_clusters"] == ref.FCLUSTER_DISTANCE_16_NCLUSTERS
        assert out["cut_height"] == 16
        assert out["cut"]["height"] == 16.0

    def test_dragging_with_snap_moves_into_a_gap(self, session, tutorial):
        out = move_cut(session, "cut-drag.data", drag=drag_to(16), flags=["snap"])
        heights = np.sort(tutorial["Z"][:, 2])
        assert not np.any(np.isclose(heights, out["cut"]["height"]))
        assert "snapped" in out["status"]

    @pytest.mark.parametrize(
        "drag", [None, {}, {"height": "16", "seq": 1}, {"height": 16}, drag_to(float("nan"))]
    )
    def test_a_drag_store_the_page_mangled_is_refused(self, session, drag):
        out = move_cut(session, "cut-drag.data", drag=drag)
        assert out["cut"] is no_update and out["status"].startswith("⚠")
        assert "dragged cut line" in out["status"]

    def test_typed_height(self, session):
        out = move_cut(session, "cut-height.value", typed_height=50)
        assert out["n_clusters"] == 2
        assert out["status"] == "Cut at 50 gives 2 clusters."

    @pytest.mark.parametrize("height", [-1, -0.001])
    def test_negative_height_is_refused(self, session, height):
        out = move_cut(session, "cut-height.value", typed_height=height)
        assert (
            out["cut"] is no_update
            and out["cut_height"] is no_update
            and out["n_clusters"] is no_update
        )
        assert out["status"].startswith("⚠") and "0 or more" in out["status"]

    def test_cleared_height_is_refused(self, session):
        out = move_cut(session, "cut-height.value", typed_height=None)
        assert out["cut"] is no_update and out["status"].startswith("⚠")

    @pytest.mark.parametrize("k", [0, -3, 151, 10**6])
    def test_k_out_of_range_is_refused(self, session, k):
        out = move_cut(session, "n-clusters.value", typed_k=k)
        assert out["cut"] is no_update and out["n_clusters"] is no_update
        assert out["status"].startswith("⚠") and "between 1 and 150" in out["status"]

    def test_fractional_k_is_refused(self, session):
        out = move_cut(session, "n-clusters.value", typed_k=2.5)
        assert out["cut"] is no_update and "whole number" in out["status"]

    def test_inconsistent_criterion_hides_the_line(self, session):
        out = move_cut(session, "criterion.value", criterion="inconsistent", t=8, depth=10)
        assert out["cut_height"] is None and out["cut"]["height"] is None
        assert out["n_clusters"] == ref.FCLUSTER_INCONSISTENT_T8_DEPTH10_NCLUSTERS
        assert out["criterion"] == "inconsistent"

    def test_nothing_clustered_yet(self, session):
        with pytest.raises(PreventUpdate):
            with triggered_by("clustering.data"):
                call(
                    cut_for_tree,
                    clustering=None,
                    session_id=session["id"],
                    **{k: v for k, v in CUT_DEFAULTS.items() if k != "flags"},
                )

    def test_the_same_tree_again_keeps_the_cut(self, session):
        with pytest.raises(PreventUpdate):
            move_cut(session, "clustering.data")

    def test_invalid_session(self, session):
        with triggered_by("n-clusters.value"):
            outputs = call(
                cut_from_fields,
                clustering=session["clustering"],
                session_id="bad",
                criterion="distance",
                t=8,
                depth=10,
                typed_k=3,
            )
        assert outputs[3] is no_update and outputs[4].startswith("⚠")


def render(session, cut, colour_map=None, x="x", y="y"):
    """update_views for a cut state with the page's default view options."""
    return draw_views(
        session["id"],
        cut,
        x_choice=x,
        y_choice=y,
        flags=["contracted"],
        colour_map=colour_map,
    )


def line_colours(figure):
    return {trace.line.color for trace in figure.data if trace.mode == "lines"}


def scatter_colours(figure):
    """Colour per sample of a scatter figure (one trace per colour)."""
    return scatter_by_sample(figure)[0]


class TestUpdateViews:
    def test_both_plots_follow_the_cut(self, session, tutorial):
        cut = move_cut(session, "cut-drag.data", drag=drag_to(16))["cut"]
        dendrogram, scatter, colour_map, _ = render(session, cut)
        assert dendrogram.layout.shapes[0].y0 == dendrogram.layout.shapes[0].y1 == 16.0
        labels = labels_at(tutorial["Z"], 16.0)
        colours = scatter_colours(scatter)
        assert colours == [colour_map["labels"][str(label)] for label in labels]
        assert len(set(colours)) == ref.FCLUSTER_DISTANCE_16_NCLUSTERS and set(colours) <= set(
            PALETTE
        )
        assert line_colours(dendrogram) - {ABOVE_CUT_COLOUR} == set(colours)
        assert colour_map["clustering"] == session["clustering"]

    def test_a_cut_move_regroups_the_scatter_by_colour(self, session, tutorial):
        _, _, first_map, _ = render(session, session["cut"])
        cut = move_cut(session, "n-clusters.value", typed_k=5)["cut"]
        dendrogram, scatter, colour_map, _ = render(session, cut, colour_map=first_map)
        labels = labels_at(tutorial["Z"], cut["height"])
        assert len(scatter.data) == 5
        colours, _, xy = scatter_by_sample(scatter)
        assert_array_equal(xy, tutorial["X"])
        assert colours == [colour_map["labels"][str(label)] for label in labels]
        assert len(set(colours)) == 5
        assert dendrogram.layout.shapes[0].y0 == cut["height"]

    def test_colours_stay_when_a_cluster_splits(self, session):
        cut4 = move_cut(session, "n-clusters.value", typed_k=4)["cut"]
        _, _, map4, _ = render(session, cut4)
        cut5 = move_cut(session, "n-clusters.value", typed_k=5, cut=cut4)["cut"]
        _, _, map5, _ = render(session, cut5, colour_map=map4)
        kept = set(map4["nodes"]) & set(map5["nodes"])
        assert len(kept) == 3
        assert all(map4["nodes"][node] == map5["nodes"][node] for node in kept)
        assert len(set(map5["nodes"].values())) == 5

    def test_axis_change_still_sends_every_output(self, session):
        # a no_update here would let Dash keep a dendrogram older than an answer it dropped
        dendrogram, _, colour_map, _ = render(session, session["cut"])
        again, scatter, new_map, _ = render(
            session, session["cut"], colour_map=colour_map, x="y", y="x"
        )
        assert again.layout.meta == dendrogram.layout.meta and new_map == colour_map
        assert scatter.layout.xaxis.title.text == "y"

    def test_no_cut_yet(self, session):
        with pytest.raises(PreventUpdate):
            render(session, None)


class TestLinkageDiagnostics:
    def test_tutorial_values(self, session):
        with triggered_by("clustering.data"):
            cophenetic, _, _ = call(
                update_linkage_diagnostics,
                clustering=session["clustering"],
                session_id=session["id"],
            )
        assert cophenetic[0].children == f"c = {ref.COPHENETIC_CORRELATION:.5f}"
        assert "0.98001" in cophenetic[0].children

    def test_linkage_table_is_sent_a_page_at_a_time(self, session):
        with triggered_by("linkage-table.page_current"):
            rows, pages, page = call(
                linkage_table_page,
                clustering=session["clustering"],
                page=1,
                session_id=session["id"],
            )
        assert pages == 15 and page == 1  # 149 rows of Z, ten a page
        assert [row["row"] for row in rows] == list(range(10, 20))
        assert [rows[3][key] for key in ("idx1", "idx2", "distance", "count")] == ref.Z_FIRST_20[
            13
        ].tolist()
        with triggered_by("linkage-table.page_current"):
            rows, _, page = call(
                linkage_table_page,
                clustering=session["clustering"],
                page=99,
                session_id=session["id"],
            )
        assert page == 14 and [row["row"] for row in rows] == list(range(140, 149))

    def test_a_new_linkage_starts_the_table_at_its_first_page(self, session):
        with triggered_by("clustering.data"):
            rows, _, page = call(
                linkage_table_page,
                clustering=session["clustering"],
                page=7,
                session_id=session["id"],
            )
        assert page == 0 and rows[0]["row"] == 0

    def test_nothing_clustered_yet(self, session):
        with pytest.raises(PreventUpdate):
            call(update_linkage_diagnostics, clustering=None, session_id=session["id"])


class TestInconsistencyView:
    @pytest.mark.parametrize(
        "depth,expected", [(5, ref.INCONSISTENT_DEPTH5_LAST10), (3, ref.INCONSISTENT_DEPTH3_LAST10)]
    )
    def test_tutorial_table(self, tutorial, depth, expected):
        table = inconsistency_view(tutorial["Z"], depth)
        assert len(table.data) == 10
        got = np.array(
            [[row["mean"], row["std"], row["links"], row["inconsistency"]] for row in table.data]
        )
        np.testing.assert_allclose(got, expected, rtol=0, atol=1.01e-5)
        assert [row["merge"] for row in table.data] == list(range(139, 149))

    @pytest.mark.parametrize("depth", [0, 51, 2.5, None, -1])
    def test_invalid_depth(self, tutorial, depth):
        view = inconsistency_view(tutorial["Z"], depth)
        assert view.children.startswith("⚠ Table depth must be a whole number")
