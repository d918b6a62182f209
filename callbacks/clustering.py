"""Method and metric: which pairs are allowed, and computing the linkage as a
background job with staged progress and a cancel button."""

from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    no_update,
)
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.cut import cut_for_tree
from callbacks.errors import shows_errors
from components.layout import metric_options
from hclust.data import MIN_ROWS
from hclust.diagnostics import DEFAULT_LARGEST_K
from hclust.errors import InputError
from hclust.linkage import (
    METHODS,
    SCIPY_TREE_MAX_N,
    compatible_metrics,
    is_monotonic,
    tie_note,
    validate_method_metric,
)
from hclust.preprocess import max_rows_within
from services import config, jobs, store
from services.jobs import JOB_POLL_MS
from services.store import (
    INLINE_MAX_N,  # noqa: F401  (the routing policy lives with the store's records)
    NO_DATA,
    OPTIMAL_ORDER_MAX_N,
    OPTIMAL_ORDER_WARN_N,
    optimal_order_seconds,
    request_name,
    runs_inline,
)

STAGES = ("reading", "distances", "linkage", "geometry", "diagnostics")
# Up to this many samples the method comparison and the quality indices at the
# page's default largest k come with the linkage.
PREPARED_DIAGNOSTICS_MAX_N = 2_000


# The metric menu follows the method in the browser (assets/answered_here.js restrictMetrics,
# from the layout's ``metric-rules``): the clustering then waits for no answer of the server's
# about the metric (#11: a round of its own in every method change). The layout holds the
# first method's menu.
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="restrictMetrics"),
    Output("metric", "options"),
    Output("metric", "value"),
    Input("method", "value"),
    State("metric", "value"),
    State("metric-rules", "data"),
    prevent_initial_call=True,
)


def restrict_metrics(method, metric):
    """Offer only the metrics scipy accepts with `method` (the rule restrictMetrics follows)."""
    method = validate.one_of(method, "The linkage method", METHODS, optional=True)
    allowed = compatible_metrics(method)
    return metric_options(method), metric if metric in allowed else allowed[0]


def compute_clustering(session_id, data_version, method, metric, optimal_order, report=None):
    """Linkage, geometry and the slow diagnostics, reporting each stage.

    Returns the small summary the browser keeps and a status line; raises
    InputError for anything the user must change.
    """
    report = report or (lambda stage: None)
    report("reading")
    shared = store.get_store()
    dataset, result = shared.clustering(
        session_id, method, metric, optimal_order, progress=report, data_key=data_version["key"]
    )
    summary = {
        "key": data_version["key"],
        "method": method,
        "metric": metric,
        "optimal_order": optimal_order,
        "n": dataset.n_samples,
        "default_cut": result.default_cut,
    }
    report("diagnostics")
    # computed here, with the linkage, so the panels that follow only read them
    shared.cophenetic(session_id, summary)
    shared.cophenetic_pairs(session_id, summary)
    if dataset.n_samples <= PREPARED_DIAGNOSTICS_MAX_N:
        # small data: also what the page shows next, in one piece of work rather than
        # several requests that queue for the same two cores (bench: diagnostics_x2)
        shared.method_comparison(session_id, summary)
        shared.quality(session_id, summary, DEFAULT_LARGEST_K)
    merges = dataset.n_samples - 1
    status = (
        f"{method.capitalize()} linkage, {metric} distance: "
        f"{merges:,} merge{'s' if merges != 1 else ''}."
    )
    if not is_monotonic(result.Z):
        status += (
            " ⚠ The tree has inversions (a merge lower than an earlier one, as centroid and "
            "median can give); cuts use each merge's highest height below it, as fcluster does."
        )
    if dataset.n_samples > SCIPY_TREE_MAX_N:
        ties = tie_note(result.Z, dataset.values, is_distance_matrix=dataset.is_distance_matrix)
        if ties:
            status += (
                f" ⚠ Tied distances ({ties}): this tree is one of several equally valid ones. "
                f"Above {SCIPY_TREE_MAX_N:,} samples ties may be broken otherwise than scipy "
                "breaks them, giving other clusters at some cuts."
            )
    if optimal_order:
        status += " Leaves in optimal order."
    return summary, status


def optimal_order_label(n):
    """The checkbox label, warning before a slow ordering is started."""
    if n > OPTIMAL_ORDER_MAX_N:
        return (
            f" optimal leaf ordering (not above {OPTIMAL_ORDER_MAX_N:,} samples; this data has {n:,})",
            True,
        )
    if n > OPTIMAL_ORDER_WARN_N:
        return (
            " optimal leaf ordering — slow here: "
            f"about {max(1, round(optimal_order_seconds(n))):.0f} s for {n:,} samples (cancellable)",
            False,
        )
    return " optimal leaf ordering", False


def optimal_order_options(n):
    """The checkbox for data of `n` samples (the server's own record of it), as the loaders
    answer it with the data (callbacks/data.py: no request of its own, #11)."""
    label, disabled = optimal_order_label(n)
    return [{"label": label, "value": "on", "disabled": disabled}]


def _progress_reporter(set_progress):
    def report(stage):
        step = STAGES.index(stage) + 1
        set_progress((step, len(STAGES), f"Step {step} of {len(STAGES)}: {stage}…"))

    return report


def sample_offer(session_id, method, metric, data_key):
    """The largest sample of the named data that fits the memory budget, when the data does not."""
    dataset = store.get_store().loaded_dataset(session_id, data_key)
    try:
        validate_method_metric(method, metric)  # only a valid pair has a memory estimate
    except InputError:
        return None
    if dataset is None:
        return None
    rows = max_rows_within(
        dataset.n_features, method, metric, config.MAX_MEMORY_MB, dataset.is_distance_matrix
    )
    if MIN_ROWS <= rows < dataset.n_samples:
        return {
            "rows": int(rows // 100 * 100 if rows >= 1000 else rows),
            "of": dataset.n_samples,
            "key": data_key,
        }
    return None


class Superseded(Exception):
    """A newer request of the same session has replaced this one."""


def clustering_outcome(session_id, request, report=None):
    """Outputs for clustering, its status line and the sample offer; a refused pair keeps the last result.

    Raises PreventUpdate when a newer request has been made meanwhile, so a
    slow answer to an old choice never replaces the answer to a new one.
    """
    shared = store.get_store()
    report = report or (lambda stage: None)

    def report_unless_superseded(stage):
        if not shared.is_latest_request(session_id, "clustering", request["id"]):
            raise Superseded
        report(stage)

    try:
        summary, status = compute_clustering(
            session_id,
            request["data_version"],
            request["method"],
            request["metric"],
            request["optimal_order"],
            report_unless_superseded,
        )
        outputs = summary, status, None
    except InputError as error:
        outputs = (
            no_update,
            f"⚠ {error}",
            sample_offer(
                session_id, request["method"], request["metric"], request["data_version"]["key"]
            ),
        )
    except Superseded:
        raise PreventUpdate from None
    if not shared.is_latest_request(session_id, "clustering", request["id"]):
        raise PreventUpdate
    # the offer the page may take up is the server's copy, not the one the page sends back
    shared.put_session_value(session_id, "sample-offer", outputs[2])
    return outputs


def _is_shown(shown, request):
    """Whether the shown clustering (the ``clustering`` store) answers `request` already."""
    if not isinstance(shown, dict):
        return False
    asked = (request["data_version"].get("key"), request["method"], request["metric"])
    return (shown.get("key"), shown.get("method"), shown.get("metric")) == asked and bool(
        shown.get("optimal_order")
    ) == bool(request["optimal_order"])


# The cut of a tree answered here comes with it (cut.cut_for_tree): the panels that read the
# cut then fire with those that read the tree, one round of requests fewer for each new tree
# (#11). A tree a job answers gets its cut as before, from cut_for_tree, with the criterion
# fields as they are when the job ends.
CUT_OF_TREE = [
    Output("focus", "data", allow_duplicate=True),  # a new tree is shown whole
    Output("cut-height", "value", allow_duplicate=True),
    Output("n-clusters", "value", allow_duplicate=True),
    Output("criterion", "value", allow_duplicate=True),
    Output("cut", "data", allow_duplicate=True),
    Output("cut-status", "children", allow_duplicate=True),
]
NO_CUT = (no_update,) * len(CUT_OF_TREE)


def cut_with_tree(summary, fields, cut, nudge, session_id):
    """The focus and cut outputs for the tree `summary` just answered (:data:`CUT_OF_TREE`):
    no focus (the new tree is shown whole) and its cut.

    No tree answered (a refusal, a job, a superseded request): they stay.
    """
    if not isinstance(summary, dict):
        return NO_CUT
    try:
        return (None, *cut_for_tree(summary, *fields, cut, nudge, session_id))
    except PreventUpdate:  # the same tree again: its cut and focus stay
        return NO_CUT


@callback(
    Output("clustering", "data"),
    Output("clustering-status", "children"),
    Output("sample-offer", "data"),
    Output("linkage-job", "data"),
    *CUT_OF_TREE,
    Input("data-version", "data"),
    Input("method", "value"),
    Input("metric", "value"),
    Input("optimal-order", "value"),
    State("session-id", "data"),
    State("clustering", "data"),
    State("criterion", "value"),
    State("criterion-t", "value"),
    State("criterion-depth", "value"),
    State("cut", "data"),
    State("cut-nudge", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=4 + len(CUT_OF_TREE), message=1)
def request_clustering(
    data_version,
    method,
    metric,
    optimal_order,
    session_id,
    shown=None,
    criterion=None,
    t=None,
    depth=None,
    cut=None,
    nudge=None,
):
    """Cluster small data at once, with the tree's cut; hand large data to the background job.

    Whether the work runs here or as a job is decided from the size the
    server stored for the named data, never from the size the page sends.
    Each request becomes the session's latest; whichever path answers an
    older one after it stays silent (see :func:`clustering_outcome`).
    Every answer carries every output (plotly/dash#1861): the cut outputs are
    the new tree's cut (:func:`cut_with_tree`), or ``no_update`` when no tree
    is answered.
    """
    data_version = validate.data_version(data_version)
    method = validate.text(method, "The linkage method", 100, optional=True)
    metric = validate.text(metric, "The distance metric", 100, optional=True)
    if not isinstance(data_version, dict):
        raise PreventUpdate
    shared = store.get_store()
    n = shared.dataset_size(session_id, data_version.get("key"))
    if n is None:
        raise InputError(NO_DATA)
    request = {
        "data_version": {"key": data_version.get("key"), "n": n},
        "method": method,
        "metric": metric,
        "optimal_order": bool(optimal_order),
    }
    request["id"] = shared.begin_request(
        session_id,
        "clustering",
        request_name(data_version.get("key"), method, metric, optimal_order),
    )
    if _is_shown(shown, request) and ctx.triggered_id != "data-version":
        # back to what the plots show (a refused choice undone): nothing to compute, and the
        # refusal stays on the page
        return no_update, no_update, no_update, no_update, *NO_CUT
    if not runs_inline(n, request["optimal_order"]):
        return no_update, no_update, no_update, request, *NO_CUT
    outcome = clustering_outcome(session_id, request)
    cut_outputs = cut_with_tree(outcome[0], (criterion, t, depth), cut, nudge, session_id)
    return (*outcome, no_update, *cut_outputs)


@callback(
    Output("clustering", "data", allow_duplicate=True),
    Output("clustering-status", "children", allow_duplicate=True),
    Output("sample-offer", "data", allow_duplicate=True),
    Output("job-tree", "data"),
    Output("focus", "data", allow_duplicate=True),
    Input("linkage-job", "data"),
    State("session-id", "data"),
    background=True,
    interval=JOB_POLL_MS,
    progress=[
        Output("job-progress", "value"),
        Output("job-progress", "max"),
        Output("job-stage", "children"),
    ],
    progress_default=(0, len(STAGES), ""),
    running=[
        (Output("cancel-job", "disabled"), False, True),
        (Output("job-panel", "className"), "job-panel running", "job-panel"),
    ],
    cancel=[Input("cancel-job", "n_clicks")],
    prevent_initial_call=True,
)
def run_clustering(set_progress, request, session_id):
    """Compute (or fetch) the linkage off the request path, reporting each stage.

    A job whose request has been superseded stops at its next stage.
    """
    if not request:
        raise PreventUpdate
    request = validate.in_job(validate.clustering_request, request)
    cost = jobs.clustering_cost(
        session_id,
        (request.get("data_version") or {}).get("key"),
        request.get("method"),
        request.get("metric"),
        request.get("optimal_order"),
    )
    try:  # wait for a turn in the instance's job budget, saying where the job stands
        with jobs.admitted(
            session_id, "clustering", cost, lambda text: set_progress((0, len(STAGES), text))
        ):
            outcome = clustering_outcome(session_id, request, _progress_reporter(set_progress))
    except jobs.JobRefused as refused:
        return no_update, f"⚠ {refused}", no_update, no_update, no_update
    # the tree's cut follows from cut.cut_for_tree, with the criterion fields as they are now;
    # a new tree is shown whole
    tree = outcome[0]
    return (*outcome, tree, None if isinstance(tree, dict) else no_update)


# The offer of a sample, as its button says it: the browser has the offer (#11: one request
# fewer per new tree).
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="sampleOfferButton"),
    Output("use-sample", "children"),
    Output("use-sample", "style"),
    Input("sample-offer", "data"),
)
