"""callbacks.merge_steps as plain functions: stepping, pins, the exercise, zoom below the cut."""

import numpy as np
import pytest
from dash.exceptions import PreventUpdate

import callbacks.merge_steps as merge_steps
from callbacks.clustering import compute_clustering
from callbacks.merge_steps import (
    clamp_step,
    navigate,
    pin,
    predict,
    render_step,
    slider_marks,
    valid_pins,
)
from components.merge_steps_figures import PIN_COLOURS
from hclust.dendrogram import dendrogram_geometry
from hclust.merge_steps import clusters_after, format_height
from services import store
from tests.drawn_lines import groups, link_strokes, strokes
from tests.helpers import (
    call,
    draw_views,
    new_session,
    put_preset,
    refusal,
    triggered_by,
    wiring,
)

N = 150


@pytest.fixture(scope="module")
def session():
    session_id = new_session()
    summary, _ = compute_clustering(
        session_id, put_preset(session_id), "single", "euclidean", False
    )
    dataset, result = store.get_store().result_for(session_id, summary)
    return dict(id=session_id, clustering=summary, dataset=dataset, result=result)


def step_to(session, prop_id, step=5, **given):
    with triggered_by(prop_id):
        return call(
            navigate,
            clustering=session["clustering"],
            step=step,
            session_id=session["id"],
            **given,
        )


def draw(session, step, pins=None, guess=None):
    with triggered_by("merge-step.value"):
        return call(
            render_step,
            step=step,
            pins=pins or [],
            guess=guess,
            clustering=session["clustering"],
            x_choice="x",
            y_choice="y",
            session_id=session["id"],
        )


def text(component) -> str:
    """All the text of a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(text(c) for c in component)
    return text(getattr(component, "children", None))


def traces(figure, name_start):
    return [t for t in figure.data if (t.name or "").startswith(name_start)]


class TestNavigate:
    def test_back_forward_and_the_ends(self, session):
        assert step_to(session, "merge-forward.n_clicks")[0] == 6
        assert step_to(session, "merge-back.n_clicks")[0] == 4
        assert step_to(session, "merge-back.n_clicks", step=0)[0] == 0
        value, top, marks = step_to(session, "merge-forward.n_clicks", step=N - 2)
        assert (value, top) == (N - 2, N - 2)
        assert 0 in marks and N - 2 in marks and len(marks) <= 6

    def test_play_and_pause_are_the_browsers(self):
        """A server answer to a tick could land after a pause and replace it (plotly/dash#1861):
        the timer and the button belong to the browser (assets/merge_play.js)."""
        from app import app
        from callbacks.first_view import registered

        wiring = {w.key: w for w in registered(app)}
        writers = [
            w
            for w in wiring.values()
            if {"merge-timer.disabled", "merge-play.children"} & set(w.outputs)
        ]
        assert writers and all(w.in_browser for w in writers)
        readers = [
            w
            for w in wiring.values()
            if {"merge-timer.n_intervals", "merge-play.n_clicks"} & set(w.inputs)
        ]
        assert readers and all(w.in_browser for w in readers)

    def test_a_linkage_table_row_or_a_tree_merge_steps_there(self, session):
        table = [{"row": 40 + r} for r in range(10)]
        assert step_to(session, "linkage-table.active_cell", cell={"row": 3}, table=table)[0] == 43
        click = {"points": [{"customdata": 77, "curveNumber": 0}]}
        assert step_to(session, "merge-dendrogram.clickData", click=click)[0] == 77

    def test_the_page_cannot_step_outside_the_tree(self, session):
        assert clamp_step(10**9, N - 1) == N - 2
        assert clamp_step(-3, N - 1) == 0
        assert clamp_step("7", N - 1) == 0
        assert step_to(session, "clustering.data", step=10**6)[0] == N - 2

    def test_refuses_a_forged_session_with_a_message(self, session):
        with triggered_by("merge-forward.n_clicks"):
            message = refusal(
                navigate,
                session["clustering"],
                1,
                None,
                None,
                None,
                3,
                None,
                "forged",
            )
        assert "reload" in message.lower() or "session" in message.lower()

    def test_junk_from_the_page_never_breaks_a_step(self, session):
        assert step_to(session, "merge-forward.n_clicks", step=float("inf"))[0] == 1
        table = [5, None]
        with pytest.raises(PreventUpdate):
            step_to(session, "linkage-table.active_cell", cell={"row": 0}, table=table)
        click = {"points": [{"customdata": float("inf")}]}
        assert step_to(session, "merge-dendrogram.clickData", click=click)[0] == 0
        with triggered_by("merge-pin.n_clicks"):
            assert pin(1, 0, 4, 5) == [4]
        guess = {"active": True, "step": 7, "picks": [10**9, "x"]}
        _, scatter, *_ = draw(session, 7, pins={"a": 1}, guess=guess)
        assert not traces(scatter, "your pick")

    def test_marks_stay_few_at_any_size(self):
        assert len(slider_marks(99_999)) <= 6
        assert slider_marks(99_999)[99_998] == "99,998"


class TestPins:
    def test_pin_two_then_the_oldest_goes(self):
        with triggered_by("merge-pin.n_clicks"):
            assert pin(1, 0, 13, []) == [13]
            assert pin(2, 0, 14, [13]) == [13, 14]
            assert pin(3, 0, 20, [13, 14]) == [14, 20]
            assert pin(4, 0, 14, [13, 14]) == [13, 14]
        with triggered_by("merge-unpin.n_clicks"):
            assert pin(4, 1, 14, [13, 14]) == []

    def test_pins_from_any_writer_are_checked(self):
        assert valid_pins([13, "x", 14, 10**9, 13, True], N - 1) == [13, 14]
        assert valid_pins({"a": 1}, N - 1) == []


class TestRender:
    def test_scatter_dendrogram_and_text_at_a_step(self, session):
        Z, tree = session["result"].Z, session["result"].tree
        i = 100
        dendrogram, scatter, info, evidence, styles = draw(session, i, pins=[13, 14])
        a, b = Z[i, :2].astype(int)
        # the scatter: every sample once, coloured by the clusters after i merges
        drawn = [
            s
            for t in scatter.data
            if t.name in ("one sample each", "clusters")
            for s in t.customdata
        ]
        assert sorted(drawn) == list(range(N))
        _, node_of_sample = clusters_after(tree, i)
        rings = traces(scatter, "merging now")
        assert {t.name for t in rings} == {f"merging now: {a}", f"merging now: {b}"}
        ringed = sorted(len(t.x) for t in rings)
        assert ringed == sorted(
            [int(np.sum(node_of_sample == a)), int(np.sum(node_of_sample == b))]
        )
        # pins: the samples of Z[13] and Z[14], red then yellow, as the tutorial draws them
        red, yellow = traces(scatter, "merge 13"), traces(scatter, "merge 14")
        assert red[0].marker.color == PIN_COLOURS[0] and yellow[0].marker.color == PIN_COLOURS[1]
        assert len(red[0].x) == Z[13, 3] and len(yellow[0].x) == Z[14, 3]
        # the tree: merge i thick, earlier dark, later pale
        geometry = dendrogram_geometry(Z, tree)
        for name, chosen in (
            ("this merge", geometry.merges == i),
            ("merges done", geometry.merges < i),
            ("later merges", geometry.merges > i),
        ):
            (drawn,) = traces(dendrogram, name)
            assert strokes(drawn.x, drawn.y) == link_strokes(geometry, chosen)
            # one unbroken line per group of links that meet (components.figures._tours)
            assert np.isnan(np.asarray(drawn.x, dtype=float)).sum() == groups(geometry, Z, chosen)
        assert [t.line.color for t in traces(dendrogram, "pinned")] == list(PIN_COLOURS)
        words = text(info)
        assert f"Z[{i}] = [{a}, {b}," in words
        if b >= N:
            assert f"{b} is the cluster made at step {b - N}" in words
        assert "closest pair" in text(evidence) and "✓" in text(evidence)
        # the linkage table marks the step's row and the pinned rows
        rows = [s["if"]["filter_query"] for s in styles]
        assert rows == ["{row} = 13", "{row} = 14", f"{{row}} = {i}"]

    def test_the_tree_focuses_on_heights_near_the_step(self, session):
        Z = session["result"].Z
        dendrogram = draw(session, 14)[0]
        assert list(dendrogram.layout.yaxis.range) == [0, pytest.approx(3 * Z[14, 2])]
        assert f"of {format_height(Z[-1, 2])})" in dendrogram.layout.title.text
        assert "double-click: all" in dendrogram.layout.yaxis.title.text
        top = draw(session, N - 2)[0]
        assert list(top.layout.yaxis.range) == [0, pytest.approx(Z[-1, 2] * 1.05)]
        assert top.layout.yaxis.tickformat == ",~r"

    def test_the_tutorial_example_152(self, session):
        Z = session["result"].Z
        # some merge joins a cluster made earlier; its text says which step made it
        i = next(j for j in range(N - 1) if Z[j, 1] >= N)
        made = int(Z[i, 1]) - N
        assert f"{int(Z[i, 1])} is the cluster made at step {made}" in text(draw(session, i)[2])

    def test_large_data_draws_a_fixed_sample(self, session, monkeypatch):
        monkeypatch.setattr(merge_steps, "STEP_POINTS_MAX", 40)
        monkeypatch.setattr(merge_steps, "RING_POINTS_MAX", 10)
        _, scatter, info, _, _ = draw(session, N - 2, pins=[N - 3])
        base = [
            s
            for t in scatter.data
            if t.name in ("one sample each", "clusters")
            for s in t.customdata
        ]
        assert len(base) == 40
        assert all(
            len(t.x) <= 10 for t in traces(scatter, "merging now") + traces(scatter, "merge ")
        )
        assert "fixed random sample of 40 of 150" in text(info)
        again = draw(session, 3)[1]
        assert sorted(base) == sorted(
            s for t in again.data if t.name in ("one sample each", "clusters") for s in t.customdata
        )


class TestPredict:
    def run(self, session, prop_id, **given):
        with triggered_by(prop_id):
            return call(
                predict,
                clustering=session["clustering"],
                session_id=session["id"],
                **given,
            )

    def pick(self, session, guess, sample, step):
        click = {"points": [{"customdata": int(sample)}]}
        return self.run(session, "merge-scatter.clickData", click=click, step=step, guess=guess)

    def test_right_then_wrong_with_the_distances(self, session):
        Z, tree = session["result"].Z, session["result"].tree
        i = 120
        guess, message = self.run(session, "merge-predict.n_clicks", step=i)
        assert guess == {"active": True, "step": i, "picks": []}
        # while predicting, the answer is not drawn
        dendrogram, scatter, info, evidence, _ = draw(session, i, guess=guess)
        assert not traces(scatter, "merging now") and not traces(dendrogram, "this merge")
        assert "which two clusters merge next" in text(info) and evidence == []
        _, node_of_sample = clusters_after(tree, i)
        a, b = Z[i, :2].astype(int)
        first = int(np.flatnonzero(node_of_sample == a)[0])
        second = int(np.flatnonzero(node_of_sample == b)[0])
        guess, message = self.pick(session, guess, first, i)
        assert guess["picks"] == [a] and "now click" in text(message)
        guess, message = self.pick(session, guess, second, i)
        assert text(message).startswith("Right!")
        assert f"{Z[i, 2]:.4g}"[:4] in text(message)
        # answered: the merge is drawn again, with the student's picks
        _, scatter, *_ = draw(session, i, guess=guess)
        assert traces(scatter, "merging now") and len(traces(scatter, "your pick")) == 2
        # a wrong guess: two other clusters, and why
        others = [c for c in np.unique(node_of_sample) if c not in (a, b)]
        far = [int(np.flatnonzero(node_of_sample == c)[0]) for c in others[:2]]
        guess, _ = self.pick(session, guess, far[0], i)
        guess, message = self.pick(session, guess, far[1], i)
        words = text(message)
        assert words.startswith("Not this time") and "closer" in words
        from scipy.spatial.distance import cdist

        X = session["dataset"].values
        d = cdist(X[node_of_sample == others[0]], X[node_of_sample == others[1]]).min()
        assert format_height(d) in words and format_height(Z[i, 2]) in words

    def test_closing_and_stepping(self, session):
        guess = {"active": True, "step": 3, "picks": [1]}
        assert self.run(session, "merge-predict.n_clicks", step=3, guess=guess)[0] is None
        # a moved step costs no request here (the browser resets the prompt, verdictForStep
        # under Node): the picks of step 3 count for nothing at step 4
        assert "merge-step.value" not in wiring(predict)["inputs"]
        Z, tree = session["result"].Z, session["result"].tree
        _, node_of_sample = clusters_after(tree, 4)
        sample = int(np.flatnonzero(node_of_sample == int(Z[4, 0]))[0])
        stepped, message = self.pick(session, guess, sample, 4)
        assert stepped == {"active": True, "step": 4, "picks": [int(Z[4, 0])]}
        assert "now click" in text(message)
        *_, info, _, _ = draw(session, 4, guess=guess)
        assert "which two clusters merge next" in text(info)  # the old picks are not drawn
        with pytest.raises(PreventUpdate):
            self.run(session, "merge-scatter.clickData", click={"points": [{}]}, step=4, guess=None)


@pytest.mark.parametrize(
    "method", ["complete", "average", "weighted", "centroid", "median", "ward"]
)
def test_every_method_shows_what_decided_the_distance(method):
    session_id = new_session()
    summary, _ = compute_clustering(session_id, put_preset(session_id), method, "euclidean", False)
    dataset, result = store.get_store().result_for(session_id, summary)
    one = dict(id=session_id, clustering=summary, dataset=dataset, result=result)
    Z, tree, X = result.Z, result.tree, dataset.values
    i = N - 3
    _, scatter, _, evidence, _ = draw(one, i)
    words = text(evidence)
    assert "✓" in words, words  # recomputed from the data = scipy's Z[i, 2]
    a, b = Z[i, :2].astype(int)
    _, node_of_sample = clusters_after(tree, i)
    if method in ("centroid", "ward"):
        marks = traces(scatter, "centroids")[0]
        means = [X[node_of_sample == c].mean(axis=0) for c in (a, b)]
        assert np.allclose(np.column_stack([marks.x, marks.y]), means)
    elif method == "median":
        assert traces(scatter, "centres") and "midpoint" in words
    elif method == "complete":
        assert "farthest pair" in words and traces(scatter, "farthest pair")
    else:
        assert "pairs (" in words


def test_pins_are_drawn_on_the_main_scatter_and_dendrogram(session):
    """merge-pins, whoever writes it (this panel or the lesson), marks both main plots."""
    from components.figures import STRINGS

    Z = session["result"].Z
    cut = {
        "criterion": "distance",
        "height": float(Z[-1, 2]) + 1,
        "k": 1,
        "t": 8,
        "depth": 10,
        "clustering": session["clustering"],
    }
    dendrogram, scatter, _, _ = draw_views(session["id"], cut, pins=[13, 14, "junk"])
    tree = session["result"].tree
    for row, colour in zip((13, 14), PIN_COLOURS):
        points = traces(scatter, STRINGS["pinned"].format(row=row))[0]
        expected = np.flatnonzero(clusters_after(tree, row + 1)[1] == N + row)
        assert sorted(points.customdata.tolist()) == expected.tolist()
        assert points.marker.color == colour
        link = traces(dendrogram, f"pinned merge {row}")[0]
        # one link: its 4 corners as one line, and a gap
        assert link.line.color == colour and len(link.x) == 5 and np.isnan(link.x[-1])
