"""hclust.compare: entanglement, untangling, Baker's gamma, cophenetic correlation between
trees and the ARI at the same k, checked against their definitions, scipy and scikit-learn.

Definitions: dendextend's reference manual, ``entanglement`` ("the L norm distance between
these two vectors ... divided by the 'worst case' entanglement level (e.g: when the right
tree is the complete reverse of the left tree)", https://rdrr.io/cran/dendextend/man/entanglement.html)
and ``cor_bakers_gamma`` ("the highest possible level of k ... for which the two items still
belong to the same tree", then Spearman, https://rdrr.io/cran/dendextend/man/cor_bakers_gamma.html).
"""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import cophenet, dendrogram, fcluster, leaves_list, linkage
from scipy.spatial.distance import squareform
from scipy.stats import spearmanr
from sklearn.metrics import adjusted_rand_score

from hclust.compare import (
    bakers_gamma,
    compare_trees,
    cophenetic_between,
    cophenetic_k,
    drawn_tree,
    entanglement,
    initial_order,
    line_labels,
    lowest_common_rows,
    partition_agreement,
    untangle,
    worst_entanglement,
)

METHODS = ("single", "complete", "average", "weighted", "ward", "centroid", "median")


def points(seed, n, dims=2):
    return np.random.default_rng(seed).normal(size=(n, dims))


def trees(seed, n, first="ward", second="single"):
    X = points(seed, n)
    return linkage(X, first), linkage(X, second)


def is_rotation_of(tree, order):
    """Every drawn merge's leaves are contiguous in `order` (so it is a rotation of the tree)."""
    P = tree.n_leaves
    rank = np.empty(P, dtype=int)
    rank[order] = np.arange(P)
    leaves = [[i] for i in range(P)]
    for a, b in tree.children.tolist():
        leaves.append(leaves[a] + leaves[b])
        r = rank[leaves[-1]]
        if r.max() - r.min() + 1 != len(r):
            return False
    return sorted(order.tolist()) == list(range(P))


class TestEntanglement:
    def test_by_hand(self):
        # one swap of neighbours: |1-2|^1.5 + |2-1|^1.5 over the reversed order's sum
        worst = 2 * 3**1.5 + 2 * 1**1.5
        assert entanglement([0, 1, 2, 3], [1, 0, 2, 3]) == pytest.approx(2 / worst)
        assert worst_entanglement(4) == pytest.approx(worst)

    def test_reverse_is_one_and_norm_matters(self):
        order = np.arange(7)
        assert entanglement(order, order[::-1]) == pytest.approx(1.0)
        assert entanglement(order, order[::-1], L=2) == pytest.approx(1.0)
        # L changes the value of a partial entanglement
        a, b = [0, 1, 2, 3, 4], [2, 0, 1, 3, 4]
        assert entanglement(a, b, L=1) != pytest.approx(entanglement(a, b, L=2))

    def test_refuses_different_samples(self):
        with pytest.raises(ValueError):
            entanglement([0, 1, 2], [0, 1, 3])

    @given(st.permutations(list(range(12))))
    def test_identical_orders_are_zero(self, order):
        assert entanglement(order, order) == 0.0

    def test_drawn_orders_are_scipys(self):
        Z1, Z2 = trees(1, 60)
        t1, t2 = drawn_tree(Z1), drawn_tree(Z2)
        assert np.array_equal(initial_order(t1), leaves_list(Z1))
        _, _, before, _ = untangle(t1, t2)
        assert before == pytest.approx(entanglement(leaves_list(Z1), leaves_list(Z2)))


class TestUntangle:
    @settings(max_examples=30, deadline=None)
    @given(
        st.integers(0, 10_000),
        st.integers(3, 40),
        st.sampled_from(METHODS),
        st.sampled_from(METHODS),
    )
    def test_never_increases_and_is_a_rotation(self, seed, n, first, second):
        Z1, Z2 = trees(seed, n, first, second)
        t1, t2 = drawn_tree(Z1), drawn_tree(Z2)
        order1, order2, before, after = untangle(t1, t2)
        assert after <= before
        assert is_rotation_of(t1, order1) and is_rotation_of(t2, order2)
        # the value reported is the definition's, for the orders returned
        assert after == pytest.approx(entanglement(order1, order2), abs=1e-12)

    @settings(max_examples=20, deadline=None)
    @given(st.integers(0, 10_000), st.integers(3, 40))
    def test_from_any_rotation(self, seed, n):
        """Started from random rotations, as well: never worse than the start."""
        Z1, Z2 = trees(seed, n, "average", "complete")
        t1, t2 = drawn_tree(Z1), drawn_tree(Z2)
        rng = np.random.default_rng(seed)
        starts = []
        for tree in (t1, t2):
            Z = np.array(tree.children, dtype=float)
            flip = rng.random(len(Z)) < 0.5
            Z[flip] = Z[flip][:, ::-1]
            full = np.column_stack([Z, np.arange(len(Z)), np.zeros(len(Z))])
            starts.append(leaves_list(_valid(full, n)))
        order1, order2, before, after = untangle(t1, t2, *starts)
        assert before == pytest.approx(entanglement(*starts))
        assert after <= before

    @settings(max_examples=20, deadline=None)
    @given(st.integers(0, 10_000), st.integers(20, 80), st.integers(2, 10))
    def test_truncated_never_increases(self, seed, n, p):
        Z1, Z2 = trees(seed, n, "ward", "average")
        t1, t2 = drawn_tree(Z1, p), drawn_tree(Z2, p)
        order1, order2, before, after = untangle(t1, t2)
        assert 0 <= after <= before <= 1
        assert is_rotation_of(t1, order1) and is_rotation_of(t2, order2)

    def test_identical_trees_untangle_to_zero(self):
        Z1, _ = trees(3, 50)
        t = drawn_tree(Z1)
        rng = np.random.default_rng(0)
        Z = np.array(t.children, dtype=float)
        flip = rng.random(len(Z)) < 0.5
        Z[flip] = Z[flip][:, ::-1]
        start = leaves_list(_valid(np.column_stack([Z, np.arange(len(Z)), np.zeros(len(Z))]), 50))
        _, _, before, after = untangle(t, t, start, leaves_list(Z1))
        assert before > 0 and after == 0.0

    def test_weighted_with_single_samples_is_the_definition(self):
        """Truncated to every sample (p = n), the weighted sum is dendextend's."""
        Z1, Z2 = trees(5, 30)
        t1, t2 = drawn_tree(Z1, 30), drawn_tree(Z2, 30)
        assert not t1.truncated
        _, _, before, _ = untangle(t1, t2)
        assert before == pytest.approx(entanglement(leaves_list(Z1), leaves_list(Z2)))


def _valid(Z, n):
    """Counts filled in for a linkage whose children were reordered (heights = row)."""
    counts = [1] * n
    for a, b in Z[:, :2].astype(int):
        counts.append(counts[a] + counts[b])
    Z = Z.copy()
    Z[:, 3] = counts[n:]
    return Z


class TestDrawnTree:
    @pytest.mark.parametrize("p", [2, 5, 17])
    def test_lastp_as_scipy_draws_it(self, p):
        Z, _ = trees(7, 120, "average", "single")
        tree = drawn_tree(Z, p)
        drawn = dendrogram(Z, p=p, truncate_mode="lastp", no_plot=True)
        assert tree.leaf_nodes[initial_order(tree)].tolist() == drawn["leaves"]
        assert tree.n_leaves == p and tree.leaf_sizes.sum() == 120
        labels = fcluster(Z, p, criterion="maxclust")
        # samples of one drawn leaf are one of fcluster's p clusters
        assert adjusted_rand_score(labels, tree.sample_leaf) == pytest.approx(1.0)


class TestBakersGamma:
    def test_k_matrix_from_the_definition(self):
        """For each pair, the largest k at which cutree(k) keeps them together."""
        Z, _ = trees(11, 25)
        n = 25
        cuts = [fcluster(Z, k, criterion="maxclust") for k in range(1, n + 1)]
        assert all(len(np.unique(c)) == k for k, c in zip(range(1, n + 1), cuts))
        expected = [
            max(k for k, c in zip(range(1, n + 1), cuts) if c[i] == c[j])
            for i, j in itertools.combinations(range(n), 2)
        ]
        assert cophenetic_k(Z).tolist() == expected

    def test_gamma_from_the_definition(self):
        Z1, Z2 = trees(12, 30, "complete", "single")
        n = 30

        def k_matrix(Z):
            cuts = [fcluster(Z, k, criterion="maxclust") for k in range(1, n + 1)]
            return [
                max(k for k, c in zip(range(1, n + 1), cuts) if c[i] == c[j])
                for i, j in itertools.combinations(range(n), 2)
            ]

        expected = spearmanr(k_matrix(Z1), k_matrix(Z2)).statistic
        assert bakers_gamma(Z1, Z2) == pytest.approx(expected)
        assert -1 <= bakers_gamma(Z1, Z2) < 1

    @settings(max_examples=25, deadline=None)
    @given(st.integers(0, 10_000), st.integers(3, 60), st.sampled_from(METHODS))
    def test_a_tree_with_itself_is_one(self, seed, n, method):
        Z = linkage(points(seed, n), method)
        assert bakers_gamma(Z, Z) == pytest.approx(1.0)


class TestCopheneticBetween:
    @pytest.mark.parametrize("second", ["single", "average", "complete"])
    def test_as_scipy_cophenet_of_the_pair(self, second):
        Z1, Z2 = trees(13, 80, "ward", second)
        expected, _ = cophenet(Z1, cophenet(Z2))
        assert cophenetic_between(Z1, Z2) == pytest.approx(expected)

    def test_lowest_common_rows_against_scipy(self):
        Z, _ = trees(14, 300, "average", "single")
        rng = np.random.default_rng(0)
        i = rng.integers(0, 300, 4000)
        j = (i + rng.integers(1, 300, 4000)) % 300
        rows = lowest_common_rows(Z, i, j)
        assert np.allclose(Z[rows, 2], squareform(cophenet(Z))[i, j])
        k = squareform(cophenetic_k(Z).astype(float))
        assert np.array_equal(299 - rows, k[i, j])


class TestCompareTrees:
    def test_exact_up_to_the_limit(self):
        Z1, Z2 = trees(15, 200, "ward", "average")
        found = compare_trees(Z1, Z2)
        assert found.exact and not found.truncated
        assert found.gamma == pytest.approx(bakers_gamma(Z1, Z2))
        assert found.cophenetic == pytest.approx(cophenet(Z1, cophenet(Z2))[0])
        assert found.entanglement <= found.entanglement_drawn
        assert found.entanglement == pytest.approx(entanglement(found.order1, found.order2))

    def test_truncated_and_estimated_above_it(self):
        Z1, Z2 = trees(16, 600, "ward", "average")
        found = compare_trees(Z1, Z2, full_max_n=100, p=12, n_pairs=40_000)
        assert found.truncated and not found.exact and found.n_pairs == 40_000
        assert found.tree1.n_leaves == 12 and found.tree2.n_leaves == 12
        exact_gamma, exact_c = bakers_gamma(Z1, Z2), cophenetic_between(Z1, Z2)
        assert found.gamma == pytest.approx(exact_gamma, abs=0.03)
        assert found.cophenetic == pytest.approx(exact_c, abs=0.03)
        assert found.gamma_ci[0] < found.gamma < found.gamma_ci[1]
        assert 0 <= found.entanglement <= found.entanglement_drawn <= 1


class TestPartitionAgreement:
    @pytest.mark.parametrize("k", [2, 3, 5])
    def test_against_sklearn(self, k):
        Z1, Z2 = trees(17, 90, "ward", "single")
        labels = fcluster(Z1, k, criterion="maxclust")
        found = partition_agreement(labels, Z2)
        expected = adjusted_rand_score(labels, fcluster(Z2, k, criterion="maxclust"))
        assert found.ari == pytest.approx(expected)
        assert found.k == k == found.k_other

    def test_ties_give_fewer_clusters_and_say_so(self):
        # four points at the corners of a square: the tree's first merges tie
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
        Z = linkage(X, "single")
        found = partition_agreement(np.array([1, 2, 3, 3]), Z)
        assert found.k == 3 and found.k_other < 3


def test_line_labels_take_the_majority():
    Z1, Z2 = trees(18, 300, "ward", "average")
    found = compare_trees(Z1, Z2, full_max_n=100, p=8)
    labels = fcluster(Z1, 4, criterion="maxclust")
    lines, majority = line_labels(found, labels)
    assert lines.weight.sum() == 300
    for line in range(len(lines.a)):
        inside = (found.tree1.sample_leaf == lines.a[line]) & (
            found.tree2.sample_leaf == lines.b[line]
        )
        assert inside.sum() == lines.weight[line]
        counts = np.bincount(labels[inside])
        assert majority[line] == np.argmax(counts)
