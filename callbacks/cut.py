"""The cut: the dragged line, the typed height and the typed k, kept in step."""
import math

from dash import Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from hclust.cut import height_for_k, n_clusters_at
from hclust.errors import InputError
from services import store


def height_from_relayout(relayout):
    """The cut height after a drag of shapes[0], or None for any other relayout."""
    if not relayout:
        return None
    ends = [relayout.get("shapes[0].y0"), relayout.get("shapes[0].y1")]
    ends = [float(y) for y in ends if isinstance(y, (int, float))]
    if not ends:
        shape = (relayout.get("shapes") or [None])[0] if isinstance(relayout.get("shapes"), list) else None
        if isinstance(shape, dict) and isinstance(shape.get("y0"), (int, float)):
            ends = [float(shape["y0"]), float(shape.get("y1", shape["y0"]))]
    return sum(ends) / len(ends) if ends else None


def resolve_cut(trigger, sorted_heights, default_cut, dragged=None, typed_height=None, typed_k=None):
    """Decide the cut height and k from whichever control moved.

    Returns
    -------
    height : float or None
        None when the request cannot be met; the message says why.
    k : int or None
    message : str
    """
    if trigger == "dendrogram":
        height = dragged
    elif trigger == "cut-height":
        height = typed_height
    elif trigger == "n-clusters":
        if typed_k is None or not float(typed_k).is_integer():
            return None, None, "Type a whole number of clusters."
        cut = height_for_k(sorted_heights, int(typed_k))
        if cut.height is None:
            return None, None, cut.reason
        return cut.height, int(typed_k), f"Cut at {cut.height:.5g}, the middle of the gap {cut.low:.5g} – {cut.high if cut.high is not None else math.inf:.5g} that gives {int(typed_k)} clusters."
    else:
        height = default_cut
    if height is None or not math.isfinite(height):
        return None, None, "Type a cut height (a number)."
    if height < 0:
        return None, None, f"The cut height must be 0 or more (merge distances are never negative); got {height:.5g}."
    k = n_clusters_at(sorted_heights, height)
    return float(height), k, f"Cut at {height:.5g} gives {k} cluster{'s' if k != 1 else ''}."


@callback(
    Output("cut-height", "value"),
    Output("n-clusters", "value"),
    Output("cut", "data"),
    Output("cut-status", "children"),
    Input("clustering", "data"),
    Input("dendrogram", "relayoutData"),
    Input("cut-height", "value"),
    Input("n-clusters", "value"),
    State("session-id", "data"),
)
def sync_cut(clustering, relayout, typed_height, typed_k, session_id):
    """One cut, three ways to set it; never recomputes the linkage."""
    if not clustering:
        raise PreventUpdate
    trigger = ctx.triggered_id if ctx.triggered_id in ("dendrogram", "cut-height", "n-clusters") else "clustering"
    dragged = height_from_relayout(relayout) if trigger == "dendrogram" else None
    if trigger == "dendrogram" and dragged is None:
        raise PreventUpdate  # a zoom or pan, not the cut line
    try:
        _, result = store.get_store().clustering(session_id, clustering["method"], clustering["metric"])
    except InputError as error:
        return no_update, no_update, no_update, f"⚠ {error}"
    height, k, message = resolve_cut(trigger, result.tree.sorted_heights, result.default_cut, dragged, typed_height, typed_k)
    if height is None:
        return no_update, no_update, no_update, f"⚠ {message}"
    cut = {"height": height, "k": k, "clustering": clustering}
    return round(height, 6), k, cut, message
