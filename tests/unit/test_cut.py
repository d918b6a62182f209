"""hclust.cut: heights <-> number of clusters, flat labels, cluster roots, colours."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.cluster.hierarchy import fcluster, leaves_list, linkage

from hclust.cut import (
    OVERFLOW,
    OVERFLOW_COLOUR,
    PALETTE,
    TreeIndex,
    assign_colours,
    colour_hex,
    height_for_k,
    labels_at,
    largest_gap_cut,
    monotone_heights,
    n_clusters_at,
)
from hclust.dendrogram import members
from hclust.errors import InputError
from hclust.linkage import compute_linkage
from tests.fixtures import blobs, random_observations

SEEDS = (0, 1, 2)


def probe_heights(Z):
    """Heights to cut at: every merge height, every gap midpoint, below and above all."""
    heights = np.unique(monotone_heights(Z))
    middles = (heights[:-1] + heights[1:]) / 2
    return np.concatenate([[0.0, heights[0] / 2], heights, middles, [heights[-1] * 1.5]])


def n_fcluster(Z, height):
    return len(np.unique(fcluster(Z, height, criterion="distance")))


@pytest.fixture(scope="module", params=SEEDS)
def inverted(request):
    """Centroid linkage on random data: Z with inversions (asserted)."""
    Z = compute_linkage(random_observations(request.param), "centroid", "euclidean")
    assert np.any(np.diff(Z[:, 2]) < 0), "this fixture must contain inversions"
    return Z


@pytest.fixture(
    scope="module",
    params=[
        (seed, method) for seed in SEEDS for method in ("ward", "average", "single", "complete")
    ],
)
def monotone(request):
    seed, method = request.param
    return compute_linkage(random_observations(seed), method, "euclidean")


@pytest.fixture(scope="module")
def tied():
    """Single linkage on four points on a line: heights 1, 1, 9 (a tie)."""
    X = np.array([[0.0], [1.0], [10.0], [11.0]])
    Z = linkage(X, "single")
    assert Z[:, 2].tolist() == [1.0, 1.0, 9.0]
    return Z


class TestMonotoneHeights:
    def test_unchanged_when_monotonic(self, monotone):
        assert_array_equal(monotone_heights(monotone), monotone[:, 2])

    def test_never_below_a_child(self, inverted):
        heights = monotone_heights(inverted)
        n = len(inverted) + 1
        for i, (a, b) in enumerate(inverted[:, :2].astype(int)):
            for child in (a, b):
                if child >= n:
                    assert heights[i] >= heights[child - n]

    def test_is_the_highest_merge_beneath(self, inverted):
        heights = monotone_heights(inverted)
        tree = TreeIndex.from_linkage(inverted)
        n = tree.n
        raw = inverted[:, 2]
        for i in range(len(inverted)):
            inside = (tree.start[n:] >= tree.start[n + i]) & (
                tree.start[n:] + tree.size[n:] <= tree.start[n + i] + tree.size[n + i]
            )
            assert heights[i] == raw[inside].max()

    def test_raises_only_inverted_merges(self, inverted):
        heights = monotone_heights(inverted)
        assert np.all(heights >= inverted[:, 2])
        assert np.any(heights > inverted[:, 2])

    def test_n_clusters_matches_fcluster_with_inversions(self, inverted):
        sorted_heights = np.sort(monotone_heights(inverted))
        for height in probe_heights(inverted):
            assert n_clusters_at(sorted_heights, height) == n_fcluster(inverted, height), height

    def test_raw_heights_would_disagree_with_fcluster(self, inverted):
        # why monotone heights exist: counting raw heights is wrong with inversions
        raw_sorted = np.sort(inverted[:, 2])
        assert any(
            n_clusters_at(raw_sorted, h) != n_fcluster(inverted, h) for h in probe_heights(inverted)
        )


class TestNClustersAt:
    def test_matches_fcluster(self, monotone):
        sorted_heights = np.sort(monotone_heights(monotone))
        for height in probe_heights(monotone):
            assert n_clusters_at(sorted_heights, height) == n_fcluster(monotone, height), height

    def test_extremes(self, monotone):
        sorted_heights = np.sort(monotone_heights(monotone))
        n = len(monotone) + 1
        assert n_clusters_at(sorted_heights, -1.0) == n
        assert n_clusters_at(sorted_heights, sorted_heights[-1]) == 1
        assert n_clusters_at(sorted_heights, np.inf) == 1

    def test_ties(self, tied):
        sorted_heights = np.sort(monotone_heights(tied))
        assert [n_clusters_at(sorted_heights, h) for h in (0.5, 1.0, 5.0, 9.0)] == [4, 2, 2, 1]


class TestHeightForK:
    def test_every_k_gives_exactly_k_clusters(self, monotone):
        sorted_heights = np.sort(monotone_heights(monotone))
        assert len(np.unique(sorted_heights)) == len(sorted_heights), "fixture should have no ties"
        n = len(monotone) + 1
        for k in range(1, n + 1):
            cut = height_for_k(sorted_heights, k)
            assert cut.height is not None, k
            assert len(np.unique(labels_at(monotone, cut.height))) == k
            assert n_clusters_at(sorted_heights, cut.height) == k
            assert cut.low is not None and cut.low < cut.height
            if cut.high is not None:
                assert cut.height < cut.high

    def test_with_inversions(self, inverted):
        sorted_heights = np.sort(monotone_heights(inverted))
        for k in range(1, 30):
            cut = height_for_k(sorted_heights, k)
            if cut.height is None:
                assert cut.reason
            else:
                assert n_fcluster(inverted, cut.height) == k

    def test_is_the_middle_of_the_gap(self):
        sorted_heights = np.array([1.0, 2.0, 4.0, 10.0])
        cut = height_for_k(sorted_heights, 2)
        assert (cut.low, cut.high, cut.height) == (4.0, 10.0, 7.0)

    def test_all_samples_separate(self):
        sorted_heights = np.array([2.0, 3.0, 5.0])
        cut = height_for_k(sorted_heights, 4)
        assert (cut.low, cut.height, cut.high) == (0.0, 1.0, 2.0)

    def test_one_cluster_is_above_the_top(self):
        sorted_heights = np.array([2.0, 3.0, 5.0])
        cut = height_for_k(sorted_heights, 1)
        assert cut.height > 5.0
        assert n_clusters_at(sorted_heights, cut.height) == 1

    def test_tie_gives_no_height_and_a_reason(self, tied):
        sorted_heights = np.sort(monotone_heights(tied))
        cut = height_for_k(sorted_heights, 3)
        assert cut.height is None
        assert "tie" in cut.reason and "3 clusters" in cut.reason
        assert "from 2 to 4" in cut.reason
        assert height_for_k(sorted_heights, 2).height is not None

    def test_identical_samples_cannot_all_be_separated(self):
        Z = linkage(np.array([[0.0], [0.0], [3.0]]), "single")
        cut = height_for_k(np.sort(monotone_heights(Z)), 3)
        assert cut.height is None
        assert "identical" in cut.reason

    @pytest.mark.parametrize("k", [0, -1, 5, 100])
    def test_out_of_range(self, k):
        with pytest.raises(InputError, match="between 1 and 4"):
            height_for_k(np.array([1.0, 2.0, 3.0]), k)


class TestLargestGapCut:
    def test_in_the_largest_gap(self, monotone):
        sorted_heights = np.sort(monotone_heights(monotone))
        height = largest_gap_cut(sorted_heights)
        gaps = np.diff(sorted_heights)
        i = int(np.argmax(gaps))
        assert sorted_heights[i] < height < sorted_heights[i + 1]
        assert n_clusters_at(sorted_heights, height) >= 2

    def test_finds_the_blobs(self):
        Z = compute_linkage(blobs(0), "ward", "euclidean")
        assert (
            n_clusters_at(
                np.sort(monotone_heights(Z)), largest_gap_cut(np.sort(monotone_heights(Z)))
            )
            == 4
        )

    def test_single_merge(self):
        assert largest_gap_cut(np.array([4.0])) == 2.0


class TestLabelsAt:
    def test_equals_fcluster_distance(self, monotone):
        for height in probe_heights(monotone)[::7]:
            assert_array_equal(
                labels_at(monotone, height), fcluster(monotone, height, criterion="distance")
            )

    def test_labels_are_1_to_k(self, monotone):
        for height in probe_heights(monotone)[::11]:
            labels = labels_at(monotone, height)
            assert_array_equal(np.unique(labels), np.arange(1, n_fcluster(monotone, height) + 1))


class TestRootLabels:
    """scipy's fcluster does not number clusters left to right; root_labels
    maps each left-to-right root to the label fcluster gave it."""

    def test_roots_map_to_fcluster_labels_not_positions(self):
        # Four points on a line; the dendrogram draws sample 3 leftmost, then 0, then {1, 2}.
        Z = linkage(np.array([[0.0], [10.0], [10.5], [30.0]]), "single")
        tree = TreeIndex.from_linkage(Z)
        labels = labels_at(Z, 1.0)
        roots = tree.cluster_roots(1.0)
        assert tree.leaf_order.tolist() == [3, 0, 1, 2]
        root_labels = tree.root_labels(roots, labels)
        for root, label in zip(roots.tolist(), root_labels.tolist()):
            start = tree.start[root]
            members = tree.leaf_order[start : start + tree.size[root]]
            assert set(labels[members].tolist()) == {label}
        assert sorted(root_labels.tolist()) == [1, 2, 3]


class TestTreeIndex:
    def test_structure(self, monotone):
        tree = TreeIndex.from_linkage(monotone)
        n = len(monotone) + 1
        assert tree.n == n
        assert_array_equal(tree.leaf_order, leaves_list(monotone))
        assert_array_equal(tree.size[n:], monotone[:, 3])
        assert tree.parent[-1] == -1 and np.all(tree.parent[:-1] >= n)
        assert_array_equal(tree.node_height[:n], 0)
        assert_array_equal(tree.sorted_heights, np.sort(monotone[:, 2]))

    def test_nodes_cover_contiguous_positions(self, monotone):
        tree = TreeIndex.from_linkage(monotone)
        n = tree.n
        for i, (a, b) in enumerate(monotone[:, :2].astype(int)):
            expected = set(members(tree, a)) | set(members(tree, b))
            assert set(members(tree, n + i)) == expected

    def test_cluster_roots_agree_with_labels_at(self, monotone):
        self.check_roots_against_labels(monotone)

    def test_cluster_roots_agree_with_labels_at_with_inversions(self, inverted):
        self.check_roots_against_labels(inverted)

    @staticmethod
    def check_roots_against_labels(Z):
        tree = TreeIndex.from_linkage(Z)
        for height in probe_heights(Z)[::3]:
            labels = labels_at(Z, height)
            roots = tree.cluster_roots(height)
            k = len(np.unique(labels))
            assert len(roots) == k, height
            root_labels = tree.root_labels(roots, labels)
            assert_array_equal(np.sort(root_labels), np.arange(1, k + 1))
            assert np.all(np.diff(tree.start[roots]) > 0), "roots are listed left to right"
            covered = np.zeros(tree.n, dtype=int)
            for root, label in zip(roots, root_labels):
                inside = members(tree, root)
                covered[inside] += 1
                assert set(np.flatnonzero(labels == label)) == set(inside.tolist())
            assert np.all(covered == 1)

    def test_cluster_roots_on_tutorial_at_16(self, tutorial):
        tree = tutorial["tree"]
        roots = tree.cluster_roots(16)
        assert len(roots) == 4
        assert sorted(tree.size[roots].tolist()) == sorted(
            np.bincount(labels_at(tutorial["Z"], 16))[1:].tolist()
        )


class TestPartitionRoots:
    def test_equals_cluster_roots_for_a_height(self, monotone):
        tree = TreeIndex.from_linkage(monotone)
        for height in probe_heights(monotone)[::5]:
            roots, pure = tree.partition_roots(labels_at(monotone, height))
            assert_array_equal(roots, tree.cluster_roots(height))
            assert_array_equal(pure, tree.node_height <= height)

    def test_equals_cluster_roots_with_inversions(self, inverted):
        tree = TreeIndex.from_linkage(inverted)
        for height in probe_heights(inverted)[::5]:
            roots, _ = tree.partition_roots(labels_at(inverted, height))
            assert_array_equal(roots, tree.cluster_roots(height))

    @pytest.mark.parametrize("t,depth", [(0.8, 2), (1.0, 3), (1.2, 5)])
    def test_inconsistent_criterion(self, monotone, t, depth):
        tree = TreeIndex.from_linkage(monotone)
        labels = fcluster(monotone, t, criterion="inconsistent", depth=depth)
        roots, pure = tree.partition_roots(labels)
        assert len(roots) == len(np.unique(labels))
        for root in roots:
            assert len(np.unique(labels[members(tree, root)])) == 1
            assert tree.parent[root] == -1 or not pure[tree.parent[root]]


def colours_at(tree, k, previous=None):
    """Roots and colours of the cut giving k clusters."""
    height = height_for_k(tree.sorted_heights, k).height
    roots = tree.cluster_roots(height)
    return roots, assign_colours(tree, roots, previous)


def as_previous(roots, colours):
    """The colour map the page keeps between cuts (JSON turns keys into str)."""
    return {str(int(r)): int(c) for r, c in zip(roots, colours)}


@pytest.fixture(scope="module")
def blob_tree():
    return TreeIndex.from_linkage(compute_linkage(blobs(1, n_per_blob=30), "ward", "euclidean"))


class TestAssignColours:
    def test_first_cut_uses_distinct_palette_colours(self, blob_tree):
        roots, colours = colours_at(blob_tree, 4)
        assert len(set(colours.tolist())) == 4
        assert all(0 <= c < len(PALETTE) for c in colours)

    def test_same_clusters_keep_colours_when_the_cut_moves(self, blob_tree):
        sorted_heights = blob_tree.sorted_heights
        cut = height_for_k(sorted_heights, 4)
        low_roots = blob_tree.cluster_roots(cut.low + (cut.height - cut.low) * 0.1)
        # previous colours deliberately not the default order
        previous = {str(int(r)): c for r, c in zip(low_roots, (5, 2, 7, 0))}
        high_roots = blob_tree.cluster_roots(cut.high - (cut.high - cut.height) * 0.1)
        assert_array_equal(low_roots, high_roots)
        assert assign_colours(blob_tree, high_roots, previous).tolist() == [5, 2, 7, 0]

    def test_equal_overlaps_go_to_the_leftmost_old_cluster_whatever_the_map_order(self):
        # two pairs of equal size merge: the new cluster overlaps both old ones equally
        Z = np.array([[0, 1, 1.0, 2], [2, 3, 1.0, 2], [4, 5, 2.0, 4]])
        tree = TreeIndex.from_linkage(Z)
        right_first = {"5": 1, "4": 3}  # node 4 covers positions 0-1, node 5 positions 2-3
        assert assign_colours(tree, tree.cluster_roots(3.0), right_first).tolist() == [3]

    @pytest.mark.parametrize("k", [2, 3, 4, 6])
    def test_unchanged_clusters_keep_colour_when_one_splits(self, blob_tree, k):
        roots, colours = colours_at(blob_tree, k)
        new_roots, new_colours = colours_at(blob_tree, k + 1, as_previous(roots, colours))
        old = dict(zip(roots.tolist(), colours.tolist()))
        kept = [r for r in new_roots.tolist() if r in old]
        assert len(kept) == k - 1
        for root, colour in zip(new_roots.tolist(), new_colours.tolist()):
            if root in old:
                assert colour == old[root]

    @pytest.mark.parametrize("k", [1, 2, 3, 4, 6])
    def test_larger_part_of_a_split_inherits(self, blob_tree, k):
        roots, colours = colours_at(blob_tree, k)
        new_roots, new_colours = colours_at(blob_tree, k + 1, as_previous(roots, colours))
        split = (set(roots.tolist()) - set(new_roots.tolist())).pop()
        parts = [r for r in new_roots.tolist() if r not in set(roots.tolist())]
        assert len(parts) == 2 and all(blob_tree.parent[p] == split for p in parts)
        larger, smaller = sorted(parts, key=lambda r: -blob_tree.size[r])
        colour_of = dict(zip(new_roots.tolist(), new_colours.tolist()))
        split_colour = dict(zip(roots.tolist(), colours.tolist()))[split]
        assert colour_of[larger] == split_colour
        assert colour_of[smaller] not in set(colours.tolist())
        assert len(set(new_colours.tolist())) == k + 1

    @pytest.mark.parametrize("k", [2, 3, 5])
    def test_merge_takes_the_colour_of_the_larger_old_cluster(self, blob_tree, k):
        roots, colours = colours_at(blob_tree, k + 1)
        new_roots, new_colours = colours_at(blob_tree, k, as_previous(roots, colours))
        merged = (set(new_roots.tolist()) - set(roots.tolist())).pop()
        parts = [r for r in roots.tolist() if blob_tree.parent[r] == merged]
        larger = max(parts, key=lambda r: blob_tree.size[r])
        colour_of = dict(zip(new_roots.tolist(), new_colours.tolist()))
        assert colour_of[merged] == dict(zip(roots.tolist(), colours.tolist()))[larger]

    def test_more_clusters_than_palette(self, blob_tree):
        k = len(PALETTE) + 6
        roots, colours = colours_at(blob_tree, k)
        palette_colours = [c for c in colours.tolist() if c != OVERFLOW]
        assert len(palette_colours) == len(PALETTE)
        assert len(set(palette_colours)) == len(palette_colours), "a palette colour repeats"
        sizes = blob_tree.size[roots]
        assert sizes[colours == OVERFLOW].max() <= sizes[colours != OVERFLOW].min()
        assert np.sum(colours == OVERFLOW) == k - len(PALETTE)

    def test_more_clusters_than_palette_with_previous_colours(self, blob_tree):
        roots, colours = colours_at(blob_tree, 5)
        k = len(PALETTE) + 4
        new_roots, new_colours = colours_at(blob_tree, k, as_previous(roots, colours))
        palette_colours = [c for c in new_colours.tolist() if c != OVERFLOW]
        assert len(palette_colours) == len(set(palette_colours)) == len(PALETTE)
        sizes = blob_tree.size[new_roots]
        assert sizes[new_colours == OVERFLOW].max() <= sizes[new_colours != OVERFLOW].min()

    def test_ignores_stale_and_overflow_entries(self, blob_tree):
        roots, _ = colours_at(blob_tree, 3)
        stale = {str(10**9): 0, str(int(roots[0])): OVERFLOW}
        colours = assign_colours(blob_tree, roots, stale)
        assert sorted(colours.tolist()) == [0, 1, 2]


class TestColourHex:
    def test_palette_and_overflow(self):
        assert colour_hex(0) == PALETTE[0]
        assert colour_hex(len(PALETTE) - 1) == PALETTE[-1]
        assert colour_hex(OVERFLOW) == OVERFLOW_COLOUR
        assert OVERFLOW_COLOUR not in PALETTE


def adjacent_float_tree():
    """scipy's ward tree of 16 integer points whose merge heights include two adjacent floats.

    sqrt(3) is reached by two merges along different arithmetic, 1.732050807568877 and
    1.7320508075688772: no float lies between them, and their midpoint rounds onto the upper.
    """
    rng = np.random.default_rng(141)
    X = rng.integers(0, 6, size=(int(rng.integers(8, 30)), 2)).astype(float)
    assert len(X) == 16
    Z = linkage(X, "ward")
    heights = np.sort(monotone_heights(Z))
    low, high = 1.732050807568877, 1.7320508075688772
    assert np.nextafter(low, np.inf) == high and (low + high) / 2 == high
    assert low in heights and high in heights
    return Z, heights


class TestHeightForKIsAlwaysK:
    """#12 1b: a proposed cut gives exactly k clusters under fcluster's own rule."""

    def test_every_offered_cut_is_k_by_fcluster(self):
        Z, heights = adjacent_float_tree()
        for k in range(1, len(Z) + 2):
            cut = height_for_k(heights, k)
            if cut.height is None:
                assert cut.reason
                continue
            assert n_fcluster(Z, cut.height) == k, k

    def test_a_gap_between_adjacent_floats_is_still_offered(self):
        Z, heights = adjacent_float_tree()
        low = 1.732050807568877
        k = len(heights) + 1 - int(np.searchsorted(heights, low, side="right"))
        cut = height_for_k(heights, k)
        assert cut.low == low and cut.height == low  # no float inside: the cut sits on low
        assert n_fcluster(Z, cut.height) == k

    def test_synthetic_adjacent_heights(self):
        a = 1.0 + 2.0**-52
        b = np.nextafter(a, np.inf)
        assert (a + b) / 2 == b
        heights = np.array([0.5, a, b, 3.0])
        for k in range(1, 6):
            cut = height_for_k(heights, k)
            assert n_clusters_at(heights, cut.height) == k, k

    def test_extreme_heights(self):
        tiny = np.array([5e-324, 1e-323, 1.5e-323])
        huge = np.array([1e307, 1e308, 1.7e308])
        for heights in (tiny, huge):
            for k in range(1, 5):
                cut = height_for_k(heights, k)
                assert np.isfinite(cut.height) and n_clusters_at(heights, cut.height) == k
