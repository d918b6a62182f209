"""Cophenetic correlation, inconsistency, elbow and the linkage matrix."""
from dash import Input, Output, State, callback, dash_table, dcc, html
from dash.exceptions import PreventUpdate

from components.figures import elbow_figure
from hclust.diagnostics import cophenetic_correlation, elbow, inconsistency_table
from hclust.errors import InputError
from services import store

MAX_DEPTH = 50


def cophenetic_text(result):
    if result.exact:
        return f"c = {result.coefficient:.5f}", f"exact, over all {result.n_pairs:,} pairs"
    return f"c ≈ {result.coefficient:.5f}", f"estimated from {result.n_pairs:,} random pairs; 95% CI {result.ci_low:.4f} – {result.ci_high:.4f}"


def inconsistency_view(Z, depth):
    """Table of the last 10 merges' inconsistency statistics at `depth`."""
    if depth is None or not float(depth).is_integer() or not 1 <= depth <= MAX_DEPTH:
        return html.Div(f"⚠ Depth must be a whole number from 1 to {MAX_DEPTH}.", className="status")
    rows = inconsistency_table(Z, int(depth))
    first = len(Z) - len(rows)
    data = [
        {"merge": first + i, "height": round(float(Z[first + i, 2]), 5), "mean": round(m, 5), "std": round(s, 5), "links": int(c), "inconsistency": round(v, 5)}
        for i, (m, s, c, v) in enumerate(rows.tolist())
    ]
    return dash_table.DataTable(
        data=data,
        columns=[{"name": c, "id": c} for c in ("merge", "height", "mean", "std", "links", "inconsistency")],
        style_cell={"fontFamily": "ui-monospace, monospace", "fontSize": 12, "padding": "2px 8px"},
        style_header={"fontWeight": "600"},
    )


def elbow_view(Z):
    result = elbow(Z)
    return [
        dcc.Graph(figure=elbow_figure(result.k_axis, result.distances, result.acceleration, result.suggested_k), config={"displaylogo": False}, style={"height": "300px"}),
        html.P(
            f"Suggested k = {result.suggested_k}: where the last merge distances accelerate most. "
            "It can never suggest k = 1, and it compares jumps from different branches, so it can miss clusters "
            "of unequal spread (on the tutorial's 5-blob X2 it suggests 4).",
            className="panel-help",
        ),
    ]


def linkage_rows(Z):
    return [{"row": i, "idx1": int(a), "idx2": int(b), "distance": round(h, 5), "count": int(c)} for i, (a, b, h, c) in enumerate(Z.tolist())]


@callback(
    Output("cophenetic", "children"),
    Output("elbow", "children"),
    Output("linkage-table", "data"),
    Input("clustering", "data"),
    State("session-id", "data"),
)
def update_diagnostics(clustering, session_id):
    if not clustering:
        raise PreventUpdate
    try:
        dataset, result = store.get_store().clustering(session_id, clustering["method"], clustering["metric"])
    except InputError as error:
        return f"⚠ {error}", [], []
    value, how = cophenetic_text(cophenetic_correlation(result.Z, dataset.values, clustering["metric"], is_distance_matrix=dataset.is_distance_matrix))
    return [html.Span(value), html.Small(how, className="panel-help")], elbow_view(result.Z), linkage_rows(result.Z)


@callback(
    Output("inconsistency", "children"),
    Input("clustering", "data"),
    Input("inconsistency-depth", "value"),
    State("session-id", "data"),
)
def update_inconsistency(clustering, depth, session_id):
    if not clustering:
        raise PreventUpdate
    try:
        _, result = store.get_store().clustering(session_id, clustering["method"], clustering["metric"])
    except InputError as error:
        return f"⚠ {error}"
    return inconsistency_view(result.Z, depth)
