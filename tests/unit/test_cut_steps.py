"""hclust.cut: stepping and snapping the cut, flat_clusters validation, and
TreeIndex.pure_nodes / partition_roots against brute force."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.cluster.hierarchy import fcluster, inconsistent, linkage, maxRstat

from hclust.cut import (
    CRITERIA,
    TreeIndex,
    flat_clusters,
    monotone_heights,
    n_clusters_at,
    snap_to_gap,
    step_cut,
)
from hclust.dendrogram import members
from hclust.errors import InputError
from hclust.linkage import compute_linkage
from tests.fixtures import blobs, random_observations

SEEDS = (0, 1, 2)


@pytest.fixture(
    scope="module",
    params=[(seed, method) for seed in SEEDS for method in ("ward", "average", "single")],
)
def tie_free(request):
    """Continuous random data: every merge height distinct (asserted)."""
    seed, method = request.param
    Z = compute_linkage(random_observations(seed, n=60), method, "euclidean")
    heights = np.sort(monotone_heights(Z))
    assert len(np.unique(heights)) == len(heights), "this fixture must be tie-free"
    return heights


@pytest.fixture(scope="module")
def tied_heights():
    """Single linkage on a 1-D lattice with gaps: many merges share a height."""
    X = np.array([0, 1, 2, 3, 10, 11, 12, 30, 31, 60], dtype=float)[:, None]
    heights = np.sort(monotone_heights(linkage(X, "single")))
    assert len(np.unique(heights)) < len(heights), "this fixture must contain ties"
    return heights


def walk(heights, start, direction):
    """Cut heights visited stepping from `start` until the cut stops moving."""
    visited = [start]
    for _ in range(len(heights) + 5):
        nxt = step_cut(heights, visited[-1], direction)
        if nxt == visited[-1]:
            return visited
        visited.append(nxt)
    raise AssertionError("step_cut never stopped at the end of the tree")


class TestStepCut:
    def test_up_from_the_bottom_adds_one_merge_per_step(self, tie_free):
        n = len(tie_free) + 1
        visited = walk(tie_free, tie_free[0] / 2, +1)
        counts = [n_clusters_at(tie_free, h) for h in visited]
        assert counts == list(range(n, 0, -1))

    def test_down_from_the_top_undoes_one_merge_per_step(self, tie_free):
        n = len(tie_free) + 1
        visited = walk(tie_free, tie_free[-1] * 1.5, -1)
        counts = [n_clusters_at(tie_free, h) for h in visited]
        assert counts == list(range(1, n + 1))

    @pytest.mark.parametrize("direction", [+1, -1])
    def test_never_lands_on_a_merge_height(self, tie_free, direction):
        start = tie_free[0] / 2 if direction > 0 else tie_free[-1] * 1.5
        visited = np.asarray(walk(tie_free, start, direction)[1:])
        assert len(visited) == len(tie_free)
        assert not np.any(np.isin(visited, tie_free))

    @pytest.mark.parametrize("direction", [+1, -1])
    def test_crosses_exactly_one_distinct_height(self, tie_free, direction):
        """Between the old and new cut lies exactly one merge height."""
        rng = np.random.default_rng(7)
        for height in rng.uniform(0, tie_free[-1] * 1.02, size=30):
            new = step_cut(tie_free, height, direction)
            if new == height:
                continue
            low, high = sorted((height, new))
            crossed = tie_free[
                (tie_free > low) & (tie_free <= high)
            ]  # merges done above the lower cut only
            assert len(crossed) == 1

    def test_ties_change_k_by_the_number_of_merges_at_that_height(self, tied_heights):
        levels, multiplicity = np.unique(tied_heights, return_counts=True)
        visited = walk(tied_heights, levels[0] / 2, +1)
        assert len(visited) == len(levels) + 1
        drops = -np.diff([n_clusters_at(tied_heights, h) for h in visited])
        assert drops.tolist() == multiplicity.tolist()

    def test_ties_going_down(self, tied_heights):
        levels, multiplicity = np.unique(tied_heights, return_counts=True)
        visited = walk(tied_heights, levels[-1] * 2, -1)
        rises = np.diff([n_clusters_at(tied_heights, h) for h in visited])
        assert rises.tolist() == multiplicity[::-1].tolist()
        assert not np.any(np.isin(visited[1:], levels))

    def test_stays_put_above_the_top(self, tie_free):
        top = step_cut(tie_free, tie_free[-2] + (tie_free[-1] - tie_free[-2]) / 2, +1)
        assert top > tie_free[-1] and n_clusters_at(tie_free, top) == 1
        assert step_cut(tie_free, top, +1) == top

    def test_stays_put_below_the_bottom(self, tie_free):
        bottom = tie_free[0] / 2
        assert n_clusters_at(tie_free, bottom) == len(tie_free) + 1
        assert step_cut(tie_free, bottom, -1) == bottom

    def test_down_onto_zero_height_merges_stays_put(self):
        """Identical samples merge at height 0: no cut can separate them, so
        stepping down from the lowest gap must not land on 0 (a merge height)
        and claim a step that changes nothing.

        Regression: step_cut used to return (0 + 0) / 2 = 0.0 here, a merge
        height giving the same number of clusters as before.
        """
        heights = np.array([0.0, 0.0, 1.0, 3.0])  # two pairs of identical samples
        start = 0.5
        new = step_cut(heights, start, -1)
        assert new not in heights
        assert new == start or n_clusters_at(heights, new) != n_clusters_at(heights, start)


class TestSnapToGap:
    @staticmethod
    def largest_gap_middles(heights, n_gaps):
        levels = np.unique(heights)
        gaps = np.diff(levels)
        widest = np.argsort(-gaps, kind="stable")[:n_gaps]
        return (levels[widest] + levels[widest + 1]) / 2, gaps[widest]

    @pytest.mark.parametrize("n_gaps", [1, 3, 8])
    def test_is_the_nearest_middle_of_a_large_gap(self, tie_free, n_gaps):
        middles, _ = self.largest_gap_middles(tie_free, n_gaps)
        rng = np.random.default_rng(n_gaps)
        for height in rng.uniform(0, tie_free[-1] * 1.1, size=25):
            snapped = snap_to_gap(tie_free, height, n_gaps)
            assert np.any(np.isclose(middles, snapped, rtol=0, atol=1e-12))
            assert abs(snapped - height) <= np.min(np.abs(middles - height)) + 1e-12

    def test_the_gap_is_among_the_widest(self, tie_free):
        levels = np.unique(tie_free)
        snapped = snap_to_gap(tie_free, float(np.median(tie_free)), 4)
        j = int(np.searchsorted(levels, snapped)) - 1
        width = levels[j + 1] - levels[j]
        assert np.sum(np.diff(levels) > width) < 4
        assert snapped == pytest.approx((levels[j] + levels[j + 1]) / 2)

    def test_one_gap_always_gives_the_largest_jump(self):
        heights = np.array([1.0, 1.5, 2.0, 10.0, 10.5])
        assert snap_to_gap(heights, 0.0, 1) == 6.0
        assert snap_to_gap(heights, 100.0, 1) == 6.0

    def test_ties_count_once(self):
        heights = np.array([1.0, 1.0, 1.0, 4.0])
        assert snap_to_gap(heights, 0.0) == 2.5

    def test_fewer_than_two_levels_leaves_the_height(self):
        assert snap_to_gap(np.array([2.0, 2.0]), 0.7) == 0.7


@pytest.fixture(scope="module")
def Z():
    return compute_linkage(blobs(0, n_per_blob=15), "average", "euclidean")


class TestFlatClustersValidation:
    def test_unknown_criterion(self, Z):
        with pytest.raises(InputError, match="Unknown criterion 'height'"):
            flat_clusters(Z, "height", height=1.0)

    @pytest.mark.parametrize("height", [None, -0.5, float("nan"), float("inf")])
    def test_distance_needs_a_height_of_0_or_more(self, Z, height):
        with pytest.raises(InputError, match="cut height of 0 or more"):
            flat_clusters(Z, "distance", height=height)

    @pytest.mark.parametrize("criterion", ["maxclust", "maxclust_monocrit"])
    @pytest.mark.parametrize("k", [None, 0, -1, 61, 2.5])
    def test_k_missing_or_out_of_range(self, Z, criterion, k):
        with pytest.raises(InputError, match="k must be a whole number from 1 to 60"):
            flat_clusters(Z, criterion, k=k, t=1.0, depth=2)

    @pytest.mark.parametrize("criterion", ["inconsistent", "monocrit"])
    @pytest.mark.parametrize("t", [None, float("nan"), float("inf")])
    def test_t_missing(self, Z, criterion, t):
        with pytest.raises(InputError, match=f"The {criterion} criterion needs a threshold t"):
            flat_clusters(Z, criterion, t=t, depth=2)

    @pytest.mark.parametrize(
        "criterion,extra",
        [("inconsistent", {"t": 1.0}), ("monocrit", {"t": 1.0}), ("maxclust_monocrit", {"k": 3})],
    )
    @pytest.mark.parametrize("depth", [None, 0, 101, 2.5, -3])
    def test_depth_missing_or_out_of_range(self, Z, criterion, extra, depth):
        with pytest.raises(InputError, match="Depth must be a whole number from 1 to 100"):
            flat_clusters(Z, criterion, depth=depth, **extra)

    @pytest.mark.parametrize("depth", [None, 0, 101])
    def test_maxclust_does_not_use_depth(self, Z, depth):
        """maxclust has no depth; a cleared Depth box must not break it.

        Regression: flat_clusters used to check depth before returning for
        'maxclust', so a maxclust cut with the Depth box empty raised.
        """
        assert_array_equal(
            flat_clusters(Z, "maxclust", k=3, depth=depth), fcluster(Z, 3, criterion="maxclust")
        )

    @pytest.mark.parametrize("depth", [None, 0, 101])
    def test_distance_does_not_use_depth(self, Z, depth):
        assert_array_equal(
            flat_clusters(Z, "distance", height=2.0, depth=depth),
            fcluster(Z, 2.0, criterion="distance"),
        )

    def test_valid_parameters_match_scipy(self, Z):
        R = inconsistent(Z, 3)
        MR = maxRstat(Z, R, 3)
        assert_array_equal(
            flat_clusters(Z, "inconsistent", t=1.0, depth=3),
            fcluster(Z, 1.0, criterion="inconsistent", depth=3),
        )
        assert_array_equal(
            flat_clusters(Z, "monocrit", t=1.0, depth=3),
            fcluster(Z, 1.0, criterion="monocrit", monocrit=MR),
        )
        assert_array_equal(
            flat_clusters(Z, "maxclust_monocrit", k=4, depth=3),
            fcluster(Z, 4, criterion="maxclust_monocrit", monocrit=MR),
        )


def labels_by(Z, criterion):
    """Flat labels from each criterion with parameters that give several clusters."""
    heights = np.sort(monotone_heights(Z))
    params = {
        "distance": dict(height=float((heights[-4] + heights[-3]) / 2)),
        "maxclust": dict(k=5),
        "inconsistent": dict(t=0.9, depth=3),
        "monocrit": dict(t=0.9, depth=3),
        "maxclust_monocrit": dict(k=5, depth=3),
    }[criterion]
    return flat_clusters(Z, criterion, **params)


@pytest.fixture(
    scope="module",
    params=[
        (seed, method) for seed in SEEDS for method in ("ward", "average", "single", "centroid")
    ],
)
def random_tree(request):
    seed, method = request.param
    Z = compute_linkage(random_observations(seed, n=50), method, "euclidean")
    return Z, TreeIndex.from_linkage(Z)


class TestPureNodesAndPartitionRoots:
    @staticmethod
    def brute_pure(tree, labels):
        return np.array(
            [len(np.unique(labels[members(tree, node)])) == 1 for node in range(2 * tree.n - 1)]
        )

    @pytest.mark.parametrize("criterion", CRITERIA)
    def test_pure_nodes_equals_brute_force(self, random_tree, criterion):
        Z, tree = random_tree
        labels = labels_by(Z, criterion)
        assert_array_equal(tree.pure_nodes(labels), self.brute_pure(tree, labels))

    @pytest.mark.parametrize("criterion", CRITERIA)
    def test_partition_roots_equals_brute_force(self, random_tree, criterion):
        Z, tree = random_tree
        labels = labels_by(Z, criterion)
        roots, pure = tree.partition_roots(labels)
        brute = self.brute_pure(tree, labels)
        expected = [
            node
            for node in range(2 * tree.n - 1)
            if brute[node] and (tree.parent[node] < 0 or not brute[tree.parent[node]])
        ]
        assert sorted(roots.tolist()) == expected
        assert_array_equal(pure, brute)

    @pytest.mark.parametrize("criterion", CRITERIA)
    def test_each_cluster_is_exactly_one_root(self, random_tree, criterion):
        Z, tree = random_tree
        labels = labels_by(Z, criterion)
        roots, _ = tree.partition_roots(labels)
        assert len(roots) == len(np.unique(labels))
        assert np.all(np.diff(tree.start[roots]) > 0), "roots are left to right"
        for root in roots:
            inside = members(tree, root)
            label = labels[inside[0]]
            assert set(inside.tolist()) == set(np.flatnonzero(labels == label).tolist())

    def test_arbitrary_partition(self):
        """Any labelling, not only one fcluster makes, is answered exactly."""
        Z = compute_linkage(random_observations(5, n=40), "average", "euclidean")
        tree = TreeIndex.from_linkage(Z)
        labels = np.random.default_rng(5).integers(1, 4, size=tree.n)
        assert_array_equal(tree.pure_nodes(labels), self.brute_pure(tree, labels))


class TestStepCutAdjacentFloats:
    """#12 1b: every keyboard step crosses a merge, also where two merge heights are adjacent floats."""

    @pytest.fixture
    def tree(self):
        from tests.unit.test_cut import adjacent_float_tree

        return adjacent_float_tree()

    @staticmethod
    def fcluster_count(Z, height):
        return len(np.unique(fcluster(Z, height, criterion="distance")))

    def test_up_from_the_bottom_each_step_joins_one_level(self, tree):
        Z, heights = tree
        levels, multiplicity = np.unique(heights[heights > 0], return_counts=True)
        visited = walk(heights, 0.0, +1)  # identical samples are joined at 0 already
        counts = [self.fcluster_count(Z, h) for h in visited]
        assert (-np.diff(counts)).tolist() == multiplicity.tolist()

    def test_down_from_the_top_each_step_undoes_one_level(self, tree):
        Z, heights = tree
        levels, multiplicity = np.unique(heights[heights > 0], return_counts=True)
        visited = walk(heights, levels[-1] * 2, -1)
        counts = [self.fcluster_count(Z, h) for h in visited]
        assert np.diff(counts).tolist() == multiplicity[::-1].tolist()

    def test_down_across_a_gap_without_a_float_inside(self):
        a = 1.0 + 2.0**-52
        b = np.nextafter(a, np.inf)
        heights = np.array([0.5, a, b, 3.0])
        start = 2.0  # above b: 2 clusters
        new = step_cut(heights, start, -1)
        assert n_clusters_at(heights, new) == n_clusters_at(heights, start) + 1
