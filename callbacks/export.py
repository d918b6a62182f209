"""Publication-quality export of either plot, in the browser (no round trip)."""

from dash import ClientsideFunction, Input, Output, clientside_callback

for graph_id in ("dendrogram", "scatter"):
    clientside_callback(
        ClientsideFunction(namespace="hclust", function_name="exportImages"),
        Output(f"export-{graph_id}-done", "data"),
        Input(f"export-{graph_id}-svg", "n_clicks"),
        Input(f"export-{graph_id}-png", "n_clicks"),
        prevent_initial_call=True,
    )
