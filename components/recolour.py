"""What the browser needs to recolour both plots for a dragged cut by itself.

A horizontal cut at height h removes every merge higher than h; the clusters
are the subtrees hanging below the removed merges. Only the highest merges
can be removed by a cut that leaves at most ``CLIENT_MAX_CLUSTERS`` clusters,
so the browser gets those (with the spans of their children), the drawn
links and leaves, the leaf order, and the names and texts the figures use
(:data:`components.figures.STRINGS`): enough for ``assets/cut_core.js`` to
repeat, in a few milliseconds and without a round trip, what the server
computes with ``fcluster``, :func:`hclust.cut.assign_colours`,
:func:`hclust.dendrogram.link_colour_indices`,
:func:`hclust.dendrogram.leaf_colour_indices` and
:func:`components.figures.cluster_legend`. ``assets/cut_recolour.js`` draws
what it computes. Deeper cuts, and cuts under other criteria, still go to the
server.

The index is sent once per dendrogram geometry, not once per cut.
"""

from __future__ import annotations

import base64

import numpy as np

from components.figures import (
    LEAF_DOT_SIZE,
    LEGEND_ENTRIES,
    ROOT_NUMBER,
    STRINGS,
    VERTICAL_TREE,
    _link_shape,
    _oriented,
    _steps,
    child_links,
)
from hclust.cut import (
    ABOVE_CUT_COLOUR,
    OVERFLOW_COLOUR,
    OVERFLOW_SYMBOL,
    PALETTE,
    SYMBOLS,
    TreeIndex,
)
from hclust.dendrogram import DendrogramGeometry

# Cuts that give more clusters than this are recoloured by the server.
CLIENT_MAX_CLUSTERS = 2_000
# Above this the leaf order alone (4 bytes a sample) is too much to send.
CLIENT_MAX_SAMPLES = 50_000


def geometry_id(clustering: dict, truncate_mode: str, p: int, root, orientation: str) -> str:
    """Names one drawn dendrogram: the figure and its index carry the same id."""
    parts = (
        clustering["key"],
        clustering["method"],
        clustering["metric"],
        clustering.get("optimal_order", False),
        truncate_mode,
        p,
        root,
        orientation,
    )
    return "|".join(str(part) for part in parts)


def _packed(values, dtype) -> str:
    """Little-endian typed array as base64, decoded in the browser without parsing numbers."""
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def recolour_index(
    tree: TreeIndex,
    Z: np.ndarray,
    geometry: DendrogramGeometry,
    orientation: str,
    geometry_key: str,
) -> dict | None:
    """The browser's recolouring index for one drawn dendrogram, or None when too large.

    Parameters
    ----------
    tree : TreeIndex
    Z : ndarray
    geometry : DendrogramGeometry
        What the figure draws; links are listed in its order.
    orientation : {'top', 'bottom', 'left', 'right'}
    geometry_key : str
        From :func:`geometry_id`, also put in the figure's ``layout.meta``.

    Returns
    -------
    dict or None
        Arrays are base64 little-endian: ``f8`` heights, ``i4`` ids and
        positions, ``f4`` link coordinates (3 points and a gap per link).
    """
    n = tree.n
    if n > CLIENT_MAX_SAMPLES or n < 2:
        return None
    merge_heights = tree.node_height[n:]
    by_height = np.argsort(-merge_heights, kind="stable")
    top = by_height[: CLIENT_MAX_CLUSTERS - 1]
    # every merge left out is at most this high: cuts at or above it are complete
    floor = float(merge_heights[by_height[len(top)]]) if len(top) < n - 1 else None
    left = Z[top, 0].astype(np.int64)
    right = Z[top, 1].astype(np.int64)
    nodes = n + geometry.merges
    positions, heights = _steps(geometry)
    x, y = _oriented(positions, heights, orientation)
    left_link, right_link = child_links(geometry, Z)
    leaves = geometry.leaf_nodes
    leaf_x, leaf_y = _oriented(geometry.leaf_x, np.zeros(len(leaves)), orientation)
    return {
        "geometry": geometry_key,
        "n": n,
        "root": 2 * n - 2,
        "axis": "y" if orientation in VERTICAL_TREE else "x",
        "line_shape": _link_shape(orientation),
        "palette": list(PALETTE),
        "above_colour": ABOVE_CUT_COLOUR,
        "overflow_colour": OVERFLOW_COLOUR,
        "symbols": list(SYMBOLS),
        "overflow_symbol": OVERFLOW_SYMBOL,
        "root_number": ROOT_NUMBER,
        "floor": floor,
        "strings": dict(STRINGS),
        "legend_entries": LEGEND_ENTRIES,
        "leaf_dot_size": LEAF_DOT_SIZE,
        "top_node": _packed(n + top, "<i4"),
        "top_height": _packed(merge_heights[top], "<f8"),
        "left": _packed(left, "<i4"),
        "right": _packed(right, "<i4"),
        "left_start": _packed(tree.start[left], "<i4"),
        "left_size": _packed(tree.size[left], "<i4"),
        "right_start": _packed(tree.start[right], "<i4"),
        "right_size": _packed(tree.size[right], "<i4"),
        "link_height": _packed(tree.node_height[nodes], "<f8"),
        "link_start": _packed(tree.start[nodes], "<i4"),
        "link_x": _packed(x, "<f4"),
        "link_y": _packed(y, "<f4"),
        # the drawn link of each link's children (-1: a drawn leaf), for the SVG tree's walks
        "link_left": _packed(left_link, "<i4"),
        "link_right": _packed(right_link, "<i4"),
        "leaf_order": _packed(tree.leaf_order, "<i4"),
        # drawn leaves: a leaf is a whole cluster when leaf_height <= h < leaf_parent_height
        "leaf_start": _packed(tree.start[leaves], "<i4"),
        "leaf_height": _packed(tree.node_height[leaves], "<f8"),
        "leaf_parent_height": _packed(tree.node_height[tree.parent[leaves]], "<f8"),
        "leaf_x": _packed(leaf_x, "<f4"),
        "leaf_y": _packed(leaf_y, "<f4"),
    }
