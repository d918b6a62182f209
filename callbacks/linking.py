"""Linking both ways: a dendrogram node highlights its samples, a scatter
selection or a summary row highlights clusters in both plots."""

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
    no_update,
)
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.errors import shows_errors
from callbacks.view_options import read_view_options
from hclust.dendrogram import members
from hclust.errors import InputError
from services import store
from services.store import NO_DATA

MEMBERS_SHOWN = 30


# The dendrogram's merge markers are its first trace (see components.figures).
MERGES_CURVE = 0


def node_from_click(click, geometry, n):
    """Node id of a clicked merge marker, or None for any other click.

    Points are identified by trace and position, not customdata: dcc.Graph
    does not pass compact (typed-array) customdata back in click events.
    """
    try:
        point = click["points"][0]
        curve, index = point["curveNumber"], point["pointNumber"]
    except (TypeError, KeyError, IndexError):
        return None
    if curve != MERGES_CURVE or not isinstance(index, int) or not 0 <= index < geometry.n_links:
        return None
    return n + int(geometry.merges[index])


def sample_of_point(point):
    """The sample a scatter point shows: its customdata is the sample index.

    The scatter has one trace per colour (see components.figures.scatter_figure),
    so a point's position in its trace does not name the sample; its customdata
    does, which the browser adds to each selected point (``scatter-selection``).
    """
    data = point.get("customdata") if isinstance(point, dict) else None
    return data if isinstance(data, int) and not isinstance(data, bool) else None


def samples_from_selection(selected, n):
    """Sample indices of the points a box or lasso selected in the scatter."""
    if not selected or not selected.get("points"):
        return None
    found = {sample_of_point(point) for point in selected["points"]}
    return (
        sorted(i for i in found if isinstance(i, int) and not isinstance(i, bool) and 0 <= i < n)
        or None
    )


def node_details(dataset, result, node):
    """The panel for a clicked merge: its index, Z row, height, size and members."""
    n = result.tree.n
    i = node - n
    a, b, height, size = result.Z[i].tolist()
    names = dataset.leaf_names()
    inside = members(result.tree, node)
    shown = ", ".join(names[s] for s in np.sort(inside)[:MEMBERS_SHOWN].tolist())
    more = f" … and {len(inside) - MEMBERS_SHOWN} more" if len(inside) > MEMBERS_SHOWN else ""
    return [
        html.Div(
            [
                html.B(f"Merge i = {i}"),
                f" · Z[{i}] = [{int(a)}, {int(b)}, {height:.5g}, {int(size)}]",
            ]
        ),
        html.Div(
            f"Height {height:.5g}, {int(size)} samples. Indices ≥ {n} refer to the cluster formed in row idx − {n}."
        ),
        html.Div(f"Members: {shown}{more}", className="members"),
    ]


# A new cut clears the highlight (it named clusters or samples of the old cut). Only when there
# is one: the browser checks, so a cut without a highlight costs no request here.
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="cutClearsHighlight"),
    Output("cut-clears-highlight", "data"),
    Input("cut", "data"),
    State("highlight", "data"),
    State("cut-clears-highlight", "data"),
    prevent_initial_call=True,
)


# dcc.Graph drops typed-array customdata from events: the browser, which holds
# the decoded arrays, adds each selected point's sample (assets/linking.js).
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="samplesOfSelection"),
    Output("scatter-selection", "data"),
    Input("scatter", "selectedData"),
    prevent_initial_call=True,
)


@callback(
    Output("highlight", "data"),
    Output("node-panel", "children"),
    Input("dendrogram", "clickData"),
    Input("scatter-selection", "data"),
    Input("cluster-summary", "active_cell"),
    Input("clear-highlight", "n_clicks"),
    Input("cut-clears-highlight", "data"),
    State("cut", "data"),
    State("cluster-summary", "data"),
    State("highlight", "data"),
    State("focus", "data"),
    State("view-options", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=2, message=1)
def update_highlight(
    node_click,
    selection,
    summary_cell,
    clear_clicks,
    _cut_moved,
    cut,
    summary_rows,
    current,
    focus,
    view_options,
    session_id,
):
    node_click = validate.event(node_click, "The click in the dendrogram")
    selection = validate.event(selection, "The selection in the scatter")
    if selection is not None:
        validate.list_of(selection.get("points"), "The selected points", optional=True)
    summary_cell, summary_rows = (
        validate.table_cell(summary_cell),
        validate.summary_rows(summary_rows),
    )
    cut, current, focus = validate.cut(cut), validate.highlight(current), validate.focus(focus)
    trigger = ctx.triggered_id
    if trigger == "cut-clears-highlight" and not current:
        raise PreventUpdate  # nothing to clear; redrawing the views would waste the cut's fast path
    if trigger in ("clear-highlight", "cut-clears-highlight") or not cut:
        return None, "Click a merge in the dendrogram to see its members."
    if trigger == "cluster-summary":
        if not summary_cell or not summary_rows or summary_cell["row"] >= len(summary_rows):
            raise PreventUpdate
        return {"cluster": int(summary_rows[summary_cell["row"]]["cluster"])}, no_update
    if trigger == "scatter-selection":
        if selection is not None and not selection.get("points"):
            raise PreventUpdate  # plotly re-reports an empty selection when the figure redraws
        # the samples that exist are the server's to say, not the page's summary
        n = store.get_store().dataset_size(session_id, cut["clustering"].get("key"))
        if n is None:
            raise InputError(NO_DATA)
        samples = samples_from_selection(selection, n)
        return ({"samples": samples}, no_update) if samples else (None, no_update)
    clustering = cut["clustering"]
    dataset, result = store.get_store().result_for(session_id, clustering)
    options = read_view_options(view_options)
    root = focus.get("node") if focus and focus.get("clustering") == clustering else None
    geometry = store.get_store().geometry(
        session_id, clustering, options["truncate_mode"], options["p"], root
    )
    node = node_from_click(node_click, geometry, result.tree.n)
    if node is None:
        raise PreventUpdate
    return {"node": node}, node_details(dataset, result, node)


def zoom_of(value):
    """The ``dendrogram-leaf-zoom`` store, checked: ``(low, high)``, ``"out"``, or None.

    assets/relayout.js writes it from the dendrogram's relayouts: the leaf axis's
    new range, or ``"out"`` when a double-click or the home button returned it to
    autorange. The page sent it, so it is read as any other input: two finite
    numbers, in either order.
    """
    if not value:
        return None
    found = validate.mapping_with(value, "The dendrogram's zoom", ("range",))["range"]
    if found == "out":
        return "out"
    ends = validate.list_of(found, "The dendrogram's zoom", lambda v, s: validate.number(v, s))
    if len(ends) != 2:
        raise InputError("The dendrogram's zoom must be a range of two numbers.")
    return min(ends), max(ends)


def zoomed_subtree(tree, geometry, found):
    """The smallest node holding every drawn leaf inside a zoomed range, or None.

    Only a truncated view opens a subtree: a full view is already at full detail.
    """
    if not geometry.truncated or found is None or found == "out":
        return None
    low, high = found
    inside = geometry.leaf_nodes[(geometry.leaf_x >= low) & (geometry.leaf_x <= high)]
    if len(inside) < 2:
        return None
    first = tree.start[inside].min()
    last = (tree.start[inside] + tree.size[inside]).max()
    node = int(inside[np.argmin(tree.start[inside])])
    while (
        tree.start[node] > first or tree.start[node] + tree.size[node] < last
    ):  # climb to the common ancestor
        node = int(tree.parent[node])
    return node if node != geometry.root else None


def shows_all_leaves(geometry, found):
    """The leaf axis's new range holds every drawn leaf: the view was zoomed out, not in.

    Plotly's double-click first resets the axes to the ranges the first figure of
    the graph had, which can be wider than the branch now drawn; the home button
    does the same.
    """
    return isinstance(found, tuple) and found[0] <= 0 and found[1] >= 10 * len(geometry.leaf_nodes)


# Which branch the dendrogram shows (``focus``): one callback per intent, each
# answering only its own event (plotly/dash#1861), and the buttons' states from
# the highlight and the focus, whoever wrote them.


@callback(
    Output("focus-branch", "disabled"),
    Output("focus-reset", "disabled"),
    Input("highlight", "data"),
    Input("focus", "data"),
    State("clustering", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=2, status="view-status")
def focus_buttons(highlight, focus, clustering):
    """ "Show this branch" needs a highlighted merge; "whole tree" a branch shown."""
    highlight, focus = validate.highlight(highlight), validate.focus(focus)
    clustering = validate.clustering(clustering)
    node_highlighted = bool(highlight and "node" in highlight)
    focused = bool(focus and focus.get("clustering") == clustering)
    return not node_highlighted, not focused


@callback(
    Output("focus", "data"),
    Input("focus-branch", "n_clicks"),
    Input("focus-reset", "n_clicks"),
    State("highlight", "data"),
    State("clustering", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=1, status="view-status")
def focus_from_buttons(branch_clicks, reset_clicks, highlight, clustering):
    """The highlighted merge shown in full, or the whole tree again."""
    highlight, clustering = validate.highlight(highlight), validate.clustering(clustering)
    if ctx.triggered_id == "focus-reset":
        return None
    if highlight and "node" in highlight:
        return {"node": int(highlight["node"]), "clustering": clustering}
    return no_update  # a click the disabled button let through: no merge is highlighted


# A new tree is shown whole: the answer that brings a tree clears the focus
# (clustering.request_clustering, run_clustering). A callback of its own answered None for
# every tree, one more request and round in each dataset or method change (#11).


@callback(
    Output("focus", "data", allow_duplicate=True),
    Input("dendrogram-leaf-zoom", "data"),
    State("focus", "data"),
    State("clustering", "data"),
    State("view-options", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=1, status="view-status")
def focus_from_zoom(zoom, focus, clustering, view_options, session_id):
    """A zoom into a truncated tree opens the branch it shows; a zoom out closes it."""
    found, focus = zoom_of(zoom), validate.focus(focus)
    clustering = validate.clustering(clustering)
    focused = bool(focus and focus.get("clustering") == clustering)
    if found is None or not clustering or (found == "out" and not focused):
        raise PreventUpdate  # nothing to open or close
    if found == "out":
        return None
    options = read_view_options(view_options)
    _, result = store.get_store().result_for(session_id, clustering)
    geometry = store.get_store().geometry(
        session_id,
        clustering,
        options["truncate_mode"],
        options["p"],
        focus["node"] if focused else None,
    )
    if focused and shows_all_leaves(geometry, found):
        return None
    node = zoomed_subtree(result.tree, geometry, found)
    if node is None:
        raise PreventUpdate  # a zoom within what is drawn: the plotly view is the answer
    return {"node": node, "clustering": clustering}
