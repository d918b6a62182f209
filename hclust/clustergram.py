"""The clustergram's numbers: rows in leaf order, per-leaf means, column order, z-scores.

Everything here is a pure function of arrays. Rows are always read in the
dendrogram's left-to-right leaf order (``scipy.cluster.hierarchy.leaves_list``):
a node of the tree covers a contiguous run of those positions (see
:class:`hclust.cut.TreeIndex`), so a truncated dendrogram's drawn leaves cut
the rows into contiguous groups, and each group's mean is one ``np.add.reduceat``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import leaves_list, linkage

from .cut import TreeIndex
from .dendrogram import ABOVE

# Columns are clustered as R's heatmap() does by default: complete linkage of
# the Euclidean distances between the columns of the matrix clustered (here the
# values after scaling), so the order does not change with the colour scale.
COLUMN_METHOD = "complete"
COLUMN_METRIC = "euclidean"


@dataclass(frozen=True)
class RowGroups:
    """Contiguous groups of leaf positions, one heatmap row each.

    Attributes
    ----------
    nodes : ndarray of int, shape (R,)
        The tree node each row stands for (a sample id below n, a merge above).
    start, size : ndarray of int, shape (R,)
        First leaf position and number of samples of each row.
    """

    nodes: np.ndarray
    start: np.ndarray
    size: np.ndarray

    @property
    def aggregated(self) -> bool:
        return bool(len(self.size)) and bool(self.size.max() > 1)


def row_order(Z: np.ndarray) -> np.ndarray:
    """Sample indices from left to right, as the dendrogram draws its leaves.

    Parameters
    ----------
    Z : ndarray of shape (n - 1, 4)

    Returns
    -------
    ndarray of int, shape (n,)
        ``scipy.cluster.hierarchy.leaves_list(Z)``.
    """
    return leaves_list(Z)


def groups_of_nodes(tree: TreeIndex, nodes) -> RowGroups:
    """Rows for the given nodes (drawn leaves of a dendrogram), left to right.

    Parameters
    ----------
    tree : TreeIndex
    nodes : array of int
        Nodes whose leaf spans are contiguous and do not overlap, such as
        ``DendrogramGeometry.leaf_nodes``.

    Returns
    -------
    RowGroups
    """
    nodes = np.asarray(nodes, dtype=np.int64)
    nodes = nodes[np.argsort(tree.start[nodes], kind="stable")]
    return RowGroups(nodes=nodes, start=tree.start[nodes], size=tree.size[nodes])


def samples_of_node(tree: TreeIndex, node: int) -> RowGroups:
    """One row per sample under `node`, in leaf order (the branch in full)."""
    start = int(tree.start[node])
    samples = tree.leaf_order[start : start + int(tree.size[node])]
    return RowGroups(
        nodes=samples.astype(np.int64),
        start=np.arange(start, start + len(samples), dtype=np.int64),
        size=np.ones(len(samples), dtype=np.int64),
    )


def aggregate_rows(values: np.ndarray, leaf_order: np.ndarray, groups: RowGroups) -> np.ndarray:
    """Mean of each group's samples, one row per group, in leaf order.

    Parameters
    ----------
    values : ndarray of shape (n, m)
        One row per sample, in the data's order.
    leaf_order : ndarray of int, shape (n,)
        :func:`row_order` of the linkage.
    groups : RowGroups
        Contiguous, in increasing position, without gaps between them.

    Returns
    -------
    ndarray of shape (len(groups.nodes), m)
        Equal to grouping the samples by their group and taking the mean.
    """
    if not len(groups.start):
        return np.empty((0, values.shape[1]))
    first = int(groups.start[0])
    last = int(groups.start[-1] + groups.size[-1])
    if np.any(groups.start[1:] != groups.start[:-1] + groups.size[:-1]):
        raise ValueError("row groups must be contiguous and in leaf order")
    if np.all(groups.size == 1):
        return np.asarray(values[leaf_order[first:last]], dtype=float)
    ordered = np.asarray(values[leaf_order[first:last]], dtype=float)
    sums = np.add.reduceat(ordered, groups.start - first, axis=0)
    return sums / groups.size[:, None]


def zscore_columns(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and standard deviations for a z-score per column.

    ``(x - mean) / std`` with the population standard deviation (ddof 0), as
    ``scipy.stats.zscore``. A constant column has std 0; it is given 1 so
    its z-scores are 0 rather than NaN (scipy gives NaN).

    Returns
    -------
    mean, std : ndarray of shape (m,)
    """
    values = np.asarray(values, dtype=float)
    mean = values.mean(axis=0)
    std = values.std(axis=0)
    return mean, np.where(std > 0, std, 1.0)


def zscore(values: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Z-score of each column of `values`, by the columns of `reference` (default: itself).

    The mean of z-scores is the z-score of the mean, so aggregated rows can be
    scored with the statistics of every sample (``reference``).
    """
    mean, std = zscore_columns(values if reference is None else reference)
    return (np.asarray(values, dtype=float) - mean) / std


def column_linkage(values: np.ndarray) -> np.ndarray:
    """Linkage of the columns: :data:`COLUMN_METHOD` linkage, :data:`COLUMN_METRIC` distance.

    Parameters
    ----------
    values : ndarray of shape (n, m), m >= 2

    Returns
    -------
    Z : ndarray of shape (m - 1, 4)
        ``scipy.cluster.hierarchy.linkage(values.T, 'complete', 'euclidean')``.
    """
    values = np.asarray(values, dtype=float)
    if values.shape[1] < 2:
        raise ValueError("clustering columns needs at least two columns")
    return linkage(values.T, method=COLUMN_METHOD, metric=COLUMN_METRIC)


def row_colour_indices(
    tree: TreeIndex, groups: RowGroups, roots: np.ndarray, root_colours: np.ndarray, pure
) -> np.ndarray:
    """Palette index of each row: its cluster's, or ``ABOVE`` for a row of several clusters.

    Parameters
    ----------
    tree : TreeIndex
    groups : RowGroups
    roots : ndarray of int
        Cluster roots, left to right (:meth:`TreeIndex.partition_roots`).
    root_colours : ndarray of int
        Palette index of each root (:func:`hclust.cut.assign_colours`).
    pure : ndarray of bool, shape (2n - 1,)
        Nodes whose samples share one cluster.

    Returns
    -------
    ndarray of int, one per row
    """
    owner = np.searchsorted(tree.start[roots], groups.start, side="right") - 1
    colours = np.asarray(root_colours, dtype=np.int64)[np.clip(owner, 0, len(roots) - 1)]
    return np.where(pure[groups.nodes], colours, ABOVE)
