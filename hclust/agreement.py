"""How a flat clustering agrees with known classes (a label column).

Everything here starts from the contingency table of cluster × class, built
once in O(n); the adjusted Rand index, normalised mutual information and
purity are then sums over that table, so scoring every k of a tree costs one
cut and one table per k, never a pass over pairs of samples.

The definitions are scikit-learn's: :func:`adjusted_rand` equals
``sklearn.metrics.adjusted_rand_score`` and :func:`normalized_mutual_info`
equals ``sklearn.metrics.normalized_mutual_info_score`` (arithmetic mean of
the two entropies), special cases included.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Contingency:
    """Counts of samples per (cluster, class).

    Attributes
    ----------
    clusters : ndarray of shape (r,)
        The cluster labels, sorted.
    classes : ndarray of shape (c,)
        The class names, sorted.
    table : ndarray of int64, shape (r, c)
        ``table[i, j]`` samples are in cluster ``clusters[i]`` and class ``classes[j]``.
    """

    clusters: np.ndarray
    classes: np.ndarray
    table: np.ndarray

    @property
    def n(self) -> int:
        return int(self.table.sum())


@dataclass(frozen=True)
class Agreement:
    """The three scores of one clustering against the classes.

    Attributes
    ----------
    ari : float
        Adjusted Rand index: 1 for identical partitions, about 0 for chance.
    nmi : float
        Normalised mutual information, in [0, 1].
    purity : float
        Share of samples in their cluster's most common class, in (0, 1].
    n : int
        Samples scored (those with a class).
    """

    ari: float
    nmi: float
    purity: float
    n: int


def contingency(clusters, classes) -> Contingency:
    """The cluster × class table of two labelings of the same samples.

    Parameters
    ----------
    clusters, classes : array_like of shape (n,)
        Any hashable, sortable labels (numbers or strings).

    Returns
    -------
    Contingency

    Raises
    ------
    ValueError
        When the two labelings differ in length.
    """
    clusters, classes = np.asarray(clusters), np.asarray(classes)
    if clusters.shape != classes.shape or clusters.ndim != 1:
        raise ValueError("clusters and classes must be 1-d and of the same length")
    cluster_ids, rows = np.unique(clusters, return_inverse=True)
    class_ids, cols = np.unique(classes, return_inverse=True)
    counts = np.bincount(
        rows.ravel() * len(class_ids) + cols.ravel(), minlength=len(cluster_ids) * len(class_ids)
    )
    return Contingency(cluster_ids, class_ids, counts.reshape(len(cluster_ids), len(class_ids)))


def _pairs(counts) -> int:
    counts = np.asarray(counts, dtype=object)  # Python integers: n² overflows nothing
    return int(sum(c * (c - 1) // 2 for c in counts.ravel().tolist()))


def adjusted_rand(table: np.ndarray) -> float:
    """Adjusted Rand index from a contingency table (Hubert and Arabie, 1985).

    Computed from the pair counts exactly as scikit-learn's
    ``adjusted_rand_score`` does, in integers: 1.0 when no pair is split
    differently by the two labelings (which covers empty data and one
    cluster against one class).

    Parameters
    ----------
    table : ndarray of int, shape (r, c)

    Returns
    -------
    float
    """
    table = np.asarray(table, dtype=np.int64)
    n = int(table.sum())
    together_both = _pairs(table)  # pairs in the same cluster and the same class
    together_cluster = _pairs(table.sum(axis=1))
    together_class = _pairs(table.sum(axis=0))
    # scikit-learn's pair confusion matrix counts ordered pairs: twice these
    tp = 2 * together_both
    fp = 2 * (together_cluster - together_both)
    fn = 2 * (together_class - together_both)
    tn = n * n - n - tp - fp - fn
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _entropy(counts: np.ndarray) -> float:
    counts = counts[counts > 0].astype(float)
    if counts.size <= 1:
        return 0.0
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def normalized_mutual_info(table: np.ndarray) -> float:
    """Normalised mutual information from a contingency table.

    Mutual information divided by the arithmetic mean of the two entropies
    (scikit-learn's default). 1.0 when both labelings put every sample in one
    group; 0.0 when the mutual information is 0.

    Parameters
    ----------
    table : ndarray of int, shape (r, c)

    Returns
    -------
    float
    """
    table = np.asarray(table, dtype=float)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    n_rows, n_cols = int((rows > 0).sum()), int((cols > 0).sum())
    if n_rows == n_cols == 1 or n_rows == n_cols == 0:
        return 1.0
    if n_rows == 1 or n_cols == 1:
        return 0.0
    n = table.sum()
    i, j = np.nonzero(table)
    nij = table[i, j]
    mi = float(np.sum(nij / n * (np.log(nij) + np.log(n) - np.log(rows[i]) - np.log(cols[j]))))
    if abs(mi) < 1e-15:
        return 0.0
    mi = max(mi, 0.0)
    return float(mi / ((_entropy(rows) + _entropy(cols)) / 2))


def purity(table: np.ndarray) -> float:
    """Share of samples that belong to their cluster's most common class.

    Parameters
    ----------
    table : ndarray of int, shape (r, c)

    Returns
    -------
    float
        In (0, 1]; NaN for an empty table.
    """
    table = np.asarray(table)
    n = table.sum()
    if n == 0:
        return float("nan")
    return float(table.max(axis=1).sum() / n)


def agreement(clusters, classes) -> tuple[Contingency, Agreement]:
    """Contingency table and the three scores of `clusters` against `classes`.

    Parameters
    ----------
    clusters, classes : array_like of shape (n,)

    Returns
    -------
    Contingency, Agreement
    """
    found = contingency(clusters, classes)
    return found, Agreement(
        ari=adjusted_rand(found.table),
        nmi=normalized_mutual_info(found.table),
        purity=purity(found.table),
        n=found.n,
    )


@dataclass(frozen=True)
class AgreementPerK:
    """The scores for each k of a tree (NaN where ties make k unreachable)."""

    k: np.ndarray
    ari: np.ndarray
    nmi: np.ndarray
    purity: np.ndarray


def agreement_per_k(tree, classes, max_k: int, keep=None) -> AgreementPerK:
    """Scores of the tree's partitions into k = 2..`max_k` clusters against `classes`.

    Each k is the partition of ``fcluster(Z, k, 'maxclust')``: the cut in the
    gap of merge heights that gives exactly k clusters
    (:func:`hclust.cut.height_for_k`); a k that ties make unreachable (where
    fcluster gives fewer clusters) gets NaN. A flat cluster covers a run of
    the dendrogram's leaf order, so each partition is read off in O(n) without
    calling fcluster, and the scores do not depend on how clusters are numbered.

    Parameters
    ----------
    tree : hclust.cut.TreeIndex
        The tree of n samples.
    classes : array_like of shape (n,) or (keep.sum(),)
        The known class of each sample scored.
    max_k : int
        Largest k; k stops at n - 1, as the quality indices do.
    keep : ndarray of bool, shape (n,), optional
        Samples to score (those with a known class); all by default.

    Returns
    -------
    AgreementPerK
    """
    from .cut import height_for_k

    n = tree.n
    ks = np.arange(2, min(int(max_k), n - 1) + 1)  # as the quality indices: n - 1 at most
    names, codes = np.unique(np.asarray(classes), return_inverse=True)
    sample_class = np.full(n, -1, dtype=np.int64)
    sample_class[slice(None) if keep is None else np.asarray(keep, dtype=bool)] = codes.ravel()
    by_position = sample_class[tree.leaf_order]  # classes in the dendrogram's leaf order
    scored = by_position >= 0
    scores = np.full((3, len(ks)), np.nan)
    for j, k in enumerate(ks):
        cut = height_for_k(tree.sorted_heights, int(k))
        if cut.height is None:
            continue
        roots = tree.cluster_roots(cut.height)  # left to right, each a run of positions
        cluster = np.repeat(np.arange(len(roots)), tree.size[roots])[scored]
        counts = np.bincount(
            cluster * len(names) + by_position[scored], minlength=len(roots) * len(names)
        ).reshape(len(roots), len(names))
        table = counts[counts.sum(axis=1) > 0]
        scores[:, j] = adjusted_rand(table), normalized_mutual_info(table), purity(table)
    return AgreementPerK(ks, *scores)
