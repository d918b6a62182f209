"""The cut: one state, set from the dragged line, the typed height or k, the
criterion controls, or a click on a k in the elbow and quality plots."""

import math

from dash import Input, Output, State, callback, ctx
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.errors import shows_errors
from components.figures import ORIENTATIONS
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

K_PLOTS = ("elbow-graph", "quality-graph")
MAX_NUDGE_STEPS = 50
NO_SINGLE_HEIGHT = (
    "The {criterion} criterion cuts each branch where its own statistic crosses t, "
    "so there is no single cut height: the line is hidden and the dendrogram shows the clusters it forms."
)


def height_from_relayout(relayout, orientation="top"):
    """The cut height after a drag of shapes[0], or None for any other relayout.

    The line is horizontal (y) when the tree hangs from the top or bottom and
    vertical (x) when it grows from the left or right.
    """
    if not relayout:
        return None
    axis = "y" if orientation in ("top", "bottom") else "x"
    ends = [relayout.get(f"shapes[0].{axis}0"), relayout.get(f"shapes[0].{axis}1")]
    ends = [float(v) for v in ends if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sum(ends) / len(ends) if ends else None


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


@callback(
    Output("cut-height", "value"),
    Output("n-clusters", "value"),
    Output("criterion", "value"),
    Output("cut", "data"),
    Output("cut-status", "children"),
    Input("clustering", "data"),
    Input("dendrogram", "relayoutData"),
    Input("cut-height", "value"),
    Input("n-clusters", "value"),
    Input("criterion", "value"),
    Input("criterion-t", "value"),
    Input("criterion-depth", "value"),
    Input("elbow-graph", "clickData"),
    Input("quality-graph", "clickData"),
    Input("cut-nudge", "data"),
    State("dendrogram-flags", "value"),
    State("orientation", "value"),
    State("cut", "data"),
    State("session-id", "data"),
)
@shows_errors(outputs=5, message=4)
def sync_cut(
    clustering,
    relayout,
    typed_height,
    typed_k,
    criterion,
    t,
    depth,
    elbow_click,
    quality_click,
    nudge,
    flags,
    orientation,
    cut,
    session_id,
):
    """One cut, many ways to set it; never recomputes the linkage."""
    clustering, cut = validate.clustering(clustering), validate.cut(cut)
    relayout = validate.event(relayout, "The dendrogram's relayout")
    elbow_click = validate.event(elbow_click, "The click in the elbow plot")
    quality_click = validate.event(quality_click, "The click in the quality plot")
    # typed values: their type here, their range where they are used (resolve_cut)
    typed_height = validate.number(typed_height, "The cut height", optional=True)
    typed_k = validate.number(typed_k, "The number of clusters k", optional=True)
    t = validate.number(t, "The threshold t", optional=True)
    depth = validate.number(depth, "The depth", optional=True)
    criterion = validate.one_of(criterion, "The criterion", CRITERIA)
    flags = validate.strings(flags, "The dendrogram options")
    orientation = validate.one_of(orientation, "The orientation", ORIENTATIONS, optional=True)
    if not clustering:
        raise PreventUpdate
    triggered = ctx.triggered_id
    if not cut or cut.get("clustering") != clustering:
        trigger, value = "clustering", None  # a new tree: start from its default cut
    elif triggered == "dendrogram":
        trigger, value = "dendrogram", height_from_relayout(relayout, orientation)
        if value is None:
            raise PreventUpdate  # a zoom or pan, not the cut line
        if "snap" in (flags or []):
            trigger = "snap"
    elif triggered == "cut-nudge":
        total = nudge.get("total") if isinstance(nudge, dict) else None
        if not isinstance(total, int) or isinstance(total, bool):
            raise PreventUpdate
        trigger, value = "nudge", total - int(cut.get("nudged") or 0)
        if value == 0:
            raise PreventUpdate
    elif triggered in K_PLOTS:
        trigger, value = (
            "k-plot",
            k_from_click(elbow_click if triggered == "elbow-graph" else quality_click),
        )
        if value is None:
            raise PreventUpdate
    elif triggered in ("cut-height", "n-clusters"):
        trigger, value = triggered, typed_height if triggered == "cut-height" else typed_k
    elif triggered in ("criterion", "criterion-t", "criterion-depth"):
        trigger, value = "criterion", None
    else:
        raise PreventUpdate
    previous = dict(cut or {}, criterion=criterion, t=t, depth=depth)
    _, result = store.get_store().result_for(session_id, clustering)
    state, message = resolve_cut(
        result.tree, result.Z, previous, trigger, value, result.default_cut
    )
    state["clustering"] = clustering
    # the keyboard's running total this state has absorbed (see assets/keyboard.js)
    state["nudged"] = (
        nudge["total"] if isinstance(nudge, dict) and isinstance(nudge.get("total"), int) else 0
    )
    height = round(state["height"], 6) if state["height"] is not None else None
    return height, state["k"], state["criterion"], state, message
