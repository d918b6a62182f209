"""hclust.dendrogram against scipy.cluster.hierarchy.dendrogram(no_plot=True)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.cluster.hierarchy import dendrogram

from hclust.cut import TreeIndex, assign_colours, height_for_k, labels_at, n_clusters_at
from hclust.dendrogram import ABOVE, dendrogram_geometry, link_colour_indices, members
from hclust.linkage import compute_linkage
from tests.fixtures import random_observations
from tests.fixtures import tutorial_values as ref

# (truncate_mode, p) as scipy takes them; 'none' is scipy's None.
TRUNCATIONS = [("none", 30), ("lastp", 12), ("level", 3), ("lastp", 2), ("level", 1)]


def scipy_links(Z, mode, p):
    result = dendrogram(Z, no_plot=True, truncate_mode=None if mode == "none" else mode, p=p)
    links = sorted(
        tuple(np.round(icoord + dcoord, 9))
        for icoord, dcoord in zip(result["icoord"], result["dcoord"])
    )
    return result["leaves"], links


def our_links(geometry):
    g = geometry
    coords = np.column_stack(
        [g.x_left, g.x_left, g.x_right, g.x_right, g.h_left, g.height, g.height, g.h_right]
    )
    return sorted(tuple(row) for row in np.round(coords, 9))


@pytest.fixture(
    scope="module",
    params=[
        ("tutorial", "ward"),
        (0, "ward"),
        (1, "average"),
        (2, "single"),
        (3, "centroid"),
        (4, "complete"),
    ],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def linkage_case(request, tutorial):
    data, method = request.param
    X = tutorial["X"] if data == "tutorial" else random_observations(data)
    Z = compute_linkage(X, method, "euclidean")
    return Z, TreeIndex.from_linkage(Z)


class TestDendrogramGeometry:
    @pytest.mark.parametrize("mode,p", TRUNCATIONS)
    def test_same_leaves_as_scipy(self, linkage_case, mode, p):
        Z, tree = linkage_case
        leaves, _ = scipy_links(Z, mode, p)
        assert dendrogram_geometry(Z, tree, mode, p).leaf_nodes.tolist() == leaves

    @pytest.mark.parametrize("mode,p", TRUNCATIONS)
    def test_same_links_as_scipy(self, linkage_case, mode, p):
        Z, tree = linkage_case
        _, links = scipy_links(Z, mode, p)
        geometry = dendrogram_geometry(Z, tree, mode, p)
        assert geometry.n_links == len(links)
        assert our_links(geometry) == links

    def test_untruncated_leaves_are_leaves_list(self, linkage_case):
        Z, tree = linkage_case
        geometry = dendrogram_geometry(Z, tree, "none")
        assert_array_equal(geometry.leaf_nodes, tree.leaf_order)
        assert_array_equal(geometry.leaf_x, 5 + 10 * np.arange(tree.n))
        assert_array_equal(geometry.leaf_sizes, 1)
        assert not geometry.truncated
        assert_array_equal(geometry.merges, np.arange(tree.n - 1))

    def test_lastp_leaves_cover_every_sample(self, linkage_case):
        Z, tree = linkage_case
        geometry = dendrogram_geometry(Z, tree, "lastp", 12)
        assert geometry.truncated
        assert len(geometry.leaf_nodes) == 12
        assert geometry.leaf_sizes.sum() == tree.n
        covered = np.concatenate([members(tree, node) for node in geometry.leaf_nodes])
        assert sorted(covered.tolist()) == list(range(tree.n))

    def test_merge_sits_between_its_children(self, linkage_case):
        Z, tree = linkage_case
        g = dendrogram_geometry(Z, tree, "lastp", 12)
        assert_array_equal(g.x_merge, (g.x_left + g.x_right) / 2)

    def test_lastp_larger_than_n_is_not_truncated(self, linkage_case):
        Z, tree = linkage_case
        assert not dendrogram_geometry(Z, tree, "lastp", tree.n + 5).truncated

    def test_unknown_mode(self, linkage_case):
        Z, tree = linkage_case
        with pytest.raises(ValueError, match="truncate_mode"):
            dendrogram_geometry(Z, tree, "mtica", 3)


def cut_colours(tree, labels):
    """Cluster roots, their colours and the pure-node mask for a flat partition."""
    roots, pure = tree.partition_roots(labels)
    return roots, assign_colours(tree, roots), pure


class TestLinkColourIndices:
    @pytest.mark.parametrize("k", [2, 3, 4, 7])
    def test_links_below_the_cut_take_their_clusters_colour(self, linkage_case, k):
        Z, tree = linkage_case
        cut = height_for_k(tree.sorted_heights, k)
        if cut.height is None:  # inversions raised to a child's height can tie
            assert np.any(np.diff(Z[:, 2]) < 0)
            k = n_clusters_at(tree.sorted_heights, cut.low)
            cut = height_for_k(tree.sorted_heights, k)
        labels = labels_at(Z, cut.height)
        roots, colours, pure = cut_colours(tree, labels)
        geometry = dendrogram_geometry(Z, tree, "none")
        links = link_colour_indices(geometry, tree, roots, colours, pure)
        colour_of_label = dict(zip(tree.root_labels(roots, labels).tolist(), colours.tolist()))
        for merge, colour in zip(geometry.merges.tolist(), links.tolist()):
            node = tree.n + merge
            inside = members(tree, node)
            if tree.node_height[node] <= cut.height:
                assert len(set(labels[inside].tolist())) == 1
                assert colour == colour_of_label[int(labels[inside[0]])]
            else:
                assert colour == ABOVE
        # a cut into k clusters leaves exactly k - 1 merges above it
        assert np.sum(links == ABOVE) == k - 1

    def test_truncated_geometry(self, tutorial):
        Z, tree = tutorial["Z"], tutorial["tree"]
        geometry = dendrogram_geometry(Z, tree, "lastp", 12)
        roots, colours, pure = cut_colours(tree, labels_at(Z, 16))
        links = link_colour_indices(geometry, tree, roots, colours, pure)
        assert len(links) == geometry.n_links == 11
        assert np.sum(links == ABOVE) == ref.FCLUSTER_DISTANCE_16_NCLUSTERS - 1
        assert set(links[links != ABOVE].tolist()) <= set(colours.tolist())

    def test_all_above_when_every_sample_is_its_own_cluster(self, tutorial):
        Z, tree = tutorial["Z"], tutorial["tree"]
        geometry = dendrogram_geometry(Z, tree, "none")
        roots, colours, pure = cut_colours(tree, labels_at(Z, 0.0))
        assert len(roots) == tree.n
        assert np.all(link_colour_indices(geometry, tree, roots, colours, pure) == ABOVE)

    def test_one_cluster_colours_every_link(self, tutorial):
        Z, tree = tutorial["Z"], tutorial["tree"]
        geometry = dendrogram_geometry(Z, tree, "none")
        roots, colours, pure = cut_colours(tree, labels_at(Z, 1e6))
        assert np.all(link_colour_indices(geometry, tree, roots, colours, pure) == colours[0])


class TestMembers:
    def test_tutorial_row_13(self, tutorial):
        Z, tree = tutorial["Z"], tutorial["tree"]
        n = tree.n
        assert Z[13, :2].tolist() == ref.Z_FIRST_20[13, :2].tolist() == [62.0, 152.0]
        assert set(members(tree, n + 13).tolist()) == ref.Z_ROW_13_MEMBERS
        assert set(members(tree, 152).tolist()) == {33, 68}

    def test_leaf_and_root(self, tutorial):
        tree = tutorial["tree"]
        assert members(tree, 7).tolist() == [7]
        root = 2 * tree.n - 2
        assert_array_equal(members(tree, root), tree.leaf_order)
