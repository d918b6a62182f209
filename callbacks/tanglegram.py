"""Compare two trees: the page's tree against another method's or metric's (issue #15 §3).

The second linkage goes through the shared linkage cache (``Store.clustering``), and the
comparison (untangled orders, entanglement, Baker's gamma, cophenetic correlation) is a
shared result keyed by the numbers and both trees' methods and metrics. Data too large for
a request is compared by a background job inside the instance's job budget; the cut only
recolours the lines and recomputes the ARI, in the request.
"""

import numpy as np
from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.errors import error_text, shows_errors
from callbacks.shown import cluster_colours, labels_for
from components.figures import placeholder_figure
from components.tanglegram_figures import tanglegram_figure
from hclust.compare import (
    COMPARE_FULL_MAX_N,
    COMPARE_P,
    compare_trees,
    line_labels,
    partition_agreement,
)
from hclust.cut import colour_hex
from hclust.errors import InputError
from hclust.linkage import validate_method_metric
from services import jobs, store
from services.jobs import JOB_POLL_MS
from services.store import NotReady, ResultKey, request_name, runs_inline


def comparison_for(session_id, clustering, method, metric, in_request=True):
    """The page's dataset and tree, and their comparison with (method, metric)'s tree.

    In a request, data too large to cluster inline (by the server's record of its
    size) is only read: :class:`NotReady` until the background job has computed it.
    """
    validate_method_metric(method, metric)  # a pair scipy refuses, refused with its reason
    shared = store.get_store()
    dataset, result = shared.result_for(session_id, clustering, in_request)
    refuse = None
    if in_request and not runs_inline(dataset.n_samples, False):
        refuse = (
            f"The {method} tree of these {dataset.n_samples:,} samples is computed by a "
            "background job; the comparison follows when it is done."
        )
    key = ResultKey.of(
        "tree-comparison",
        dataset,
        clustering["method"],
        clustering["metric"],
        optimal_order=bool(clustering.get("optimal_order", False)),
        other_method=method,
        other_metric=metric,
        full_max_n=COMPARE_FULL_MAX_N,
        p=COMPARE_P,
    )

    def compute():
        _, other = shared.clustering(
            session_id, method, metric, False, data_key=clustering["key"], in_request=in_request
        )
        return compare_trees(result.Z, other.Z)

    return dataset, result, shared.memo(key, compute, refuse=refuse)


def _value(value, ci, exact, digits=3):
    if not np.isfinite(value):
        return "undefined (a tree with a single merge height)"
    if exact:
        return f"{value:.{digits}f}"
    return f"≈ {value:.{digits}f} (95% CI {ci[0]:.{digits}f} – {ci[1]:.{digits}f})"


def agreement_children(comparison, partition, left, right):
    """The measures, as a small table and the notes that say how they were obtained."""
    rows = [
        (
            "Entanglement (0 = no crossing, 1 = reversed)",
            f"{comparison.entanglement:.3f}",
            f"after rotating; {comparison.entanglement_drawn:.3f} as drawn by scipy",
        ),
        (
            "Baker's gamma",
            _value(comparison.gamma, comparison.gamma_ci, comparison.exact),
            "Spearman correlation of the k at which each pair of samples is last together",
        ),
        (
            "Cophenetic correlation between the trees",
            _value(comparison.cophenetic, comparison.cophenetic_ci, comparison.exact),
            "Pearson correlation of the two trees' cophenetic distances",
        ),
        (
            f"Adjusted Rand index at k = {partition.k}",
            f"{partition.ari:.3f}",
            "this page's clusters against the other tree cut into as many",
        ),
    ]
    notes = []
    if partition.k_other != partition.k:
        notes.append(
            f"⚠ Tied merge heights: the {right} tree gives {partition.k_other} clusters, "
            f"not {partition.k}, when cut for {partition.k} (fcluster's maxclust)."
        )
    if comparison.truncated:
        notes.append(
            f"Above {COMPARE_FULL_MAX_N:,} samples ({comparison.n:,} here) the comparison runs on "
            f"the truncated trees: the tanglegram and the entanglement use each tree's last "
            f"{COMPARE_P} clusters (lastp), and Baker's gamma and the cophenetic correlation are "
            f"estimated from {comparison.n_pairs:,} random pairs of samples."
        )
    else:
        notes.append(
            f"Exact, over all {comparison.n_pairs:,} pairs of the {comparison.n:,} samples."
        )
    return [
        html.Table(
            [
                html.Tbody(
                    [
                        html.Tr([html.Th(name, scope="row"), html.Td(value), html.Td(how)])
                        for name, value, how in rows
                    ]
                )
            ],
            className="agreement-table",
        ),
        *[html.P(note, className="panel-help") for note in notes],
    ]


def render(session_id, cut, colour_map, method, metric):
    """Figure and measures for the page's cut, from the stored comparison (NotReady if none)."""
    clustering = cut["clustering"]
    dataset, result, comparison = comparison_for(session_id, clustering, method, metric)
    labels = labels_for(result, cut)
    same_tree = bool(colour_map) and colour_map.get("clustering") == clustering
    label_colours, _ = cluster_colours(result, labels, colour_map["nodes"] if same_tree else None)
    lines, majority = line_labels(comparison, labels)
    colours = [label_colours.get(int(label), colour_hex(-1)) for label in majority]
    left = f"{clustering['method']}, {clustering['metric']} (this page)"
    right = f"{method}, {metric}"
    figure = tanglegram_figure(comparison, colours, left, right, dataset.leaf_names())
    partition = partition_agreement(labels, comparison.Z_other)
    status = f"{left[0].upper()}{left[1:]} against {right}."
    return figure, agreement_children(comparison, partition, left, right), status


def panel_open(summary_clicks) -> bool:
    """Whether the panel is open: each click on its summary toggles it, from closed."""
    return isinstance(summary_clicks, int) and summary_clicks % 2 == 1


def _refused(message):
    return placeholder_figure(message), [], error_text(message)


# the page's colours (after each cut) reach the server only while the panel is open
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="tanglegramTrigger"),
    Output("tanglegram-colours", "data"),
    Input("tanglegram-summary", "n_clicks"),
    Input("colour-map", "data"),
    prevent_initial_call=True,
)


@callback(
    Output("tanglegram", "figure"),
    Output("tree-agreement", "children"),
    Output("tanglegram-status", "children"),
    Output("tanglegram-job", "data"),
    Input("tanglegram-colours", "data"),
    Input("tanglegram-method", "value"),
    Input("tanglegram-metric", "value"),
    Input("tanglegram-ready", "data"),
    State("tanglegram-summary", "n_clicks"),
    State("cut", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=4, message=2)
def update_tanglegram(trigger, method, metric, ready, summary_clicks, cut, session_id):
    """The tanglegram of the page's tree and cut against the chosen tree.

    A refused pair, or a comparison still being computed, replaces the figure and
    the measures, so they never show another choice's result.
    """
    if not panel_open(summary_clicks):
        raise PreventUpdate  # a closed panel computes nothing
    trigger = validate.mapping_with(trigger, "The tanglegram's trigger", optional=True) or {}
    cut, colour_map = validate.cut(cut), validate.colour_map(trigger.get("colourMap"))
    method = validate.text(method, "The other tree's method", 100, optional=True)
    metric = validate.text(metric, "The other tree's metric", 100, optional=True)
    if not cut:
        return (*_refused("No tree yet: choose a dataset and a method."), no_update)
    try:
        return (*render(session_id, cut, colour_map, method, metric), no_update)
    except NotReady as waiting:
        request = {"clustering": cut["clustering"], "method": method, "metric": metric}
        request["id"] = store.get_store().begin_request(
            session_id, "tanglegram", _request_name(request)
        )
        return (
            placeholder_figure(f"Computing the {method} tree and the comparison…"),
            [],
            str(waiting),
            request,
        )
    except InputError as error:
        return (*_refused(str(error)), no_update)


def _request_name(request):
    clustering = request["clustering"]
    return request_name(
        clustering.get("key"),
        clustering.get("method"),
        clustering.get("metric"),
        clustering.get("optimal_order"),
        request.get("method"),
        request.get("metric"),
    )


def _tanglegram_request(value):
    validate.mapping_with(value, "The comparison request", ("clustering", "method", "metric"))
    validate.clustering(value["clustering"], optional=False)
    validate.text(value["method"], "The other tree's method", 100)
    validate.text(value["metric"], "The other tree's metric", 100)
    validate.text(value.get("id", ""), "The request id", 1_000)
    return value


@callback(
    Output("tanglegram-ready", "data"),
    Input("tanglegram-job", "data"),
    State("session-id", "data"),
    background=True,
    interval=JOB_POLL_MS,
    progress=[Output("tanglegram-progress", "children")],
    progress_default=[""],
    prevent_initial_call=True,
)
@shows_errors(outputs=1, status="tanglegram-status")
def run_comparison(set_progress, request, session_id):
    """The other tree's linkage and the comparison, off the request path, in the job budget."""
    if not request:
        raise PreventUpdate
    request = validate.in_job(_tanglegram_request, request)
    clustering = request["clustering"]
    cost = jobs.clustering_cost(
        session_id, clustering.get("key"), request["method"], request["metric"], False
    )
    try:  # wait for a turn in the instance's job budget, saying where the job stands
        with jobs.admitted(session_id, "tanglegram", cost, lambda text: set_progress([text])):
            set_progress([f"Computing the {request['method']} tree and the comparison…"])
            comparison_for(
                session_id, clustering, request["method"], request["metric"], in_request=False
            )
    except jobs.JobRefused as refused:
        set_progress([f"⚠ {refused}"])
        raise PreventUpdate from refused
    set_progress([""])
    if not store.get_store().is_latest_request(session_id, "tanglegram", request.get("id")):
        raise PreventUpdate  # the page has asked for another comparison meanwhile
    return {key: request[key] for key in ("clustering", "method", "metric")}
