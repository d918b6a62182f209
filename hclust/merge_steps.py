"""Merges one at a time: the clusters after i merges, and what decided each merge's height.

For every linkage method the height ``Z[i, 2]`` of a merge is a distance between
the two clusters it joins. This module recomputes that distance from the data
and says what decided it, so a student can see why two clusters merged:

========== ==========================================================================
method     what decides the distance between clusters A and B
========== ==========================================================================
single     the closest pair (a, b), a in A, b in B
complete   the farthest pair
average    the mean over all |A|·|B| pairs
weighted   a weighted mean over pairs: each merge halves the weight of both its sides
centroid   the distance between the centroids (means) of A and B
median     the distance between the centres, each the midpoint of its two children
ward       the centroids: sqrt(2·ΔESS), ΔESS = |A||B|/(|A|+|B|)·‖c_A − c_B‖², the increase
           in the within-cluster sum of squares
========== ==========================================================================

The same distance between any two current clusters serves the "predict the
next merge" exercise (:func:`check_prediction`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist

from .cut import TreeIndex
from .dendrogram import members
from .errors import InputError

# Pairs of samples measured at most for one cluster distance: a pair-based method
# on two clusters of 2,000 samples each is 4 M distances (32 MB, about 0.1 s).
MAX_PAIRS = 4_000_000
CENTRE_METHODS = frozenset({"centroid", "median", "ward"})
# Relative tolerance for "the same height": a distance recomputed along other
# arithmetic than scipy's agrees to rounding, not to the last bit.
TIE_RELATIVE = 1e-9

RULES = {
    "single": "single linkage: the distance of the closest pair, one sample from each cluster",
    "complete": "complete linkage: the distance of the farthest pair, one sample from each cluster",
    "average": "average linkage: the mean distance over all pairs, one sample from each cluster",
    "weighted": (
        "weighted linkage: the mean of the distances from the two halves of the newer cluster, "
        "so each merge halves the weight of both its sides"
    ),
    "centroid": "centroid linkage: the distance between the clusters' centroids (means)",
    "median": (
        "median linkage: the distance between the clusters' centres, each the midpoint "
        "of its two children's centres"
    ),
    "ward": (
        "ward linkage: √(2·ΔESS), where ΔESS = |A||B|/(|A|+|B|)·‖c_A − c_B‖² is the "
        "increase in the within-cluster sum of squares"
    ),
}


def clusters_after(tree: TreeIndex, i: int) -> tuple[np.ndarray, np.ndarray]:
    """The clusters after the first `i` merges (rows ``Z[0] .. Z[i-1]``).

    Parameters
    ----------
    tree : TreeIndex
    i : int
        Number of merges done, ``0 <= i <= n - 1``.

    Returns
    -------
    roots : ndarray of int
        Node id of each cluster (a sample ``< n`` or merge ``n + j`` with ``j < i``),
        left to right in dendrogram order.
    node_of_sample : ndarray of int, shape (n,)
        The cluster (node id) each sample is in.
    """
    n = tree.n
    if not 0 <= i <= n - 1:
        raise ValueError(f"i must be within 0 … {n - 1}")
    nodes = np.arange(2 * n - 1)
    made = nodes < n + i
    # a cluster is made and not yet merged: its parent is made at step i or later
    open_ = (tree.parent < 0) | (tree.parent >= n + i)
    roots = nodes[made & open_]
    roots = roots[np.argsort(tree.start[roots], kind="stable")]
    node_of_sample = np.empty(n, dtype=np.int64)
    node_of_sample[tree.leaf_order] = np.repeat(roots, tree.size[roots])
    return roots, node_of_sample


def halving_weights(Z: np.ndarray, node: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples under `node` and their weights 2^-depth (depth below `node`).

    The weights sum to 1. They are what the weighted (WPGMA) and median (WPGMC)
    linkages give each sample: every merge averages its two sides equally.
    """
    n = Z.shape[0] + 1
    samples, weights = [], []
    stack = [(int(node), 1.0)]
    while stack:
        current, weight = stack.pop()
        if current < n:
            samples.append(current)
            weights.append(weight)
        else:
            a, b = Z[current - n, :2].astype(np.int64).tolist()
            stack.append((a, weight / 2))
            stack.append((b, weight / 2))
    return np.asarray(samples, dtype=np.int64), np.asarray(weights)


@dataclass(frozen=True)
class ClusterDistance:
    """The distance between two clusters under a linkage method, and what decided it.

    Attributes
    ----------
    method, metric : str
    a, b : int
        Node ids of the two clusters.
    size_a, size_b : int
    distance : float
        The linkage distance between them, as ``scipy.cluster.hierarchy.linkage``
        computes it.
    pair : tuple of int or None
        single / complete: the samples of the closest / farthest pair.
    n_pairs : int or None
        Number of pairs averaged (average, weighted).
    centre_a, centre_b : ndarray or None
        centroid / ward: the centroids; median: the centres. None for a distance
        matrix, which has no coordinates.
    ward_increase : float or None
        ward: ΔESS, the increase in the within-cluster sum of squares.
    """

    method: str
    metric: str
    a: int
    b: int
    size_a: int
    size_b: int
    distance: float
    pair: tuple | None = None
    n_pairs: int | None = None
    centre_a: np.ndarray | None = None
    centre_b: np.ndarray | None = None
    ward_increase: float | None = None


def _pair_distances(values, is_distance_matrix, metric, rows, cols):
    if len(rows) * len(cols) > MAX_PAIRS:
        raise InputError(
            f"These two clusters have {len(rows):,} × {len(cols):,} pairs of samples, more than "
            f"the {MAX_PAIRS:,} measured for one merge; step to an earlier merge or use a sample."
        )
    if is_distance_matrix:
        return values[np.ix_(rows, cols)]
    return cdist(values[rows], values[cols], metric=metric)


def cluster_distance(
    values: np.ndarray,
    Z: np.ndarray,
    tree: TreeIndex,
    method: str,
    metric: str,
    a: int,
    b: int,
    *,
    is_distance_matrix: bool = False,
) -> ClusterDistance:
    """The linkage distance between the clusters under nodes `a` and `b`.

    Parameters
    ----------
    values : ndarray
        The observations the linkage was computed from, shape (n, m), or a square
        distance matrix when `is_distance_matrix`.
    Z : ndarray
        The linkage matrix (for the weighted and median methods, whose distance
        depends on the order of earlier merges).
    tree : TreeIndex
        Of `Z`.
    method, metric : str
    a, b : int
        Node ids of two disjoint clusters.

    Returns
    -------
    ClusterDistance

    Raises
    ------
    InputError
        When a pair-based method would measure more than :data:`MAX_PAIRS` pairs.
    """
    a, b = int(a), int(b)
    rows, cols = members(tree, a), members(tree, b)
    common = dict(method=method, metric=metric, a=a, b=b, size_a=len(rows), size_b=len(cols))
    if method in ("single", "complete", "average"):
        d = _pair_distances(values, is_distance_matrix, metric, rows, cols)
        if method == "average":
            return ClusterDistance(**common, distance=float(d.mean()), n_pairs=d.size)
        flat = int(np.argmin(d) if method == "single" else np.argmax(d))
        r, c = np.unravel_index(flat, d.shape)
        pair = (int(rows[r]), int(cols[c]))
        return ClusterDistance(**common, distance=float(d[r, c]), pair=pair)
    if method == "weighted":
        rows, wa = halving_weights(Z, a)
        cols, wb = halving_weights(Z, b)
        d = _pair_distances(values, is_distance_matrix, metric, rows, cols)
        return ClusterDistance(**common, distance=float(wa @ d @ wb), n_pairs=d.size)
    if method not in CENTRE_METHODS:
        raise ValueError(f"unknown method {method!r}")
    if method == "median":
        rows, wa = halving_weights(Z, a)
        cols, wb = halving_weights(Z, b)
    else:
        wa = np.full(len(rows), 1 / len(rows))
        wb = np.full(len(cols), 1 / len(cols))
    if is_distance_matrix:
        # ‖c_A − c_B‖² from squared distances alone, the identity behind Lance–Williams
        squared = lambda r, c: _pair_distances(values, True, metric, r, c) ** 2  # noqa: E731
        gap2 = (
            wa @ squared(rows, cols) @ wb
            - 0.5 * wa @ squared(rows, rows) @ wa
            - 0.5 * wb @ squared(cols, cols) @ wb
        )
        centre_a = centre_b = None
    else:
        centre_a, centre_b = wa @ values[rows], wb @ values[cols]
        gap2 = float(np.sum((centre_a - centre_b) ** 2))
    gap2 = max(float(gap2), 0.0)
    if method == "ward":
        increase = len(rows) * len(cols) / (len(rows) + len(cols)) * gap2
        return ClusterDistance(
            **common,
            distance=float(np.sqrt(2 * increase)),
            centre_a=centre_a,
            centre_b=centre_b,
            ward_increase=float(increase),
        )
    return ClusterDistance(
        **common, distance=float(np.sqrt(gap2)), centre_a=centre_a, centre_b=centre_b
    )


def merge_distance(values, Z, tree, method, metric, i, *, is_distance_matrix=False):
    """:func:`cluster_distance` of the two clusters merged in row ``Z[i]``."""
    a, b = Z[i, :2].astype(np.int64).tolist()
    return cluster_distance(
        values, Z, tree, method, metric, a, b, is_distance_matrix=is_distance_matrix
    )


def same_height(x: float, y: float, scale: float) -> bool:
    """Equal to rounding, relative to `scale` (the tree's largest height)."""
    return abs(x - y) <= TIE_RELATIVE * max(abs(scale), abs(x), abs(y), 1e-300)


@dataclass(frozen=True)
class Prediction:
    """Verdict on a guess of the next merge.

    Attributes
    ----------
    right : bool
        The guessed clusters are the ones ``Z[i]`` merges.
    tie : bool
        Not those, but at the same distance: an equally valid next merge that
        scipy broke the other way.
    guessed, actual : ClusterDistance
    """

    right: bool
    tie: bool
    guessed: ClusterDistance
    actual: ClusterDistance


def check_prediction(
    values, Z, tree, method, metric, i, a, b, *, is_distance_matrix=False
) -> Prediction:
    """Judge a guess that clusters `a` and `b` (node ids) merge at step `i`.

    Raises
    ------
    InputError
        When `a` and `b` are not two different clusters after `i` merges.
    """
    roots, _ = clusters_after(tree, i)
    a, b = int(a), int(b)
    if a == b or a not in set(roots.tolist()) or b not in set(roots.tolist()):
        raise InputError(f"Pick two different clusters that exist after {i} merges.")
    actual = merge_distance(
        values, Z, tree, method, metric, i, is_distance_matrix=is_distance_matrix
    )
    if {a, b} == {actual.a, actual.b}:
        return Prediction(True, False, actual, actual)
    guessed = cluster_distance(
        values, Z, tree, method, metric, a, b, is_distance_matrix=is_distance_matrix
    )
    tie = same_height(guessed.distance, float(Z[i, 2]), float(np.max(np.abs(Z[:, 2]))))
    return Prediction(False, tie, guessed, actual)


def format_height(value: float, digits: int = 4) -> str:
    """A height as a person reads it: ``1,262``, ``17.12``, ``0.1701``; never ``1.26e+03``."""
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    magnitude = int(np.floor(np.log10(abs(value))))
    decimals = max(digits - 1 - magnitude, 0)
    text = f"{round(value, decimals):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def valid_pins(pins, n_merges: int) -> list:
    """The pinned merges a page sent: at most two distinct rows of Z, in pin order.

    Anything else (not a list, not a whole number, outside ``0 .. n_merges - 1``) is dropped.
    """
    if not isinstance(pins, list):
        return []
    kept = []
    for pin in pins:
        if isinstance(pin, int) and not isinstance(pin, bool) and 0 <= pin < n_merges:
            if pin not in kept:
                kept.append(pin)
    return kept[-2:]
