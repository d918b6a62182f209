"""Cluster profiles: each feature's distribution per cluster, in the file's own units.

The statistics are computed here, on the server, so a box plot of 100,000
rows travels as five numbers per cluster and feature instead of the rows.
Quartiles use numpy's default (linear interpolation, ``np.percentile``'s
``method='linear'``); whiskers follow Tukey's rule as plotly draws it: the
most extreme values within 1.5 × IQR of the quartiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WHISKER_IQR = 1.5


@dataclass(frozen=True)
class ClusterProfiles:
    """Per-cluster statistics of every feature.

    Attributes
    ----------
    clusters : ndarray of shape (k,)
        Cluster labels, sorted.
    size : ndarray of int, shape (k,)
    mean, median, q1, q3, low, high, minimum, maximum : ndarray of shape (k, m)
        ``low`` and ``high`` are the whiskers' ends (Tukey's 1.5 × IQR rule).
    outliers : ndarray of int, shape (k, m)
        How many values lie beyond the whiskers (not sent, only counted).
    """

    clusters: np.ndarray
    size: np.ndarray
    mean: np.ndarray
    median: np.ndarray
    q1: np.ndarray
    q3: np.ndarray
    low: np.ndarray
    high: np.ndarray
    minimum: np.ndarray
    maximum: np.ndarray
    outliers: np.ndarray


def _quantile_sorted(sorted_values, starts, sizes, q):
    """numpy's linear quantile `q` of each group of an already sorted, grouped array."""
    position = (sizes - 1) * q
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, sizes - 1)
    fraction = position - below
    lo, hi = sorted_values[starts + below], sorted_values[starts + above]
    return lo + (hi - lo) * fraction


def cluster_profiles(values, labels) -> ClusterProfiles:
    """Mean, median, quartiles and whiskers of each feature within each cluster.

    O(m · n log n): one sort per feature of all rows grouped by cluster, then
    every statistic of every cluster read off by index.

    Parameters
    ----------
    values : ndarray of shape (n, m)
        The features in the units to report (the file's, before scaling).
    labels : array_like of shape (n,)
        Flat cluster label of each row.

    Returns
    -------
    ClusterProfiles

    Raises
    ------
    ValueError
        When `labels` does not give one label per row.
    """
    values = np.asarray(values, dtype=float)
    labels = np.asarray(labels)
    if values.ndim != 2 or labels.shape != (values.shape[0],):
        raise ValueError("values must be (n, m) and labels give one label per row")
    clusters, codes = np.unique(labels, return_inverse=True)
    codes = codes.ravel()
    k, m = len(clusters), values.shape[1]
    sizes = np.bincount(codes, minlength=k)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    stats = {
        name: np.empty((k, m))
        for name in ("mean", "median", "q1", "q3", "low", "high", "minimum", "maximum")
    }
    outliers = np.empty((k, m), dtype=np.int64)
    for j in range(m):
        column = values[:, j]
        order = np.lexsort((column, codes))  # by cluster, then by value
        ordered = column[order]
        q1, median, q3 = (_quantile_sorted(ordered, starts, sizes, q) for q in (0.25, 0.5, 0.75))
        reach = WHISKER_IQR * (q3 - q1)
        group = codes[order]
        inside = (ordered >= (q1 - reach)[group]) & (ordered <= (q3 + reach)[group])
        # whisker ends: the extreme values inside the fences (the quartiles at worst)
        low = np.full(k, np.inf)
        high = np.full(k, -np.inf)
        np.minimum.at(low, group[inside], ordered[inside])
        np.maximum.at(high, group[inside], ordered[inside])
        stats["mean"][:, j] = np.bincount(codes, weights=column, minlength=k) / sizes
        stats["median"][:, j], stats["q1"][:, j], stats["q3"][:, j] = median, q1, q3
        stats["low"][:, j], stats["high"][:, j] = low, high
        stats["minimum"][:, j] = ordered[starts]
        stats["maximum"][:, j] = ordered[starts + sizes - 1]
        outliers[:, j] = sizes - np.bincount(group[inside], minlength=k)
    return ClusterProfiles(clusters=clusters, size=sizes, outliers=outliers, **stats)
