"""The tutorial's published numbers, reproduced through the project's own code.

Data from ``hclust.data.tutorial_blobs``, linkage from
``hclust.linkage.compute_linkage(X, 'ward', 'euclidean')``; every expected
value comes from ``tests.fixtures.tutorial_values``.
"""

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal
from scipy.cluster.hierarchy import fcluster

from hclust.cut import (
    flat_clusters,
    height_for_k,
    labels_at,
    largest_gap_cut,
    monotone_heights,
    n_clusters_at,
)
from hclust.data import load_preset
from hclust.diagnostics import cophenetic_correlation, elbow, inconsistency_table
from tests.fixtures import tutorial_values as ref

# Rounded reference values agree with ours to half a unit in the last place.
HALF_ULP_5 = 0.5 * 10.0**-ref.DECIMALS + 1e-12


class TestTutorialBlobs:
    def test_x_shape(self, tutorial):
        assert tutorial["X"].shape == ref.X_SHAPE

    def test_x2_shape(self, tutorial):
        assert tutorial["X2"].shape == ref.X2_SHAPE

    def test_rows_33_68_62(self, tutorial):
        assert_allclose(tutorial["X"][[33, 68, 62]], ref.X_ROWS_33_68_62, rtol=0, atol=HALF_ULP_5)

    def test_x2_starts_with_x(self, tutorial):
        assert_array_equal(tutorial["X2"][: ref.X_SHAPE[0]], tutorial["X"])

    def test_presets_hold_the_tutorial_data(self, tutorial):
        assert_array_equal(load_preset("tutorial-2-blobs").values, tutorial["X"])
        assert_array_equal(load_preset("tutorial-5-blobs").values, tutorial["X2"])

    def test_does_not_touch_the_global_generator(self):
        from hclust.data import tutorial_blobs

        np.random.seed(123)
        expected = np.random.random_sample(3)
        np.random.seed(123)
        tutorial_blobs()
        assert_array_equal(np.random.random_sample(3), expected)


class TestComputeLinkageOnTutorial:
    def test_first_20_rows_to_5_decimals(self, tutorial):
        assert_array_equal(np.round(tutorial["Z"][:20], ref.DECIMALS), ref.Z_FIRST_20)

    def test_last_four_heights(self, tutorial):
        assert_allclose(tutorial["Z"][-4:, 2], ref.Z_LAST_4_HEIGHTS, rtol=0, atol=HALF_ULP_5)

    def test_shape(self, tutorial):
        assert tutorial["Z"].shape == (ref.X_SHAPE[0] - 1, 4)
        assert tutorial["Z"][-1, 3] == ref.X_SHAPE[0]


class TestCopheneticCorrelation:
    def test_tutorial_value(self, tutorial):
        result = cophenetic_correlation(tutorial["Z"], tutorial["X"], "euclidean")
        assert result.exact
        assert result.n_pairs == ref.X_SHAPE[0] * (ref.X_SHAPE[0] - 1) // 2
        assert_allclose(result.coefficient, ref.COPHENETIC_CORRELATION, rtol=0, atol=1e-12)


class TestInconsistencyTable:
    def test_depth_5_last_10(self, tutorial):
        table = inconsistency_table(tutorial["Z"], 5)
        assert table.shape == (10, 4)
        assert_allclose(table, ref.INCONSISTENT_DEPTH5_LAST10, rtol=0, atol=HALF_ULP_5)

    def test_depth_3_last_10(self, tutorial):
        assert_allclose(
            inconsistency_table(tutorial["Z"], 3),
            ref.INCONSISTENT_DEPTH3_LAST10,
            rtol=0,
            atol=HALF_ULP_5,
        )

    def test_x2_depth_5_last_10(self, tutorial):
        assert_allclose(
            inconsistency_table(tutorial["Z2"], 5),
            ref.X2_INCONSISTENT_DEPTH5_LAST10,
            rtol=0,
            atol=HALF_ULP_5,
        )


class TestElbow:
    def test_x_suggests_2(self, tutorial):
        assert elbow(tutorial["Z"]).suggested_k == ref.ELBOW_K_X

    def test_x2_suggests_4(self, tutorial):
        assert elbow(tutorial["Z2"]).suggested_k == ref.ELBOW_K_X2

    def test_distances_are_the_last_heights_highest_first(self, tutorial):
        result = elbow(tutorial["Z"])
        assert_allclose(result.distances[:4], ref.Z_LAST_4_HEIGHTS[::-1], rtol=0, atol=HALF_ULP_5)


class TestFlatClusters:
    def test_distance_50_gives_50_and_100(self, tutorial):
        labels = labels_at(tutorial["Z"], 50)
        assert np.bincount(labels)[1:].tolist() == ref.FCLUSTER_DISTANCE_50_COUNTS

    def test_distance_16_gives_4_clusters(self, tutorial):
        labels = labels_at(tutorial["Z"], 16)
        assert len(np.unique(labels)) == ref.FCLUSTER_DISTANCE_16_NCLUSTERS
        sorted_heights = np.sort(monotone_heights(tutorial["Z"]))
        assert n_clusters_at(sorted_heights, 16) == ref.FCLUSTER_DISTANCE_16_NCLUSTERS

    def test_maxclust_2_through_height_for_k(self, tutorial):
        Z = tutorial["Z"]
        cut = height_for_k(np.sort(monotone_heights(Z)), 2)
        assert cut.height is not None
        labels = labels_at(Z, cut.height)
        assert np.bincount(labels)[1:].tolist() == ref.FCLUSTER_MAXCLUST_2_COUNTS
        assert_array_equal(labels, fcluster(Z, 2, criterion="maxclust"))

    def test_inconsistent_t8_depth10_gives_2_clusters(self, tutorial):
        labels = fcluster(tutorial["Z"], 8, depth=10)
        assert len(np.unique(labels)) == ref.FCLUSTER_INCONSISTENT_T8_DEPTH10_NCLUSTERS

    def test_inconsistent_t8_depth10_through_flat_clusters(self, tutorial):
        labels = flat_clusters(tutorial["Z"], "inconsistent", t=8, depth=10)
        assert len(np.unique(labels)) == ref.FCLUSTER_INCONSISTENT_T8_DEPTH10_NCLUSTERS
        assert_array_equal(labels, fcluster(tutorial["Z"], 8, depth=10))

    def test_maxclust_2_through_flat_clusters(self, tutorial):
        labels = flat_clusters(tutorial["Z"], "maxclust", k=2)
        assert np.bincount(labels)[1:].tolist() == ref.FCLUSTER_MAXCLUST_2_COUNTS

    def test_distance_50_through_flat_clusters(self, tutorial):
        labels = flat_clusters(tutorial["Z"], "distance", height=50)
        assert np.bincount(labels)[1:].tolist() == ref.FCLUSTER_DISTANCE_50_COUNTS

    def test_default_cut_gives_2_clusters(self, tutorial):
        sorted_heights = np.sort(monotone_heights(tutorial["Z"]))
        height = largest_gap_cut(sorted_heights)
        assert ref.Z_LAST_4_HEIGHTS[-2] < height < ref.Z_LAST_4_HEIGHTS[-1]
        assert len(np.unique(labels_at(tutorial["Z"], height))) == 2
        assert (
            np.bincount(labels_at(tutorial["Z"], height))[1:].tolist()
            == ref.FCLUSTER_MAXCLUST_2_COUNTS
        )
