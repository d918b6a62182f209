"""Cuts at several levels: a partition edited cluster by cluster.

A flat partition of the tree is a set of *cluster roots*: nodes whose subtrees
hold the clusters, covering every sample once. A cut at one height gives one
such set; splitting a cluster at its own highest merge, or merging the clusters
under one merge back into one, gives others that no single height gives.

Edits are kept as a short list of ``(action, node)`` pairs replayed on the roots
of the cut they started from, so a stored partition is a few numbers whatever
the size of the data, and every replay checks each edit against the tree.
Labels are numbered by scipy's own ``fcluster`` (criterion ``'monocrit'``), so
an edited partition that a height also gives is numbered exactly as that cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster

from .cut import TreeIndex, above_top, cut_in_gap
from .errors import InputError

SPLIT = "split"
MERGE = "merge"
ACTIONS = (SPLIT, MERGE)
# A stored list of edits longer than this is refused: a person makes a few.
MAX_EDITS = 200


@dataclass(frozen=True)
class Edit:
    """One change to a partition.

    Attributes
    ----------
    action : {'split', 'merge'}
        ``'split'`` replaces the cluster rooted at `node` by its two children;
        ``'merge'`` joins every cluster under the merge `node` into one.
    node : int
        A node id of the tree (scipy's numbering: merge ``i`` is ``n + i``).
    """

    action: str
    node: int

    def as_list(self) -> list:
        return [self.action, int(self.node)]


def _children(tree: TreeIndex, Z: np.ndarray, node: int) -> tuple[int, int]:
    row = Z[node - tree.n]
    return int(row[0]), int(row[1])


def _roots_under(tree: TreeIndex, roots: np.ndarray, node: int) -> np.ndarray:
    """The roots whose subtrees lie inside `node`'s (spans are nested or apart)."""
    lo, hi = tree.start[node], tree.start[node] + tree.size[node]
    inside = (tree.start[roots] >= lo) & (tree.start[roots] + tree.size[roots] <= hi)
    return roots[inside]


def cluster_root_of(tree: TreeIndex, roots: np.ndarray, node: int) -> int | None:
    """The root of the cluster that holds `node`, or None when `node` lies above clusters.

    Parameters
    ----------
    tree : TreeIndex
    roots : ndarray
        The partition's cluster roots.
    node : int
        Any node id.
    """
    lo, hi = tree.start[node], tree.start[node] + tree.size[node]
    holds = (tree.start[roots] <= lo) & (tree.start[roots] + tree.size[roots] >= hi)
    found = roots[holds]
    return int(found[0]) if len(found) else None


def apply_edit(tree: TreeIndex, Z: np.ndarray, roots: np.ndarray, edit: Edit) -> np.ndarray:
    """The roots after one edit, left to right.

    Raises
    ------
    InputError
        When the edit does not apply: a split of a node that is not a cluster
        of more than one sample, or a merge of a node that is already inside
        one cluster.
    """
    n = tree.n
    node = int(edit.node)
    if not 0 <= node < 2 * n - 1:
        raise InputError(f"Merge {node} is not in this tree of {n:,} samples.")
    if edit.action == SPLIT:
        if node not in set(roots.tolist()):
            raise InputError(
                f"Node {node} is not a whole cluster of the current partition, so it cannot be split."
            )
        if node < n:
            raise InputError("A cluster of one sample cannot be split.")
        left, right = _children(tree, Z, node)
        kept = roots[roots != node]
        updated = np.concatenate([kept, [left, right]])
    elif edit.action == MERGE:
        if node < n or cluster_root_of(tree, roots, node) is not None:
            raise InputError(
                "The samples under that merge are already one cluster; choose a merge that joins "
                "two clusters or more."
            )
        under = _roots_under(tree, roots, node)
        updated = np.concatenate([roots[~np.isin(roots, under)], [node]])
    else:
        raise InputError(f"Unknown edit '{edit.action}'. Choose one of: {', '.join(ACTIONS)}.")
    updated = updated.astype(np.int64)
    return updated[np.argsort(tree.start[updated], kind="stable")]


def replay(tree: TreeIndex, Z: np.ndarray, roots: np.ndarray, edits) -> np.ndarray:
    """The roots after every edit in order, each checked against the tree.

    Parameters
    ----------
    tree : TreeIndex
    Z : ndarray
        The linkage `tree` was built from.
    roots : ndarray
        The roots of the cut the edits started from.
    edits : sequence of Edit

    Raises
    ------
    InputError
        When there are more than :data:`MAX_EDITS` edits, or one does not apply
        (the message says which).
    """
    if len(edits) > MAX_EDITS:
        raise InputError(f"At most {MAX_EDITS} splits and merges are kept; got {len(edits)}.")
    roots = np.asarray(roots, dtype=np.int64)
    for number, edit in enumerate(edits, start=1):
        try:
            roots = apply_edit(tree, Z, roots, edit)
        except InputError as error:
            raise InputError(f"Edit {number} ({edit.action} {edit.node}): {error}") from None
    return roots


def labels_from_roots(tree: TreeIndex, Z: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """Flat labels 1..k of the partition with these cluster roots, numbered as scipy numbers them.

    A merge is inside a cluster when its subtree lies inside one root's; ``fcluster``
    with criterion ``'monocrit'``, given 0 for merges inside and 1 for the rest
    (a monotone statistic) and threshold 0.5, forms exactly these clusters.

    Parameters
    ----------
    tree : TreeIndex
    Z : ndarray
    roots : ndarray
        Cluster roots covering every sample once.

    Returns
    -------
    ndarray of int, shape (n,)
    """
    n = tree.n
    roots = np.asarray(roots, dtype=np.int64)
    if n == 1:
        return np.ones(1, dtype=np.int32)
    cluster_at = np.empty(n, dtype=np.int64)
    for index, root in enumerate(roots.tolist()):
        cluster_at[tree.start[root] : tree.start[root] + tree.size[root]] = index
    changes = np.concatenate([[0], np.cumsum(cluster_at[1:] != cluster_at[:-1])])
    merges = np.arange(n, 2 * n - 1)
    end = tree.start[merges] + tree.size[merges] - 1
    inside = changes[end] == changes[tree.start[merges]]
    monocrit = np.where(inside, 0.0, 1.0)
    return fcluster(Z, 0.5, criterion="monocrit", monocrit=monocrit)


def single_height(tree: TreeIndex, roots: np.ndarray) -> float | None:
    """A cut height that gives exactly this partition, or None when no single height does.

    A height h gives it when every root's merge is at or below h and every
    root's parent merges above h. A height inside that gap is returned (its
    middle when a float lies strictly inside), or one above the top merge when the
    partition is the whole tree.
    """
    roots = np.asarray(roots, dtype=np.int64)
    low = float(tree.node_height[roots].max())
    parents = tree.parent[roots]
    parents = parents[parents >= 0]
    high = float(tree.node_height[parents].min()) if len(parents) else np.inf
    if not high > low:
        return None
    return cut_in_gap(low, high) if np.isfinite(high) else above_top(low)


def edit_partition(tree: TreeIndex, Z: np.ndarray, labels: np.ndarray, edits) -> tuple:
    """The roots and labels of a flat partition after a list of edits.

    Parameters
    ----------
    tree : TreeIndex
    Z : ndarray
    labels : ndarray
        The partition the edits started from, as any ``fcluster`` criterion gives it.
    edits : sequence of Edit

    Returns
    -------
    roots : ndarray
        Left to right.
    labels : ndarray
        Numbered by :func:`labels_from_roots`; `labels` itself when there are no edits.
    """
    roots, _ = tree.partition_roots(labels)
    if not len(edits):
        return roots, labels
    roots = replay(tree, Z, roots, edits)
    return roots, labels_from_roots(tree, Z, roots)


def split_target(tree: TreeIndex, roots: np.ndarray, labels: np.ndarray, chosen) -> int | None:
    """The cluster root a choice on the page asks to split, or None.

    Parameters
    ----------
    chosen : dict or None
        ``{"node": id}`` (a merge clicked: the cluster holding it),
        ``{"cluster": label}``, or ``{"samples": [...]}`` all in one cluster.
    """
    root = _chosen_root(tree, roots, labels, chosen)
    return root if root is not None and root >= tree.n else None


def merge_target(tree: TreeIndex, roots: np.ndarray, labels: np.ndarray, chosen) -> int | None:
    """The merge whose clusters a choice on the page asks to join, or None.

    A merge above the clusters joins every cluster under it; a cluster (or a merge
    inside one) joins its sibling branch, at its root's parent.
    """
    if chosen and "node" in chosen and 0 <= int(chosen["node"]) < 2 * tree.n - 1:
        node = int(chosen["node"])
        if node >= tree.n and cluster_root_of(tree, roots, node) is None:
            return node
    root = _chosen_root(tree, roots, labels, chosen)
    if root is None or tree.parent[root] < 0:
        return None
    return int(tree.parent[root])


def _chosen_root(tree, roots, labels, chosen):
    if not chosen:
        return None
    if "node" in chosen:
        node = int(chosen["node"])
        return cluster_root_of(tree, roots, node) if 0 <= node < 2 * tree.n - 1 else None
    if "cluster" in chosen:
        found = roots[tree.root_labels(roots, labels) == int(chosen["cluster"])]
        return int(found[0]) if len(found) else None
    samples = [int(s) for s in chosen.get("samples") or () if 0 <= int(s) < tree.n]
    if not samples or len(set(labels[samples].tolist())) != 1:
        return None
    return _chosen_root(tree, roots, labels, {"cluster": int(labels[samples[0]])})
