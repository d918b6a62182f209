"""Dendrogram and scatter, recoloured together from the cut and the highlight."""

import numpy as np
from dash import Input, Output, State, callback
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.data import PCA_AXES
from callbacks.errors import shows_errors
from callbacks.partition import current_partition
from callbacks.view_options import LEAF_LABEL_STYLES, checked
from components.figures import ORIENTATIONS, cluster_legend, dendrogram_figure, scatter_figure
from components.recolour import geometry_id
from hclust.cut import PALETTE, assign_colours, colour_hex
from hclust.dendrogram import (
    P_RANGE,
    TRUNCATE_MODES,
    leaf_colour_indices,
    link_colour_indices,
    members,
)
from hclust.merge_steps import valid_pins
from hclust.projection import principal_components
from services import store


def labels_for(result, cut):
    """Flat labels for the cut state, by its criterion, after its splits and merges."""
    return current_partition(result, cut)[1]


def cluster_colours(result, labels, previous_nodes):
    """{label: hex} and the node→colour map for a partition, stable across cuts."""
    tree = result.tree
    roots, _ = tree.partition_roots(labels)
    colours = assign_colours(tree, roots, previous_nodes)
    root_labels = tree.root_labels(roots, labels)
    label_colours = {int(label): colour_hex(int(c)) for label, c in zip(root_labels, colours)}
    node_colours = {str(int(node)): int(c) for node, c in zip(roots, colours)}
    return label_colours, node_colours


def link_colours_for(result, labels, geometry, node_colours):
    """Palette index of every drawn link, from the colours given to cluster roots."""
    roots, pure = result.tree.partition_roots(labels)
    colours = np.asarray([node_colours[str(int(node))] for node in roots], dtype=np.int64)
    return link_colour_indices(geometry, result.tree, roots, colours, pure)


def leaf_colours_for(result, labels, geometry, node_colours):
    """Palette index of every drawn leaf that is a whole cluster (ABOVE for the others)."""
    roots, _ = result.tree.partition_roots(labels)
    colours = np.asarray([node_colours[str(int(node))] for node in roots], dtype=np.int64)
    return leaf_colour_indices(geometry, result.tree, roots, colours)


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
        chosen = np.asarray(
            [s for s in highlight["samples"] if isinstance(s, int) and 0 <= s < tree.n],
            dtype=np.int64,
        )
        mask[chosen] = True
    return mask if mask.any() else None


def highlighted_links(result, sample_mask, geometry):
    """Drawn links whose every sample is highlighted."""
    if sample_mask is None:
        return None
    tree = result.tree
    pure = tree.pure_nodes(sample_mask.astype(np.int64))
    inside = pure & sample_mask[tree.leaf_order[tree.start]]
    return inside[tree.n + geometry.merges]


def scatter_axes(dataset, x_choice, y_choice):
    """Coordinates and titles for the scatter: features or principal components."""
    if dataset.is_distance_matrix:
        embedding = store.get_store().mds(dataset)
        return embedding[:, :2], ("MDS 1 (classical MDS of the distances)", "MDS 2")
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


def focus_root(focus, clustering):
    """The node a 'show this branch in full' focuses on, if it is of this tree."""
    return focus.get("node") if focus and focus.get("clustering") == clustering else None


def dendrogram_options(truncate_mode, p, flags, annotate_above, orientation, leaf_label_style):
    """The view options, each bad or missing value replaced by its default.

    For callers that have only some of the controls; the views read the
    ``view-options`` store (:mod:`callbacks.view_options`), which refuses a
    bad value instead.
    """
    size, rotation = (
        (leaf_label_style or "9:-90").split(":")
        if leaf_label_style in LEAF_LABEL_STYLES
        else ("9", "-90")
    )
    return {
        "truncate_mode": truncate_mode if truncate_mode in ("auto", *TRUNCATE_MODES) else "auto",
        "p": int(p) if isinstance(p, (int, float)) and P_RANGE[0] <= p <= P_RANGE[1] else 60,
        "show_contracted": "contracted" in (flags or []),
        "annotate_above": float(annotate_above)
        if isinstance(annotate_above, (int, float)) and annotate_above >= 0
        else None,
        "orientation": orientation if orientation in ORIENTATIONS else "top",
        "leaf_font_size": int(size),
        "leaf_rotation": int(rotation),
    }


@callback(
    Output("dendrogram", "figure"),
    Output("scatter", "figure"),
    Output("colour-map", "data"),
    Output("view-status", "children"),
    Input("cut", "data"),
    Input("highlight", "data"),
    Input("scatter-x", "value"),
    Input("scatter-y", "value"),
    Input("focus", "data"),
    Input("view-options", "data"),
    Input("merge-pins", "data"),
    State("colour-map", "data"),
    State("session-id", "data"),
)
@shows_errors(outputs=4, message=3)
def update_views(
    cut,
    highlight,
    x_choice,
    y_choice,
    focus,
    view_options,
    pins,
    colour_map,
    session_id,
):
    """Draw both plots for the cut, the highlight and the checked view options."""
    cut, highlight, focus = validate.cut(cut), validate.highlight(highlight), validate.focus(focus)
    options = checked(view_options)
    colour_map = validate.colour_map(colour_map)
    if not cut:
        raise PreventUpdate
    clustering = cut["clustering"]
    dataset, result = store.get_store().result_for(session_id, clustering)
    labels = labels_for(result, cut)
    same_tree = bool(colour_map) and colour_map.get("clustering") == clustering
    label_colours, node_colours = cluster_colours(
        result, labels, colour_map["nodes"] if same_tree else None
    )
    samples = highlighted_samples(result, labels, highlight)
    pins = valid_pins(pins, len(result.Z))  # merges pinned in merges step by step (or the lesson)
    # a new cut regroups the points by colour (one trace per colour), so the scatter is sent whole
    xy, titles = scatter_axes(dataset, x_choice, y_choice)
    scatter = scatter_figure(
        xy,
        labels,
        label_colours,
        titles,
        dataset.leaf_names(),
        highlight=samples,
        pins={p: members(result.tree, result.tree.n + p) for p in pins},
    )
    k = len(label_colours)
    status = ""
    if k > len(PALETTE):
        status = (
            f"Colours: the {len(PALETTE)} largest of {k:,} clusters have distinguishable "
            f"colours, the {k - len(PALETTE):,} smallest are grey."
        )
    if samples is not None:
        status = (
            status + " " if status else ""
        ) + f"Highlighted: {int(samples.sum()):,} samples; press Clear highlight to reset."
    if cut.get("edits"):
        status = (status + " " if status else "") + (
            "Clusters split or merged by hand: the dashed line shows the cut they started from."
        )
    # Every answer carries every output, even when only the scatter's axes changed: when a
    # later answer of this callback says no_update, Dash drops the earlier (superseded) answer
    # and keeps the outputs as they were before both (plotly/dash#1861), and a dendrogram for
    # other settings would stay on screen.
    root = focus_root(focus, clustering)
    geometry = store.get_store().geometry(
        session_id, clustering, options["truncate_mode"], options["p"], root
    )
    links = link_colours_for(result, labels, geometry, node_colours)
    title = f"Dendrogram ({clustering['method']}, {clustering['metric']})"
    if cut.get("edits"):
        title += " — clusters edited by hand"
    if root is not None:
        title += (
            f" — branch of merge {root - result.tree.n} ({int(result.tree.size[root]):,} samples)"
        )
    dendrogram = dendrogram_figure(
        geometry,
        links,
        cut.get("height"),
        dataset.leaf_names(),
        result.Z,
        title=title,
        highlight_links=highlighted_links(result, samples, geometry),
        orientation=options["orientation"],
        annotate_above=options["annotate_above"],
        show_contracted=options["show_contracted"],
        leaf_font_size=options["leaf_font_size"],
        leaf_rotation=options["leaf_rotation"],
        legend=cluster_legend(labels, label_colours),
        leaf_colours=leaf_colours_for(result, labels, geometry, node_colours),
        pins=tuple(pins),
        leaf_name=dataset.label_name,
        root_numbers={
            PALETTE.index(c): label for label, c in label_colours.items() if c in PALETTE
        },
    )
    if geometry.truncated:
        status = (status + " " if status else "") + (
            f"Showing {len(geometry.leaf_nodes)} leaves for "
            f"{int(geometry.leaf_sizes.sum()):,} samples (truncated); "
            "numbers in brackets are cluster sizes. "
            "Choose 'show everything' under Truncation, or click a merge and 'Show this branch in full'."
        )
    # names the drawn geometry, so the browser's recolouring (assets/cut_recolour.js) knows its index fits
    dendrogram.layout.meta = {
        "geometry": geometry_id(
            clustering, options["truncate_mode"], options["p"], root, options["orientation"]
        )
    }
    spans = {
        node: [int(result.tree.start[int(node)]), int(result.tree.size[int(node)])]
        for node in node_colours
    }
    colour_map = {
        "clustering": clustering,
        "nodes": node_colours,
        "spans": spans,
        "labels": {str(k): v for k, v in label_colours.items()},
    }
    return dendrogram, scatter, colour_map, status
