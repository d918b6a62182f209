"""Synthetic datasets: the tutorial's blobs exactly, teaching shapes, and validation."""

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.metrics import adjusted_rand_score

from hclust.data import Dataset, tutorial_blobs
from hclust.errors import InputError
from hclust.generators import (
    ANISOTROPIC_TRANSFORM,
    MAX_GENERATED_ROWS,
    TUTORIAL_BLOBS,
    Blob,
    anisotropic_blobs,
    blobs,
    concentric_rings,
    generated_dataset,
    two_moons,
)


def flat(X, method, k):
    return fcluster(linkage(X, method), k, criterion="maxclust")


class TestBlobs:
    def test_reproduces_the_tutorial_exactly(self):
        X, y = blobs(TUTORIAL_BLOBS, seed=4711)
        assert np.array_equal(X, tutorial_blobs()[0])
        assert y.tolist() == [0] * 100 + [1] * 50

    def test_tutorial_settings_as_mappings(self):
        specs = [
            {"size": 100, "mean_x": 10, "mean_y": 0, "cov": [[3, 1], [1, 4]]},
            {"size": 50, "mean": [0, 20], "cov": [[3, 1], [1, 4]]},
        ]
        assert np.array_equal(blobs(specs, seed=4711)[0], tutorial_blobs()[0])

    def test_std_and_correlation_give_the_same_covariance(self):
        spec = {
            "size": 100,
            "mean_x": 10,
            "mean_y": 0,
            "std_x": 3**0.5,
            "std_y": 2.0,
            "corr": 1 / (2 * 3**0.5),
        }
        X, _ = blobs([spec], seed=4711)
        expected = np.random.RandomState(4711).multivariate_normal(
            [10, 0], [[3, 1], [1, 4]], size=100
        )
        assert np.allclose(X, expected, atol=1e-9)

    def test_std_and_correlation_shape_the_sample(self):
        spec = Blob.from_std(20_000, 1.0, -2.0, std_x=2.0, std_y=0.5, corr=-0.8)
        X, _ = blobs([spec], seed=1)
        assert np.allclose(X.mean(axis=0), [1, -2], atol=0.05)
        assert np.allclose(X.std(axis=0), [2, 0.5], rtol=0.03)
        assert np.corrcoef(X.T)[0, 1] == pytest.approx(-0.8, abs=0.02)

    def test_draws_blobs_in_order_from_one_stream(self):
        specs = [
            {"size": 3, "mean_x": 0, "mean_y": 0, "std_x": 1, "std_y": 1},
            {"size": 2, "mean_x": 5, "mean_y": 5, "std_x": 1, "std_y": 1},
        ]
        X, y = blobs(specs, seed=7)
        rng = np.random.RandomState(7)
        first = rng.multivariate_normal([0, 0], np.eye(2), size=3)
        second = rng.multivariate_normal([5, 5], np.eye(2), size=2)
        assert np.array_equal(X, np.vstack([first, second]))
        assert y.tolist() == [0, 0, 0, 1, 1]

    def test_seed_makes_it_reproducible(self):
        assert np.array_equal(blobs(TUTORIAL_BLOBS, seed=3)[0], blobs(TUTORIAL_BLOBS, seed=3)[0])
        assert not np.array_equal(
            blobs(TUTORIAL_BLOBS, seed=3)[0], blobs(TUTORIAL_BLOBS, seed=4)[0]
        )

    def test_numbers_typed_into_a_table_arrive_as_text(self):
        spec = {
            "size": "10",
            "mean_x": "1.5",
            "mean_y": " 2 ",
            "std_x": "1",
            "std_y": 1.0,
            "corr": "0",
        }
        assert blobs([spec], seed=0)[0].shape == (10, 2)

    @pytest.mark.parametrize(
        "change, message",
        [
            ({"size": 0}, "Blob 1: size must be a whole number from 1 to 100,000, got 0"),
            ({"size": 2.5}, "Blob 1: size must be a whole number"),
            ({"size": None}, "Blob 1: size must be a number, got None"),
            ({"std_x": 0}, "Blob 1: std_x must be greater than 0, got 0"),
            ({"std_y": -1}, "Blob 1: std_y must be greater than 0, got -1"),
            ({"corr": 1}, "Blob 1: correlation must be strictly between -1 and 1, got 1"),
            ({"corr": -1.5}, "Blob 1: correlation must be strictly between -1 and 1"),
            ({"mean_x": "ten"}, r"Blob 1: mean \(x\) must be a number, got 'ten'"),
            ({"mean_y": float("nan")}, r"Blob 1: mean \(y\) must be a finite number"),
            ({"std_x": True}, "Blob 1: std_x must be a number, got True"),
        ],
    )
    def test_invalid_settings_name_the_blob_and_setting(self, change, message):
        spec = {"size": 10, "mean_x": 0, "mean_y": 0, "std_x": 1, "std_y": 1, "corr": 0} | change
        with pytest.raises(InputError, match=message):
            blobs([spec], seed=0)

    def test_second_blob_is_named(self):
        good = {"size": 5, "mean_x": 0, "mean_y": 0, "std_x": 1, "std_y": 1}
        with pytest.raises(InputError, match="Blob 2: std_x"):
            blobs([good, good | {"std_x": 0}], seed=0)

    @pytest.mark.parametrize(
        "cov, message",
        [
            ([[1, 2], [2, 1]], "not positive definite"),
            ([[1, 0.5], [0.4, 1]], "must be symmetric"),
            ([[1, 0], [0, 0]], "not positive definite"),
            ([[1, 0, 0], [0, 1, 0]], "covariance row 1 must be a pair"),
            ("1,0,0,1", "covariance must be a pair"),
        ],
    )
    def test_invalid_covariance(self, cov, message):
        with pytest.raises(InputError, match=message):
            blobs([{"size": 5, "mean": [0, 0], "cov": cov}], seed=0)

    def test_total_size_limit(self):
        spec = {"size": MAX_GENERATED_ROWS, "mean_x": 0, "mean_y": 0, "std_x": 1, "std_y": 1}
        with pytest.raises(InputError, match="add up to 100,001 points; at most 100,000"):
            blobs([spec, spec | {"size": 1}], seed=0)

    def test_a_single_point_is_too_few(self):
        with pytest.raises(InputError, match="at least 2"):
            blobs([{"size": 1, "mean_x": 0, "mean_y": 0, "std_x": 1, "std_y": 1}], seed=0)

    @pytest.mark.parametrize("specs", [[], {"size": 5}, None, "blobs"])
    def test_specs_must_be_a_non_empty_list(self, specs):
        with pytest.raises(InputError):
            blobs(specs, seed=0)

    @pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "abc", None])
    def test_invalid_seed(self, seed):
        with pytest.raises(InputError, match="seed"):
            blobs(TUTORIAL_BLOBS, seed=seed)


class TestTwoMoons:
    def test_shape_and_groups(self):
        X, y = two_moons(n=101, noise=0.1, seed=0)
        assert X.shape == (101, 2)
        assert y.tolist() == [0] * 50 + [1] * 51

    def test_single_linkage_separates_the_moons_and_ward_does_not(self):
        X, y = two_moons(n=200, noise=0.05, seed=0)
        assert adjusted_rand_score(y, flat(X, "single", 2)) == 1.0
        assert adjusted_rand_score(y, flat(X, "ward", 2)) < 0.6

    def test_seeded(self):
        assert np.array_equal(two_moons(seed=5)[0], two_moons(seed=5)[0])
        assert not np.array_equal(two_moons(seed=5)[0], two_moons(seed=6)[0])

    @pytest.mark.parametrize(
        "kwargs, message",
        [
            ({"n": 1}, "number of points must be a whole number from 2 to 100,000"),
            ({"n": 100_001}, "from 2 to 100,000"),
            ({"noise": -0.1}, "noise must be from 0 to 10"),
        ],
    )
    def test_invalid_settings(self, kwargs, message):
        with pytest.raises(InputError, match=message):
            two_moons(**kwargs)


class TestConcentricRings:
    def test_single_linkage_separates_the_rings_and_ward_does_not(self):
        X, y = concentric_rings(n=200, noise=0.05, factor=0.5, seed=0)
        assert adjusted_rand_score(y, flat(X, "single", 2)) == 1.0
        assert adjusted_rand_score(y, flat(X, "ward", 2)) < 0.1

    def test_inner_ring_is_smaller_by_the_factor(self):
        X, y = concentric_rings(n=400, noise=0.0, factor=0.3, seed=0)
        radii = np.hypot(X[:, 0], X[:, 1])
        assert np.allclose(radii[y == 0], 1.0) and np.allclose(radii[y == 1], 0.3)

    @pytest.mark.parametrize("factor", [0, 1, 1.5])
    def test_factor_must_be_between_0_and_1(self, factor):
        with pytest.raises(InputError, match="ring factor"):
            concentric_rings(factor=factor)


class TestAnisotropicBlobs:
    def test_is_sklearn_example_sheared(self):
        from sklearn.datasets import make_blobs

        X, y = anisotropic_blobs()
        raw, raw_y = make_blobs(n_samples=300, centers=3, random_state=170, shuffle=False)
        assert np.array_equal(X, raw @ np.array(ANISOTROPIC_TRANSFORM))
        assert np.array_equal(y, raw_y)

    def test_blobs_are_elongated(self):
        X, y = anisotropic_blobs(n=600, n_blobs=3, seed=0)
        for group in range(3):
            eigenvalues = np.linalg.eigvalsh(np.cov(X[y == group].T))
            assert eigenvalues[1] / eigenvalues[0] > 5

    def test_number_of_blobs_is_validated(self):
        with pytest.raises(InputError, match="number of blobs"):
            anisotropic_blobs(n=10, n_blobs=11)


class TestGeneratedDataset:
    def test_tutorial_blobs_as_a_dataset(self):
        dataset = generated_dataset("blobs", specs=TUTORIAL_BLOBS, seed=4711)
        assert isinstance(dataset, Dataset)
        assert np.array_equal(dataset.values, tutorial_blobs()[0])
        assert dataset.feature_names == ("x", "y")
        assert dataset.notes[0] == "Generated: Gaussian blobs (seed=4711)"
        assert (
            dataset.notes[1]
            == "Blob 1: 100 points, mean [10.0, 0.0], covariance [[3.0, 1.0], [1.0, 4.0]]"
        )

    @pytest.mark.parametrize("kind", ["moons", "rings", "anisotropic"])
    def test_shapes_record_their_settings(self, kind):
        dataset = generated_dataset(kind, n=50, seed=2)
        assert dataset.values.shape == (50, 2)
        # n is the status line's row count; the note does not say it a second time
        assert "seed=2" in dataset.notes[0] and "50" not in dataset.notes[0]

    def test_defaults_are_the_tutorial(self):
        assert np.array_equal(generated_dataset("blobs").values, tutorial_blobs()[0])

    def test_unknown_kind(self):
        with pytest.raises(InputError, match="Unknown generator 'spiral'"):
            generated_dataset("spiral")

    def test_unknown_setting(self):
        with pytest.raises(InputError, match=r"Unknown setting\(s\) for 'moons': radius"):
            generated_dataset("moons", radius=2)

    def test_invalid_setting_is_an_input_error(self):
        with pytest.raises(InputError, match="noise"):
            generated_dataset("rings", noise="loud")
