"""Diagnostics panels: cophenetic correlation, inconsistency, elbow, quality per k,
the cluster summary and the linkage matrix. All follow the current linkage and cut."""

import numpy as np
from dash import Input, Output, State, callback, ctx, dash_table, html, no_update
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.errors import error_text, shows_errors
from callbacks.shown import labels_for
from components.figures import (
    cophenetic_figure,
    elbow_figure,
    placeholder_figure,
    quality_figure,
)
from hclust.cut import n_clusters_at
from hclust.diagnostics import (
    QUALITY_MIN_K,
    cluster_summary,
    elbow,
    inconsistency_table,
)
from hclust.errors import InputError
from services import jobs, store
from services.jobs import JOB_POLL_MS
from services.store import NO_DATA, QUALITY_INLINE_MAX_N, NotReady, request_name

MAX_DEPTH = 50
MAX_LAST = 200
# Comparing every method means one linkage each; above this it waits for a background job.
COMPARE_METHODS_MAX_N = 3_000
TABLE_STYLE = dict(
    style_cell={"fontFamily": "ui-monospace, monospace", "fontSize": 12, "padding": "2px 8px"},
    style_header={"fontWeight": "600"},
)


def cophenetic_text(result):
    if not np.isfinite(result.coefficient):
        return "c undefined", (
            f"a correlation needs distances that vary; here all {result.n_pairs:,} pair distances "
            "are equal"
            if result.n_pairs > 1
            else "a correlation needs at least two pairs of samples; two samples make one pair"
        )
    if result.exact:
        return f"c = {result.coefficient:.5f}", f"exact, computed over all {result.n_pairs:,} pairs"
    return (
        f"c ≈ {result.coefficient:.5f}",
        f"estimated from {result.n_pairs:,} random pairs; 95% CI {result.ci_low:.4f} – {result.ci_high:.4f}",
    )


def method_comparison(session_id, dataset, clustering):
    """Cophenetic correlation of every method the metric allows, on this data."""
    if dataset.n_samples > COMPARE_METHODS_MAX_N:
        return html.P(
            f"Method comparison is computed for up to {COMPARE_METHODS_MAX_N:,} samples; "
            f"this data has {dataset.n_samples:,}.",
            className="panel-help",
        )
    found = store.get_store().method_comparison(session_id, clustering)
    rows = [
        {
            "method": method + (" (current)" if method == clustering["method"] else ""),
            "cophenetic c": round(c, 5),
        }
        for method, c in found.items()
    ]
    rows.sort(key=lambda r: -r["cophenetic c"])
    return dash_table.DataTable(
        data=rows,
        columns=[{"name": c, "id": c} for c in ("method", "cophenetic c")],
        style_data_conditional=[
            {"if": {"filter_query": '{method} contains "current"'}, "fontWeight": "700"}
        ],
        **TABLE_STYLE,
    )


@callback(
    Output("cophenetic", "children"),
    Output("cophenetic-comparison", "children"),
    Output("cophenetic-plot", "figure"),
    Input("clustering", "data"),
    State("session-id", "data"),
)
@shows_errors(outputs=3, message=0)
def update_linkage_diagnostics(clustering, session_id):
    """Everything that depends on the linkage alone."""
    clustering = validate.clustering(clustering)
    if not clustering:
        raise PreventUpdate
    dataset, _ = store.get_store().result_for(session_id, clustering)
    metric = clustering["metric"]
    coefficient = store.get_store().cophenetic(session_id, clustering)
    comparison = method_comparison(session_id, dataset, clustering)
    value, how = cophenetic_text(coefficient)
    original, cophenetic, sampled = store.get_store().cophenetic_pairs(session_id, clustering)
    return (
        [html.Span(value), html.Small(how)],
        comparison,
        cophenetic_figure(original, cophenetic, sampled, metric),
    )


def inconsistency_view(Z, depth, last=10, threshold=None):
    """Table of the last merges' inconsistency statistics at `depth`."""
    for name, value, top in (("Table depth", depth, MAX_DEPTH), ("Last merges", last, MAX_LAST)):
        if value is None or not float(value).is_integer() or not 1 <= value <= top:
            return html.Div(f"⚠ {name} must be a whole number from 1 to {top}.", className="status")
    rows = inconsistency_table(Z, int(depth), int(last))
    first = len(Z) - len(rows)
    data = [
        {
            "merge": first + i,
            "height": round(float(Z[first + i, 2]), 5),
            "mean": round(m, 5),
            "std": round(s, 5),
            "links": int(c),
            "inconsistency": round(v, 5),
        }
        for i, (m, s, c, v) in enumerate(rows.tolist())
    ]
    marked = []
    if threshold is not None and np.isfinite(threshold):
        marked = [
            {
                "if": {"filter_query": f"{{inconsistency}} > {threshold}"},
                "backgroundColor": "#FFF0C2",
                "fontWeight": "700",
            }
        ]
    return dash_table.DataTable(
        data=data,
        columns=[
            {"name": c, "id": c}
            for c in ("merge", "height", "mean", "std", "links", "inconsistency")
        ],
        style_data_conditional=marked,
        page_size=10,
        **TABLE_STYLE,
    )


@callback(
    Output("inconsistency", "children"),
    Input("clustering", "data"),
    Input("inconsistency-depth", "value"),
    Input("inconsistency-last", "value"),
    Input("criterion-t", "value"),
    State("session-id", "data"),
)
@shows_errors(outputs=1, message=0)
def update_inconsistency(clustering, depth, last, threshold, session_id):
    clustering = validate.clustering(clustering)
    depth = validate.number(depth, "Table depth", optional=True)  # ranges: inconsistency_view
    last = validate.number(last, "Last merges", optional=True)
    threshold = validate.number(threshold, "The threshold t", optional=True)
    if not clustering:
        raise PreventUpdate
    _, result = store.get_store().result_for(session_id, clustering)
    return inconsistency_view(result.Z, depth, last, threshold)


def elbow_note(suggested_k, best_silhouette_k=None):
    text = (
        f"Suggested k = {suggested_k}: where the last merge distances accelerate most. Two caveats: it can never "
        "suggest k = 1, and it compares jumps from different branches of the tree, so clusters of unequal spread "
        "fool it (on the tutorial's 5-blob X2 it suggests 4). Click a k to cut there."
    )
    if best_silhouette_k is not None and best_silhouette_k != suggested_k:
        text += (
            f" Here the silhouette disagrees: it is best at k = {best_silhouette_k}. "
            "Check both against the dendrogram."
        )
    return html.P(text, className="panel-help")


def valid_max_k(max_k):
    return (
        max_k is not None
        and isinstance(max_k, (int, float))
        and float(max_k).is_integer()
        and 3 <= max_k <= 30
    )


def quality_request_name(clustering, max_k):
    return request_name(
        clustering.get("key"),
        clustering.get("method"),
        clustering.get("metric"),
        clustering.get("optimal_order"),
        max_k,
    )


@callback(
    Output("quality-ready", "data"),
    Output("quality-job", "data"),
    Input("clustering", "data"),
    Input("quality-max-k", "value"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=2, status="quality-status")
def request_quality(clustering, max_k, session_id):
    """Quality indices at once for small data, else from the background job.

    Which of the two is decided from the size the server stored for the
    data, never from the size in the page's summary. Each request becomes the
    session's latest, so an older job that ends after a newer answer cannot
    replace it.
    """
    clustering = validate.clustering(clustering)
    if not isinstance(clustering, dict) or not valid_max_k(max_k):
        raise PreventUpdate
    shared = store.get_store()
    request = {"clustering": clustering, "max_k": int(max_k)}
    request_id = shared.begin_request(
        session_id, "quality", quality_request_name(clustering, int(max_k))
    )
    # the size is the server's record, never the n in the page's summary
    n = shared.dataset_size(session_id, clustering.get("key"))
    if n is None:
        raise InputError(NO_DATA)
    if n > QUALITY_INLINE_MAX_N:
        return no_update, dict(request, id=request_id)
    shared.quality(session_id, clustering, int(max_k))
    return request, no_update


@callback(
    Output("quality-ready", "data", allow_duplicate=True),
    Input("quality-job", "data"),
    State("session-id", "data"),
    background=True,
    interval=JOB_POLL_MS,
    progress=[Output("quality-status", "children")],
    progress_default=[""],
    prevent_initial_call=True,
)
@shows_errors(outputs=1, status="quality-status")
def compute_quality(set_progress, request, session_id):
    """Silhouette, Calinski–Harabasz and Davies–Bouldin per k, off the request path."""
    if not isinstance(request, dict) or not valid_max_k(request.get("max_k")):
        raise PreventUpdate
    request = validate.in_job(validate.quality_request, request)

    def report(done, total):
        set_progress([f"Computing quality indices: {done} of {total} values of k done…"])

    cost = jobs.quality_cost(session_id, request.get("clustering"), request.get("max_k"))
    try:  # wait for a turn in the instance's job budget, saying where the job stands
        with jobs.admitted(session_id, "quality", cost, lambda text: set_progress([text])):
            store.get_store().quality(
                session_id,
                request["clustering"],
                request["max_k"],
                progress=report,
                in_request=False,
            )
    except jobs.JobRefused as refused:
        set_progress([f"⚠ {refused}"])
        raise PreventUpdate from refused
    if not store.get_store().is_latest_request(session_id, "quality", request.get("id")):
        raise PreventUpdate  # a newer choice has been answered meanwhile
    return {"clustering": request["clustering"], "max_k": request["max_k"]}


@callback(
    Output("elbow-graph", "figure"),
    Output("elbow", "children"),
    Output("quality-graph", "figure"),
    Output("quality-status", "children"),
    Input("cut", "data"),
    Input("clustering", "data"),
    Input("quality-max-k", "value"),
    Input("quality-ready", "data"),
    State("session-id", "data"),
)
@shows_errors(outputs=4, message=1)
def update_k_plots(cut, new_clustering, max_k, quality_ready, session_id):
    """Elbow and quality indices, marking the current k.

    A new linkage draws them at once, at its default cut, in the same round
    of requests as that cut rather than after it.
    """
    cut, new_clustering = validate.cut(cut), validate.clustering(new_clustering)
    if new_clustering and (not cut or cut.get("clustering") != new_clustering):
        _, result = store.get_store().result_for(session_id, new_clustering)
        cut = {
            "clustering": new_clustering,
            "k": n_clusters_at(result.tree.sorted_heights, new_clustering["default_cut"]),
        }
    if not cut:
        raise PreventUpdate
    clustering = cut["clustering"]
    if not valid_max_k(max_k):
        return no_update, no_update, no_update, "⚠ Largest k must be a whole number from 3 to 30."
    dataset, result = store.get_store().result_for(session_id, clustering)
    found = elbow(result.Z)
    elbow_fig = elbow_figure(
        found.k_axis, found.distances, found.acceleration, found.suggested_k, cut["k"]
    )
    if quality_ready != {"clustering": clustering, "max_k": int(max_k)}:
        return (
            elbow_fig,
            elbow_note(found.suggested_k),
            placeholder_figure("Computing quality indices…"),
            no_update,
        )
    try:  # never computed here above the inline size, whatever quality-ready claims
        quality = store.get_store().quality(session_id, clustering, int(max_k))
    except NotReady as error:
        placeholder = placeholder_figure("Quality indices not computed")
        return elbow_fig, elbow_note(found.suggested_k), placeholder, error_text(error)
    quality_fig = quality_figure(
        quality.k,
        quality.silhouette,
        quality.calinski_harabasz,
        quality.davies_bouldin,
        cut["k"],
        quality.silhouette_sample,
    )
    best = (
        int(quality.k[np.nanargmax(quality.silhouette)])
        if np.isfinite(quality.silhouette).any()
        else None
    )
    note = f"Best silhouette at k = {best}." if best else ""
    note += quality_range_note(dataset.n_samples, int(max_k))
    if quality.silhouette_sample:
        note += f" Silhouette on a random sample of {quality.silhouette_sample:,} of {dataset.n_samples:,} samples."
    if np.isnan(quality.silhouette).any():
        note += " Gaps: ties in merge heights make those k unreachable."
    if clustering["metric"] != "euclidean":
        note += " Calinski–Harabasz and Davies–Bouldin are Euclidean indices whatever the metric."
    return elbow_fig, elbow_note(found.suggested_k, best), quality_fig, note.strip()


def quality_range_note(n, max_k):
    """Why the quality plot stops before `max_k`, or shows nothing, for small n."""
    if n <= QUALITY_MIN_K:
        return (
            f" No quality indices: silhouette, Calinski–Harabasz and Davies–Bouldin need "
            f"2 ≤ k ≤ n − 1 clusters, and with {n} samples there is no such k."
        )
    if max_k > n - 1:
        return (
            f" Quality indices stop at k = {n - 1} (n − 1): they are undefined when every "
            "sample is its own cluster."
        )
    return ""


# The cluster table lists at most this many clusters (the largest): the table's work grows
# with its rows, and thousands of rows froze the page for a second and more (issue 12 §5);
# the download holds every cluster.
SUMMARY_ROWS_MAX = 250


@callback(
    Output("cluster-summary", "data"),
    Output("cluster-summary", "columns"),
    Output("cluster-summary", "style_data_conditional"),
    Input("cut", "data"),
    Input("colour-map", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,  # nothing to list before the first cut
)
@shows_errors(outputs=3, status="cut-status")
def update_summary(cut, colour_map, session_id):
    """One row per cluster with its colour, size, feature means and WCSS.

    The colour swatch is styled by one rule per distinct colour (at most the palette
    and the greys), matched on the row's ``swatch`` field (the colour's number among
    them; a field of the row, not a column), not by one rule per cluster: the table
    evaluates every rule for every cell it draws, and a cut into thousands of
    clusters froze the page for seconds (issue 12 §5). Above ``SUMMARY_ROWS_MAX``
    clusters, the largest are listed and the cluster column's header says so.
    """
    cut, colour_map = validate.cut(cut), validate.colour_map(colour_map)
    if not cut or not colour_map or colour_map.get("clustering") != cut["clustering"]:
        raise PreventUpdate
    dataset, result = store.get_store().result_for(session_id, cut["clustering"])
    labels = labels_for(result, cut)
    rows = cluster_summary(dataset.values, labels, dataset.feature_names)
    scaling = file_units(session_id, cut["clustering"], dataset)
    if scaling:  # means in the file's units (#16 §6); WCSS stays in the clustered units
        from callbacks.agreement import analyst_source  # (agreement imports this module)

        raw = analyst_source(session_id, cut["clustering"]).raw
        for row, raw_row in zip(rows, cluster_summary(raw.values, labels, raw.feature_names)):
            row.update({key: value for key, value in raw_row.items() if key.startswith("mean ")})
    total = len(rows)
    if total > SUMMARY_ROWS_MAX:
        # the largest clusters, in cluster order; the header says how many are listed
        largest = sorted(rows, key=lambda row: (-row["size"], row["cluster"]))[:SUMMARY_ROWS_MAX]
        rows = sorted(largest, key=lambda row: row["cluster"])
    colours = colour_map.get("labels", {})
    swatches = sorted(set(colours.values()))
    number = {colour: i for i, colour in enumerate(swatches)}
    for row in rows:
        row["colour"] = "■"
        row.update({key: round(value, 4) for key, value in row.items() if isinstance(value, float)})
        colour = colours.get(str(row["cluster"]))
        if colour is not None:
            row["swatch"] = number[colour]
    columns = [
        {"name": c, "id": c}
        for c in ["colour", "cluster", "size", *[f"mean {f}" for f in dataset.feature_names]]
    ]
    columns.append({"name": f"wcss ({scaling})" if scaling else "wcss", "id": "wcss"})
    if total > SUMMARY_ROWS_MAX:
        columns[1]["name"] = f"cluster ({SUMMARY_ROWS_MAX:,} largest of {total:,})"
    styles = [
        {
            "if": {"filter_query": f"{{swatch}} = {i}", "column_id": "colour"},
            "color": colour,
            "fontSize": 18,
        }
        for i, colour in enumerate(swatches)
    ]
    return rows, columns, styles


def file_units(session_id, clustering, dataset):
    """The scaling's name when the clustered features are scaled (their means then come from
    the file), else None: unscaled data, a distance matrix, or data the server has no origin of."""
    origin = store.get_store().session_value(session_id, f"origin:{clustering['key']}") or {}
    scaling = origin.get("scaling") or "none"
    if scaling == "none" or dataset.is_distance_matrix:
        return None
    return {"zscore": "z-score", "minmax": "min-max"}.get(scaling, scaling)


LINKAGE_PAGE_SIZE = 10


def linkage_rows(Z, first=0, last=None):
    """Rows ``first .. last - 1`` of Z as table records."""
    rows = Z[first:last].tolist()
    return [
        {"row": first + i, "idx1": int(a), "idx2": int(b), "distance": round(h, 5), "count": int(c)}
        for i, (a, b, h, c) in enumerate(rows)
    ]


@callback(
    Output("linkage-table", "data"),
    Output("linkage-table", "page_count"),
    Output("linkage-table", "page_current"),
    Input("clustering", "data"),
    Input("linkage-table", "page_current"),
    State("session-id", "data"),
)
@shows_errors(outputs=3, status="clustering-status")
def linkage_table_page(clustering, page, session_id):
    """One page of Z at a time: n − 1 rows of 100,000 samples would be megabytes for a table showing ten."""
    clustering = validate.clustering(clustering)
    if not clustering:
        raise PreventUpdate
    _, result = store.get_store().result_for(session_id, clustering)
    pages = max(1, -(-len(result.Z) // LINKAGE_PAGE_SIZE))
    page = (
        0
        if ctx.triggered_id == "clustering" or not isinstance(page, int)
        else min(max(page, 0), pages - 1)
    )
    first = page * LINKAGE_PAGE_SIZE
    return linkage_rows(result.Z, first, first + LINKAGE_PAGE_SIZE), pages, page
