"""Method and metric: which pairs are allowed, and computing the linkage."""
from dash import Input, Output, State, callback, no_update

from hclust.errors import InputError
from hclust.linkage import METRICS, compatible_metrics, is_monotonic
from services import store
from services.store import OPTIMAL_ORDER_WARN_N


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
    Input("optimal-order", "value"),
    State("session-id", "data"),
)
def run_clustering(data_version, method, metric, optimal_order, session_id):
    """Compute (or fetch) the linkage; a refused pair keeps the last result."""
    if not data_version:
        return no_update, no_update
    optimal_order = bool(optimal_order)
    try:
        dataset, result = store.get_store().clustering(session_id, method, metric, optimal_order)
    except InputError as error:
        return no_update, f"⚠ {error}"
    status = f"{method} linkage, {metric} distance: {dataset.n_samples - 1} merges."
    if not is_monotonic(result.Z):
        status += " ⚠ The tree has inversions (a merge lower than an earlier one); cuts use each merge's highest height below it."
    if optimal_order:
        status += " Leaves in optimal order."
        if dataset.n_samples > OPTIMAL_ORDER_WARN_N:
            status += f" (Slow above {OPTIMAL_ORDER_WARN_N:,} samples: it uses all pairwise distances.)"
    summary = {"key": data_version["key"], "method": method, "metric": metric, "optimal_order": optimal_order, "n": dataset.n_samples, "default_cut": result.default_cut}
    return summary, status
