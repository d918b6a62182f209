"""Linkage methods, distance metrics, the rules that tie them, and computing Z.

fastcluster is the backend: its ``linkage_vector`` needs no distance matrix
for the methods that allow it, and its ``linkage`` is a faster drop-in for
scipy's on a condensed matrix. Ward on more than :data:`WARD_CHAIN_ABOVE_N`
observations runs on :func:`hclust.ward.ward_linkage` instead, the same
exact nearest-neighbour chain with a float32 first pass: 2.7x faster than
``linkage_vector`` on 50,000 x 10 (``make bench``). scipy stays the reference
the tests compare to.
"""

from __future__ import annotations

import fastcluster
import numpy as np
from scipy.spatial.distance import pdist

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

# Up to this size fastcluster's Ward takes well under a tenth of a second, and
# a process that never loaded hclust.ward's compiled code (a script, a test,
# a worker that skipped load_compiled) should not pay 0.6-4.5 s to load it.
WARD_CHAIN_ABOVE_N = 2_000

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
    """Compute the linkage matrix Z exactly as ``scipy.cluster.hierarchy.linkage``.

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
    report = progress or (lambda stage: None)
    if (method, metric) in MEMORY_LIGHT_PAIRS and not is_distance_matrix:
        report("linkage")
        if method == "ward" and len(values) > WARD_CHAIN_ABOVE_N:
            return ward_linkage(values)
        return fastcluster.linkage_vector(values, method=method, metric=metric)
    report("distances")
    if is_distance_matrix:
        from scipy.spatial.distance import squareform

        distances = squareform(values, checks=False)
    else:
        distances = condensed_distances(values, metric)
    report("linkage")
    # the distances are our own temporary: letting fastcluster work in place
    # saves it a full copy (measured peak: 3x the matrix with the copy, 2x without)
    return fastcluster.linkage(distances, method=method, preserve_input=False)


def is_monotonic(Z: np.ndarray) -> bool:
    """True when no merge is lower than an earlier one (no inversions)."""
    return bool(np.all(np.diff(Z[:, 2]) >= 0))
