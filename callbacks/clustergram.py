"""The clustergram, linked to the tree: redrawn whenever the views are (the
``colour-map`` they write), focused by a branch, a merge or a cluster, and its
rows' selection highlights the same samples everywhere."""

from __future__ import annotations

import numpy as np
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.errors import shows_errors
from callbacks.linking import zoom_of as leaf_zoom
from callbacks.shown import cluster_colours, dendrogram_options, focus_root, labels_for
from callbacks.view_options import read_view_options
from components.clustergram import COLUMN_ORDERS
from components.clustergram_figures import (
    BAR_TRACE,
    HEATMAP_TRACE,
    SCALES,
    clustergram_figure,
    column_tree_lines,
)
from hclust.clustergram import (
    COLUMN_METHOD,
    COLUMN_METRIC,
    RowGroups,
    aggregate_rows,
    column_linkage,
    groups_of_nodes,
    row_colour_indices,
    samples_of_node,
    zscore_columns,
)
from hclust.cut import ABOVE_CUT_COLOUR, TreeIndex, colour_hex
from hclust.dendrogram import ABOVE, dendrogram_geometry
from hclust.errors import InputError
from services import store

# A branch is shown sample by sample up to this many rows, and this many cells
# (rows × columns): beyond, the heatmap's payload outgrows a quick redraw.
ROW_CAP = 5_000
CELLS_CAP = 250_000
# Clustering the columns costs about n·m²/2 operations: about a second here.
COLUMN_WORK_CAP = 5e8
# A selection of more samples than this is too large to send to every view.
SELECTION_CAP = 20_000


def row_cap(n_columns: int) -> int:
    """How many rows a branch may have to be drawn sample by sample."""
    return max(1, min(ROW_CAP, CELLS_CAP // max(n_columns, 1)))


def _within(tree, node, outer):
    return (
        tree.start[outer] <= tree.start[node]
        and tree.start[node] + tree.size[node] <= tree.start[outer] + tree.size[outer]
    )


def view_root(result, labels, highlight, focus_node, previous_root=None):
    """The node the heatmap shows: a highlighted merge or cluster inside the focused branch.

    Samples picked in a view (a ``samples`` highlight) keep the heatmap on
    `previous_root` when they all lie in it, so rows picked in a focused
    heatmap stay in view. Returns the node, or None for the whole tree.
    """
    tree = result.tree
    base = tree.n * 2 - 2 if focus_node is None else int(focus_node)
    if not tree.n <= base <= 2 * tree.n - 2:
        # a branch named by the page: refused as the dendrogram refuses it
        raise InputError(
            f"The branch to show must be a merge of this tree ({tree.n:,} to {2 * tree.n - 2:,})."
        )
    picked = None
    if highlight and "node" in highlight and 0 <= int(highlight["node"]) < 2 * tree.n - 1:
        picked = int(highlight["node"])
    elif highlight and "cluster" in highlight:
        roots, _ = tree.partition_roots(labels)
        found = roots[tree.root_labels(roots, labels) == int(highlight["cluster"])]
        picked = int(found[0]) if len(found) else None
    elif highlight and "samples" in highlight and previous_root is not None:
        previous = int(previous_root)
        chosen = [s for s in highlight["samples"] if 0 <= s < tree.n]
        if tree.n <= previous < 2 * tree.n - 1 and all(_within(tree, s, previous) for s in chosen):
            picked = previous
    inside = picked is not None and _within(tree, picked, base)
    node = picked if inside and tree.size[picked] > 1 else base
    return None if node == 2 * tree.n - 2 else node


def view_rows(session_id, clustering, result, root, truncate_mode, p, cap):
    """The rows for a view: every sample of a small branch, else the drawn leaves.

    Returns ``(groups, spec)``: :class:`hclust.clustergram.RowGroups`, and
    what names them (``clustergram-view``), from which :func:`rows_of_view`
    rebuilds the same rows on the server.
    """
    tree = result.tree
    if root is not None and tree.size[root] <= cap:
        spec = {"clustering": clustering, "root": int(root), "rows": "samples"}
        return samples_of_node(tree, root), spec
    geometry = store.get_store().geometry(session_id, clustering, truncate_mode, p, root)
    if len(geometry.leaf_nodes) > cap:
        # 'show everything' on large data: fall back to the overview's truncation
        truncate_mode, p = "lastp", store.OVERVIEW_P
        geometry = store.get_store().geometry(session_id, clustering, truncate_mode, p, root)
    spec = {
        "clustering": clustering,
        "root": None if root is None else int(root),
        "rows": "leaves",
        "truncate_mode": truncate_mode,
        "p": int(p),
    }
    return groups_of_nodes(tree, geometry.leaf_nodes), spec


def zoomed_rows(tree, geometry, zoom, cap):
    """The samples a zoom into a full (untruncated) dendrogram shows, or None.

    A truncated dendrogram opens the zoomed branch instead (the ``focus``
    store), which focuses the heatmap through its root.
    """
    if zoom is None or geometry.truncated or len(geometry.leaf_nodes) > cap:
        return None
    inside = geometry.leaf_nodes[(geometry.leaf_x >= zoom[0]) & (geometry.leaf_x <= zoom[1])]
    if not len(inside) or len(inside) == len(geometry.leaf_nodes):
        return None
    return _samples_at(tree, int(tree.start[inside].min()), len(inside))


def _samples_at(tree, first, count):
    """One row per sample at leaf positions first .. first + count - 1."""
    return RowGroups(
        nodes=tree.leaf_order[first : first + count].astype(np.int64),
        start=np.arange(first, first + count, dtype=np.int64),
        size=np.ones(count, dtype=np.int64),
    )


def rows_of_view(session_id, view):
    """The rows a drawn heatmap shows, rebuilt from the server's own tree (never the page's)."""
    if not isinstance(view, dict) or not isinstance(view.get("clustering"), dict):
        raise InputError("The clustergram has not been drawn yet.")
    clustering = validate.clustering(view["clustering"])
    dataset, result = store.get_store().result_for(session_id, clustering)
    tree = result.tree
    root = view.get("root")
    if root is not None:
        root = validate.whole_number(root, "The clustergram's branch", tree.n, 2 * tree.n - 2)
    if view.get("rows") == "range":
        first = validate.whole_number(
            view.get("first"), "The clustergram's first row", 0, tree.n - 1
        )
        count = validate.whole_number(
            view.get("count"),
            "The clustergram's rows",
            1,
            min(row_cap(dataset.n_features), tree.n - first),
        )
        return result, _samples_at(tree, first, count)
    if view.get("rows") == "samples":
        if root is None or tree.size[root] > row_cap(dataset.n_features):
            raise InputError("The clustergram's branch is too large to show sample by sample.")
        return result, samples_of_node(tree, root)
    options = dendrogram_options(view.get("truncate_mode"), view.get("p"), [], None, "top", None)
    geometry = store.get_store().geometry(
        session_id, clustering, options["truncate_mode"], options["p"], root
    )
    return result, groups_of_nodes(tree, geometry.leaf_nodes)


def column_order(dataset, clustering):
    """Column order and the columns' dendrogram lines, computed once per data."""
    n, m = dataset.values.shape
    if m < 2:
        raise InputError("Clustering the columns needs at least two columns; this data has one.")
    if n * m * (m - 1) / 2 > COLUMN_WORK_CAP:
        raise InputError(
            f"Clustering {m:,} columns over {n:,} rows is too large for a request "
            f"(n·m²/2 > {COLUMN_WORK_CAP:.0e}); the columns stay in the data's order."
        )
    Zc = store.get_store().memo(
        store.ResultKey.of("clustergram-columns", dataset, COLUMN_METHOD, COLUMN_METRIC),
        lambda: column_linkage(dataset.values),
    )
    tree = TreeIndex.from_linkage(Zc)
    return tree.leaf_order, column_tree_lines(dendrogram_geometry(Zc, tree))


def row_texts(dataset, result, labels, groups):
    """Names on the axis and what the bar says, per row."""
    tree = result.tree
    by_position = labels[tree.leaf_order]
    changes = np.concatenate([[0], np.cumsum(by_position[1:] != by_position[:-1])])
    names = dataset.leaf_names()
    row_names, hover = [], []
    for node, start, size in zip(
        groups.nodes.tolist(), groups.start.tolist(), groups.size.tolist()
    ):
        k = int(changes[start + size - 1] - changes[start]) + 1
        cluster = f"cluster {int(by_position[start])}" if k == 1 else f"{k} clusters"
        if size == 1:
            row_names.append(str(names[node]))
            hover.append(f"sample {node} · {names[node]}<br>{cluster}")
        else:
            row_names.append(f"({size:,})")
            hover.append(f"merge {node - tree.n}: {size:,} samples (mean)<br>{cluster}")
    return row_names, hover


def highlighted_rows(result, labels, highlight, groups):
    """Rows holding a sample of a ``samples`` highlight (merges and clusters focus instead)."""
    if not highlight or "samples" not in highlight:
        return None
    tree = result.tree
    mask = np.zeros(tree.n, dtype=bool)
    chosen = [s for s in highlight["samples"] if isinstance(s, int) and 0 <= s < tree.n]
    mask[chosen] = True
    counts = np.concatenate([[0], np.cumsum(mask[tree.leaf_order])])
    return counts[groups.start + groups.size] > counts[groups.start]


def status_text(result, root, groups, spec, cap):
    tree = result.tree
    total = int(groups.size.sum())
    where = "" if root is None else f"Merge {root - tree.n}: "
    if spec["rows"] == "range":
        return f"The dendrogram's zoom: {total:,} samples, one row each."
    if spec["rows"] == "samples":
        return f"{where}all {total:,} samples of this branch, one row each."
    if not groups.aggregated:
        return ""
    if root is None:
        return (
            f"Each of the {len(groups.nodes)} rows is the mean of a drawn leaf's samples "
            f"({total:,} samples), as the truncated dendrogram draws them. Show a branch, or "
            f"click a row, to see its samples one by one (up to {cap:,} rows)."
        )
    return (
        f"{where}this branch has {total:,} samples, more than the {cap:,} rows shown one by one: "
        f"each of the {len(groups.nodes)} rows is the mean of a drawn leaf's samples. "
        "Click a row or pick a smaller branch to see every sample."
    )


@callback(
    Output("clustergram", "figure"),
    Output("clustergram-status", "children"),
    Output("clustergram-view", "data"),
    Input("colour-map", "data"),
    Input("clustergram-columns", "value"),
    Input("clustergram-scale", "value"),
    Input("dendrogram-leaf-zoom", "data"),
    State("cut", "data"),
    State("highlight", "data"),
    State("focus", "data"),
    State("view-options", "data"),
    State("clustergram-view", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,  # drawn once the views have drawn the first cut
)
@shows_errors(outputs=3, message=1)
def update_clustergram(
    colour_map,
    columns,
    scale,
    zoom_event,
    cut,
    highlight,
    focus,
    view_options,
    view,
    session_id,
):
    """The heatmap for the cut, branch and highlight the dendrogram shows.

    Triggered by ``colour-map``, which the views write each time they draw a
    cut, highlight or branch, so the bar has the very colours the tree has;
    and by a zoom into a full dendrogram, whose samples it then shows.
    """
    raw_cut, raw_highlight, raw_focus, raw_scale, raw_columns = (
        cut,
        highlight,
        focus,
        scale,
        columns,
    )
    cut, highlight = validate.cut(cut), validate.highlight(highlight)
    focus, colour_map = validate.focus(focus), validate.colour_map(colour_map)
    scale = validate.one_of(scale or "values", "The colour scale", tuple(SCALES))
    columns = validate.one_of(columns or "data", "The column order", tuple(COLUMN_ORDERS))
    if not cut or not colour_map or colour_map["clustering"] != cut["clustering"]:
        raise PreventUpdate  # the views have not drawn this cut yet; their colour map triggers us
    options = read_view_options(view_options)
    found_zoom = None
    triggers = set(ctx.triggered_prop_ids)
    if "dendrogram-leaf-zoom.data" in triggers:  # a zoom just made (assets/relayout.js)
        found_zoom = leaf_zoom(zoom_event)
        found_zoom = list(found_zoom) if isinstance(found_zoom, tuple) else found_zoom
    clustering = cut["clustering"]
    dataset, result = store.get_store().result_for(session_id, clustering)
    if dataset.is_distance_matrix:
        raise InputError(
            "A distance matrix has no features to draw: the clustergram needs a table of features."
        )
    tree = result.tree
    labels = labels_for(result, cut)
    _, node_colours = cluster_colours(result, labels, colour_map["nodes"])
    cap = row_cap(dataset.n_features)
    base = focus_root(focus, clustering)
    # a zoom belongs to one drawing of the dendrogram: its branch, truncation and orientation
    zoom_of = [base, options["truncate_mode"], options["p"], options["orientation"]]
    if found_zoom is not None:
        zoom = None if found_zoom == "out" else found_zoom
    else:
        same = (
            isinstance(view, dict)
            and view.get("clustering") == clustering
            and view.get("zoom_of") == zoom_of
        )
        zoom = view.get("zoom") if same else None
        if zoom is not None:
            validate.list_of(zoom, "The clustergram's zoom", lambda v, s: validate.number(v, s))
    # the branch the heatmap showed, if of this tree (only a hint: checked against the tree)
    previous = (
        view.get("root")
        if isinstance(view, dict) and view.get("clustering") == clustering
        else None
    )
    if previous is not None:
        validate.whole_number(previous, "The clustergram's branch", 0, 2 * tree.n)
    root = view_root(result, labels, highlight, base, previous)
    zoomed = None
    if zoom is not None and root == base:  # a merge or cluster picked since takes precedence
        geometry = store.get_store().geometry(
            session_id, clustering, options["truncate_mode"], options["p"], root
        )
        if geometry.truncated and triggers == {"dendrogram-leaf-zoom.data"}:
            raise PreventUpdate  # a truncated tree opens the branch (focus), which redraws us
        zoomed = zoomed_rows(tree, geometry, zoom if len(zoom) == 2 else None, cap)
    if zoomed is not None:
        groups = zoomed
        spec = {
            "clustering": clustering,
            "root": None if root is None else int(root),
            "rows": "range",
            "first": int(groups.start[0]),
            "count": len(groups.start),
        }
    else:
        groups, spec = view_rows(
            session_id, clustering, result, root, options["truncate_mode"], options["p"], cap
        )
    spec.update(zoom=zoom, zoom_of=zoom_of)
    matrix = aggregate_rows(dataset.values, tree.leaf_order, groups)
    if scale == "zscore":
        mean, std = zscore_columns(dataset.values)  # of every sample, so a branch keeps its place
        matrix = (matrix - mean) / std
    names = list(dataset.feature_names)
    column_tree = None
    status = status_text(result, root, groups, spec, cap)
    if columns == "clustered":
        try:
            order, column_tree = column_order(dataset, clustering)
            matrix, names = matrix[:, order], [names[j] for j in order]
        except InputError as refused:
            status = f"⚠ {refused} {status}".strip()
    roots, pure = tree.partition_roots(labels)
    root_colours = np.asarray([node_colours[str(int(r))] for r in roots], dtype=np.int64)
    indices = row_colour_indices(tree, groups, roots, root_colours, pure)
    colours = [ABOVE_CUT_COLOUR if c == ABOVE else colour_hex(int(c)) for c in indices.tolist()]
    row_names, hover = row_texts(dataset, result, labels, groups)
    title = (
        f"Clustergram ({clustering['method']}, {clustering['metric']}; "
        f"{len(roots)} clusters; {SCALES[scale]})"
    )
    if root is not None:
        title += f" — merge {root - tree.n} ({int(tree.size[root]):,} samples)"
    figure = clustergram_figure(
        matrix,
        names,
        row_names,
        colours,
        hover,
        scale=scale,
        title=title,
        column_tree=column_tree,
        highlighted_rows=highlighted_rows(result, labels, highlight, groups),
    )
    # what this heatmap shows, as the page holds it: until the page's choices match, it is dimmed
    spec["drawn"] = {
        "cut": raw_cut,
        "highlight": raw_highlight,
        "focus": raw_focus,
        "scale": raw_scale,
        "columns": raw_columns,
        "truncate_mode": options["truncate_mode"],
        "p": options["p"],
    }
    return figure, status, spec


# Dimmed while the page's choices differ from what the heatmap was drawn for (assets/clustergram.js).
clientside_callback(
    ClientsideFunction(namespace="hclust", function_name="clustergramClass"),
    Output("clustergram-card", "className"),
    Input("cut", "data"),
    Input("highlight", "data"),
    Input("focus", "data"),
    Input("clustergram-scale", "value"),
    Input("clustergram-columns", "value"),
    Input("truncate-mode", "value"),
    Input("truncate-p", "value"),
    Input("clustergram-view", "data"),
)


def rows_of_event(event, n_rows, curves):
    """Row indices a click or selection names (points of the heatmap or the bar)."""
    rows = set()
    for point in (event or {}).get("points") or []:
        if not isinstance(point, dict) or point.get("curveNumber") not in curves:
            continue
        y = point.get("y")
        if isinstance(y, (int, float)) and not isinstance(y, bool) and float(y).is_integer():
            if 0 <= int(y) < n_rows:
                rows.add(int(y))
    return sorted(rows)


@callback(
    Output("highlight", "data", allow_duplicate=True),
    Output("clustergram-status", "children", allow_duplicate=True),
    Input("clustergram", "clickData"),
    Input("clustergram", "selectedData"),
    State("clustergram-view", "data"),
    State("session-id", "data"),
    prevent_initial_call=True,
)
@shows_errors(outputs=2, message=1)
def select_rows(click, selected, view, session_id):
    """Rows picked in the heatmap highlight their samples in every view.

    One row of many samples highlights its merge (which then focuses the
    heatmap on it); rows of single samples, or several rows, their samples.
    """
    click = validate.event(click, "The click in the clustergram")
    selected = validate.event(selected, "The selection in the clustergram")
    event = click if "clustergram.clickData" in ctx.triggered_prop_ids else selected
    if event is not None:
        validate.list_of(event.get("points"), "The picked rows", optional=True)
    if event is None or not event.get("points"):
        raise PreventUpdate  # plotly re-reports an empty selection when the figure redraws
    result, groups = rows_of_view(session_id, view)
    rows = rows_of_event(event, len(groups.nodes), (HEATMAP_TRACE, BAR_TRACE))
    if not rows:
        raise PreventUpdate
    tree = result.tree
    if len(rows) == 1 and groups.size[rows[0]] > 1:
        return {"node": int(groups.nodes[rows[0]])}, ""
    count = int(groups.size[rows].sum())
    if count > SELECTION_CAP:
        raise InputError(
            f"The {len(rows)} rows selected hold {count:,} samples, more than the "
            f"{SELECTION_CAP:,} a selection may highlight: select fewer rows, or click one."
        )
    samples = np.concatenate(
        [tree.leaf_order[s : s + z] for s, z in zip(groups.start[rows], groups.size[rows])]
    )
    return {"samples": sorted(samples.tolist())}, ""
