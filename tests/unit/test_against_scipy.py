"""The randomized comparison of our core against scipy (#12 section 1).

Hypothesis draws datasets of every kind that broke something once: shapes from
2 rows up, integer and binary data (ties), duplicated rows, extreme scales,
large offsets and groups far apart relative to their spread. For every method
and every metric it allows:

- ``compute_linkage`` (what the page clusters inside a request) is scipy's own
  Z, bit for bit, ties included;
- ``large_linkage`` (the fast backends above 2,000 samples) is a valid greedy
  tree of the method on scipy's own distances, checked merge by merge with the
  Lance-Williams update; where nothing ties it is scipy's tree: the same
  heights, the same partitions at every k and at distance cuts, the same
  cophenetic correlation. Where something ties, ``tie_note`` says so (the page
  shows it);
- every k that ``height_for_k`` offers is k under ``fcluster``'s own rule, and
  every keyboard step crosses a merge;
- the quality indices are computed for every n >= 2.

Two modes. Quick (the default, in ``make test``): 30 datasets per test, up to 30
rows, the same ones every run; about 15 s of CPU. Thorough:
``HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/unit/test_against_scipy.py``,
1,500 random datasets per test (``HYPOTHESIS_MAX_EXAMPLES`` to change it), up to
120 rows; about an hour on two cores.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import cophenet, fcluster, is_valid_linkage, linkage
from scipy.spatial.distance import pdist, squareform

from hclust.cut import height_for_k, monotone_heights, n_clusters_at, step_cut
from hclust.diagnostics import cophenetic_correlation, quality_per_k
from hclust.errors import InputError
from hclust.linkage import METHODS, compatible_metrics, compute_linkage, large_linkage, tie_note

PAIRS = [(method, metric) for method in METHODS for metric in compatible_metrics(method)]
KINDS = ("gaussian", "integers", "binary", "duplicates", "scaled", "offset", "far groups")

# quick: the same examples on every run (derandomized), so `make test` is repeatable
settings.register_profile(
    "quick",
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", 1_500)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
MAX_ROWS = 30 if os.environ.get("HYPOTHESIS_PROFILE", "quick") == "quick" else 120


@st.composite
def datasets(draw):
    """(X, kind): observations of one of the kinds in KINDS."""
    kind = draw(st.sampled_from(KINDS))
    n = draw(st.integers(2, MAX_ROWS))
    m = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if kind == "integers":
        X = rng.integers(0, draw(st.integers(2, 8)), size=(n, m)).astype(float)
    elif kind == "binary":
        X = rng.integers(0, 2, size=(n, m)).astype(float)
    elif kind == "duplicates":
        distinct = rng.normal(size=(draw(st.integers(1, max(1, n // 2))), m))
        X = distinct[rng.integers(0, len(distinct), size=n)]
    elif kind == "scaled":
        X = rng.normal(size=(n, m)) * 10.0 ** draw(st.integers(-100, 100))
    elif kind == "offset":
        X = rng.normal(size=(n, m)) * draw(st.sampled_from([1e-3, 1.0, 1e3]))
        X += 10.0 ** draw(st.floats(6, 9))
    elif kind == "far groups":
        groups = draw(st.integers(2, 4))
        centres = rng.normal(size=(groups, m)) * 10.0 ** draw(st.integers(3, 10))
        X = centres[rng.integers(0, groups, size=n)] + rng.normal(size=(n, m))
    else:
        X = rng.normal(size=(n, m))
    return X, kind


def scipy_distances(X, metric):
    """scipy's pdist, or None where it is not finite (the page refuses those data for that metric)."""
    with np.errstate(all="ignore"):
        distances = pdist(X, metric)
    return distances if np.all(np.isfinite(distances)) else None


def lance_williams(method, d_ik, d_jk, d_ij, s_i, s_j, s_k):
    """Distance from the merge of i and j to k, as scipy updates it (distances, not squares)."""
    if method == "single":
        return np.minimum(d_ik, d_jk)
    if method == "complete":
        return np.maximum(d_ik, d_jk)
    if method == "average":
        return (s_i * d_ik + s_j * d_jk) / (s_i + s_j)
    if method == "weighted":
        return (d_ik + d_jk) / 2
    if method == "ward":
        t = s_i + s_j + s_k
        squared = ((s_i + s_k) * d_ik**2 + (s_j + s_k) * d_jk**2 - s_k * d_ij**2) / t
    elif method == "centroid":
        s = s_i + s_j
        squared = (s_i * d_ik**2 + s_j * d_jk**2) / s - s_i * s_j * d_ij**2 / s**2
    else:  # median
        squared = d_ik**2 / 2 + d_jk**2 / 2 - d_ij**2 / 4
    return np.sqrt(np.maximum(squared, 0))


def assert_valid_greedy_tree(Z, distances, method, atol, rtol=1e-9):
    """Each merge joins two current clusters at their distance, and no other pair is closer.

    The tie-robust check: any way of breaking ties passes, nothing else does.
    Merges are replayed in Z's order, by height for the monotone methods (an
    order a greedy algorithm can take), as they come for centroid and median.
    """
    n = len(Z) + 1
    D = squareform(distances).astype(float)
    np.fill_diagonal(D, np.inf)
    index = {i: i for i in range(n)}  # node id -> row of D
    size = np.ones(n)
    active = np.ones(n, bool)
    order = (
        range(n - 1)
        if method in ("centroid", "median")
        else np.argsort(Z[:, 2], kind="stable").tolist()
    )
    for row in order:
        a, b, height, count = Z[row]
        i, j = index.pop(int(a)), index.pop(int(b))
        tol = atol + rtol * abs(height)
        assert abs(D[i, j] - height) <= tol, (row, D[i, j], height)
        closest = D[np.ix_(active, active)].min()
        assert height <= closest + tol, (row, height, closest)
        assert count == size[i] + size[j]
        others = active.copy()
        others[[i, j]] = False
        merged = lance_williams(
            method, D[i, others], D[j, others], D[i, j], size[i], size[j], size[others]
        )
        D[i, others] = D[others, i] = merged
        active[j] = False
        D[j, :] = D[:, j] = np.inf
        size[i] += size[j]
        index[n + row] = i


def copies_merged(Z, X):
    """Mask of the merges that join two clusters made only of copies of one row."""
    n = len(X)
    _, row = np.unique(X, axis=0, return_inverse=True)
    group = np.concatenate([row.ravel(), np.full(n - 1, -1)])
    mask = np.zeros(n - 1, bool)
    for i, (a, b) in enumerate(Z[:, :2].astype(int).tolist()):
        if group[a] >= 0 and group[a] == group[b]:
            mask[i] = True
            group[n + i] = group[a]
    return mask


def same_partition(a, b):
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def coordinate_tolerance(X, metric):
    """Absolute rounding of heights built from coordinates (centroids) this far from their mean."""
    if metric != "euclidean":
        return 0.0
    spread = float(np.abs(X - X.mean(axis=0)).max())
    return 1e-13 * spread * np.sqrt(X.shape[1])


def nearly_tied(heights, atol, rtol=1e-9):
    """Whether two merge heights of scipy's tree are equal up to rounding."""
    h = np.sort(heights)
    return bool(np.any(np.diff(h) <= atol + rtol * np.abs(h[1:])))


@PROFILE
@given(data=datasets())
def test_small_data_is_scipys_own_tree(data):
    """compute_linkage below SCIPY_TREE_MAX_N: scipy's Z bit for bit, and its cophenetic correlation."""
    X, _ = data
    for method, metric in PAIRS:
        distances = scipy_distances(X, metric)
        if distances is None:
            with pytest.raises(InputError):
                compute_linkage(X, method, metric)
            continue
        Z = compute_linkage(X, method, metric)
        expected = linkage(X, method, metric)
        np.testing.assert_array_equal(Z, expected)
        ours = cophenetic_correlation(Z, X, metric).coefficient
        with np.errstate(all="ignore"):
            theirs = cophenet(expected, distances)[0]
        assert ours == theirs or (np.isnan(ours) and np.isnan(theirs))


@PROFILE
@given(data=datasets())
def test_large_data_paths_agree_with_scipy(data):
    """large_linkage: a valid tree always; scipy's tree, partitions and cophenetic wherever nothing ties."""
    X, kind = data
    for method, metric in PAIRS:
        distances = scipy_distances(X, metric)
        if distances is None:
            continue
        Z = large_linkage(X, method, metric)
        expected = linkage(distances, method)  # what linkage(X, method, metric) computes
        assert is_valid_linkage(Z)
        atol = coordinate_tolerance(X, metric) + 1e-12 * float(distances.max(initial=0))
        # tie-robust: Z is a greedy tree of this method on scipy's own distances
        assert_valid_greedy_tree(Z, distances, method, atol)
        if metric == "euclidean":  # merges of copies of one row are at exactly 0, as in scipy's
            assert np.all(Z[copies_merged(Z, X), 2] == 0)
            assert np.all(expected[copies_merged(expected, X), 2] == 0)
        tied = nearly_tied(expected[:, 2], atol) or bool(tie_note(Z, X))
        if tied:
            continue
        np.testing.assert_allclose(np.sort(Z[:, 2]), np.sort(expected[:, 2]), rtol=1e-9, atol=atol)
        for k in range(2, len(X)):
            assert same_partition(
                fcluster(Z, k, criterion="maxclust"), fcluster(expected, k, criterion="maxclust")
            ), (method, metric, k)
        # distance cuts in the middle of gaps wider than rounding (inversions repeat levels)
        levels = np.unique(monotone_heights(expected))
        for low, high in zip(levels[:-1], levels[1:]):
            if high - low <= 2 * (atol + 1e-9 * high):
                continue
            height = (low + high) / 2
            assert same_partition(
                fcluster(Z, height, criterion="distance"),
                fcluster(expected, height, criterion="distance"),
            ), (method, metric, height)
        with np.errstate(all="ignore"):
            ours = cophenetic_correlation(Z, X, metric).coefficient
            theirs = cophenet(expected, distances)[0]
        assert ours == pytest.approx(theirs, abs=1e-9) or (np.isnan(ours) and np.isnan(theirs))


@PROFILE
@given(data=datasets(), method=st.sampled_from(METHODS))
def test_every_offered_k_is_k_and_every_step_crosses_a_merge(data, method):
    X, _ = data
    Z = compute_linkage(X, method, "euclidean")
    heights = np.sort(monotone_heights(Z))
    n = len(X)
    for k in range(1, n + 1):
        cut = height_for_k(heights, k)
        if cut.height is None:
            assert cut.reason
            continue
        assert len(np.unique(fcluster(Z, cut.height, criterion="distance"))) == k, k
    height = 0.0
    for _ in range(n + 1):  # up from 0: each step joins the merges of one level
        new = step_cut(heights, height, +1)
        if new == height:
            break
        assert n_clusters_at(heights, new) < n_clusters_at(heights, height)
        height = new
    assert n_clusters_at(heights, height) == 1
    for _ in range(n + 1):  # and down again
        new = step_cut(heights, height, -1)
        if new == height:
            break
        assert n_clusters_at(heights, new) > n_clusters_at(heights, height)
        height = new
    assert n_clusters_at(heights, height) == n_clusters_at(heights, 0.0)


@PROFILE
@given(data=datasets())
def test_quality_indices_for_every_n(data):
    """Silhouette and friends for 2 <= k <= n - 1, from two rows up, never raising."""
    X, _ = data
    Z = compute_linkage(X, "ward", "euclidean")
    found = quality_per_k(Z, X, "euclidean", 10)
    assert list(found.k) == list(range(2, min(10, len(X) - 1) + 1))
