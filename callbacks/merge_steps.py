"""Merges step by step (#13 §2), the "predict the next merge" exercise (§3), zoom below the cut (§5).

Every number comes from the session's own clustering (``store.result_for``); the
page only names a step, pins and picks, each checked against that clustering.
``merge-step.value`` and ``merge-pins.data`` may be written by other features (the
lesson) too: the drawing reacts to them whoever wrote them.
"""

from __future__ import annotations

import math

import numpy as np
from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    html,
)
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.errors import shows_errors
from callbacks.shown import scatter_axes
from components.merge_steps_figures import (
    PIN_COLOURS,
    step_dendrogram_figure,
    step_scatter_figure,
)
from hclust.dendrogram import members
from hclust.errors import InputError
from hclust.merge_steps import (
    RULES,
    check_prediction,
    clusters_after,
    format_height,
    halving_weights,
    merge_distance,
    valid_pins,
)
from services import store

# Above this many samples the step scatter draws a fixed random sample of them,
# and each ringed or pinned cluster at most RING_POINTS_MAX of its points: a
# step must not ship 100,000 points.
STEP_POINTS_MAX = 5_000
RING_POINTS_MAX = 2_000
PIN_NAMES = ("red", "yellow")


def _session_clustering(clustering, session_id):
    clustering = validate.clustering(clustering)
    if not clustering:
        raise PreventUpdate
    dataset, result = store.get_store().result_for(session_id, clustering)
    return clustering, dataset, result


def clamp_step(value, n_merges: int) -> int:
    """A step the page sent, held to 0 … n − 2 (anything else: 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0
    return int(min(max(int(value), 0), n_merges - 1))


def _is_index(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def slider_marks(n_merges: int) -> dict:
    """A handful of labelled steps, whatever the size: 99,999 marks would freeze the page."""
    last = n_merges - 1
    ticks = sorted({0, last, *np.linspace(0, last, 5).round().astype(int).tolist()})
    return {int(t): f"{t:,}" for t in ticks}


@callback(
    Output("merge-step", "value"),
    Output("merge-step", "max"),
    Output("merge-step", "marks"),
    Input("clustering", "data"),
    Input("merge-back", "n_clicks"),
    Input("merge-forward", "n_clicks"),
    Input("linkage-table", "active_cell"),
    Input("merge-dendrogram", "clickData"),
    State("merge-step", "value"),
    State("linkage-table", "data"),
    State("session-id", "data"),
)
@shows_errors(outputs=3, status="merge-info")
def navigate(clustering, _back, _forward, cell, click, step, table, session_id):
    """Move the step: back, forward, a clicked linkage-table row or tree merge, a new tree."""
    _, _, result = _session_clustering(clustering, session_id)
    n_merges = len(result.Z)
    step = clamp_step(step, n_merges)
    trigger = ctx.triggered_id
    if trigger == "merge-back":
        step = max(step - 1, 0)
    elif trigger == "merge-forward":
        step = min(step + 1, n_merges - 1)
    elif trigger == "linkage-table":
        cell = validate.table_cell(cell)
        if cell is None or not isinstance(table, list) or cell["row"] >= len(table):
            raise PreventUpdate
        record = table[cell["row"]]
        if not isinstance(record, dict):
            raise PreventUpdate
        step = clamp_step(record.get("row"), n_merges)
    elif trigger == "merge-dendrogram":
        try:
            step = clamp_step(click["points"][0]["customdata"], n_merges)
        except (TypeError, KeyError, IndexError):
            raise PreventUpdate from None
    return step, n_merges - 1, slider_marks(n_merges)


# Play, pause and each step of playing happen in the browser (assets/merge_play.js): a pause
# takes effect at once, and a step costs no request of its own. A server answer to a tick
# could arrive after a pause and replace it (plotly/dash#1861): the page paused, then played on.
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="togglePlay"),
    Output("merge-timer", "disabled"),
    Output("merge-play", "children"),
    Output("merge-step", "value", allow_duplicate=True),
    Input("merge-play", "n_clicks"),
    State("merge-timer", "disabled"),
    State("merge-step", "value"),
    State("merge-step", "max"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="playTick"),
    Output("merge-step", "value", allow_duplicate=True),
    Output("merge-timer", "disabled", allow_duplicate=True),
    Output("merge-play", "children", allow_duplicate=True),
    Input("merge-timer", "n_intervals"),
    State("merge-timer", "disabled"),
    State("merge-step", "value"),
    State("merge-step", "max"),
    prevent_initial_call=True,
)


@callback(
    Output("merge-pins", "data"),
    Input("merge-pin", "n_clicks"),
    Input("merge-unpin", "n_clicks"),
    State("merge-step", "value"),
    State("merge-pins", "data"),
    prevent_initial_call=True,
)
def pin(_pin, _unpin, step, pins):
    """Pin the current merge (a third pin replaces the oldest), or clear both."""
    if ctx.triggered_id == "merge-unpin":
        return []
    pins = [p for p in (pins if isinstance(pins, list) else []) if _is_index(p)]
    if not _is_index(step):
        raise PreventUpdate
    if step in pins:
        return pins
    return (pins + [step])[-2:]


def _describe_index(index: int, n: int) -> str:
    if index < n:
        return f"{index} is sample {index}"
    return f"{index} is the cluster made at step {index - n} ({index} − {n})"


def merge_text(Z, i: int) -> list:
    """Z[i] and what its numbers mean."""
    n = len(Z) + 1
    a, b, height, count = Z[i].tolist()
    a, b, count = int(a), int(b), int(count)
    return [
        html.Div(
            [
                html.B(f"Step {i:,} of {n - 2:,}: "),
                html.Code(f"Z[{i}] = [{a}, {b}, {height:.5g}, {count}]"),
            ]
        ),
        html.Div(
            f"{_describe_index(a, n)}; {_describe_index(b, n)}. They merge at distance "
            f"{format_height(height)} into cluster {n + i}, of {count:,} samples."
        ),
    ]


def evidence_text(found, Z_height: float, names: list) -> list:
    """What decided the distance, with the numbers, and that it is Z[i, 2]."""
    method = found.method
    parts = [html.Div(f"Why this distance: {RULES[method]}.")]
    if found.pair is not None:
        p, q = found.pair
        kind = "closest" if method == "single" else "farthest"
        parts.append(
            html.Div(
                f"The {kind} pair is sample {names[p]} (cluster {found.a}) and sample "
                f"{names[q]} (cluster {found.b}), {format_height(found.distance)} apart."
            )
        )
    elif found.n_pairs is not None:
        parts.append(
            html.Div(
                f"{'Weighted mean' if method == 'weighted' else 'Mean'} over "
                f"{found.n_pairs:,} pairs ({found.size_a:,} × {found.size_b:,}): "
                f"{format_height(found.distance)}."
            )
        )
    elif found.centre_a is not None:
        show = lambda c: "(" + ", ".join(format_height(v) for v in c[:4]) + ")"  # noqa: E731
        what = "centres" if method == "median" else "centroids"
        line = (
            f"The {what} {show(found.centre_a)} and {show(found.centre_b)} are "
            f"{format_height(np.linalg.norm(found.centre_a - found.centre_b))} apart."
        )
        if method == "ward":
            line += (
                f" ΔESS = {found.size_a:,}·{found.size_b:,}/{found.size_a + found.size_b:,}"
                f" × that² = {format_height(found.ward_increase)}; "
                f"√(2·ΔESS) = {format_height(found.distance)}."
            )
        parts.append(html.Div(line))
    else:  # centroid methods on a distance matrix: no coordinates to show
        parts.append(html.Div(f"From the distances alone: {format_height(found.distance)}."))
    agrees = abs(found.distance - Z_height) <= 1e-9 * max(abs(Z_height), 1.0)
    parts.append(
        html.Div(
            f"Recomputed: {format_height(found.distance)}; scipy's Z[i, 2] = "
            f"{format_height(Z_height)}" + (" ✓" if agrees else " (differs: see the note)"),
            className="merge-check",
        )
    )
    return parts


def _thinned(samples: np.ndarray, limit: int) -> np.ndarray:
    if len(samples) <= limit:
        return samples
    return samples[np.linspace(0, len(samples) - 1, limit).round().astype(np.int64)]


def shown_samples(n: int) -> np.ndarray:
    """All samples, or a fixed random sample of STEP_POINTS_MAX (the same at every step)."""
    if n <= STEP_POINTS_MAX:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, STEP_POINTS_MAX, replace=False))


def _guess(value, step):
    """The exercise's state for this step: {"active", "step", "picks"} or None."""
    if not isinstance(value, dict) or not value.get("active"):
        return None
    picks = value.get("picks") if value.get("step") == step else []
    picks = [p for p in (picks if isinstance(picks, list) else []) if _is_index(p)][:2]
    return {"active": True, "step": step, "picks": picks}


@callback(
    Output("merge-dendrogram", "figure"),
    Output("merge-scatter", "figure"),
    Output("merge-info", "children"),
    Output("merge-evidence", "children"),
    Output("linkage-table", "style_data_conditional"),
    Input("merge-step", "value"),
    Input("merge-pins", "data"),
    Input("merge-guess", "data"),
    Input("clustering", "data"),
    Input("scatter-x", "value"),
    Input("scatter-y", "value"),
    State("session-id", "data"),
)
@shows_errors(outputs=5, message=2)
def render_step(step, pins, guess, clustering, x_choice, y_choice, session_id):
    """Draw the tree up to merge i and the samples after i merges; explain Z[i]."""
    clustering, dataset, result = _session_clustering(clustering, session_id)
    Z, tree = result.Z, result.tree
    n = tree.n
    step = clamp_step(step, len(Z))
    pins = valid_pins(pins, len(Z))
    guess = _guess(guess, step)
    if guess:  # picks the page sent back: only nodes of this tree
        guess["picks"] = [p for p in guess["picks"] if p < 2 * n - 1]
    # while the student predicts, the answer (this merge) is not drawn yet
    hidden = guess is not None and len(guess["picks"]) < 2
    names = dataset.leaf_names()
    dendrogram = step_dendrogram_figure(
        result.geometry, Z, step, names, pins=tuple(pins), show_step=not hidden
    )
    _, node_of_sample = clusters_after(tree, step)
    xy, titles = scatter_axes(dataset, x_choice, y_choice)
    shown = shown_samples(n)
    a, b = Z[step, :2].astype(np.int64).tolist()
    rings = (
        {}
        if hidden
        else {
            f"merging now: {a}": _thinned(np.sort(members(tree, a)), RING_POINTS_MAX),
            f"merging now: {b}": _thinned(np.sort(members(tree, b)), RING_POINTS_MAX),
        }
    )
    pinned = {p: _thinned(np.sort(members(tree, n + p)), RING_POINTS_MAX) for p in pins}
    guesses = (
        {
            f"your pick: {p}": _thinned(np.sort(members(tree, p)), RING_POINTS_MAX)
            for p in guess["picks"]
        }
        if guess
        else None
    )
    info = (
        merge_text(Z, step)
        if not hidden
        else [
            html.Div(
                [
                    html.B(f"Step {step:,}: "),
                    "which two clusters merge next? Click one point of each in the samples plot.",
                ]
            )
        ]
    )
    evidence_marks, evidence = None, []
    if not hidden:
        try:
            found = merge_distance(
                dataset.values,
                Z,
                tree,
                clustering["method"],
                clustering["metric"],
                step,
                is_distance_matrix=dataset.is_distance_matrix,
            )
            evidence = evidence_text(found, float(Z[step, 2]), names)
            evidence_marks = _evidence_marks(found, xy, tree, Z)
        except InputError as error:
            evidence = [html.Div(f"⚠ {error}")]
    if n > STEP_POINTS_MAX:
        info.append(
            html.Div(
                f"Drawing a fixed random sample of {STEP_POINTS_MAX:,} of {n:,} samples, and "
                f"at most {RING_POINTS_MAX:,} points of each ringed or pinned cluster.",
                className="field-help",
            )
        )
    if pins:
        info.append(
            html.Div(
                "Pinned: " + ", ".join(f"merge {p} ({c})" for p, c in zip(pins, PIN_NAMES)) + ".",
                className="merge-pins-status",
            )
        )
    scatter = step_scatter_figure(
        xy,
        node_of_sample,
        shown,
        titles,
        step=step,
        rings=rings,
        pins=pinned,
        evidence=evidence_marks,
        guesses=guesses,
    )
    styles = [
        {"if": {"filter_query": f"{{row}} = {p}"}, "backgroundColor": colour, "color": "#111"}
        for p, colour in zip(pins, PIN_COLOURS)
    ]
    if not hidden:
        styles.append(
            {
                "if": {"filter_query": f"{{row}} = {step}"},
                "fontWeight": "700",
                "outline": "2px solid #111",
            }
        )
    return dendrogram, scatter, info, evidence, styles


def _evidence_marks(found, xy, tree, Z):
    """Where the scatter shows what decided the distance, in its own coordinates."""
    if found.pair is not None:
        kind = "closest" if found.method == "single" else "farthest"
        return {"pair": found.pair, "name": f"{kind} pair"}
    if found.centre_a is None:
        return None
    centres = []
    for node in (found.a, found.b):
        if found.method == "median":
            samples, weights = halving_weights(Z, node)
        else:
            samples = np.sort(members(tree, node))
            weights = np.full(len(samples), 1 / len(samples))
        # the plot's axes are linear in the features (columns or principal components),
        # so a centre's position is the same weighted mean of the points' positions
        centres.append(weights @ xy[samples])
    return {
        "centres": tuple(centres),
        "name": "centres" if found.method == "median" else "centroids",
    }


# A moved step during the exercise asks for two new picks: the browser says so (assets/
# answered_here.js verdictForStep); the picks of another step count for nothing here and in
# render_step (_guess). A server request on every move of the step answered nothing but that,
# and nothing at all without the exercise (#11: one request per new tree, per play tick).
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="verdictForStep"),
    Output("merge-verdict", "children", allow_duplicate=True),
    Input("merge-step", "value"),
    State("merge-guess", "data"),
    prevent_initial_call=True,
)


@callback(
    Output("merge-guess", "data"),
    Output("merge-verdict", "children"),
    Input("merge-predict", "n_clicks"),
    Input("merge-scatter", "clickData"),
    State("merge-step", "value"),
    State("merge-guess", "data"),
    State("clustering", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=2, message=1)
def predict(_start, click, step, guess, clustering, session_id):
    """The exercise: pick two clusters by clicking a point of each; right or wrong, and why."""
    clustering, dataset, result = _session_clustering(clustering, session_id)
    Z, tree = result.Z, result.tree
    step = clamp_step(step, len(Z))
    trigger = ctx.triggered_id
    if trigger == "merge-predict":
        if isinstance(guess, dict) and guess.get("active"):
            return None, "Exercise closed."
        return (
            {"active": True, "step": step, "picks": []},
            "Click a point of each of the two clusters you expect to merge next.",
        )
    guess = _guess(guess, step)
    if guess is None:
        raise PreventUpdate
    try:
        sample = click["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError):
        raise PreventUpdate from None
    if isinstance(sample, bool) or not isinstance(sample, int) or not 0 <= sample < tree.n:
        raise PreventUpdate
    if len(guess["picks"]) >= 2:
        guess["picks"] = []  # a new try at the same step
    _, node_of_sample = clusters_after(tree, step)
    node = int(node_of_sample[sample])
    if node in guess["picks"]:
        return guess, f"Cluster {node} is already picked; click a point of another cluster."
    guess["picks"].append(node)
    if len(guess["picks"]) < 2:
        return guess, f"Picked cluster {node}; now click a point of the other cluster."
    verdict = check_prediction(
        dataset.values,
        Z,
        tree,
        clustering["method"],
        clustering["metric"],
        step,
        *guess["picks"],
        is_distance_matrix=dataset.is_distance_matrix,
    )
    return guess, verdict_text(verdict, clustering["method"])


def verdict_text(verdict, method: str) -> list:
    """Right or wrong, and the distances that decided it."""
    actual, guessed = verdict.actual, verdict.guessed
    merged = f"clusters {actual.a} and {actual.b}"
    if verdict.right:
        return [
            html.B("Right! "),
            f"{merged} are the closest pair of clusters by {method} linkage, "
            f"at {format_height(actual.distance)}; no other two clusters are closer.",
        ]
    picked = f"clusters {guessed.a} and {guessed.b}"
    if verdict.tie:
        return [
            html.B("Right, by a tie. "),
            f"Your {picked} are at {format_height(guessed.distance)}, the same distance as "
            f"{merged}; scipy merges {merged} first (the order in which it meets them).",
        ]
    return [
        html.B("Not this time. "),
        f"Your {picked} are {format_height(guessed.distance)} apart by {method} linkage; "
        f"{merged} are closer, at {format_height(actual.distance)}, so they merge first.",
    ]


# "Zoom below the cut" (assets/relayout.js): the height axis only, from values the page has,
# so no request. It runs after each redraw of the dendrogram too (``colour-map`` is written
# with it), so a moved cut keeps the zoom.
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="zoomBelowCut"),
    Output("dendrogram", "figure", allow_duplicate=True),
    Input("dendrogram-zoom", "value"),
    Input("colour-map", "data"),
    State("cut", "data"),
    State("orientation", "value"),
    prevent_initial_call=True,
)
