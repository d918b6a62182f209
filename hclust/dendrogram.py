"""Geometry of the dendrogram as plain arrays, computed once per linkage.

The coordinates follow ``scipy.cluster.hierarchy.dendrogram``: leaf ``r``
(from the left) sits at x = 5 + 10 r, a merge sits midway between its two
children, and each link is the upside-down U
``(x_left, h_left) -> (x_left, h) -> (x_right, h) -> (x_right, h_right)``.
Colours are not part of the geometry: a cut only recolours it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cut import TreeIndex
from .errors import InputError

TRUNCATE_MODES = ("none", "lastp", "level")
# The truncation's p the page accepts (leaves for lastp, levels for level).
P_RANGE = (2, 2000)


@dataclass(frozen=True)
class DendrogramGeometry:
    """Links and leaves of a (possibly truncated) dendrogram.

    Attributes
    ----------
    merges : ndarray of int, shape (L,)
        Rows of Z drawn as links, in Z order.
    x_left, x_right, h_left, h_right, height : ndarray, shape (L,)
        Coordinates of each link.
    x_merge : ndarray, shape (L,)
        x of each merge's top, midway between its children.
    leaf_nodes : ndarray of int, shape (P,)
        Node ids drawn as leaves, left to right: samples, or hidden merges
        when truncated.
    leaf_x : ndarray, shape (P,)
    leaf_sizes : ndarray of int, shape (P,)
        Samples under each drawn leaf (1 for a sample).
    truncated : bool
    """

    merges: np.ndarray
    x_left: np.ndarray
    x_right: np.ndarray
    h_left: np.ndarray
    h_right: np.ndarray
    height: np.ndarray
    x_merge: np.ndarray
    leaf_nodes: np.ndarray
    leaf_x: np.ndarray
    leaf_sizes: np.ndarray
    truncated: bool
    contracted_x: np.ndarray = None  # show_contracted: hidden merges at their leaf's x
    contracted_height: np.ndarray = None
    root: int = -1

    @property
    def n_links(self) -> int:
        return len(self.merges)


def dendrogram_geometry(
    Z: np.ndarray,
    tree: TreeIndex,
    truncate_mode: str = "none",
    p: int = 30,
    root: int | None = None,
) -> DendrogramGeometry:
    """Compute link and leaf coordinates as scipy's dendrogram would.

    Parameters
    ----------
    Z : ndarray
    tree : TreeIndex
        ``TreeIndex.from_linkage(Z)``, shared with the cut.
    truncate_mode : {'none', 'lastp', 'level'}
        As scipy's `truncate_mode`: ``'lastp'`` draws only the last `p`
        merges' clusters as leaves; ``'level'`` draws at most `p` levels
        below the root.
    p : int
    root : int, optional
        Draw only the subtree under this node (level of detail), with the
        truncation applied within it. Default: the whole tree.

    Returns
    -------
    DendrogramGeometry
    """
    n = tree.n
    root = 2 * n - 2 if root is None else int(root)
    if not n <= root <= 2 * n - 2:
        # a branch named by the browser: refused as input (InputError is a ValueError)
        raise InputError(
            f"The branch to show must be a merge of this tree ({n:,} to {2 * n - 2:,})."
        )
    left = Z[:, 0].astype(np.int64)
    right = Z[:, 1].astype(np.int64)
    merge_start, merge_size = tree.start[n:], tree.size[n:]
    inside = (merge_start >= tree.start[root]) & (
        merge_start + merge_size <= tree.start[root] + tree.size[root]
    )
    inside_rows = np.flatnonzero(inside)
    p_leaves = len(inside_rows) + 1
    if truncate_mode == "none" or (truncate_mode == "lastp" and p >= p_leaves):
        visible = inside
    elif truncate_mode == "lastp":
        # the last p - 1 merges of the subtree leave p clusters as leaves
        visible = np.zeros(n - 1, dtype=bool)
        visible[inside_rows[-max(int(p) - 1, 1) :]] = True
    elif truncate_mode == "level":
        depth = _depth_from_root(left, right, n)
        visible = inside & (depth - depth[root - n] < max(int(p), 0) + 1)
    else:
        raise ValueError(f"truncate_mode must be one of {TRUNCATE_MODES}")
    is_visible_node = np.concatenate([np.zeros(n, dtype=bool), visible])
    children = np.concatenate([left[visible], right[visible]])
    leaf_nodes = np.unique(children[~is_visible_node[children]])
    leaf_nodes = leaf_nodes[np.argsort(tree.start[leaf_nodes], kind="stable")]
    x = np.full(2 * n - 1, np.nan)
    x[leaf_nodes] = 5.0 + 10.0 * np.arange(len(leaf_nodes))
    merges = np.flatnonzero(visible)
    x_list = x.tolist()
    for i, a, b in zip(merges.tolist(), left[merges].tolist(), right[merges].tolist()):
        x_list[n + i] = (x_list[a] + x_list[b]) / 2.0
    x = np.asarray(x_list)
    raw_height = np.concatenate([np.zeros(n), Z[:, 2]])
    # a truncated leaf stands on the axis, as scipy draws it
    drawn_height = np.where(is_visible_node, raw_height, 0.0)
    a, b = left[merges], right[merges]
    hidden = np.flatnonzero(inside & ~visible)
    owner = np.searchsorted(tree.start[leaf_nodes], tree.start[n + hidden], side="right") - 1
    return DendrogramGeometry(
        merges=merges,
        x_left=x[a],
        x_right=x[b],
        h_left=drawn_height[a],
        h_right=drawn_height[b],
        height=Z[merges, 2].astype(float),
        x_merge=x[n + merges],
        leaf_nodes=leaf_nodes,
        leaf_x=x[leaf_nodes],
        leaf_sizes=tree.size[leaf_nodes],
        truncated=bool(len(hidden)),
        contracted_x=x[leaf_nodes][owner] if len(hidden) else np.array([]),
        contracted_height=Z[hidden, 2].astype(float),
        root=root,
    )


def _depth_from_root(left, right, n):
    """Depth of every merge counted from the root (0), in one reverse pass."""
    depth = np.zeros(2 * n - 1, dtype=np.int64)
    depth_list = depth.tolist()
    for i in range(n - 2, -1, -1):
        d = depth_list[n + i] + 1
        depth_list[left[i]] = d
        depth_list[right[i]] = d
    return np.asarray(depth_list[n:])


def link_colour_indices(
    geometry: DendrogramGeometry,
    tree: TreeIndex,
    roots: np.ndarray,
    root_colours: np.ndarray,
    pure: np.ndarray,
) -> np.ndarray:
    """Palette index of each drawn link; ``ABOVE`` (-2) for links between clusters.

    A link takes its cluster's colour when all samples beneath it are in one
    flat cluster (`pure`, from :meth:`TreeIndex.partition_roots`), and is
    grey otherwise, so colours match the scatter exactly for any criterion.
    """
    nodes = tree.n + geometry.merges
    owner = np.searchsorted(tree.start[roots], tree.start[nodes], side="right") - 1
    return np.where(pure[nodes], root_colours[np.clip(owner, 0, len(roots) - 1)], ABOVE)


ABOVE = -2


def leaf_colour_indices(
    geometry: DendrogramGeometry, tree: TreeIndex, roots: np.ndarray, root_colours: np.ndarray
) -> np.ndarray:
    """Palette index of each drawn leaf that is a whole cluster; ``ABOVE`` (-2) for the others.

    A cluster that is a single sample, or a single truncated leaf, has no
    link of its own: the link above it joins it to another cluster and is
    grey. The figure marks such leaves with their cluster's colour, so every
    cluster has its colour in the dendrogram as in the scatter.

    Parameters
    ----------
    geometry : DendrogramGeometry
    tree : TreeIndex
    roots : ndarray of int
        Cluster roots, from :meth:`TreeIndex.partition_roots` or
        :meth:`TreeIndex.cluster_roots`.
    root_colours : ndarray of int
        Palette index of each root, from :func:`hclust.cut.assign_colours`.

    Returns
    -------
    ndarray of int, one entry per drawn leaf (``geometry.leaf_nodes``)
    """
    colour_of_node = np.full(2 * tree.n - 1, ABOVE, dtype=np.int64)
    colour_of_node[np.asarray(roots, dtype=np.int64)] = root_colours
    return colour_of_node[geometry.leaf_nodes]


def members(tree: TreeIndex, node: int) -> np.ndarray:
    """Sample indices under `node`, in dendrogram order."""
    start = tree.start[node]
    return tree.leaf_order[start : start + tree.size[node]]
