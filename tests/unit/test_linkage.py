"""hclust.linkage against scipy.cluster.hierarchy.linkage, the reference."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.cluster.hierarchy import fcluster, is_valid_linkage, linkage
from scipy.spatial.distance import pdist, squareform

from hclust.errors import InputError
from hclust.linkage import (
    EUCLIDEAN_ONLY_METHODS,
    METHODS,
    METRICS,
    SCIPY_TREE_MAX_N,
    compatible_metrics,
    compute_linkage,
    condensed_distances,
    is_monotonic,
    large_linkage,
    tie_note,
    validate_method_metric,
)
from tests.fixtures import random_observations

ALL_PAIRS = [(method, metric) for method in METHODS for metric in compatible_metrics(method)]
# hamming and jaccard only take a handful of values (k / m), so their merge
# heights tie and scipy and fastcluster may break the ties differently; they
# are checked against the definition of each method below instead.
TIED_METRICS = ("hamming", "jaccard")
TIE_FREE_PAIRS = [pair for pair in ALL_PAIRS if pair[1] not in TIED_METRICS]
SEEDS = (0, 1, 2)


def same_partition(a, b):
    """True when two flat labellings group the samples identically."""
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


class TestSamePartitionHelper:
    def test_relabelling_is_the_same_partition(self):
        assert same_partition(np.array([1, 1, 2, 3]), np.array([3, 3, 1, 2]))

    def test_different_grouping_is_not(self):
        assert not same_partition(np.array([1, 1, 2, 2]), np.array([1, 2, 2, 2]))
        assert not same_partition(np.array([1, 2, 2, 2]), np.array([1, 1, 2, 2]))


@pytest.fixture(params=["compute_linkage", "large_linkage"])
def implementation(request):
    """Both paths: scipy's own below SCIPY_TREE_MAX_N, and the fast backends used above it."""
    return {"compute_linkage": compute_linkage, "large_linkage": large_linkage}[request.param]


class TestComputeLinkage:
    @pytest.mark.parametrize("seed", SEEDS)
    @pytest.mark.parametrize("method,metric", TIE_FREE_PAIRS)
    def test_matches_scipy(self, method, metric, seed, implementation):
        X = random_observations(seed)
        Z = implementation(X, method, metric)
        expected = linkage(X, method=method, metric=metric)
        assert Z.shape == expected.shape
        assert_allclose(Z[:, 2], expected[:, 2], rtol=0, atol=1e-9)
        assert_array_equal(Z[:, 3], expected[:, 3])
        for k in range(2, 7):
            ours = fcluster(Z, k, criterion="maxclust")
            theirs = fcluster(expected, k, criterion="maxclust")
            assert same_partition(ours, theirs), f"maxclust k={k}"
        # distance cuts in the middle of gaps, away from merge heights that
        # may differ by rounding between the two implementations
        sorted_heights = np.sort(expected[:, 2])
        for i in (len(sorted_heights) // 2, len(sorted_heights) - 8, len(sorted_heights) - 3):
            height = (sorted_heights[i] + sorted_heights[i + 1]) / 2
            assert same_partition(
                fcluster(Z, height, "distance"), fcluster(expected, height, "distance")
            )

    @pytest.mark.parametrize("seed", SEEDS)
    @pytest.mark.parametrize("method", METHODS)
    def test_distance_matrix_input_matches_scipy(self, method, seed, implementation):
        X = random_observations(seed)
        condensed = pdist(X)
        Z = implementation(squareform(condensed), method, "euclidean", is_distance_matrix=True)
        expected = linkage(condensed, method=method)
        assert_allclose(Z[:, 2], expected[:, 2], rtol=0, atol=1e-9)
        for k in range(2, 7):
            assert same_partition(fcluster(Z, k, "maxclust"), fcluster(expected, k, "maxclust"))

    @pytest.mark.parametrize("metric", METRICS)
    @pytest.mark.parametrize("method", ["single", "complete", "average"])
    def test_every_merge_follows_the_method_definition(self, method, metric, implementation):
        """Tie-robust: each height is the min / max / mean distance between the two merged clusters."""
        rng = np.random.default_rng(7)
        X = (
            rng.integers(0, 3, size=(40, 4)).astype(float)
            if metric in TIED_METRICS
            else random_observations(7, n=40)
        )
        Z = implementation(X, method, metric)
        assert is_valid_linkage(Z)
        distances = squareform(pdist(X, metric=metric))
        members = {i: [i] for i in range(len(X))}
        reduce = {"single": np.min, "complete": np.max, "average": np.mean}[method]
        for row, (a, b, height, count) in enumerate(Z.tolist()):
            left, right = members.pop(int(a)), members.pop(int(b))
            assert height == pytest.approx(reduce(distances[np.ix_(left, right)]), abs=1e-12)
            members[len(X) + row] = left + right
            assert count == len(left) + len(right)

    @pytest.mark.parametrize("metric", TIED_METRICS)
    def test_single_linkage_heights_match_scipy_despite_ties(self, metric, implementation):
        # single linkage heights are the minimum spanning tree's edges: unique even with ties.
        X = np.random.default_rng(3).integers(0, 3, size=(80, 5)).astype(float)
        assert_allclose(
            implementation(X, "single", metric)[:, 2],
            linkage(X, "single", metric)[:, 2],
            rtol=0,
            atol=1e-12,
        )

    def test_refused_pair_raises_before_computing(self):
        with pytest.raises(InputError, match="euclidean"):
            compute_linkage(random_observations(0), "ward", "cityblock")


def tied_observations(seed, metric, n=40):
    """Integer data, binary for hamming and jaccard: many equal distances, and identical rows."""
    rng = np.random.default_rng(seed)
    if metric in TIED_METRICS:
        return rng.integers(0, 2, size=(n, int(rng.integers(3, 6)))).astype(float)
    # from 1 up, and two unequal columns: no metric meets an all-zero or a constant row
    X = rng.integers(1, 5, size=(n, int(rng.integers(2, 5)))).astype(float)
    return np.column_stack([X, np.full(n, 1.0), np.full(n, 3.0)])


class TestScipysOwnTreeForSmallData:
    """#12 1f: up to SCIPY_TREE_MAX_N samples Z is scipy's, tie order included."""

    @pytest.mark.parametrize("seed", SEEDS)
    @pytest.mark.parametrize("method,metric", ALL_PAIRS)
    def test_tied_data_gives_scipys_z_exactly(self, method, metric, seed):
        X = tied_observations(seed, metric)
        assert_array_equal(compute_linkage(X, method, metric), linkage(X, method, metric))

    @pytest.mark.parametrize("method", METHODS)
    def test_tied_distance_matrix_gives_scipys_z_exactly(self, method):
        D = squareform(pdist(tied_observations(5, "cityblock"), "cityblock"))
        assert_array_equal(
            compute_linkage(D, method, "euclidean", is_distance_matrix=True),
            linkage(squareform(D), method),
        )

    def test_the_fast_paths_take_over_above_the_limit(self, monkeypatch):
        import hclust.linkage as linkage_module

        calls = []
        monkeypatch.setattr(
            linkage_module, "large_linkage", lambda *a, **k: calls.append(len(a[0])) or "fast"
        )
        X = random_observations(0, n=60)
        monkeypatch.setattr(linkage_module, "SCIPY_TREE_MAX_N", 59)
        assert compute_linkage(X, "average", "euclidean") == "fast" and calls == [60]

    def test_covers_everything_clustered_inside_a_request(self):
        from callbacks.clustering import INLINE_MAX_N

        assert INLINE_MAX_N <= SCIPY_TREE_MAX_N


def offset_observations(seed, offset, n=300):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)) + offset


class TestLargeData:
    """The fast paths above SCIPY_TREE_MAX_N, against scipy."""

    @pytest.mark.parametrize("offset", [1e6, 1.7e9])
    @pytest.mark.parametrize("method", ["single", "centroid", "median", "ward"])
    def test_offset_data_keeps_its_precision(self, method, offset):
        """#12 1e: timestamps and coordinates far from 0 are centred before linkage_vector."""
        X = offset_observations(1, offset)
        expected = linkage(X, method)
        assert_allclose(large_linkage(X, method, "euclidean")[:, 2], expected[:, 2], rtol=1e-12)

    def test_offset_data_through_compute_linkage(self):
        X = offset_observations(2, 1.7e9, n=SCIPY_TREE_MAX_N + 100)
        Z, expected = compute_linkage(X, "centroid", "euclidean"), linkage(X, "centroid")
        assert_allclose(np.sort(Z[:, 2]), np.sort(expected[:, 2]), rtol=1e-12)

    @pytest.mark.parametrize("seed", SEEDS)
    @pytest.mark.parametrize("method", ["centroid", "median", "ward", "single"])
    def test_identical_rows_merge_at_exactly_zero(self, method, seed):
        """#12 1d: so a cut at 0 gives scipy's count of clusters."""
        rng = np.random.default_rng(seed)
        distinct = rng.normal(size=(30, 3))
        X = distinct[rng.integers(0, len(distinct), size=200)]
        Z, expected = large_linkage(X, method, "euclidean"), linkage(X, method)
        assert np.sum(Z[:, 2] == 0) == np.sum(expected[:, 2] == 0) == len(X) - len(distinct)
        assert len(np.unique(fcluster(Z, 0, "distance"))) == len(
            np.unique(fcluster(expected, 0, "distance"))
        )

    def test_identical_rows_through_compute_linkage(self):
        rng = np.random.default_rng(4)
        distinct = rng.normal(size=(300, 2))
        X = distinct[rng.integers(0, len(distinct), size=SCIPY_TREE_MAX_N + 100)]
        Z, expected = compute_linkage(X, "centroid", "euclidean"), linkage(X, "centroid")
        assert np.sum(Z[:, 2] == 0) == np.sum(expected[:, 2] == 0)


class TestTieNote:
    def test_continuous_data_has_none(self):
        X = random_observations(3)
        assert tie_note(large_linkage(X, "average", "euclidean"), X) == ""

    def test_identical_rows_are_named(self):
        X = np.vstack([random_observations(3), random_observations(3)[:2]])
        assert "identical rows" in tie_note(large_linkage(X, "average", "euclidean"), X)

    def test_integer_data_has_equal_merge_heights(self):
        X = np.unique(tied_observations(1, "euclidean", n=200), axis=0)
        assert tie_note(large_linkage(X, "single", "euclidean"), X) == "equal merge heights"

    def test_a_distance_matrix_is_not_read_as_rows(self):
        D = squareform(pdist(random_observations(3)))
        Z = large_linkage(D, "average", "euclidean", is_distance_matrix=True)
        assert tie_note(Z, D, is_distance_matrix=True) == ""


class TestCompatibleMetrics:
    @pytest.mark.parametrize("method", sorted(EUCLIDEAN_ONLY_METHODS))
    def test_centroid_methods_only_euclidean(self, method):
        assert compatible_metrics(method) == ("euclidean",)

    @pytest.mark.parametrize("method", sorted(set(METHODS) - EUCLIDEAN_ONLY_METHODS))
    def test_other_methods_take_every_metric(self, method):
        assert set(compatible_metrics(method)) == set(METRICS)

    @pytest.mark.parametrize(
        "method,metric", list(itertools.product(sorted(EUCLIDEAN_ONLY_METHODS), METRICS))
    )
    def test_agrees_with_what_scipy_refuses(self, method, metric):
        X = random_observations(0, n=20)
        if metric in compatible_metrics(method):
            assert linkage(X, method=method, metric=metric).shape == (len(X) - 1, 4)
        else:
            with pytest.raises(ValueError):
                linkage(X, method=method, metric=metric)


class TestValidateMethodMetric:
    @pytest.mark.parametrize("method,metric", ALL_PAIRS)
    def test_accepts_compatible_pairs(self, method, metric):
        assert validate_method_metric(method, metric) is None

    @pytest.mark.parametrize(
        "method,metric",
        [
            ("ward", "cityblock"),
            ("ward", "cosine"),
            ("centroid", "sqeuclidean"),
            ("median", "chebyshev"),
            ("ward", "jaccard"),
        ],
    )
    def test_refuses_non_euclidean_for_centroid_methods(self, method, metric):
        with pytest.raises(InputError) as error:
            validate_method_metric(method, metric)
        assert (
            method in str(error.value)
            and metric in str(error.value)
            and "euclidean" in str(error.value)
        )

    @pytest.mark.parametrize("method", ["Ward", "wards", "", None, "__import__", "centroid "])
    def test_refuses_unknown_methods(self, method):
        with pytest.raises(InputError, match="Unknown linkage method"):
            validate_method_metric(method, "euclidean")

    @pytest.mark.parametrize("metric", ["Euclidean", "minkowski", "mahalanobis", "", None])
    def test_refuses_unknown_metrics(self, metric):
        with pytest.raises(InputError, match="Unknown distance metric"):
            validate_method_metric("average", metric)

    def test_input_error_is_a_value_error(self):
        assert issubclass(InputError, ValueError)


class TestCondensedDistances:
    @pytest.mark.parametrize("metric", METRICS)
    def test_equals_pdist(self, metric):
        X = random_observations(4, n=30)
        assert_allclose(condensed_distances(X, metric), pdist(X, metric=metric), rtol=0, atol=1e-12)

    def test_cosine_zero_row_is_named(self):
        X = random_observations(5, n=10)
        X[3] = 0
        with pytest.raises(InputError, match=r"row\(s\) 3\b"):
            condensed_distances(X, "cosine")

    def test_correlation_constant_row_is_named(self):
        X = random_observations(5, n=10)
        X[6] = 2.5
        with pytest.raises(InputError, match=r"row\(s\) 6\b"):
            condensed_distances(X, "correlation")


class TestIsMonotonic:
    def test_ward_is_monotonic(self):
        assert is_monotonic(compute_linkage(random_observations(0), "ward", "euclidean"))

    def test_centroid_with_inversions_is_not(self):
        Z = compute_linkage(random_observations(0), "centroid", "euclidean")
        assert np.any(np.diff(Z[:, 2]) < 0), "fixture should produce inversions"
        assert not is_monotonic(Z)
