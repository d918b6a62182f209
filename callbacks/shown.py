"""What the page shows now, read by every feature's callbacks: the flat labels of the cut
(with its splits and merges), their stable colours, the highlighted samples, the branch in
focus, the dendrogram's options and the scatter's axes."""

import numpy as np

from callbacks.data import PCA_AXES
from callbacks.view_options import LEAF_LABEL_STYLES
from components.figures import ORIENTATIONS
from hclust.cut import assign_colours, colour_hex
from hclust.dendrogram import P_RANGE, TRUNCATE_MODES, leaf_colour_indices, link_colour_indices
from hclust.partition import Edit, edit_partition
from hclust.projection import principal_components
from services import store


def base_labels(result, cut):
    """Flat labels of the cut itself, before any split or merge."""
    return store.get_store().flat_labels(
        result.Z,
        cut["criterion"],
        height=cut.get("height"),
        k=cut.get("base_k", cut.get("k")),
        t=cut.get("t"),
        depth=cut.get("depth"),
    )


def edits_of(cut, key="edits"):
    return [Edit(action, int(node)) for action, node in (cut or {}).get(key) or ()]


def current_partition(result, cut):
    """The partition the page shows: roots (left to right) and flat labels 1..k."""
    return edit_partition(result.tree, result.Z, base_labels(result, cut), edits_of(cut))


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
