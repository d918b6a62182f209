"""The cut: one state (``cut``), set by one callback per intent.

A new tree, the dragged line (``cut-drag``, written by assets/cut_recolour.js at a
drop it drew, or split by assets/relayout.js from plotly's own relayouts, so a zoom
or pan reaches no cut callback), a k clicked
in the elbow or quality plot and a keyboard nudge each have their own callback,
answering only their own event. The typed fields (height, k, criterion, t, depth)
are outputs of every intent and inputs of one callback (Dash refuses a cycle across
callbacks). The height and k fields reach it by Enter or Tab away (``n_submit``,
``n_blur``), not by their values, so the k and height another intent writes send no
request; the criterion is written only where it changes, and the fields' callback
ignores a criterion that echoes the cut. :func:`resolve_cut` is the pure core they share."""

import math

from dash import Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.errors import shows_errors
from hclust.cut import (
    CRITERIA,
    HORIZONTAL_CRITERIA,
    flat_clusters,
    height_for_k,
    n_clusters_at,
    snap_to_gap,
    step_cut,
)
from hclust.errors import InputError
from services import store

MAX_NUDGE_STEPS = 50
NO_SINGLE_HEIGHT = (
    "The {criterion} criterion cuts each branch where its own statistic crosses t, "
    "so there is no single cut height: the line is hidden and the dendrogram shows the clusters it forms."
)


def k_from_click(click):
    """The k of a clicked point in the elbow or quality plot (x is k)."""
    try:
        k = click["points"][0]["x"]
    except (TypeError, KeyError, IndexError):
        return None
    return int(k) if isinstance(k, (int, float)) and float(k).is_integer() else None


def _by_height(tree, criterion, height):
    if height is None or not math.isfinite(height):
        raise InputError("Type a cut height (a number).")
    if height < 0:
        raise InputError(
            f"The cut height must be 0 or more (merge distances are never negative); got {height:.5g}."
        )
    k = n_clusters_at(tree.sorted_heights, height)
    return {
        "criterion": criterion,
        "height": float(height),
        "k": k,
    }, f"Cut at {height:.5g} gives {k} cluster{'s' if k != 1 else ''}."


def _by_k(tree, criterion, k):
    if k is None or not float(k).is_integer():
        raise InputError("Type a whole number of clusters.")
    cut = height_for_k(tree.sorted_heights, int(k))
    if cut.height is None:
        raise InputError(cut.reason)
    gap = f"{cut.low:.5g} – {cut.high:.5g}" if cut.high is not None else f"above {cut.low:.5g}"
    return {
        "criterion": criterion,
        "height": cut.height,
        "k": int(k),
    }, f"Cut at {cut.height:.5g}, the middle of the gap {gap} that gives {int(k)} clusters."


def resolve_cut(tree, Z, previous, trigger, value, default_cut):
    """The next cut state after one control changed.

    Parameters
    ----------
    tree : TreeIndex
    Z : ndarray
    previous : dict
        Current state: ``criterion``, ``height``, ``k``, ``t``, ``depth``.
    trigger : str
        ``'clustering'``, ``'dendrogram'``, ``'cut-height'``, ``'n-clusters'``,
        ``'criterion'`` (value is ignored; the state carries it), ``'k-plot'``,
        ``'snap'`` (a dragged height to snap) or ``'nudge'`` (signed steps).
    value
        The new value of the control that moved.
    default_cut : float

    Returns
    -------
    state : dict
    message : str

    Raises
    ------
    InputError
        When the request cannot be met; the state stays as it was.
    """
    criterion = previous.get("criterion", "distance")
    t, depth = previous.get("t"), previous.get("depth")
    if criterion not in CRITERIA:
        raise InputError(f"Unknown criterion '{criterion}'. Choose one of: {', '.join(CRITERIA)}.")
    horizontal = criterion if criterion in HORIZONTAL_CRITERIA else None
    if trigger in ("dendrogram", "cut-height"):
        state, message = _by_height(tree, horizontal or "distance", value)
    elif trigger == "snap":
        state, message = _by_height(
            tree, horizontal or "distance", snap_to_gap(tree.sorted_heights, value)
        )
        message = message.rstrip(".") + ", snapped to the nearest large gap."
    elif trigger == "nudge":  # value: signed number of steps
        height = previous.get("height")
        height = default_cut if height is None else height
        for _ in range(min(abs(int(value)), MAX_NUDGE_STEPS)):
            height = step_cut(tree.sorted_heights, height, 1 if value > 0 else -1)
        state, message = _by_height(tree, horizontal or "distance", height)
    elif trigger == "k-plot" or (trigger == "n-clusters" and criterion != "maxclust_monocrit"):
        state, message = _by_k(tree, horizontal or "maxclust", value)
    elif trigger == "n-clusters":
        state, message = {"criterion": criterion, "k": value}, ""
    elif horizontal == "maxclust" and trigger == "criterion":
        state, message = _by_k(tree, criterion, previous.get("k"))
    elif horizontal:
        use_default = trigger == "clustering" or previous.get("height") is None
        state, message = _by_height(
            tree, criterion, default_cut if use_default else previous["height"]
        )
        if use_default:
            message = message.rstrip(".") + ", the middle of the largest jump in merge distance."
    else:
        state, message = {"criterion": criterion, "k": previous.get("k")}, ""
    state.update(t=t, depth=depth)
    if state["criterion"] in HORIZONTAL_CRITERIA:
        return state, message
    labels = flat_clusters(Z, state["criterion"], k=state.get("k"), t=t, depth=depth)
    found = int(labels.max())
    if state["criterion"] == "maxclust_monocrit" and found != state.get("k"):
        message = (
            f"No MR threshold gives exactly {state.get('k')} clusters here; it gives {found}. "
        )
    message += (
        NO_SINGLE_HEIGHT.format(criterion=state["criterion"]) + f" It gives {found} clusters."
    )
    state.update(height=None, k=found)
    return state, message


# The outputs every intent answers, and the state each reads besides its own event.
def _outputs(duplicate):
    return [
        Output("cut-height", "value", allow_duplicate=duplicate),
        Output("n-clusters", "value", allow_duplicate=duplicate),
        Output("criterion", "value", allow_duplicate=duplicate),
        Output("cut", "data", allow_duplicate=duplicate),
        Output("cut-status", "children", allow_duplicate=duplicate),
    ]


_CONTEXT = [
    State("clustering", "data"),
    State("cut", "data"),
    State("cut-nudge", "data"),
    State("session-id", "data"),
]
_FIELDS = [
    State("criterion", "value"),
    State("criterion-t", "value"),
    State("criterion-depth", "value"),
]


def _fields(criterion, t, depth):
    """The criterion controls, each of its type (their range is checked where used)."""
    return (
        validate.one_of(criterion, "The criterion", CRITERIA),
        validate.number(t, "The threshold t", optional=True),
        validate.number(depth, "The depth", optional=True),
    )


def _nudged(nudge):
    """The keyboard's running total (see assets/keyboard.js), or None."""
    total = nudge.get("total") if isinstance(nudge, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def _answer(session_id, clustering, cut, nudge, fields, trigger, value, same_criterion=False):
    """The five outputs for one intent: the fields, the cut state and its message.

    A cut of another tree (or none yet) starts from the new tree's default cut,
    whatever asked. The criterion field is written only where it changes (writing it
    triggers the fields' callback), unless `same_criterion` (that callback itself).
    """
    clustering, cut = validate.clustering(clustering), validate.cut(cut)
    criterion, t, depth = _fields(*fields)
    if not clustering:
        raise PreventUpdate  # nothing clustered yet: no cut to set
    if not cut or cut.get("clustering") != clustering:
        trigger, value = "clustering", None
    previous = dict(cut or {}, criterion=criterion, t=t, depth=depth)
    _, result = store.get_store().result_for(session_id, clustering)
    state, message = resolve_cut(
        result.tree, result.Z, previous, trigger, value, result.default_cut
    )
    state["clustering"] = clustering
    # the keyboard's running total this state has absorbed
    state["nudged"] = _nudged(nudge) or 0
    # the criterion only where it changes: writing it triggers the fields' callback
    changed = same_criterion or state["criterion"] != criterion
    shown = state["criterion"] if changed else no_update
    return _shown_height(state), state["k"], shown, state, message


def _shown_height(cut):
    """The height the height field shows for a cut state (None without one)."""
    return round(cut["height"], 6) if cut.get("height") is not None else None


@callback(
    *_outputs(True),
    # a tree answered in the request comes with this cut (clustering.request_clustering); a
    # tree a background job answers is named here (``job-tree``) for its cut to follow
    Input("job-tree", "data"),
    *_FIELDS,
    *_CONTEXT[1:],
    prevent_initial_call=True,
)
@shows_errors(outputs=5, message=4)
def cut_for_tree(clustering, criterion, t, depth, cut, nudge, session_id):
    """A new tree: its default cut (or the criterion's cut of it)."""
    clustering, cut = validate.clustering(clustering), validate.cut(cut)
    if clustering and cut and cut.get("clustering") == clustering:
        raise PreventUpdate  # the same tree again: the cut stays
    return _answer(session_id, clustering, cut, nudge, (criterion, t, depth), "clustering", None)


@callback(
    *_outputs(True),
    Input("cut-drag", "data"),
    State("dendrogram-flags", "value"),
    *_FIELDS,
    *_CONTEXT,
    prevent_initial_call=True,
)
@shows_errors(outputs=5, message=4)
def cut_from_drag(drag, flags, criterion, t, depth, clustering, cut, nudge, session_id):
    """The line dragged to a height (assets/relayout.js reads it from plotly's relayout)."""
    drag = validate.mapping_with(drag, "The dragged cut line", ("height", "seq"))
    height = validate.number(drag["height"], "The dragged cut line's height")
    validate.whole_number(drag["seq"], "The dragged cut line's sequence number", 0, 2**53)
    flags = validate.strings(flags, "The dendrogram options")
    trigger = "snap" if "snap" in (flags or []) else "dendrogram"
    return _answer(session_id, clustering, cut, nudge, (criterion, t, depth), trigger, height)


@callback(
    *_outputs(True),
    Input("elbow-graph", "clickData"),
    Input("quality-graph", "clickData"),
    *_FIELDS,
    *_CONTEXT,
    prevent_initial_call=True,
)
@shows_errors(outputs=5, message=4)
def cut_from_k_plot(
    elbow_click, quality_click, criterion, t, depth, clustering, cut, nudge, session_id
):
    """A k clicked in the elbow or quality plot: the middle of its gap."""
    elbow_click = validate.event(elbow_click, "The click in the elbow plot")
    quality_click = validate.event(quality_click, "The click in the quality plot")
    k = k_from_click(elbow_click if ctx.triggered_id == "elbow-graph" else quality_click)
    if k is None:
        raise PreventUpdate  # a click beside the points: no k was chosen
    return _answer(session_id, clustering, cut, nudge, (criterion, t, depth), "k-plot", k)


@callback(
    *_outputs(True),
    Input("cut-nudge", "data"),
    *_FIELDS,
    *_CONTEXT[:2],
    State("session-id", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=5, message=4)
def cut_from_nudge(nudge, criterion, t, depth, clustering, cut, session_id):
    """↑ or ↓ on the dendrogram: the cut moves by the presses this state has not absorbed."""
    total, cut = _nudged(nudge), validate.cut(cut)
    if total is None:
        raise PreventUpdate  # not a report of assets/keyboard.js
    steps = total - int((cut or {}).get("nudged") or 0)
    if steps == 0:
        raise PreventUpdate  # this state has absorbed every press already
    return _answer(session_id, clustering, cut, nudge, (criterion, t, depth), "nudge", steps)


def echoes(cut, typed_height, typed_k, criterion, t, depth):
    """The fields hold what the cut state says: another intent just wrote them."""
    if not cut:
        return False
    return (
        typed_height == _shown_height(cut)
        and typed_k == cut.get("k")
        and criterion == cut.get("criterion")
        and t == cut.get("t")
        and depth == cut.get("depth")
    )


def typed_field(triggered, cut, typed_height, typed_k):
    """The field a person typed into and its value, or None.

    Enter in a field (``n_submit``) asks for its value, and counts before leaving a
    field (``n_blur``): Tab from the k field to the height field and Enter there is a
    typed height. Leaving a field asks only where it no longer shows the cut.
    """
    typed = {"cut-height": typed_height, "n-clusters": typed_k}
    shown = {"cut-height": _shown_height(cut or {}), "n-clusters": (cut or {}).get("k")}
    for prop in sorted(triggered, key=lambda prop: prop.endswith(".n_blur")):
        field = prop.split(".")[0]
        left = prop.endswith(".n_blur")
        if field in typed and (not left or not cut or typed[field] != shown[field]):
            return field, typed[field]
    return None


@callback(
    *_outputs(False),
    # Enter and Tab away, not the values: every other intent writes the values with its
    # cut, and they would send one more request after each (answered "no change")
    Input("cut-height", "n_submit"),
    Input("cut-height", "n_blur"),
    Input("n-clusters", "n_submit"),
    Input("n-clusters", "n_blur"),
    Input("criterion", "value"),
    Input("criterion-t", "value"),
    Input("criterion-depth", "value"),
    State("cut-height", "value"),
    State("n-clusters", "value"),
    *_CONTEXT,
    prevent_initial_call=True,
)
@shows_errors(outputs=5, message=4)
def cut_from_fields(
    height_submits,
    height_blurs,
    k_submits,
    k_blurs,
    criterion,
    t,
    depth,
    typed_height,
    typed_k,
    clustering,
    cut,
    nudge,
    session_id,
):
    """A typed height or k (Enter, or Tab away), or a criterion (with its t and depth) chosen."""
    # typed values: their type here, their range where they are used (resolve_cut)
    typed_height = validate.number(typed_height, "The cut height", optional=True)
    typed_k = validate.number(typed_k, "The number of clusters k", optional=True)
    fields, clustering = _fields(criterion, t, depth), validate.clustering(clustering)
    cut = validate.cut(cut)
    triggered = [item["prop_id"] for item in ctx.triggered]
    typed = typed_field(triggered, cut, typed_height, typed_k)
    if typed is not None:
        return _answer(session_id, clustering, cut, nudge, fields, *typed, same_criterion=True)
    criteria = {"criterion.value", "criterion-t.value", "criterion-depth.value"}
    chosen = not cut or fields != tuple(cut.get(name) for name in ("criterion", "t", "depth"))
    if criteria.isdisjoint(triggered) and not chosen:
        raise PreventUpdate  # a field left as it was
    if echoes(cut, typed_height, typed_k, *fields):
        raise PreventUpdate  # the criterion another intent wrote with its cut
    # a criterion chosen; or a field left while that choice's answer is on its way, which
    # this answer replaces (Dash keeps the newer), so it must cut by the criterion too
    return _answer(session_id, clustering, cut, nudge, fields, "criterion", None, True)
