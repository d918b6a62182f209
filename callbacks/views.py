"""Dendrogram and scatter, recoloured together from the cut and the highlight."""
import numpy as np
from dash import Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.data import PCA_AXES
from components.figures import dendrogram_figure, scatter_figure
from hclust.cut import PALETTE, assign_colours, colour_hex, flat_clusters
from hclust.dendrogram import link_colour_indices
from hclust.errors import InputError
from hclust.projection import principal_components
from services import store


def labels_for(result, cut):
    """Flat labels for the cut state, by its criterion."""
    return flat_clusters(result.Z, cut["criterion"], height=cut.get("height"), k=cut.get("k"), t=cut.get("t"), depth=cut.get("depth"))


def cluster_colours(result, labels, previous_nodes):
    """{label: hex}, per-link colour indices and the node→colour map for a partition."""
    tree = result.tree
    roots, pure = tree.partition_roots(labels)
    colours = assign_colours(tree, roots, previous_nodes)
    root_labels = tree.root_labels(roots, labels)
    label_colours = {int(label): colour_hex(int(c)) for label, c in zip(root_labels, colours)}
    links = link_colour_indices(result.geometry, tree, roots, colours, pure)
    node_colours = {str(int(node)): int(c) for node, c in zip(roots, colours)}
    return label_colours, links, node_colours


def highlighted_samples(result, labels, highlight):
    """Boolean mask of the samples a highlight names, or None for no highlight."""
    if not highlight:
        return None
    tree = result.tree
    mask = np.zeros(tree.n, dtype=bool)
    if "node" in highlight:
        node = int(highlight["node"])
        if not 0 <= node < 2 * tree.n - 1:
            return None
        start = tree.start[node]
        mask[tree.leaf_order[start : start + tree.size[node]]] = True
    elif "cluster" in highlight:
        mask = labels == int(highlight["cluster"])
    elif "samples" in highlight:
        chosen = np.asarray([s for s in highlight["samples"] if isinstance(s, int) and 0 <= s < tree.n], dtype=np.int64)
        mask[chosen] = True
    return mask if mask.any() else None


def highlighted_links(result, sample_mask):
    """Drawn links whose every sample is highlighted."""
    if sample_mask is None:
        return None
    tree = result.tree
    pure = tree.pure_nodes(sample_mask.astype(np.int64))
    inside = pure & sample_mask[tree.leaf_order[tree.start]]
    return inside[tree.n + result.geometry.merges]


def scatter_axes(dataset, x_choice, y_choice):
    """Coordinates and titles for the scatter: features or principal components."""
    names = list(dataset.feature_names)
    columns, titles = [], []
    pcs = None
    for fallback, choice in enumerate((x_choice, y_choice)):
        if choice in PCA_AXES:
            if pcs is None:
                pcs = principal_components(dataset.values)
            j = PCA_AXES.index(choice)
            columns.append(pcs[0][:, j])
            titles.append(f"{choice} ({pcs[1][j]:.0%} of variance)")
        else:
            j = names.index(choice) if choice in names else min(fallback, len(names) - 1)
            columns.append(dataset.values[:, j])
            titles.append(names[j])
    return np.column_stack(columns), tuple(titles)


@callback(
    Output("dendrogram", "figure"),
    Output("scatter", "figure"),
    Output("colour-map", "data"),
    Output("view-status", "children"),
    Input("cut", "data"),
    Input("highlight", "data"),
    Input("scatter-x", "value"),
    Input("scatter-y", "value"),
    State("colour-map", "data"),
    State("session-id", "data"),
)
def update_views(cut, highlight, x_choice, y_choice, colour_map, session_id):
    """Recolour both plots; an axes change redraws only the scatter."""
    if not cut:
        raise PreventUpdate
    clustering = cut["clustering"]
    try:
        dataset, result = store.get_store().clustering(session_id, clustering["method"], clustering["metric"])
        labels = labels_for(result, cut)
    except InputError as error:
        return no_update, no_update, no_update, f"⚠ {error}"
    same_tree = bool(colour_map) and colour_map.get("clustering") == clustering
    label_colours, links, node_colours = cluster_colours(result, labels, colour_map["nodes"] if same_tree else None)
    samples = highlighted_samples(result, labels, highlight)
    xy, titles = scatter_axes(dataset, x_choice, y_choice)
    scatter = scatter_figure(xy, labels, label_colours, titles, dataset.leaf_names(), highlight=samples)
    k = len(label_colours)
    status = ""
    if k > len(PALETTE):
        status = f"{k} clusters but only {len(PALETTE)} distinguishable colours: the {len(PALETTE)} largest clusters are coloured, the {k - len(PALETTE)} smallest are pale grey."
    if samples is not None:
        status = (status + " " if status else "") + f"{int(samples.sum())} sample(s) highlighted; press Clear highlight to reset."
    if ctx.triggered_id in ("scatter-x", "scatter-y") and same_tree:
        return no_update, scatter, no_update, status
    geometry = result.geometry
    dendrogram = dendrogram_figure(
        geometry, links, cut.get("height"), dataset.leaf_names(), result.Z,
        title=f"Dendrogram ({clustering['method']}, {clustering['metric']})", highlight_links=highlighted_links(result, samples),
    )
    if geometry.truncated:
        status = (status + " " if status else "") + f"Showing the last {len(geometry.leaf_nodes)} clusters of {dataset.n_samples:,} samples (truncated, as scipy's lastp); numbers in brackets are cluster sizes."
    return dendrogram, scatter, {"clustering": clustering, "nodes": node_colours, "labels": {str(k): v for k, v in label_colours.items()}}, status
