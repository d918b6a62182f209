"""Linkage methods, distance metrics, the rules that tie them, and computing Z.

Up to :data:`SCIPY_TREE_MAX_N` samples (everything clustered inside a
request), Z is ``scipy.cluster.hierarchy.linkage``'s own, ties and their
order included: a page can be checked against a notebook. Larger data runs
on faster backends (:func:`large_linkage`): fastcluster's ``linkage_vector``
needs no distance matrix for the methods that allow it, its ``linkage`` is a
faster drop-in for scipy's on a condensed matrix, and Ward runs on
:func:`hclust.ward.ward_linkage`, the same exact nearest-neighbour chain with a
float32 first pass (2.7x faster than ``linkage_vector`` on 50,000 x 10,
``make bench``). These agree with scipy's heights to rounding and give its
partitions, except where distances tie: a tie may be broken another way, which
gives another, equally valid tree. :func:`tie_note` says when that can be.
"""

from __future__ import annotations

import fastcluster
import numpy as np
from scipy.cluster.hierarchy import linkage as scipy_linkage
from scipy.spatial.distance import pdist, squareform

from .errors import InputError
from .ward import ward_linkage

METHODS = ("single", "complete", "average", "weighted", "centroid", "median", "ward")

METHOD_DESCRIPTIONS = {
    "single": "nearest pair of points (chains easily)",
    "complete": "farthest pair of points",
    "average": "mean distance between all pairs (UPGMA)",
    "weighted": "mean of the two merged clusters' distances (WPGMA)",
    "centroid": "distance between centroids (may invert)",
    "median": "distance between merged midpoints (may invert)",
    "ward": "least increase of within-cluster variance",
}

# pdist metrics that make sense on numeric feature vectors.
METRICS = (
    "euclidean",
    "sqeuclidean",
    "cityblock",
    "chebyshev",
    "cosine",
    "correlation",
    "canberra",
    "braycurtis",
    "hamming",
    "jaccard",
)

# scipy computes these by updating centroids, which is only meaningful in
# Euclidean space; scipy refuses any other metric for them.
EUCLIDEAN_ONLY_METHODS = frozenset({"centroid", "median", "ward"})

# fastcluster.linkage_vector works from observations in O(n·m) memory for
# these pairs; everything else needs the condensed distance matrix.
MEMORY_LIGHT_PAIRS = frozenset(
    {
        ("single", "euclidean"),
        ("ward", "euclidean"),
        ("centroid", "euclidean"),
        ("median", "euclidean"),
    }
)

# Up to this size scipy computes Z itself: its tree, tie order included, in a
# small part of a second (its n(n-1)/2 distances are 16 MB at 2,000). It covers
# everything the page clusters inside a request (callbacks.clustering.INLINE_MAX_N);
# a process that never loaded hclust.ward's compiled code (a script, a test, a
# worker that skipped load_compiled) does not pay 0.6-4.5 s to load it.
SCIPY_TREE_MAX_N = 2_000

DEFAULT_METHOD = "ward"
DEFAULT_METRIC = "euclidean"


def compatible_metrics(method: str) -> tuple:
    """Metrics scipy accepts together with `method`."""
    return ("euclidean",) if method in EUCLIDEAN_ONLY_METHODS else METRICS


def validate_method_metric(method: str, metric: str) -> None:
    """Raise :class:`InputError` unless scipy accepts `method` with `metric`.

    Values come from the browser and are never trusted: both are checked
    against the allow-lists before anything is computed.
    """
    if method not in METHODS:
        raise InputError(f"Unknown linkage method '{method}'. Choose one of: {', '.join(METHODS)}.")
    if metric not in METRICS:
        raise InputError(
            f"Unknown distance metric '{metric}'. Choose one of: {', '.join(METRICS)}."
        )
    if method in EUCLIDEAN_ONLY_METHODS and metric != "euclidean":
        raise InputError(
            f"Method '{method}' requires the distance metric to be euclidean, not '{metric}': "
            "it merges clusters by their centroids, which only exist in Euclidean space."
        )


def condensed_distances(values: np.ndarray, metric: str) -> np.ndarray:
    """Condensed pairwise distances, refusing metrics that yield NaN.

    Parameters
    ----------
    values : ndarray of shape (n, m)
    metric : str
        One of :data:`METRICS`.

    Returns
    -------
    ndarray of shape (n * (n - 1) / 2,)
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        distances = pdist(values, metric=metric)
    if not np.all(np.isfinite(distances)):
        bad_rows = _rows_giving_nan(values, metric)
        shown = ", ".join(str(r) for r in bad_rows[:10])
        more = f" and {len(bad_rows) - 10} more" if len(bad_rows) > 10 else ""
        raise InputError(
            f"The '{metric}' distance is undefined for row(s) {shown}{more} "
            "(all-zero or constant rows); choose another metric or remove those rows."
        )
    return distances


def _rows_giving_nan(values, metric):
    if metric == "cosine":
        bad = ~np.any(values != 0, axis=1)
    elif metric == "correlation":
        bad = np.all(values == values[:, :1], axis=1)
    else:
        bad = ~np.all(np.isfinite(values), axis=1)
    return np.flatnonzero(bad).tolist()


def compute_linkage(
    values: np.ndarray, method: str, metric: str, *, is_distance_matrix=False, progress=None
) -> np.ndarray:
    """The linkage matrix Z of ``scipy.cluster.hierarchy.linkage``.

    Up to :data:`SCIPY_TREE_MAX_N` samples this is scipy's own Z, computed by
    scipy, ties broken as scipy breaks them. Above, :func:`large_linkage`:
    scipy's heights to rounding, and another equally valid tree where
    distances tie.

    Parameters
    ----------
    values : ndarray
        Observations of shape (n, m), or a square distance matrix when
        `is_distance_matrix` is true.
    method, metric : str
        Validated with :func:`validate_method_metric`.
    is_distance_matrix : bool
        `values` already holds distances; they are condensed, not re-measured.
    progress : callable, optional
        Called with ``'distances'`` and ``'linkage'`` as each stage starts.

    Returns
    -------
    Z : ndarray of shape (n - 1, 4)
        ``[idx1, idx2, distance, count]`` per merge, as scipy documents.
    """
    validate_method_metric(method, metric)
    if len(values) > SCIPY_TREE_MAX_N:
        return large_linkage(
            values, method, metric, is_distance_matrix=is_distance_matrix, progress=progress
        )
    report = progress or (lambda stage: None)
    report("distances")
    distances = _condensed(values, metric, is_distance_matrix)
    report("linkage")
    return scipy_linkage(distances, method=method)


def _condensed(values, metric, is_distance_matrix):
    if is_distance_matrix:
        return squareform(values, checks=False)
    return condensed_distances(values, metric)


def large_linkage(
    values: np.ndarray, method: str, metric: str, *, is_distance_matrix=False, progress=None
) -> np.ndarray:
    """Z by the fast backends :func:`compute_linkage` uses for large data (any n >= 2).

    Memory-light pairs on observations run in O(n·m) memory on data centred
    first: a translation changes no Euclidean distance, and centroids of
    data far from the origin (timestamps, coordinates: offsets of 1e6 to
    1e9) would otherwise lose digits to the offset. Identical rows merge at
    exactly 0, as in scipy. Heights agree with scipy's to rounding; where
    distances tie, the tree may be another of the equally valid ones.

    Parameters
    ----------
    values, method, metric, is_distance_matrix, progress
        As for :func:`compute_linkage`.

    Returns
    -------
    Z : ndarray of shape (n - 1, 4)
    """
    validate_method_metric(method, metric)
    report = progress or (lambda stage: None)
    if (method, metric) in MEMORY_LIGHT_PAIRS and not is_distance_matrix:
        report("linkage")
        if method == "ward":
            return ward_linkage(values)  # centres the data itself
        values = np.asarray(values, dtype=np.float64)
        Z = fastcluster.linkage_vector(values - values.mean(axis=0), method=method, metric=metric)
        if method in ("centroid", "median"):
            _zero_identical_merges(Z, values)
        return Z
    report("distances")
    distances = _condensed(values, metric, is_distance_matrix)
    report("linkage")
    # the distances are our own temporary: letting fastcluster work in place
    # saves it a full copy (measured peak: 3x the matrix with the copy, 2x without)
    return fastcluster.linkage(distances, method=method, preserve_input=False)


def _zero_identical_merges(Z, values):
    """Set to 0 the height of every merge of two clusters made only of copies of one row.

    Their centroids are that row, so the merge's exact height is 0, and scipy
    gives exactly 0. ``linkage_vector`` gives about 1e-16 instead: its
    centroid of equal rows can round away from them. In place.
    """
    n = len(values)
    distinct, row_group = np.unique(values, axis=0, return_inverse=True)
    if len(distinct) == n:
        return
    node_group = np.concatenate([row_group.ravel(), np.full(n - 1, -1)]).tolist()
    for i, (a, b) in enumerate(Z[:, :2].astype(np.int64).tolist()):
        if node_group[a] >= 0 and node_group[a] == node_group[b]:
            Z[i, 2] = 0.0
            node_group[n + i] = node_group[a]


# Merge heights this close (relative to the highest) count as tied: a tie
# reached along different arithmetic can differ in the last bits.
TIE_RELATIVE = 1e-12


def tie_note(Z: np.ndarray, values: np.ndarray, *, is_distance_matrix=False) -> str:
    """Why the tree of :func:`large_linkage` may be one of several valid ones, or ''.

    Where distances tie, each way of breaking the tie gives a valid tree, with
    its own partitions and cophenetic correlation; scipy breaks ties one way,
    the fast backends may break them another. Detected cheaply (O(n log n)):
    identical rows, and merge heights that are equal (to :data:`TIE_RELATIVE`
    of the highest). Ties that never surface as equal merge heights (two
    candidates at one distance, only one of them merged then) go unseen.

    Parameters
    ----------
    Z : ndarray
    values : ndarray
        The observations, or square distance matrix, Z was computed from.
    is_distance_matrix : bool

    Returns
    -------
    str
        A short reason, empty when no tie is seen.
    """
    reasons = []
    if not is_distance_matrix and len(np.unique(values, axis=0)) < len(values):
        reasons.append("identical rows")
    heights = np.sort(Z[:, 2])
    if len(heights) > 1:
        gaps = np.diff(heights)
        if np.any(gaps <= TIE_RELATIVE * max(abs(heights[-1]), abs(heights[0]))):
            reasons.append("equal merge heights")
    return " and ".join(reasons)


def is_monotonic(Z: np.ndarray) -> bool:
    """True when no merge is lower than an earlier one (no inversions)."""
    return bool(np.all(np.diff(Z[:, 2]) >= 0))
