"""callbacks.tanglegram as plain functions: the comparison follows the page's tree, cut and
chosen second tree, refuses pairs scipy refuses, and hands large data to a job."""

import numpy as np
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from scipy.cluster.hierarchy import cophenet, fcluster, linkage
from sklearn.metrics import adjusted_rand_score

from callbacks.clustering import compute_clustering
from callbacks.tanglegram import run_comparison, update_tanglegram
from hclust.compare import bakers_gamma
from hclust.cut import height_for_k
from hclust.data import Dataset
from services import store
from services.store import INLINE_MAX_N
from tests.helpers import call, draw_views, new_session, put_preset, triggered_by


@pytest.fixture(scope="module")
def session():
    session_id = new_session()
    summary, _ = compute_clustering(session_id, put_preset(session_id), "ward", "euclidean", False)
    dataset, result = store.get_store().result_for(session_id, summary)
    return dict(id=session_id, clustering=summary, dataset=dataset, result=result)


def cut_for_k(session, k):
    return {
        "criterion": "distance",
        "height": height_for_k(session["result"].tree.sorted_heights, k).height,
        "k": k,
        "clustering": session["clustering"],
    }


def views_colour_map(session, cut):
    """The colour map the dendrogram and scatter were drawn with for `cut`."""
    return draw_views(session["id"], cut)[2]


def compare(session, cut, method="average", metric="euclidean", colour_map=None, is_open=True):
    with triggered_by("tanglegram-method.value"):
        return call(
            update_tanglegram,
            summary_clicks=1 if is_open else 2,
            trigger={"clicks": 1, "colourMap": colour_map},
            method=method,
            metric=metric,
            cut=cut,
            session_id=session["id"],
        )


def text_of(component):
    """All the text inside a Dash component tree."""
    if isinstance(component, (list, tuple)):
        return " ".join(text_of(c) for c in component)
    if isinstance(component, str):
        return component
    children = getattr(component, "children", None)
    return "" if children is None else text_of(children)


def line_traces(figure):
    return [t for t in figure.data if t.name and t.name.startswith("lines ")]


def test_a_closed_panel_computes_nothing(session):
    with pytest.raises(PreventUpdate):
        compare(session, cut_for_k(session, 2), is_open=False)


def test_measures_agree_with_scipy_and_sklearn(session):
    cut = cut_for_k(session, 3)
    figure, agreement, status, job = compare(session, cut, "average")
    X = session["dataset"].values
    Z1, Z2 = linkage(X, "ward"), linkage(X, "average")
    text = text_of(agreement)
    assert f"{bakers_gamma(Z1, Z2):.3f}" in text
    assert f"{cophenet(Z1, cophenet(Z2))[0]:.3f}" in text
    labels = fcluster(Z1, 3, criterion="maxclust")
    ari = adjusted_rand_score(labels, fcluster(Z2, 3, criterion="maxclust"))
    assert "Adjusted Rand index at k = 3" in text and f"{ari:.3f}" in text
    assert "Exact, over all 11,175 pairs" in text
    assert job is no_update and "average, euclidean" in status
    assert figure.layout.meta["leaves"] == [150, 150]


def test_lines_take_the_cuts_colours(session):
    for k in (2, 4):
        cut = cut_for_k(session, k)
        colour_map = views_colour_map(session, cut)
        figure = compare(session, cut, colour_map=colour_map)[0]
        drawn = {t.line.color for t in line_traces(figure)}
        assert drawn == set(colour_map["labels"].values())
        # every sample's line is in its own cluster's colour (no truncation at 150 samples)
        assert sum(len(t.x) // 3 for t in line_traces(figure)) == 150


def test_the_other_tree_can_differ_by_metric(session):
    text = text_of(compare(session, cut_for_k(session, 2), "average", "cityblock")[1])
    X = session["dataset"].values
    gamma = bakers_gamma(linkage(X, "ward"), linkage(X, "average", metric="cityblock"))
    assert f"{gamma:.3f}" in text


def test_a_pair_scipy_refuses_is_refused_and_clears_the_view(session):
    figure, agreement, status, job = compare(session, cut_for_k(session, 2), "ward", "cityblock")
    assert status.startswith("⚠") and "euclidean" in status
    assert agreement == [] and not line_traces(figure)
    assert "euclidean" in figure.layout.annotations[0].text


def test_unknown_method_is_refused(session):
    status = compare(session, cut_for_k(session, 2), "nonsense")[2]
    assert status.startswith("⚠") and "Unknown linkage method" in status


def test_large_data_goes_to_a_job_then_renders():
    session_id = new_session()
    X = np.random.default_rng(0).normal(size=(INLINE_MAX_N + 1, 2))
    key = store.get_store().put_dataset(
        session_id, Dataset(values=X, feature_names=("a", "b"), name="large")
    )
    summary, _ = compute_clustering(
        session_id, {"key": key, "n": len(X)}, "ward", "euclidean", False
    )
    large = dict(id=session_id, clustering=summary)
    _, result = store.get_store().result_for(session_id, summary, in_request=False)
    large["result"] = result
    cut = cut_for_k(large, 3)
    figure, agreement, status, job = compare(large, cut, "single")
    assert agreement == [] and "background job" in status
    assert {k: job[k] for k in ("method", "metric")} == {"method": "single", "metric": "euclidean"}
    progress = []
    ready = call(run_comparison, set_progress=progress.append, request=job, session_id=session_id)
    assert ready["method"] == "single"
    figure, agreement, status, _ = compare(large, cut, "single")
    text = text_of(agreement)
    assert "truncated trees" in text and "random pairs" in text
    assert figure.layout.meta["leaves"] == [60, 60]


def test_a_forged_job_request_is_dropped():
    with pytest.raises(PreventUpdate):
        call(
            run_comparison,
            set_progress=lambda _: None,
            request={"clustering": {"key": "x"}, "method": "ward"},
            session_id=new_session(),
        )
