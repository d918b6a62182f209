"""Method and metric: which pairs are allowed, and computing the linkage."""
from dash import Input, Output, State, callback, no_update

from hclust.errors import InputError
from hclust.linkage import METRICS, compatible_metrics, is_monotonic
from services import store


@callback(
    Output("metric", "options"),
    Output("metric", "value"),
    Input("method", "value"),
    State("metric", "value"),
)
def restrict_metrics(method, metric):
    """Offer only the metrics scipy accepts with `method`."""
    allowed = compatible_metrics(method)
    options = [{"label": m, "value": m, "disabled": m not in allowed} for m in METRICS]
    return options, metric if metric in allowed else allowed[0]


@callback(
    Output("clustering", "data"),
    Output("clustering-status", "children"),
    Input("data-version", "data"),
    Input("method", "value"),
    Input("metric", "value"),
    State("session-id", "data"),
)
def run_clustering(data_version, method, metric, session_id):
    """Compute (or fetch) the linkage; a refused pair keeps the last result."""
    if not data_version:
        return no_update, no_update
    try:
        dataset, result = store.get_store().clustering(session_id, method, metric)
    except InputError as error:
        return no_update, f"⚠ {error}"
    status = f"{method} linkage, {metric} distance: {dataset.n_samples - 1} merges."
    if not is_monotonic(result.Z):
        status += " ⚠ The tree has inversions (a merge lower than an earlier one); cuts use each merge's highest height below it."
    summary = {"key": data_version["key"], "method": method, "metric": metric, "n": dataset.n_samples, "default_cut": result.default_cut}
    return summary, status
