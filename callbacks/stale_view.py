"""Out-of-date views say so: dimmed under a "computing…" overlay, and a refused choice is undone.

All in the browser (assets/stale_view.js), from what the page already holds:
the selected settings against the settings the shown result was computed for.
"""

from dash import ClientsideFunction, Input, Output, clientside_callback

clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="staleView"),
    Output("plots", "className"),
    Output("diagnostics", "className"),
    Output("plots-overlay", "children"),
    Output("diagnostics-overlay", "children"),
    Input("dataset", "value"),
    Input("feature-columns", "value"),
    Input("label-column", "value"),
    Input("as-distance-matrix", "value"),
    Input("scaling", "value"),
    Input("missing-values", "value"),
    Input("table-version", "data"),
    Input("data-version", "data"),
    Input("method", "value"),
    Input("metric", "value"),
    Input("optimal-order", "value"),
    Input("cut", "data"),
    Input("clustering-status", "children"),
    Input("data-status", "children"),
)
