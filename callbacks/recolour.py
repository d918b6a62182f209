"""Recolouring a dragged cut in the browser: the index it needs, sent once per
drawn dendrogram, the browser-side state it keeps, and the relayouts that commit
a cut there (assets/cut_recolour.js, computing with assets/cut_core.js)."""

from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.shown import focus_root
from callbacks.view_options import checked
from components.recolour import geometry_id, recolour_index
from hclust.errors import InputError
from services import store


@callback(
    Output("recolour-index", "data"),
    Input("clustering", "data"),
    Input("view-options", "data"),
    Input("focus", "data"),
    State("session-id", "data"),
)
def publish_recolour_index(clustering, view_options, focus, session_id):
    """The index for the dendrogram update_views draws from the same options store."""
    clustering, focus = validate.clustering(clustering), validate.focus(focus)
    if not clustering:
        raise PreventUpdate
    options = checked(view_options)
    root = focus_root(focus, clustering)
    try:
        _, result = store.get_store().result_for(session_id, clustering)
    except InputError:
        return None
    geometry = store.get_store().geometry(
        session_id, clustering, options["truncate_mode"], options["p"], root
    )
    key = geometry_id(
        clustering, options["truncate_mode"], options["p"], root, options["orientation"]
    )
    return recolour_index(result.tree, result.Z, geometry, options["orientation"], key)


clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="stashRecolour"),
    Output("recolour-ready", "data"),
    Input("recolour-index", "data"),
    Input("colour-map", "data"),
    Input("criterion", "value"),
    Input("dendrogram-flags", "value"),
    Input("highlight", "data"),
    Input("cut", "data"),
)


# A relayout of the cut line (the end of a drag) commits the cut in the browser too.
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="recolourRelayout"),
    Output("recolour-ready", "data", allow_duplicate=True),
    Input("dendrogram", "relayoutData"),
    prevent_initial_call=True,
)


# A k clicked in the elbow or quality plot is shown at once (assets/typed_cut.js), as a
# typed k is; the server's cut_from_k_plot answers it.
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="showClickedK"),
    Output("recolour-ready", "data", allow_duplicate=True),
    Input("elbow-graph", "clickData"),
    Input("quality-graph", "clickData"),
    prevent_initial_call=True,
)
