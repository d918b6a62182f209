"""hclust.agreement against scikit-learn (ARI, NMI) and a direct count (contingency, purity)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from hclust.agreement import (
    adjusted_rand,
    agreement,
    agreement_per_k,
    contingency,
    normalized_mutual_info,
    purity,
)
from hclust.cut import TreeIndex

labelings = st.integers(1, 60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 6), min_size=n, max_size=n),
        st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=n, max_size=n),
    )
)


def direct_purity(clusters, classes):
    """For each cluster, the count of its most common class; summed, over n."""
    total = 0
    for cluster in set(clusters):
        members = [c for c, k in zip(classes, clusters) if k == cluster]
        total += max(members.count(c) for c in set(members))
    return total / len(clusters)


class TestContingency:
    def test_counts_each_pair(self):
        found = contingency([1, 1, 2, 2, 2, 3], ["x", "y", "y", "y", "x", "x"])
        assert_array_equal(found.clusters, [1, 2, 3])
        assert_array_equal(found.classes, ["x", "y"])
        assert_array_equal(found.table, [[1, 1], [1, 2], [1, 0]])
        assert found.n == 6

    @settings(deadline=None)
    @given(labelings)
    def test_matches_a_direct_count(self, pair):
        clusters, classes = pair
        found = contingency(clusters, classes)
        for i, cluster in enumerate(found.clusters):
            for j, name in enumerate(found.classes):
                expected = sum(1 for k, c in zip(clusters, classes) if k == cluster and c == name)
                assert found.table[i, j] == expected

    def test_refuses_unequal_lengths(self):
        with pytest.raises(ValueError):
            contingency([1, 2], ["a"])


class TestScoresAgainstReferences:
    @settings(max_examples=300, deadline=None)
    @given(labelings)
    def test_ari_equals_sklearn(self, pair):
        clusters, classes = pair
        table = contingency(clusters, classes).table
        assert adjusted_rand(table) == pytest.approx(
            adjusted_rand_score(classes, clusters), abs=1e-12
        )

    @settings(max_examples=300, deadline=None)
    @given(labelings)
    def test_nmi_equals_sklearn(self, pair):
        clusters, classes = pair
        table = contingency(clusters, classes).table
        assert normalized_mutual_info(table) == pytest.approx(
            normalized_mutual_info_score(classes, clusters), abs=1e-12
        )

    @settings(deadline=None)
    @given(labelings)
    def test_purity_equals_direct_computation(self, pair):
        clusters, classes = pair
        assert purity(contingency(clusters, classes).table) == pytest.approx(
            direct_purity(clusters, classes), abs=1e-15
        )

    @pytest.mark.parametrize(
        "clusters,classes",
        [
            ([1, 1, 1, 1], ["a", "a", "a", "a"]),  # one group each: perfect
            ([1, 2, 3, 4], ["a", "b", "c", "d"]),  # singletons each: perfect
            ([1, 1, 1, 1], ["a", "b", "c", "d"]),  # one cluster, split classes
            ([1, 2, 3, 4], ["a", "a", "a", "a"]),
            ([1, 1, 2, 2], ["b", "b", "a", "a"]),  # renamed: perfect
            ([1], ["a"]),
        ],
    )
    def test_special_cases_as_sklearn(self, clusters, classes):
        _, found = agreement(clusters, classes)
        assert found.ari == pytest.approx(adjusted_rand_score(classes, clusters), abs=1e-12)
        assert found.nmi == pytest.approx(
            normalized_mutual_info_score(classes, clusters), abs=1e-12
        )
        assert found.purity == pytest.approx(direct_purity(clusters, classes))

    def test_large_counts_do_not_overflow(self):
        rng = np.random.default_rng(0)
        clusters = rng.integers(0, 3, 200_000)
        classes = np.where(rng.random(200_000) < 0.9, clusters, (clusters + 1) % 3)
        _, found = agreement(clusters, classes)
        assert found.ari == pytest.approx(adjusted_rand_score(classes, clusters), abs=1e-12)
        assert found.nmi == pytest.approx(
            normalized_mutual_info_score(classes, clusters), abs=1e-12
        )


class TestAgreementPerK:
    def test_each_k_is_fcluster_maxclust_scored_by_sklearn(self):
        rng = np.random.default_rng(3)
        X = np.concatenate([rng.normal(c, 0.6, size=(30, 2)) for c in (0, 4, 8)])
        classes = np.repeat(["p", "q", "r"], 30)
        Z = linkage(X, "ward")
        found = agreement_per_k(TreeIndex.from_linkage(Z), classes, 8)
        assert_array_equal(found.k, np.arange(2, 9))
        for j, k in enumerate(found.k):
            labels = fcluster(Z, k, "maxclust")
            assert found.ari[j] == pytest.approx(adjusted_rand_score(classes, labels), abs=1e-12)
            assert found.nmi[j] == pytest.approx(
                normalized_mutual_info_score(classes, labels), abs=1e-12
            )
            assert found.purity[j] == pytest.approx(direct_purity(list(labels), list(classes)))

    def test_keep_scores_only_samples_with_a_class(self):
        rng = np.random.default_rng(4)
        X = rng.normal(size=(40, 3))
        keep = rng.random(40) < 0.7
        classes = rng.choice(["a", "b"], size=int(keep.sum()))
        Z = linkage(X, "average")
        found = agreement_per_k(TreeIndex.from_linkage(Z), classes, 5, keep=keep)
        labels = fcluster(Z, 3, "maxclust")[keep]
        assert found.ari[1] == pytest.approx(adjusted_rand_score(classes, labels), abs=1e-12)

    def test_unreachable_k_is_nan(self):
        # four identical pairs: ties make k = 3 unreachable (fcluster gives 2 or 4)
        X = np.array([[0.0], [0.0], [10.0], [10.0], [20.0], [20.0], [30.0], [30.0]])
        Z = linkage(X, "single")
        found = agreement_per_k(TreeIndex.from_linkage(Z), list("aabbccdd"), 5)
        unreachable = [j for j, k in enumerate(found.k) if fcluster(Z, k, "maxclust").max() != k]
        assert unreachable
        assert np.isnan(found.ari[unreachable]).all()
        assert_allclose(found.ari[found.k == 4], [1.0])

    @settings(max_examples=60, deadline=None)
    @given(
        st.integers(4, 40).flatmap(
            lambda n: st.tuples(
                st.lists(st.integers(0, 5), min_size=2 * n, max_size=2 * n),  # ties on purpose
                st.lists(st.sampled_from("xyz"), min_size=n, max_size=n),
                st.sampled_from(["single", "complete", "average", "ward", "centroid"]),
            )
        )
    )
    def test_random_trees_with_ties_score_as_fcluster_maxclust(self, case):
        grid, classes, method = case
        X = np.asarray(grid, dtype=float).reshape(-1, 2)
        Z = linkage(X, method)
        found = agreement_per_k(TreeIndex.from_linkage(Z), classes, 12)
        for j, k in enumerate(found.k):
            labels = fcluster(Z, k, "maxclust")
            if labels.max() != k:  # ties make k unreachable: no score
                assert np.isnan(found.ari[j])
                continue
            assert found.ari[j] == pytest.approx(adjusted_rand_score(classes, labels), abs=1e-12)
            assert found.nmi[j] == pytest.approx(
                normalized_mutual_info_score(classes, labels), abs=1e-12
            )
            assert found.purity[j] == pytest.approx(direct_purity(list(labels), classes))
