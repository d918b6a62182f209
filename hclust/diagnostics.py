"""Diagnostics for judging a linkage and a cut, as the tutorial reads them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import cophenet, inconsistent

# imported with the module, not on first use: importing scikit-learn takes about a
# second, which the first quality request of each server process used to pay
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

from .linkage import condensed_distances

# Above this many samples the exact coefficient needs n²/2 distances twice
# over (about 200 MB at 5,000); beyond it a random sample of pairs is used.
EXACT_COPHENETIC_MAX_N = 5_000
COPHENETIC_SAMPLE_PAIRS = 200_000


@dataclass(frozen=True)
class CopheneticResult:
    """Cophenetic correlation and how it was obtained.

    Attributes
    ----------
    coefficient : float
    exact : bool
        False when estimated from ``n_pairs`` random pairs.
    n_pairs : int
    ci_low, ci_high : float
        95 % confidence interval (Fisher z) for an estimate; equal to the
        coefficient when exact.
    """

    coefficient: float
    exact: bool
    n_pairs: int
    ci_low: float
    ci_high: float


def cophenetic_by_method(values, metric, methods, *, is_distance_matrix=False) -> dict:
    """Exact cophenetic correlation of each method on the same data.

    The original distances are computed once for all methods, and only the
    linkage of each, so comparing seven methods costs little more than seven
    linkages. Equal to :func:`cophenetic_correlation` for each.

    Parameters
    ----------
    values : ndarray
        Observations, or a square distance matrix when `is_distance_matrix`.
    metric : str
    methods : iterable of str
        Methods compatible with `metric`.

    Returns
    -------
    dict
        ``{method: coefficient}`` in the order given.
    """
    from scipy.spatial.distance import squareform

    from .linkage import compute_linkage

    distances = (
        squareform(values, checks=False)
        if is_distance_matrix
        else condensed_distances(values, metric)
    )
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN where undefined, as above
        return {
            method: float(
                cophenet(
                    compute_linkage(values, method, metric, is_distance_matrix=is_distance_matrix),
                    distances,
                )[0]
            )
            for method in methods
        }


def cophenetic_correlation(
    Z, values, metric="euclidean", *, is_distance_matrix=False, seed=0
) -> CopheneticResult:
    """Correlation between original distances and the tree's cophenetic distances.

    Exact, as ``scipy.cluster.hierarchy.cophenet(Z, pdist(X))``, up to
    :data:`EXACT_COPHENETIC_MAX_N` samples; above that estimated on random
    pairs, whose cophenetic distance is the height of their lowest common
    merge.

    Parameters
    ----------
    Z : ndarray
    values : ndarray
        The observations (or square distance matrix) Z was computed from.
    metric : str
    is_distance_matrix : bool
    seed : int
        Seed of the pair sample, so an estimate is reproducible.
    """
    n = Z.shape[0] + 1
    if n <= EXACT_COPHENETIC_MAX_N:
        if is_distance_matrix:
            from scipy.spatial.distance import squareform

            original = squareform(values, checks=False)
        else:
            original = condensed_distances(values, metric)
        # undefined (NaN) when either side does not vary: one pair (n = 2), or all
        # distances equal; the page says so rather than showing a number
        with np.errstate(invalid="ignore", divide="ignore"):
            c, _ = cophenet(Z, original)
        n_pairs = n * (n - 1) // 2
        return CopheneticResult(float(c), True, n_pairs, float(c), float(c))
    i, j = random_pairs(n, COPHENETIC_SAMPLE_PAIRS, seed)
    if is_distance_matrix:
        original = values[i, j]
    else:
        original = _paired_distances(values[i], values[j], metric)
    tree_distance = _lowest_common_merge_heights(Z, i, j)
    c = float(np.corrcoef(original, tree_distance)[0, 1])
    half_width = 1.959964 / np.sqrt(COPHENETIC_SAMPLE_PAIRS - 3)
    z = np.arctanh(np.clip(c, -0.999999, 0.999999))
    return CopheneticResult(
        c,
        False,
        COPHENETIC_SAMPLE_PAIRS,
        float(np.tanh(z - half_width)),
        float(np.tanh(z + half_width)),
    )


def _paired_distances(a, b, metric):
    """Distance between a[k] and b[k] for every k, as ``pdist`` defines `metric`."""
    return _PAIRED[metric](a, b)


def _safe_ratio(numerator, denominator):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            denominator == 0, 0.0, numerator / np.where(denominator == 0, 1, denominator)
        )


def _cosine(a, b):
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return 1.0 - (a * b).sum(axis=1) / norms


def _jaccard(a, b):
    # scipy treats the values as booleans: nonzero is true
    a, b = a != 0, b != 0
    return _safe_ratio((a ^ b).sum(axis=1), (a | b).sum(axis=1))


_PAIRED = {
    "euclidean": lambda a, b: np.sqrt(((a - b) ** 2).sum(axis=1)),
    "sqeuclidean": lambda a, b: ((a - b) ** 2).sum(axis=1),
    "cityblock": lambda a, b: np.abs(a - b).sum(axis=1),
    "chebyshev": lambda a, b: np.abs(a - b).max(axis=1),
    "cosine": _cosine,
    "correlation": lambda a, b: _cosine(
        a - a.mean(axis=1, keepdims=True), b - b.mean(axis=1, keepdims=True)
    ),
    "canberra": lambda a, b: _safe_ratio(np.abs(a - b), np.abs(a) + np.abs(b)).sum(axis=1),
    "braycurtis": lambda a, b: np.abs(a - b).sum(axis=1) / np.abs(a + b).sum(axis=1),
    "hamming": lambda a, b: (a != b).mean(axis=1),
    "jaccard": _jaccard,
}


def _lowest_common_merge_heights(Z, i, j):
    """Height of the merge that first joins samples i[k] and j[k], for all k.

    Replays the merges with a union-find. Each component keeps the queries
    still open on it; merging moves only the smaller side's samples and
    queries into the larger (small-to-large), so the whole replay is
    O((n + q) log n) even for chained trees.
    """
    n = Z.shape[0] + 1
    result = np.empty(len(i))
    component = list(
        range(n)
    )  # sample -> component key (a sample id that never changes for the larger side)
    members = {s: [s] for s in range(n)}
    pending = {s: {} for s in range(n)}  # component key -> {query: other sample}
    for q, (a, b) in enumerate(zip(i.tolist(), j.tolist())):
        pending[a][q] = b
        pending[b][q] = a
    key_of_node = list(range(n)) + [0] * (n - 1)
    heights = Z[:, 2].tolist()
    for row, (left, right) in enumerate(Z[:, :2].astype(np.int64).tolist()):
        big, small = key_of_node[left], key_of_node[right]
        if len(members[big]) + len(pending[big]) < len(members[small]) + len(pending[small]):
            big, small = small, big
        open_on_big = pending[big]
        for q, other in pending.pop(small).items():
            if component[other] == big:
                result[q] = heights[row]
                del open_on_big[q]
            else:
                open_on_big[q] = other
        moved = members.pop(small)
        for sample in moved:
            component[sample] = big
        members[big].extend(moved)
        key_of_node[n + row] = big
    return result


def inconsistency_table(Z: np.ndarray, depth: int = 5, last: int = 10) -> np.ndarray:
    """The last `last` rows of ``scipy.cluster.hierarchy.inconsistent(Z, depth)``.

    Columns are the mean and standard deviation of the link heights within
    `depth` levels below each merge, the number of links used, and the
    inconsistency ``(h - mean) / std``.
    """
    return inconsistent(Z, depth)[-last:]


@dataclass(frozen=True)
class Elbow:
    """The tutorial's elbow variant on the last merge distances.

    Attributes
    ----------
    k_axis : ndarray
        1, 2, ... : number of clusters after undoing that many last merges.
    distances : ndarray
        Last merge distances, highest first (aligned with `k_axis`).
    acceleration : ndarray
        Second difference of the distances, aligned with ``k_axis[1:-1]``.
    suggested_k : int
    """

    k_axis: np.ndarray
    distances: np.ndarray
    acceleration: np.ndarray
    suggested_k: int


def elbow(Z: np.ndarray, last: int = 10) -> Elbow:
    """The k where the growth of merge distances accelerates most.

    Exactly the tutorial's computation::

        last = Z[-10:, 2]; acceleration = np.diff(last, 2)
        k = acceleration[::-1].argmax() + 2

    It can never suggest k = 1, and it compares jumps of different branches.
    """
    tail = Z[-last:, 2]
    distances = tail[::-1]
    k_axis = np.arange(1, len(tail) + 1)
    if len(tail) < 3:
        return Elbow(k_axis, distances, np.array([]), 2 if len(tail) else 1)
    acceleration = np.diff(tail, 2)[::-1]
    return Elbow(k_axis, distances, acceleration, int(acceleration.argmax() + 2))


# Silhouette needs all pairwise distances; above this it is computed on a
# stated random sample so a request stays fast and memory stays bounded.
SILHOUETTE_SAMPLE = 3_000


# Silhouette, Calinski-Harabasz and Davies-Bouldin are defined for 2 <= k <= n - 1.
QUALITY_MIN_K = 2


# The quality plot's largest k when the page opens; small data has it computed with the linkage.
DEFAULT_LARGEST_K = 10


def quality_k_range(n: int, max_k: int) -> np.ndarray:
    """The k = 2..min(`max_k`, n - 1) the quality indices are defined for; empty for n <= 2."""
    return np.arange(QUALITY_MIN_K, min(int(max_k), n - 1) + 1)


@dataclass(frozen=True)
class QualityPerK:
    """Internal validity indices for k = 2..K clusters.

    Attributes
    ----------
    k : ndarray
        2..min(max_k, n - 1): the indices are undefined for k = n (every
        sample alone), so two samples give no k at all (an empty array).
    silhouette, calinski_harabasz, davies_bouldin : ndarray
        NaN where a k could not be formed exactly (ties).
    silhouette_sample : int or None
        Size of the random sample silhouette used, None when exact.
    """

    k: np.ndarray
    silhouette: np.ndarray
    calinski_harabasz: np.ndarray
    davies_bouldin: np.ndarray
    silhouette_sample: int | None


def quality_per_k(Z, values, metric="euclidean", max_k=10, *, seed=0, progress=None) -> QualityPerK:
    """Silhouette, Calinski-Harabasz and Davies-Bouldin for k = 2..`max_k`.

    Labels for each k come from ``fcluster(Z, k, 'maxclust')``; a k that ties
    make unreachable gets NaN. Only k <= n - 1 are scored (see
    :func:`quality_k_range`): with two samples there is none. scikit-learn computes the indices; silhouette
    uses `metric`, the other two are defined in Euclidean space.

    Parameters
    ----------
    progress : callable, optional
        Called with (done, total) after each k.
    """
    from scipy.cluster.hierarchy import fcluster

    n = Z.shape[0] + 1
    ks = quality_k_range(n, max_k)
    sample = SILHOUETTE_SAMPLE if n > SILHOUETTE_SAMPLE else None
    sil, ch, db = (np.full(len(ks), np.nan) for _ in range(3))
    if not len(ks):
        return QualityPerK(ks, sil, ch, db, sample)
    silhouette_metric = "euclidean" if metric == "sqeuclidean" else metric
    silhouette_input = values
    if sample is None:
        # every k needs the same n × n distances: compute them once, not once per k
        from scipy.spatial.distance import pdist, squareform

        silhouette_input, silhouette_metric = (
            squareform(pdist(values, silhouette_metric)),
            "precomputed",
        )
    for j, k in enumerate(ks):
        labels = fcluster(Z, k, criterion="maxclust")
        if len(np.unique(labels)) == k:
            sil[j] = silhouette_score(
                silhouette_input,
                labels,
                metric=silhouette_metric,
                sample_size=sample,
                random_state=seed,
            )
            ch[j] = calinski_harabasz_score(values, labels)
            db[j] = davies_bouldin_score(values, labels)
        if progress:
            progress(j + 1, len(ks))
    return QualityPerK(ks, sil, ch, db, sample)


def cluster_summary(values, labels, feature_names):
    """One row per flat cluster: size, feature means and within-cluster sum of squares.

    Returns
    -------
    list of dict
        Keys ``cluster``, ``size``, ``wcss`` and one ``mean <feature>`` per
        feature, ordered by cluster label.
    """
    rows = []
    for label in np.unique(labels):
        members = values[labels == label]
        centre = members.mean(axis=0)
        row = {
            "cluster": int(label),
            "size": int(len(members)),
            "wcss": float(((members - centre) ** 2).sum()),
        }
        row.update({f"mean {name}": float(v) for name, v in zip(feature_names, centre)})
        rows.append(row)
    return rows


def random_pairs(n: int, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` pairs of distinct samples, drawn uniformly with replacement.

    Parameters
    ----------
    n : int
        Number of samples (at least 2).
    count : int
    seed : int
        For ``numpy.random.default_rng``: the same seed draws the same pairs.

    Returns
    -------
    i, j : ndarray of int
        ``i[k] != j[k]``; each ordered pair of distinct samples is equally likely.
    """
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, count)
    j = rng.integers(0, n - 1, count)
    return i, np.where(j >= i, j + 1, j)  # j skips i: uniform over j != i


def cophenetic_pairs_sample(
    Z, values, metric="euclidean", *, is_distance_matrix=False, max_pairs=5_000, seed=0
):
    """Original and cophenetic distances of up to `max_pairs` random pairs, for a plot.

    Returns
    -------
    original, cophenetic : ndarray
    sampled : bool
        True when fewer than all pairs are returned.
    """
    n = Z.shape[0] + 1
    total = n * (n - 1) // 2
    i, j = np.triu_indices(n, 1) if total <= max_pairs else random_pairs(n, max_pairs, seed)
    original = (
        values[i, j] if is_distance_matrix else _paired_distances(values[i], values[j], metric)
    )
    return original, _lowest_common_merge_heights(Z, i, j), total > max_pairs
