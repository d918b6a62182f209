"""hclust.diagnostics against scipy: cophenetic correlation, inconsistency, elbow."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.cluster.hierarchy import cophenet, inconsistent
from scipy.spatial.distance import cdist, pdist, squareform

import hclust.diagnostics as diagnostics
from hclust.diagnostics import cophenetic_correlation, elbow, inconsistency_table, random_pairs
from hclust.linkage import METRICS, compute_linkage
from tests.fixtures import blobs, random_observations

CASES = [
    ("ward", "euclidean"),
    ("average", "cityblock"),
    ("complete", "cosine"),
    ("single", "chebyshev"),
    ("weighted", "canberra"),
]


class TestCopheneticCorrelationExact:
    @pytest.mark.parametrize("method,metric", CASES)
    def test_equals_scipy_cophenet(self, method, metric):
        X = random_observations(11)
        Z = compute_linkage(X, method, metric)
        result = cophenetic_correlation(Z, X, metric)
        expected, _ = cophenet(Z, pdist(X, metric=metric))
        assert result.exact
        assert result.n_pairs == len(X) * (len(X) - 1) // 2
        assert result.coefficient == pytest.approx(expected, abs=1e-12)
        assert result.ci_low == result.ci_high == result.coefficient

    def test_distance_matrix_input(self):
        X = random_observations(12)
        D = squareform(pdist(X, "cityblock"))
        Z = compute_linkage(D, "average", "euclidean", is_distance_matrix=True)
        result = cophenetic_correlation(Z, D, "euclidean", is_distance_matrix=True)
        assert result.coefficient == pytest.approx(cophenet(Z, pdist(X, "cityblock"))[0], abs=1e-12)


@pytest.fixture
def sampled(monkeypatch):
    """Force the sampled path: every data set counts as large."""
    monkeypatch.setattr(diagnostics, "EXACT_COPHENETIC_MAX_N", 50)


class TestCopheneticCorrelationSampled:
    @pytest.mark.parametrize("seed", [0, 1, 2])
    @pytest.mark.parametrize("method,metric", CASES)
    def test_agrees_with_exact_within_its_ci(self, sampled, method, metric, seed):
        X = blobs(seed, n_per_blob=80)
        Z = compute_linkage(X, method, metric)
        exact, _ = cophenet(Z, pdist(X, metric=metric))
        result = cophenetic_correlation(Z, X, metric)
        assert not result.exact
        assert result.n_pairs == diagnostics.COPHENETIC_SAMPLE_PAIRS
        assert result.ci_low < result.coefficient < result.ci_high
        assert result.ci_low <= exact <= result.ci_high

    def test_distance_matrix_input(self, sampled):
        X = blobs(3, n_per_blob=60)
        D = squareform(pdist(X))
        Z = compute_linkage(D, "average", "euclidean", is_distance_matrix=True)
        result = cophenetic_correlation(Z, D, "euclidean", is_distance_matrix=True)
        exact, _ = cophenet(Z, pdist(X))
        assert not result.exact
        assert result.ci_low <= exact <= result.ci_high

    def test_reproducible_for_a_seed(self, sampled):
        X = blobs(4, n_per_blob=50)
        Z = compute_linkage(X, "ward", "euclidean")
        assert cophenetic_correlation(Z, X, seed=5) == cophenetic_correlation(Z, X, seed=5)

    @pytest.mark.parametrize("method", ["ward", "centroid", "single"])
    def test_tree_distance_of_a_pair_is_its_cophenetic_distance(self, method):
        X = random_observations(8, n=120)
        Z = compute_linkage(X, method, "euclidean")
        rng = np.random.default_rng(0)
        i = rng.integers(0, len(X), 2000)
        j = (i + rng.integers(1, len(X), 2000)) % len(X)
        expected = squareform(cophenet(Z))[i, j]
        assert_allclose(diagnostics._lowest_common_merge_heights(Z, i, j), expected, rtol=0, atol=0)

    @pytest.mark.parametrize("metric", METRICS)
    def test_paired_distances_equal_scipy(self, metric):
        rng = np.random.default_rng(9)
        if metric in ("hamming", "jaccard"):
            a, b = (rng.integers(0, 3, size=(300, 4)).astype(float) for _ in range(2))
        else:
            a, b = (rng.uniform(0.1, 10, size=(300, 4)) for _ in range(2))
        expected = np.array(
            [cdist(a[k : k + 1], b[k : k + 1], metric=metric)[0, 0] for k in range(len(a))]
        )
        assert_allclose(
            diagnostics._paired_distances(a, b, metric),
            expected,
            rtol=1e-12,
            atol=1e-12,
            err_msg=f"the sampled path measures '{metric}' differently from pdist, which the linkage used",
        )


class TestInconsistencyTable:
    @pytest.mark.parametrize("depth", [1, 2, 3, 5, 8])
    @pytest.mark.parametrize("method", ["ward", "average", "single", "centroid"])
    def test_equals_scipy_inconsistent(self, method, depth):
        Z = compute_linkage(random_observations(13), method, "euclidean")
        assert_array_equal(inconsistency_table(Z, depth), inconsistent(Z, depth)[-10:])

    @pytest.mark.parametrize("last", [1, 4, 25])
    def test_last_rows(self, last):
        Z = compute_linkage(random_observations(14), "average", "euclidean")
        assert_array_equal(inconsistency_table(Z, 3, last), inconsistent(Z, 3)[-last:])


class TestElbow:
    @pytest.mark.parametrize("seed", range(6))
    def test_is_the_tutorials_formula(self, seed):
        Z = compute_linkage(random_observations(seed), "ward", "euclidean")
        last = Z[-10:, 2]
        acceleration = np.diff(last, 2)
        result = elbow(Z)
        assert result.suggested_k == acceleration[::-1].argmax() + 2
        assert_array_equal(result.distances, last[::-1])
        assert_array_equal(result.acceleration, acceleration[::-1])
        assert_array_equal(result.k_axis, np.arange(1, 11))

    def test_finds_four_well_separated_blobs(self):
        assert elbow(compute_linkage(blobs(0), "ward", "euclidean")).suggested_k == 4

    @pytest.mark.parametrize("n", [2, 3])
    def test_too_few_merges(self, n):
        Z = compute_linkage(random_observations(0, n=n), "ward", "euclidean")
        result = elbow(Z)
        assert result.suggested_k == 2
        assert len(result.acceleration) == 0
        assert len(result.distances) == n - 1


class TestQualityPerK:
    """Against scikit-learn called directly on the same labels (the distances are computed once here)."""

    @pytest.mark.parametrize(
        "metric,method",
        [
            ("euclidean", "ward"),
            ("cityblock", "average"),
            ("cosine", "complete"),
            ("sqeuclidean", "single"),
        ],
    )
    def test_equals_scikit_learn(self, metric, method):
        from scipy.cluster.hierarchy import fcluster
        from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

        from hclust.diagnostics import quality_per_k
        from hclust.linkage import compute_linkage

        X = random_observations(11)
        Z = compute_linkage(X, method, metric)
        found = quality_per_k(Z, X, metric, 6)
        for j, k in enumerate(found.k):
            labels = fcluster(Z, k, criterion="maxclust")
            if len(np.unique(labels)) != k:
                assert np.isnan(found.silhouette[j])
                continue
            expected = silhouette_score(
                X, labels, metric="euclidean" if metric == "sqeuclidean" else metric
            )
            assert found.silhouette[j] == pytest.approx(expected, abs=1e-12)
            assert found.calinski_harabasz[j] == pytest.approx(
                calinski_harabasz_score(X, labels), rel=1e-12
            )
            assert found.davies_bouldin[j] == pytest.approx(
                davies_bouldin_score(X, labels), rel=1e-12
            )
        assert found.silhouette_sample is None


class TestCopheneticByMethod:
    @pytest.mark.parametrize("metric", ["euclidean", "cityblock", "sqeuclidean"])
    def test_equals_the_coefficient_of_each_method_alone(self, metric):
        from hclust.diagnostics import cophenetic_by_method
        from hclust.linkage import METHODS, compatible_metrics

        X = random_observations(12)
        methods = [m for m in METHODS if metric in compatible_metrics(m)]
        found = cophenetic_by_method(X, metric, methods)
        assert list(found) == methods
        for method in methods:
            alone = cophenetic_correlation(
                compute_linkage(X, method, metric), X, metric
            ).coefficient
            assert found[method] == pytest.approx(alone, abs=1e-12)

    def test_a_distance_matrix_is_not_measured_again(self):
        from hclust.diagnostics import cophenetic_by_method

        X = random_observations(13)
        D = squareform(pdist(X))
        found = cophenetic_by_method(D, "euclidean", ["average", "ward"], is_distance_matrix=True)
        assert found["average"] == pytest.approx(
            cophenet(compute_linkage(X, "average", "euclidean"), pdist(X))[0], abs=1e-12
        )


class TestSmallestData:
    """Every n >= 2 gives a result; indices undefined for that n are left out, not raised."""

    @pytest.mark.parametrize("n", [2, 3, 4])
    @pytest.mark.parametrize("method", ["ward", "single", "average"])
    def test_quality_scores_exactly_the_k_scikit_learn_defines(self, n, method):
        from scipy.cluster.hierarchy import fcluster
        from sklearn.metrics import silhouette_score

        from hclust.diagnostics import quality_per_k

        X = random_observations(21, n=n)
        Z = compute_linkage(X, method, "euclidean")
        found = quality_per_k(Z, X, "euclidean", 10)
        assert list(found.k) == list(range(2, n))  # 2 <= k <= n - 1; none for n = 2
        for j, k in enumerate(found.k):
            labels = fcluster(Z, k, criterion="maxclust")
            assert found.silhouette[j] == pytest.approx(silhouette_score(X, labels), abs=1e-12)


def test_random_pairs_are_distinct_uniform_and_seeded():
    """The one sampler of pairs (cophenetic estimates, their plot, the tree comparison)."""
    from scipy.stats import chisquare

    n, count = 5, 40_000
    i, j = random_pairs(n, count, seed=3)
    assert (i != j).all() and i.min() >= 0 and max(i.max(), j.max()) == n - 1
    # every ordered pair of distinct samples equally likely (20 cells of about 2,000 each)
    counts = np.bincount(i * n + j, minlength=n * n).reshape(n, n)
    assert (np.diag(counts) == 0).all()
    assert chisquare(counts[~np.eye(n, dtype=bool)]).pvalue > 1e-4
    again = random_pairs(n, count, seed=3)
    assert np.array_equal(i, again[0]) and np.array_equal(j, again[1])
