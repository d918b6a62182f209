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


def _quantile_sorted(ordered, starts, sizes, q):
    """numpy's linear quantile `q` of each group (rows) of a sorted, grouped array, per column."""
    position = (sizes - 1) * q
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, sizes - 1)
    fraction = (position - below)[:, None]
    lo, hi = ordered[starts + below], ordered[starts + above]
    return lo + (hi - lo) * fraction


def cluster_profiles(values, labels) -> ClusterProfiles:
    """Mean, median, quartiles and whiskers of each feature within each cluster.

    O(n log n): the rows are grouped by cluster once, each cluster's block is
    sorted column by column, and every statistic of every cluster is then
    read off by index or reduced over the groups at once.

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
    sizes = np.bincount(codes, minlength=len(clusters))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    ordered = values[np.argsort(codes, kind="stable")]
    for start, size in zip(starts.tolist(), sizes.tolist()):
        ordered[start : start + size].sort(axis=0)  # each column of the block, in place
    q1, median, q3 = (_quantile_sorted(ordered, starts, sizes, q) for q in (0.25, 0.5, 0.75))
    group = np.repeat(np.arange(len(clusters)), sizes)
    reach = WHISKER_IQR * (q3 - q1)
    inside = (ordered >= (q1 - reach)[group]) & (ordered <= (q3 + reach)[group])
    # whisker ends: the extreme values inside the fences (the quartiles themselves at worst)
    low = np.minimum.reduceat(np.where(inside, ordered, np.inf), starts, axis=0)
    high = np.maximum.reduceat(np.where(inside, ordered, -np.inf), starts, axis=0)
    return ClusterProfiles(
        clusters=clusters,
        size=sizes,
        mean=np.add.reduceat(ordered, starts, axis=0) / sizes[:, None],
        median=median,
        q1=q1,
        q3=q3,
        low=low,
        high=high,
        minimum=ordered[starts],
        maximum=ordered[starts + sizes - 1],
        outliers=sizes[:, None] - np.add.reduceat(inside, starts, axis=0),
    )
