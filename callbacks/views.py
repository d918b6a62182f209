"""Dendrogram and scatter, recoloured together from the cut and the highlight."""

import numpy as np
from dash import Input, Output, State, callback
from dash.exceptions import PreventUpdate

from callbacks import validate
from callbacks.errors import shows_errors
from callbacks.shown import (
    cluster_colours,
    focus_root,
    highlighted_samples,
    labels_for,
    leaf_colours_for,
    link_colours_for,
    scatter_axes,
)
from callbacks.view_options import checked
from components.figures import cluster_legend, dendrogram_figure, scatter_figure
from components.recolour import geometry_id
from hclust.cut import PALETTE
from hclust.dendrogram import members
from hclust.merge_steps import valid_pins
from services import store


def highlighted_links(result, sample_mask, geometry):
    """Drawn links whose every sample is highlighted."""
    if sample_mask is None:
        return None
    tree = result.tree
    pure = tree.pure_nodes(sample_mask.astype(np.int64))
    inside = pure & sample_mask[tree.leaf_order[tree.start]]
    return inside[tree.n + geometry.merges]


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
    prevent_initial_call=True,  # the layout's placeholders stand until the first cut
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
