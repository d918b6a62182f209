"""hclust.ward.ward_linkage against scipy's Ward, the reference."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.cluster.hierarchy import is_valid_linkage, linkage

import hclust.linkage as linkage_module
from hclust import ward
from hclust.linkage import compute_linkage
from hclust.ward import ward_linkage
from tests.fixtures import random_observations


def assert_same_tree(Z, expected, atol=1e-9):
    assert is_valid_linkage(Z)
    assert_allclose(Z[:, 2], expected[:, 2], rtol=0, atol=atol)
    assert_array_equal(Z[:, :2], expected[:, :2])
    assert_array_equal(Z[:, 3], expected[:, 3])


class TestAgainstScipy:
    @pytest.mark.parametrize("seed", range(6))
    def test_random_observations_give_scipys_tree(self, seed):
        X = random_observations(seed)
        assert_same_tree(ward_linkage(X), linkage(X, "ward"))

    @pytest.mark.parametrize("n,m", [(2, 1), (3, 2), (257, 3), (1_500, 2), (1_200, 10), (600, 40)])
    def test_sizes_around_the_scan_tiles_and_wide_data(self, n, m):
        # 257 crosses one 256-cluster tile; 40 columns stress the float32 bound
        X = np.random.default_rng(n * m).normal(size=(n, m))
        assert_same_tree(ward_linkage(X), linkage(X, "ward"))

    def test_blobs_far_from_the_origin(self):
        # tiny distances against large coordinates: where float32 rounding is worst
        rng = np.random.default_rng(5)
        X = rng.normal(size=(800, 10)) * 1e-3 + rng.normal(size=10) * 100
        assert_same_tree(ward_linkage(X), linkage(X, "ward"), atol=1e-12)

    @pytest.mark.parametrize("scale", [1e-30, 1e30])
    def test_extreme_scales_neither_overflow_nor_underflow(self, scale):
        X = np.random.default_rng(3).normal(size=(500, 3)) * scale
        Z, expected = ward_linkage(X), linkage(X, "ward")
        assert_allclose(Z[:, 2], expected[:, 2], rtol=1e-12)
        assert_array_equal(Z[:, :2], expected[:, :2])

    def test_merges_follow_wards_definition(self):
        """Each height is sqrt(2 |A||B| / (|A|+|B|)) times the distance between the merged centroids."""
        X = random_observations(11)
        Z = ward_linkage(X)
        n = len(X)
        members = {i: [i] for i in range(n)}
        for i, (a, b, height, count) in enumerate(Z):
            A, B = members.pop(int(a)), members.pop(int(b))
            gap = np.linalg.norm(X[A].mean(axis=0) - X[B].mean(axis=0))
            assert height == pytest.approx(
                np.sqrt(2 * len(A) * len(B) / (len(A) + len(B))) * gap, rel=1e-9
            )
            members[n + i] = A + B
            assert count == len(A) + len(B)


class TestTies:
    def test_integer_grid_gives_an_equally_valid_tree(self):
        """Tied costs may be broken differently from scipy; every merge must still be a cheapest one when it is made."""
        X = np.random.default_rng(2).integers(0, 4, size=(120, 2)).astype(float)
        Z = ward_linkage(X)
        assert is_valid_linkage(Z)
        assert np.all(np.diff(Z[:, 2]) >= 0)
        n = len(X)
        clusters = {i: [i] for i in range(n)}

        def height(A, B):
            gap = np.linalg.norm(X[A].mean(axis=0) - X[B].mean(axis=0))
            return np.sqrt(2 * len(A) * len(B) / (len(A) + len(B))) * gap

        for i, (a, b, merged_at, _) in enumerate(Z):
            # height() of every pair of the clusters there are before this merge, at once
            sizes = np.array([len(members) for members in clusters.values()], dtype=float)
            centres = np.array([X[members].mean(axis=0) for members in clusters.values()])
            gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1)
            costs = np.sqrt(2 * np.outer(sizes, sizes) / (sizes[:, None] + sizes[None])) * gaps
            cheapest = costs[np.triu_indices(len(sizes), 1)].min()
            assert merged_at == pytest.approx(height(clusters[int(a)], clusters[int(b)]), abs=1e-9)
            assert merged_at <= cheapest + 1e-9, f"merge {i} is not a cheapest pair"
            clusters[n + i] = clusters.pop(int(a)) + clusters.pop(int(b))
        # duplicates merge first, at exactly 0 as in scipy, whichever ties are chosen
        assert np.sum(Z[:, 2] == 0) == n - len(np.unique(X, axis=0))

    def test_identical_points_merge_at_zero(self):
        Z = ward_linkage(np.zeros((100, 3)))
        assert is_valid_linkage(Z)
        assert Z[:, 2].max() == 0 and Z[-1, 3] == 100

    def test_needs_two_observations(self):
        with pytest.raises(ValueError, match="at least 2"):
            ward_linkage(np.zeros((1, 2)))


def same_partition(a, b):
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def far_apart_groups(seed, separation, per_group=None):
    """Gaussian groups of unit spread whose centres lie `separation` standard deviations apart."""
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 4))
    groups = int(rng.integers(2, 5))
    per_group = int(rng.integers(5, 40)) if per_group is None else per_group
    centres = rng.normal(size=(groups, m)) * separation
    return np.concatenate([centre + rng.normal(size=(per_group, m)) for centre in centres])


class TestFarApartGroups:
    """#12 1c: the float32 bound's second-order term, at groups 1e7 and more standard deviations apart."""

    @pytest.mark.parametrize("separation", [1e7, 1e8, 1e9, 1e10])
    @pytest.mark.parametrize("seed", [0, 4, 6, 9, 12, 14, 15])
    def test_partitions_at_every_k_are_scipys(self, separation, seed):
        from scipy.cluster.hierarchy import fcluster

        X = far_apart_groups(seed, separation)
        Z, expected = ward_linkage(X), linkage(X, "ward")
        # centroids at coordinates ~ M carry float64 rounding ~ 1e-16 M, so heights agree to that
        spread = np.abs(X - X.mean(axis=0)).max()
        assert_allclose(Z[:, 2], expected[:, 2], rtol=1e-9, atol=1e-14 * spread)
        for k in range(2, len(X)):
            assert same_partition(
                fcluster(Z, k, criterion="maxclust"), fcluster(expected, k, criterion="maxclust")
            ), k

    def test_float32_that_cannot_tell_members_apart_falls_back_to_float64(self):
        from scipy.cluster.hierarchy import fcluster

        X = far_apart_groups(1, 1e12, per_group=150)
        Z, float64_only = ward._ward(X)
        assert float64_only
        expected = linkage(X, "ward")
        for k in range(2, 40):
            assert same_partition(
                fcluster(Z, k, criterion="maxclust"), fcluster(expected, k, criterion="maxclust")
            ), k

    def test_ordinary_data_keeps_the_float32_pass(self):
        assert not ward._ward(np.random.default_rng(0).normal(size=(2_000, 5)))[1]


class TestIdenticalRows:
    """#12 1d: identical rows merge at exactly 0, as in scipy, so a cut at 0 gives scipy's count."""

    @pytest.mark.parametrize("seed", range(5))
    def test_duplicates_merge_at_zero_exactly(self, seed):
        from scipy.cluster.hierarchy import fcluster

        rng = np.random.default_rng(seed)
        distinct = rng.normal(size=(40, 3))  # their weighted means round away from them
        X = distinct[rng.integers(0, len(distinct), size=300)]
        Z, expected = ward_linkage(X), linkage(X, "ward")
        assert (
            np.sum(Z[:, 2] == 0)
            == np.sum(expected[:, 2] == 0)
            == len(X) - len(np.unique(X, axis=0))
        )
        assert len(np.unique(fcluster(Z, 0, criterion="distance"))) == len(
            np.unique(fcluster(expected, 0, criterion="distance"))
        )


class TestChosenByComputeLinkage:
    def test_ward_above_the_threshold_runs_here_and_stays_scipys(self, monkeypatch):
        calls = []
        monkeypatch.setattr(linkage_module, "SCIPY_TREE_MAX_N", 50)
        monkeypatch.setattr(
            linkage_module, "ward_linkage", lambda X: calls.append(len(X)) or ward.ward_linkage(X)
        )
        X = random_observations(4)
        assert_same_tree(compute_linkage(X, "ward", "euclidean"), linkage(X, "ward"))
        assert calls == [len(X)]

    def test_small_ward_is_scipys_own(self, monkeypatch):
        monkeypatch.setattr(
            linkage_module,
            "ward_linkage",
            lambda X: pytest.fail("small data should not load compiled code"),
        )
        X = random_observations(4)
        assert_array_equal(compute_linkage(X, "ward", "euclidean"), linkage(X, "ward"))
