"""Dendrogram and scatter, recoloured together from the cut."""
import numpy as np
from dash import Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from components.figures import dendrogram_figure, scatter_figure
from hclust.cut import assign_colours, colour_hex, labels_at
from hclust.dendrogram import link_colour_indices
from hclust.errors import InputError
from hclust.projection import principal_components
from services import store
from callbacks.data import PCA_AXES


def cluster_colours(result, height, previous_nodes):
    """Flat labels, {label: hex}, per-link colour indices and the node→colour map."""
    tree = result.tree
    labels = labels_at(result.Z, height)
    roots = tree.cluster_roots(height)
    colours = assign_colours(tree, roots, previous_nodes)
    root_labels = tree.root_labels(roots, labels)
    label_colours = {int(label): colour_hex(int(c)) for label, c in zip(root_labels, colours)}
    links = link_colour_indices(result.geometry, tree, roots, colours, height)
    node_colours = {str(int(node)): int(c) for node, c in zip(roots, colours)}
    return labels, label_colours, links, node_colours


def scatter_axes(dataset, x_choice, y_choice):
    """Coordinates and titles for the scatter: features or principal components."""
    names = list(dataset.feature_names)
    columns, titles = [], []
    pcs = None
    for choice in (x_choice, y_choice):
        if choice in PCA_AXES:
            if pcs is None:
                pcs = principal_components(dataset.values)
            j = PCA_AXES.index(choice)
            columns.append(pcs[0][:, j])
            titles.append(f"{choice} ({pcs[1][j]:.0%} of variance)")
        else:
            j = names.index(choice) if choice in names else min(len(titles), len(names) - 1)
            columns.append(dataset.values[:, j])
            titles.append(names[j])
    return np.column_stack(columns), tuple(titles)


@callback(
    Output("dendrogram", "figure"),
    Output("scatter", "figure"),
    Output("colour-map", "data"),
    Input("cut", "data"),
    Input("scatter-x", "value"),
    Input("scatter-y", "value"),
    State("colour-map", "data"),
    State("session-id", "data"),
)
def update_views(cut, x_choice, y_choice, colour_map, session_id):
    """Recolour both plots for the cut; axes changes redraw only the scatter."""
    if not cut:
        raise PreventUpdate
    clustering = cut["clustering"]
    try:
        dataset, result = store.get_store().clustering(session_id, clustering["method"], clustering["metric"])
    except InputError:
        raise PreventUpdate
    same_tree = colour_map and colour_map.get("clustering") == clustering
    previous = colour_map["nodes"] if same_tree else None
    labels, label_colours, links, node_colours = cluster_colours(result, cut["height"], previous)
    xy, titles = scatter_axes(dataset, x_choice, y_choice)
    scatter = scatter_figure(xy, labels, label_colours, titles, dataset.leaf_names())
    if ctx.triggered_id in ("scatter-x", "scatter-y") and same_tree:
        return no_update, scatter, no_update
    dendrogram = dendrogram_figure(result.geometry, links, cut["height"], dataset.leaf_names(), result.Z, title=f"Dendrogram ({clustering['method']}, {clustering['metric']})")
    return dendrogram, scatter, {"clustering": clustering, "nodes": node_colours}
