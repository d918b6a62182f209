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
    compatible_metrics,
    compute_linkage,
    condensed_distances,
    is_monotonic,
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


class TestComputeLinkage:
    @pytest.mark.parametrize("seed", SEEDS)
    @pytest.mark.parametrize("method,metric", TIE_FREE_PAIRS)
    def test_matches_scipy(self, method, metric, seed):
        X = random_observations(seed)
        Z = compute_linkage(X, method, metric)
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
    def test_distance_matrix_input_matches_scipy(self, method, seed):
        X = random_observations(seed)
        condensed = pdist(X)
        Z = compute_linkage(squareform(condensed), method, "euclidean", is_distance_matrix=True)
        expected = linkage(condensed, method=method)
        assert_allclose(Z[:, 2], expected[:, 2], rtol=0, atol=1e-9)
        for k in range(2, 7):
            assert same_partition(fcluster(Z, k, "maxclust"), fcluster(expected, k, "maxclust"))

    @pytest.mark.parametrize("metric", METRICS)
    @pytest.mark.parametrize("method", ["single", "complete", "average"])
    def test_every_merge_follows_the_method_definition(self, method, metric):
        """Tie-robust: each height is the min / max / mean distance between the two merged clusters."""
        rng = np.random.default_rng(7)
        X = (
            rng.integers(0, 3, size=(40, 4)).astype(float)
            if metric in TIED_METRICS
            else random_observations(7, n=40)
        )
        Z = compute_linkage(X, method, metric)
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
    def test_single_linkage_heights_match_scipy_despite_ties(self, metric):
        # single linkage heights are the minimum spanning tree's edges: unique even with ties.
        X = np.random.default_rng(3).integers(0, 3, size=(80, 5)).astype(float)
        assert_allclose(
            compute_linkage(X, "single", metric)[:, 2],
            linkage(X, "single", metric)[:, 2],
            rtol=0,
            atol=1e-12,
        )

    def test_refused_pair_raises_before_computing(self):
        with pytest.raises(InputError, match="euclidean"):
            compute_linkage(random_observations(0), "ward", "cityblock")


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
