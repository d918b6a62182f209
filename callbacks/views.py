"""Dendrogram and scatter, recoloured together from the cut and the highlight."""

import json

import numpy as np
from dash import Input, Output, Patch, State, callback, ctx
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
from components.figures import STRINGS, cluster_legend, dendrogram_figure, scatter_figure
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


def clusters_per_leaf(tree, labels, geometry):
    """Number of clusters among the samples of each drawn leaf (1 for a sample)."""
    counts = np.ones(len(geometry.leaf_nodes), dtype=np.int64)
    ordered = labels[tree.leaf_order]
    for i in np.flatnonzero(geometry.leaf_nodes >= tree.n).tolist():  # truncated leaves only
        node = int(geometry.leaf_nodes[i])
        counts[i] = len(np.unique(ordered[tree.start[node] : tree.start[node] + tree.size[node]]))
    return counts


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
    State("data-version", "data"),
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
    data_version,
    session_id,
):
    """Draw both plots for the cut, the highlight and the checked view options."""
    cut, highlight, focus = validate.cut(cut), validate.highlight(highlight), validate.focus(focus)
    options = checked(view_options)
    colour_map = validate.colour_map(colour_map)
    data_version = validate.data_version(data_version)
    if not cut:
        raise PreventUpdate
    if (
        data_version is not None
        and data_version["key"] != cut["clustering"].get("key")
        and ctx.triggered_id in ("scatter-x", "scatter-y")
    ):
        # new data came with its own axes; its tree and cut are on their way and are drawn
        # with them. Drawing the old cut now would only be drawn over (with every panel that
        # reads the colour map: six requests per dataset change), and the plots stay marked
        # out of date meanwhile (callbacks/stale_view.py).
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
        # names only from a label column: without one a point's name is its sample number,
        # which its hover says already (a list of 20,000 strings in every answer, #12 §5)
        dataset.leaf_names() if dataset.labels is not None else None,
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
        leaf_clusters=clusters_per_leaf(result.tree, labels, geometry),
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
    new_map = {
        "clustering": clustering,
        "nodes": node_colours,
        "spans": spans,
        "labels": {str(k): v for k, v in label_colours.items()},
    }
    # everything but the cut that the figures were drawn for: the next answer that differs
    # from this one only by its cut sends Patches (#11, #12 §5)
    drawn = {
        "key": drawn_key(
            clustering, x_choice, y_choice, root, options, pins, samples, cut.get("edits")
        ),
        "blocks": [cut_traces(dendrogram, 1), cut_traces(scatter, 0)],
    }
    new_map["drawn"] = drawn
    if same_tree and patchable(colour_map.get("drawn"), drawn["key"]):
        old = colour_map["drawn"]["blocks"]
        dendrogram, scatter = cut_patches(dendrogram, scatter, old)
    return dendrogram, scatter, new_map, status


def drawn_key(clustering, x_choice, y_choice, root, options, pins, samples, edits) -> str | None:
    """What, besides the cut, the figures show; None when a cut changes more than its traces
    (a highlight picks clusters of the cut)."""
    if samples is not None:
        return None
    settings = [clustering, x_choice, y_choice, root, options, list(pins), bool(edits)]
    return json.dumps(settings, sort_keys=True, default=str)


def patchable(drawn, key) -> bool:
    """Whether the page's figures (as `drawn` records them) differ from the new ones only by
    the cut: the same settings, and the counts of cut traces are plausible."""
    if key is None or not isinstance(drawn, dict) or drawn.get("key") != key:
        return False
    blocks = drawn.get("blocks")
    return (
        isinstance(blocks, list)
        and len(blocks) == 2
        and all(isinstance(b, int) and 0 <= b <= CUT_TRACES_MAX for b in blocks)
    )


# a link trace per palette colour, one for pale grey and one between clusters, one of one-leaf
# dots and one of truncated leaves' counts
CUT_TRACES_MAX = len(PALETTE) + 4


def _is_link_trace(name) -> bool:
    prefix, _, rest = STRINGS["link_trace"].partition("{colour}")
    return name == STRINGS["between"] or (
        name.startswith(prefix) and name[len(prefix) :].lstrip("-").isdigit() and not rest
    )


def _is_cut_trace(name, start) -> bool:
    if start == 0:  # the scatter: its traces by colour
        return name.startswith(STRINGS["scatter_trace"].partition("{colour}")[0])
    return _is_link_trace(name) or name in (STRINGS["leaf_trace"], STRINGS["inside"])


def cut_traces(figure: dict, start: int) -> int:
    """How many traces from data[start] a cut changes: the dendrogram's links by colour, its
    one-leaf dots and truncated leaves' cluster counts after the merges' hover trace (start
    1), the scatter's traces by colour (start 0)."""
    count = 0
    for trace in figure["data"][start:]:
        if not _is_cut_trace((trace["name"] if "name" in trace else None) or "", start):
            break
        count += 1
    return count


def _replace_block(patch, start, old, new) -> None:
    """data[start : start + old] = new, as Patch operations."""
    for i, trace in enumerate(new[:old]):
        patch["data"][start + i] = trace
    for _ in range(old - len(new)):
        del patch["data"][start + len(new)]
    for i, trace in enumerate(new[old:]):
        patch["data"].insert(start + old + i, trace)


def cut_patches(dendrogram, scatter, old_blocks):
    """Patches that turn figures drawn for another cut (with `old_blocks` cut traces) into
    `dendrogram` and `scatter`: their cut traces, annotations (legend, root numbers) and cut
    line; the rest (the merges' and leaves' hover targets, pins, axes) stays as drawn."""
    dendrogram_patch, scatter_patch = Patch(), Patch()
    # as the figure's own JSON: arrays as typed (base64) arrays, as a whole figure sends them
    new = dendrogram.to_plotly_json()
    _replace_block(dendrogram_patch, 1, old_blocks[0], new["data"][1 : 1 + cut_traces(new, 1)])
    dendrogram_patch["layout"]["annotations"] = new["layout"].get("annotations", [])
    dendrogram_patch["layout"]["shapes"][0] = new["layout"]["shapes"][0]
    new = scatter.to_plotly_json()
    _replace_block(scatter_patch, 0, old_blocks[1], new["data"][: cut_traces(new, 0)])
    scatter_patch["layout"]["annotations"] = new["layout"].get("annotations", [])
    return dendrogram_patch, scatter_patch
