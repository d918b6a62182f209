"""The elbow and quality panels on the tutorial's X2, where the elbow misleads."""

import numpy as np
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from callbacks.diagnostics import (
    QUALITY_INLINE_MAX_N,
    compute_quality,
    quality_request_name,
    request_quality,
    update_k_plots,
)
from hclust.data import Dataset
from services import store
from tests.fixtures import tutorial_values as ref
from tests.helpers import call, cluster, new_session, put_preset, triggered_by


def job_request(session_id, summary, max_k):
    """What request_quality hands the background job."""
    return {
        "clustering": summary,
        "max_k": max_k,
        "id": store.get_store().begin_request(
            session_id, "quality", quality_request_name(summary, max_k)
        ),
    }


def x2_session():
    session_id = new_session()
    summary, _, _ = cluster(session_id, put_preset(session_id, "tutorial-5-blobs"))
    return session_id, summary


def k_plots_for_x2(max_k=10, with_quality=True):
    session_id, summary = x2_session()
    progress = []
    ready = None
    if with_quality and 3 <= max_k <= 30:
        ready = call(
            compute_quality,
            set_progress=progress.append,
            request=job_request(session_id, summary, max_k),
            session_id=session_id,
        )
    cut = {"criterion": "distance", "height": summary["default_cut"], "k": 2, "clustering": summary}
    with triggered_by("cut.data"):
        return call(
            update_k_plots, cut=cut, max_k=max_k, quality_ready=ready, session_id=session_id
        )


class TestUpdateKPlots:
    def test_x2_elbow_suggests_4_and_says_silhouette_disagrees(self):
        elbow_figure, note, quality_figure, status = k_plots_for_x2()
        assert elbow_figure.layout.title.text == f"Elbow: suggests k = {ref.ELBOW_K_X2}"
        assert f"Suggested k = {ref.ELBOW_K_X2}" in note.children
        assert "silhouette disagrees: it is best at k = 5" in note.children
        assert status.startswith("Best silhouette at k = 5")

    def test_quality_plot_has_one_point_per_k_in_each_index(self):
        _, _, quality_figure, _ = k_plots_for_x2(max_k=8)
        assert len(quality_figure.data) == 3
        for trace in quality_figure.data:
            assert list(trace.x) == list(range(2, 9))

    def test_largest_k_out_of_range_is_explained(self):
        outputs = k_plots_for_x2(max_k=40)
        assert outputs[3].startswith("⚠ Largest k must be a whole number from 3 to 30")


class TestElbowWithTheLinkage:
    def test_a_new_linkage_draws_the_elbow_at_its_default_cut_before_the_cut_arrives(self):
        from hclust.cut import n_clusters_at

        session_id, summary = x2_session()
        with triggered_by("clustering.data"):
            elbow_figure, note, _, _ = call(
                update_k_plots,
                cut=None,
                new_clustering=summary,
                max_k=10,
                quality_ready=None,
                session_id=session_id,
            )
        assert f"Suggested k = {ref.ELBOW_K_X2}" in note.children
        tree = store.get_store().result_for(session_id, summary)[1].tree
        marked = [a.text for a in elbow_figure.layout.annotations if a.text.startswith("current k")]
        assert marked == [
            f"current k = {n_clusters_at(tree.sorted_heights, summary['default_cut'])}"
        ]


class TestRequestQuality:
    def test_small_data_is_ready_at_once(self):
        session_id, summary = x2_session()
        ready, job = call(request_quality, clustering=summary, max_k=10, session_id=session_id)
        assert ready == {"clustering": summary, "max_k": 10} and job is no_update
        quality = store.get_store().quality(session_id, summary, 10)
        assert list(quality.k) == list(range(2, 11))

    def test_large_data_is_handed_to_the_job_and_an_overtaken_job_stays_silent(self):
        from tests.helpers import cluster

        session_id = new_session()
        X = np.random.default_rng(1).normal(size=(QUALITY_INLINE_MAX_N + 1, 2))
        key = store.get_store().put_dataset(
            session_id, Dataset(values=X, feature_names=("a", "b"), name="large")
        )
        summary, _, _ = cluster(session_id, {"key": key, "n": len(X)})
        ready, job = call(request_quality, clustering=summary, max_k=4, session_id=session_id)
        assert ready is no_update and {k: v for k, v in job.items() if k != "id"} == {
            "clustering": summary,
            "max_k": 4,
        }
        assert call(
            compute_quality, set_progress=lambda _: None, request=job, session_id=session_id
        ) == {"clustering": summary, "max_k": 4}
        newer = call(request_quality, clustering=summary, max_k=5, session_id=session_id)[1]
        with pytest.raises(PreventUpdate):
            call(compute_quality, set_progress=lambda _: None, request=job, session_id=session_id)
        assert (
            call(
                compute_quality, set_progress=lambda _: None, request=newer, session_id=session_id
            )["max_k"]
            == 5
        )


class TestComputeQuality:
    def test_reports_progress_per_k_and_says_when_ready(self):
        session_id, summary = x2_session()
        progress = []
        ready = call(
            compute_quality,
            set_progress=progress.append,
            request=job_request(session_id, summary, 6),
            session_id=session_id,
        )
        assert ready == {"clustering": summary, "max_k": 6}
        assert [p[0] for p in progress] == [
            f"Computing quality indices: {done} of 5 values of k done…" for done in range(1, 6)
        ]

    def test_invalid_largest_k_computes_nothing(self):
        session_id, summary = x2_session()
        with pytest.raises(PreventUpdate):
            call(request_quality, clustering=summary, max_k=2, session_id=session_id)

    def test_until_ready_the_quality_plot_says_it_is_computing(self):
        _, _, quality_figure, status = k_plots_for_x2(with_quality=False)
        assert quality_figure.layout.annotations[0].text == "Computing quality indices…"


class TestTwoRows:
    """A file of two rows: a full result, and the page says which indices it leaves out and why."""

    def two_row_session(self, method="ward"):
        from callbacks.clustering import request_clustering

        session_id = new_session()
        X = np.array([[0.0, 1.0], [2.0, 3.5]])
        key = store.get_store().put_dataset(
            session_id, Dataset(values=X, feature_names=("a", "b"), name="two rows")
        )
        summary, status, offer, _ = call(
            request_clustering,
            data_version={"key": key, "n": 2},
            method=method,
            metric="euclidean",
            optimal_order=[],
            session_id=session_id,
        )[:4]
        return session_id, summary, status

    @pytest.mark.parametrize("method", ["ward", "single", "complete", "centroid"])
    def test_clustering_two_rows_gives_a_result_not_a_crash(self, method):
        _, summary, status = self.two_row_session(method)
        assert summary["n"] == 2 and summary["method"] == method
        assert status.startswith(f"{method.capitalize()} linkage, euclidean distance: 1 merge.")

    def test_quality_panel_says_why_it_is_empty(self):
        session_id, summary, _ = self.two_row_session()
        ready, _ = call(request_quality, clustering=summary, max_k=10, session_id=session_id)
        cut = {"criterion": "distance", "height": 1.0, "k": 2, "clustering": summary}
        with triggered_by("cut.data"):
            _, _, quality_figure, status = call(
                update_k_plots, cut=cut, max_k=10, quality_ready=ready, session_id=session_id
            )
        assert all(len(trace.x) == 0 for trace in quality_figure.data)
        assert "need 2 ≤ k ≤ n − 1 clusters, and with 2 samples there is no such k" in status

    def test_quality_of_few_samples_stops_at_n_minus_1_and_says_so(self):
        session_id = new_session()
        X = np.random.default_rng(3).normal(size=(5, 2))
        key = store.get_store().put_dataset(
            session_id, Dataset(values=X, feature_names=("a", "b"), name="five")
        )
        summary, _, _ = cluster(session_id, {"key": key, "n": 5})
        ready, _ = call(request_quality, clustering=summary, max_k=10, session_id=session_id)
        cut = {"criterion": "distance", "height": 0.1, "k": 5, "clustering": summary}
        with triggered_by("cut.data"):
            _, _, quality_figure, status = call(
                update_k_plots, cut=cut, max_k=10, quality_ready=ready, session_id=session_id
            )
        assert list(quality_figure.data[0].x) == [2, 3, 4]
        assert "stop at k = 4 (n − 1)" in status

    def test_cophenetic_panel_says_it_is_undefined(self):
        from callbacks.diagnostics import update_linkage_diagnostics

        session_id, summary, _ = self.two_row_session()
        value, _, _ = call(update_linkage_diagnostics, clustering=summary, session_id=session_id)
        assert value[0].children == "c undefined"
        assert "two samples make one pair" in value[1].children
