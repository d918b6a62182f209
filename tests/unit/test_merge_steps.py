"""hclust.merge_steps against scipy: every merge's height recomputed from what decided it."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import linkage
from scipy.spatial.distance import pdist, squareform

from hclust.cut import TreeIndex
from hclust.errors import InputError
from hclust.linkage import METHODS
from hclust.merge_steps import (
    MAX_PAIRS,
    check_prediction,
    clusters_after,
    format_height,
    merge_distance,
)

PAIR_METRICS = ("euclidean", "cityblock", "cosine", "chebyshev")


def _data(seed, n, m):
    return np.random.default_rng(seed).normal(size=(n, m)) * np.array([1, 3, 0.5][:m])


def _union_find_clusters(Z, n, i):
    """Reference: apply Z[0..i-1] to singletons, as the rows describe."""
    members = {j: {j} for j in range(n)}
    for step in range(i):
        a, b = int(Z[step, 0]), int(Z[step, 1])
        members[n + step] = members.pop(a) | members.pop(b)
    return members


class TestClustersAfter:
    @settings(max_examples=25, deadline=None)
    @given(seed=st.integers(0, 10_000), n=st.integers(2, 40), method=st.sampled_from(METHODS))
    def test_matches_applying_the_rows(self, seed, n, method):
        X = _data(seed, n, 2)
        Z = linkage(X, method=method)
        tree = TreeIndex.from_linkage(Z)
        for i in range(n):
            roots, node_of_sample = clusters_after(tree, i)
            expected = _union_find_clusters(Z, n, i)
            assert sorted(roots.tolist()) == sorted(expected)
            assert len(roots) == n - i
            for node, samples in expected.items():
                assert set(np.flatnonzero(node_of_sample == node).tolist()) == samples

    def test_refuses_a_step_outside_the_tree(self):
        tree = TreeIndex.from_linkage(linkage(_data(0, 5, 2)))
        with pytest.raises(ValueError):
            clusters_after(tree, 5)


class TestMergeDistance:
    @settings(max_examples=30, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        n=st.integers(2, 30),
        m=st.integers(1, 3),
        method=st.sampled_from(METHODS),
    )
    def test_every_height_agrees_with_scipy(self, seed, n, m, method):
        X = _data(seed, n, m)
        Z = linkage(X, method=method)
        tree = TreeIndex.from_linkage(Z)
        for i in range(n - 1):
            found = merge_distance(X, Z, tree, method, "euclidean", i)
            assert found.distance == pytest.approx(Z[i, 2], rel=1e-9, abs=1e-12)
            assert (found.a, found.b) == tuple(Z[i, :2].astype(int))
            assert found.size_a + found.size_b == Z[i, 3]

    @settings(max_examples=20, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        n=st.integers(2, 25),
        method=st.sampled_from(("single", "complete", "average", "weighted")),
        metric=st.sampled_from(PAIR_METRICS),
    )
    def test_pair_methods_with_other_metrics(self, seed, n, method, metric):
        X = np.abs(_data(seed, n, 3)) + 0.1
        Z = linkage(X, method=method, metric=metric)
        tree = TreeIndex.from_linkage(Z)
        for i in range(n - 1):
            found = merge_distance(X, Z, tree, method, metric, i)
            assert found.distance == pytest.approx(Z[i, 2], rel=1e-9, abs=1e-12)

    @settings(max_examples=20, deadline=None)
    @given(seed=st.integers(0, 10_000), n=st.integers(2, 25), method=st.sampled_from(METHODS))
    def test_from_a_distance_matrix(self, seed, n, method):
        X = _data(seed, n, 2)
        D = squareform(pdist(X))
        Z = linkage(squareform(D, checks=False), method=method)
        tree = TreeIndex.from_linkage(Z)
        for i in range(n - 1):
            found = merge_distance(D, Z, tree, method, "euclidean", i, is_distance_matrix=True)
            assert found.distance == pytest.approx(Z[i, 2], rel=1e-7, abs=1e-9)

    def test_single_and_complete_name_the_deciding_pair(self):
        X = _data(3, 20, 2)
        D = squareform(pdist(X))
        for method, pick in (("single", np.min), ("complete", np.max)):
            Z = linkage(X, method=method)
            tree = TreeIndex.from_linkage(Z)
            found = merge_distance(X, Z, tree, method, "euclidean", len(Z) - 1)
            clusters = _union_find_clusters(Z, 20, 18)
            left, right = clusters[found.a], clusters[found.b]
            block = D[np.ix_(sorted(left), sorted(right))]
            assert D[found.pair] == pytest.approx(pick(block))
            assert {found.pair[0] in left, found.pair[1] in right} == {True}

    def test_ward_names_centroids_and_the_variance_increase(self):
        X = _data(5, 30, 2)
        Z = linkage(X, method="ward")
        tree = TreeIndex.from_linkage(Z)
        i = len(Z) - 1
        found = merge_distance(X, Z, tree, "ward", "euclidean", i)
        left, right = (sorted(s) for s in _union_find_clusters(Z, 30, i).values())

        def ess(rows):
            return float(((X[rows] - X[rows].mean(axis=0)) ** 2).sum())

        increase = ess(left + right) - ess(left) - ess(right)
        assert found.ward_increase == pytest.approx(increase)
        assert {tuple(np.round(found.centre_a, 12)), tuple(np.round(found.centre_b, 12))} == {
            tuple(np.round(X[left].mean(axis=0), 12)),
            tuple(np.round(X[right].mean(axis=0), 12)),
        }

    def test_refuses_too_many_pairs_clearly(self, monkeypatch):
        import hclust.merge_steps as merge_steps

        monkeypatch.setattr(merge_steps, "MAX_PAIRS", 10)
        X = _data(1, 12, 2)
        Z = linkage(X, method="average")
        tree = TreeIndex.from_linkage(Z)
        with pytest.raises(InputError, match="pairs of samples"):
            merge_distance(X, Z, tree, "average", "euclidean", len(Z) - 1)
        assert MAX_PAIRS > 10


class TestPrediction:
    def test_right_wrong_and_why(self):
        X = np.array([[0.0, 0], [0, 1.0], [10, 0], [10, 3], [30, 0]])
        Z = linkage(X, method="single")
        tree = TreeIndex.from_linkage(Z)
        verdict = check_prediction(X, Z, tree, "single", "euclidean", 0, 1, 0)
        assert verdict.right and verdict.actual.distance == pytest.approx(1.0)
        verdict = check_prediction(X, Z, tree, "single", "euclidean", 0, 2, 3)
        assert not verdict.right and not verdict.tie
        assert verdict.guessed.distance == pytest.approx(3.0)
        assert verdict.actual.distance == pytest.approx(Z[0, 2])

    def test_a_tie_is_said_to_be_a_tie(self):
        X = np.array([[0.0], [1.0], [5.0], [6.0]])
        Z = linkage(X, method="single")
        tree = TreeIndex.from_linkage(Z)
        other = {0, 1, 2, 3} - set(Z[0, :2].astype(int).tolist())
        verdict = check_prediction(X, Z, tree, "single", "euclidean", 0, *sorted(other))
        assert not verdict.right and verdict.tie

    def test_refuses_clusters_that_do_not_exist_yet(self):
        X = _data(2, 6, 2)
        Z = linkage(X)
        tree = TreeIndex.from_linkage(Z)
        with pytest.raises(InputError, match="two different clusters"):
            check_prediction(X, Z, tree, "single", "euclidean", 0, 6, 1)
        with pytest.raises(InputError):
            check_prediction(X, Z, tree, "single", "euclidean", 0, 1, 1)


@pytest.mark.parametrize(
    "value, text",
    [
        (1262.3, "1,262"),
        (180.27043, "180.3"),
        (0.1701, "0.1701"),
        (12620.4, "12,620"),
        (0, "0"),
        (17.0, "17"),
        (-3.5, "-3.5"),
    ],
)
def test_format_height(value, text):
    assert format_height(value) == text
