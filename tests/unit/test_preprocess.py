"""From parsed tables to Datasets: columns, missing values, scaling, checks, limits."""

import re

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import fcluster
from scipy.cluster.vq import whiten
from scipy.spatial.distance import pdist, squareform
from sklearn.metrics import adjusted_rand_score

from hclust.datasets import BUNDLED, load_bundled, load_bundled_table
from hclust.errors import InputError
from hclust.io import parse_upload
from hclust.linkage import MEMORY_LIGHT_PAIRS, compute_linkage, condensed_distances
from hclust.preprocess import (
    SCALINGS,
    build_dataset,
    check_memory,
    check_metric_for_data,
    classical_mds,
    default_feature_columns,
    distance_matrix_dataset,
    duplicate_row_warnings,
    estimate_linkage_memory_bytes,
    label_columns,
    max_rows_within,
    numeric_columns,
    scale_values,
)


def table(text, filename="data.csv"):
    return parse_upload(text.encode(), filename)


PLANTS = table("name,height,width,colour\na,1,10,red\nb,2,20,blue\nc,4,30,red\nd,8,50,green\n")


class TestColumnLists:
    def test_numeric_and_label_columns(self):
        assert numeric_columns(PLANTS) == ["height", "width"]
        assert label_columns(PLANTS) == ["name", "colour"]

    def test_a_column_with_missing_cells_is_still_numeric(self):
        parsed = table("x,y\n1,NA\n2,3\n4,\n")
        assert numeric_columns(parsed) == ["x", "y"]

    def test_default_features_leave_out_a_row_counter(self):
        parsed = table("id,x,y\n1,0.5,2\n2,0.1,3\n3,0.9,1\n")
        assert numeric_columns(parsed) == ["id", "x", "y"]
        assert default_feature_columns(parsed) == ["x", "y"]
        assert any("Left out column 'id'" in note for note in build_dataset(parsed).notes)
        assert build_dataset(parsed, ["id", "x"]).feature_names == ("id", "x")  # still choosable

    def test_dataframes_are_accepted(self):
        frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"], 3: [0.5, 0.25]})
        assert numeric_columns(frame) == ["a", "3"]
        assert label_columns(frame) == ["b"]


class TestBuildDataset:
    def test_features_labels_name_and_notes(self):
        dataset = build_dataset(PLANTS, ["height", "width"], label_column="name")
        assert dataset.values.tolist() == [[1, 10], [2, 20], [4, 30], [8, 50]]
        assert dataset.feature_names == ("height", "width")
        assert dataset.labels == ("a", "b", "c", "d")
        assert dataset.name == "data.csv"
        assert "Scaling: none (raw values)" in dataset.notes
        assert "Read as comma-separated text" in dataset.notes

    def test_default_features_are_the_numeric_columns(self):
        assert build_dataset(PLANTS).feature_names == ("height", "width")

    def test_the_label_column_never_enters_the_distances(self):
        parsed = table("id,x,y\n10,0.5,2\n20,0.1,3\n30,0.9,1\n")
        chosen = build_dataset(parsed, ["id", "x", "y"], label_column="id")
        assert chosen.feature_names == ("x", "y")
        assert chosen.labels == ("10", "20", "30")
        assert any("label column" in note for note in chosen.notes)
        assert build_dataset(parsed, label_column="id").feature_names == ("x", "y")

    def test_unknown_column(self):
        with pytest.raises(InputError, match="Column 'depth' is not in the table"):
            build_dataset(PLANTS, ["height", "depth"])

    def test_unknown_label_column(self):
        with pytest.raises(InputError, match="Label column 'species' is not in the table"):
            build_dataset(PLANTS, ["height"], label_column="species")

    def test_text_column_as_feature_names_a_cell(self):
        with pytest.raises(
            InputError, match=r"Column 'colour' is not numeric \(line 2 holds 'red'\)"
        ):
            build_dataset(PLANTS, ["height", "colour"])

    def test_no_numeric_column(self):
        parsed = table("name,colour\na,red\nb,blue\n")
        assert numeric_columns(parsed) == []
        with pytest.raises(InputError, match="at least one numeric column.*none"):
            build_dataset(parsed)

    def test_infinity_is_refused_naming_line_and_column(self):
        parsed = table("x,y\n1,2\n3,4\n5,inf\n6,-inf\n")
        with pytest.raises(
            InputError,
            match=r"Column 'y' has an infinite value at line 4 \(and 1 more infinite cell\)",
        ):
            build_dataset(parsed)

    def test_infinity_in_a_dataframe_names_the_data_row(self):
        frame = pd.DataFrame({"x": [1.0, np.inf, 3.0]})
        with pytest.raises(InputError, match="at data row 2"):
            build_dataset(frame)

    def test_missing_rows_are_dropped_and_reported_with_labels_aligned(self):
        parsed = table("name,x,y\na,1,2\nb,NA,3\nc,4,5\nd,6,\ne,7,8\n")
        dataset = build_dataset(parsed, ["x", "y"], label_column="name")
        assert dataset.values.tolist() == [[1, 2], [4, 5], [7, 8]]
        assert dataset.labels == ("a", "c", "e")
        assert "Dropped 2 rows with missing values (lines 3, 5)" in dataset.notes

    def test_missing_values_only_in_unchosen_columns_drop_nothing(self):
        parsed = table("x,y\n1,2\nNA,3\n4,5\n")
        assert build_dataset(parsed, ["y"]).n_samples == 3

    def test_many_dropped_rows_are_summarised(self):
        rows = "\n".join(f"{i},{'NA' if i % 2 else i}" for i in range(30))
        dataset = build_dataset(table("a,b\n" + rows + "\n"))
        note = next(n for n in dataset.notes if n.startswith("Dropped"))
        assert (
            note
            == "Dropped 15 rows with missing values (lines 3, 5, 7, 9, 11, 13, 15, 17, 19, 21 and 5 more)"
        )

    def test_mean_imputation(self):
        parsed = table("x,y\n1,2\nNA,4\n5,NA\n3,6\n")
        dataset = build_dataset(parsed, missing="mean")
        assert dataset.values.tolist() == [[1, 2], [3, 4], [5, 4], [3, 6]]
        assert "Filled 2 missing value(s) with column means (x: 1, y: 1)" in dataset.notes

    def test_mean_imputation_of_huge_values_does_not_overflow(self):
        parsed = table("x,y\n1e308,1\n1.5e308,5\nNA,3\n")  # their sum overflows
        dataset = build_dataset(parsed, missing="mean")
        assert dataset.values[2, 0] == pytest.approx(1.25e308)

    def test_dropping_leaving_fewer_than_two_rows(self):
        parsed = table("x,y\n1,NA\n2,3\nNA,4\n")
        with pytest.raises(
            InputError, match=r"Dropping the 2 rows with missing values \(lines 2, 4\) leaves 1 row"
        ):
            build_dataset(parsed)

    def test_a_column_with_no_values(self):
        parsed = table("x,y\n1,NA\n2,NA\n3,NA\n")
        assert numeric_columns(parsed) == ["x"]  # an all-missing column is not numeric
        frame = pd.DataFrame({"x": [1.0, 2.0], "y": [np.nan, np.nan]})
        with pytest.raises(InputError, match="Column 'y' has no values at all"):
            build_dataset(frame, ["x", "y"], missing="mean")

    def test_constant_columns_are_dropped_with_a_note(self):
        parsed = table("x,c,y\n1,5,2\n3,5,1\n2,5,7\n")
        dataset = build_dataset(parsed, scaling="zscore")
        assert dataset.feature_names == ("x", "y")
        assert any("Dropped constant column(s) 'c' (always 5)" in note for note in dataset.notes)
        assert np.all(np.isfinite(dataset.values))

    def test_only_constant_columns(self):
        with pytest.raises(InputError, match="Every chosen column is constant \\('c' is always 5"):
            build_dataset(table("c,d\n5,1\n5,1\n"))

    def test_single_row_dataframe(self):
        with pytest.raises(InputError, match="At least 2 rows"):
            build_dataset(pd.DataFrame({"x": [1.0]}))

    def test_unknown_options(self):
        with pytest.raises(InputError, match="Unknown scaling 'log'"):
            build_dataset(PLANTS, scaling="log")
        with pytest.raises(InputError, match="Unknown missing-value handling 'zero'"):
            build_dataset(PLANTS, missing="zero")

    def test_dataframe_rows_are_named_as_data_rows(self):
        frame = pd.DataFrame({"x": [1.0, np.nan, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 5.0]})
        assert "Dropped 1 row with missing values (data row 2)" in build_dataset(frame).notes

    def test_duplicate_dataframe_columns(self):
        frame = pd.DataFrame([[1, 2], [3, 4]], columns=["a", "a"])
        with pytest.raises(InputError, match="'a' appears more than once"):
            build_dataset(frame)

    def test_missing_labels_are_named_by_their_line(self):
        parsed = table("name,x\na,1\n,2\nc,3\n")
        assert build_dataset(parsed, label_column="name").labels == ("a", "line 3", "c")

    def test_identical_rows_give_a_warning(self):
        parsed = table("x,y\n1,2\n3,4\n1,2\n5,6\n")
        dataset = build_dataset(parsed)
        assert any(
            "line 4 repeats line 2" in note and "arbitrary" in note for note in dataset.notes
        )


class TestScaling:
    values = np.array([[1.0, 10.0], [2.0, 30.0], [4.0, 20.0], [9.0, 40.0]])

    def test_none_keeps_values(self):
        assert np.array_equal(scale_values(self.values, "none"), self.values)

    def test_zscore_centres_and_divides_by_population_std(self):
        scaled = scale_values(self.values, "zscore")
        assert np.allclose(scaled.mean(axis=0), 0)
        assert np.allclose(scaled.std(axis=0), 1)

    def test_whiten_is_exactly_scipy_whiten(self):
        assert np.array_equal(scale_values(self.values, "whiten"), whiten(self.values))
        assert not np.allclose(scale_values(self.values, "whiten").mean(axis=0), 0)  # not centred

    def test_minmax_maps_onto_unit_interval(self):
        scaled = scale_values(self.values, "minmax")
        assert scaled.min(axis=0).tolist() == [0, 0] and scaled.max(axis=0).tolist() == [1, 1]

    @pytest.mark.parametrize("scaling", ["none", "zscore", "whiten", "minmax"])
    def test_build_dataset_records_the_scaling(self, scaling):
        dataset = build_dataset(pd.DataFrame(self.values, columns=["a", "b"]), scaling=scaling)
        assert np.array_equal(dataset.values, scale_values(self.values, scaling))
        assert [note for note in dataset.notes if note.startswith("Scaling:")] == [
            f"Scaling: {SCALINGS[scaling]}"
        ]

    def test_overflow_is_refused_naming_the_column(self):
        frame = pd.DataFrame({"small": [1.0, 2.0, 3.0], "huge": [-1.7e308, 1.7e308, 0.0]})
        with pytest.raises(
            InputError, match="Column 'huge' holds values too large to scale with 'minmax'"
        ):
            build_dataset(frame, scaling="minmax")

    def test_spread_below_float_precision_counts_as_constant(self):
        frame = pd.DataFrame({"x": [1.0, 3.0, 2.0, 4.0], "tiny": [0.0, 0.0, 0.0, 5e-324]})
        dataset = build_dataset(frame, scaling="zscore")
        assert dataset.feature_names == ("x",)


class TestDuplicateRowWarnings:
    def test_no_warning_for_distinct_rows(self):
        assert duplicate_row_warnings(np.array([[1.0, 2.0], [2.0, 1.0]])) == []

    def test_counts_repeats_and_names_the_first(self):
        values = np.array([[0.0, 1.0], [5.0, 5.0], [0.0, 1.0], [5.0, 5.0], [0.0, 1.0]])
        (warning,) = duplicate_row_warnings(values)
        assert warning.startswith(
            "Exact repeats: 3 rows repeat an earlier row (e.g. data row 3 repeats data row 1)"
        )


class TestCheckMetricForData:
    def test_cosine_refuses_all_zero_rows_by_name(self):
        values = np.array([[1.0, 2.0], [0.0, 0.0], [3.0, 1.0], [0.0, 0.0]])
        with pytest.raises(
            InputError,
            match=r"'cosine' distance is undefined for data rows 2, 4: they are all zeros",
        ):
            check_metric_for_data(values, "cosine")

    def test_correlation_refuses_constant_rows(self):
        values = np.array([[1.0, 2.0, 3.0], [4.0, 4.0, 4.0], [3.0, 1.0, 2.0]])
        with pytest.raises(
            InputError, match=r"'correlation' distance is undefined for line 3: it is constant"
        ):
            check_metric_for_data(values, "correlation", row_names=["line 2", "line 3", "line 4"])

    @pytest.mark.parametrize("metric", ["cosine", "correlation"])
    def test_agrees_with_what_pdist_can_compute(self, metric):
        rng = np.random.RandomState(1)
        values = rng.randint(0, 2, size=(40, 3)).astype(float)  # some rows all-zero or constant
        try:
            check_metric_for_data(values, metric)
            refused = False
        except InputError:
            refused = True
        with np.errstate(all="ignore"):
            undefined = not np.all(np.isfinite(pdist(values, metric)))
        assert refused == undefined
        assert refused  # this sample does contain such rows

    def test_accepts_cosine_on_rows_with_a_nonzero_entry(self):
        values = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
        assert check_metric_for_data(values, "cosine") == []
        assert np.all(np.isfinite(condensed_distances(values, "cosine")))

    @pytest.mark.parametrize("metric", ["hamming", "jaccard"])
    def test_warns_for_binary_metrics_on_non_binary_data(self, metric):
        (warning,) = check_metric_for_data(np.array([[0.5, 1.0], [2.0, 0.0]]), metric)
        assert metric in warning

    @pytest.mark.parametrize("metric", ["hamming", "jaccard", "euclidean"])
    def test_no_warning_on_binary_data(self, metric):
        assert check_metric_for_data(np.array([[0.0, 1.0], [1.0, 1.0]]), metric) == []


class TestDistanceMatrixDataset:
    def test_valid_matrix_with_header_and_name_column(self):
        parsed = parse_upload(
            b"item,a,b,c,d\na,0,2,6,10\nb,2,0,5,9\nc,6,5,0,4\nd,10,9,4,0\n", "distances.csv"
        )
        dataset = distance_matrix_dataset(parsed, label_column="item")
        assert dataset.is_distance_matrix
        assert dataset.feature_names == ("a", "b", "c", "d")
        assert dataset.labels == ("a", "b", "c", "d")
        assert dataset.values[0].tolist() == [0, 2, 6, 10]
        Z = compute_linkage(dataset.values, "average", "euclidean", is_distance_matrix=True)
        assert Z[0, :2].tolist() == [0, 1] and Z[0, 2] == 2

    def test_labels_default_to_the_header(self):
        dataset = distance_matrix_dataset(table("p,q\n0,1\n1,0\n"))
        assert dataset.labels == ("p", "q")

    def test_no_header_no_labels(self):
        dataset = distance_matrix_dataset(table("0,1,2\n1,0,3\n2,3,0\n"))
        assert dataset.labels is None
        assert dataset.feature_names == ("column_1", "column_2", "column_3")

    def test_not_square(self):
        with pytest.raises(
            InputError, match="must be square: the table has 2 rows and 3 matrix columns"
        ):
            distance_matrix_dataset(table("a,b,c\n0,1,2\n1,0,3\n"))

    def test_not_square_hints_at_a_header(self):
        with pytest.raises(InputError, match="read the file with a header row"):
            distance_matrix_dataset(table("1,2\n0,1\n1,0\n"))

    def test_asymmetric_names_both_cells(self):
        with pytest.raises(
            InputError, match=r"not symmetric: line 2, column 'b' is 1 but line 3, column 'a' is 2"
        ):
            distance_matrix_dataset(table("a,b,c\n0,1,2\n2,0,3\n2,3,0\n"))

    def test_nonzero_diagonal_names_the_cell(self):
        with pytest.raises(InputError, match=r"diagonal must be 0.*line 3, column 'b' is 0.5"):
            distance_matrix_dataset(table("a,b\n0,1\n1,0.5\n"))

    @pytest.mark.parametrize(
        "cell, what", [("-1", "is negative"), ("NA", "is missing"), ("inf", "is infinite")]
    )
    def test_bad_cells(self, cell, what):
        with pytest.raises(InputError, match=f"Distance at line 2, column 'b' {what}"):
            distance_matrix_dataset(table(f"a,b\n0,{cell}\n1,0\n"))

    def test_text_column(self):
        with pytest.raises(InputError, match=r"Column 'name' is not numeric \(line 2 holds 'x'\)"):
            distance_matrix_dataset(table("name,a,b\nx,0,1\ny,1,0\n"))

    def test_tiny_asymmetry_is_symmetrised(self):
        dataset = distance_matrix_dataset(table("a,b\n0,1\n1.000000000001,0\n"))
        assert np.array_equal(dataset.values, dataset.values.T)
        assert any("Made exactly symmetric" in note for note in dataset.notes)


class TestClassicalMds:
    def test_recovers_planar_distances(self):
        points = np.random.RandomState(2).randn(30, 2) * [5, 1]
        coords = classical_mds(squareform(pdist(points)))
        assert coords.shape == (30, 2)
        assert np.allclose(pdist(coords), pdist(points))

    def test_first_axis_has_the_larger_spread(self):
        points = np.random.RandomState(3).randn(50, 2) * [10, 1]
        coords = classical_mds(squareform(pdist(points)))
        assert coords[:, 0].var() > coords[:, 1].var()

    def test_collinear_points_get_a_zero_second_axis(self):
        points = np.array([[0.0], [1.0], [3.0], [7.0]])
        coords = classical_mds(squareform(pdist(points)))
        assert np.allclose(coords[:, 1], 0)
        assert np.allclose(pdist(coords), pdist(points))

    def test_is_deterministic(self):
        d = squareform(pdist(np.random.RandomState(4).rand(20, 3)))
        assert np.array_equal(classical_mds(d), classical_mds(d.copy()))

    def test_refuses_a_non_square_matrix(self):
        with pytest.raises(InputError, match="square"):
            classical_mds(np.zeros((3, 2)))


class TestMemory:
    def test_memory_light_pairs_are_linear_in_n(self):
        light = estimate_linkage_memory_bytes(100_000, 5, "ward", "euclidean")
        assert light == 2 * 8 * 100_000 * 5 + 64 * 100_000 + 32 * 99_999
        assert estimate_linkage_memory_bytes(200_000, 5, "ward", "euclidean") < 2.1 * light

    def test_other_pairs_count_the_condensed_matrix_twice(self):
        n, m = 10_000, 3
        expected = 8 * n * m + 2 * 8 * (n * (n - 1) // 2) + 32 * (n - 1)
        assert estimate_linkage_memory_bytes(n, m, "average", "cosine") == expected

    def test_every_memory_light_pair_is_cheaper(self):
        for method, metric in MEMORY_LIGHT_PAIRS:
            assert (
                estimate_linkage_memory_bytes(50_000, 4, method, metric)
                < estimate_linkage_memory_bytes(50_000, 4, "complete", "euclidean") / 100
            )

    def test_distance_matrix_holds_the_square_too(self):
        n = 1000
        assert estimate_linkage_memory_bytes(
            n, n, "average", "euclidean", is_distance_matrix=True
        ) == 8 * n * n + 2 * 8 * (n * (n - 1) // 2) + 32 * (n - 1)

    def test_within_budget_passes(self):
        check_memory(1000, 2, "average", "euclidean", budget_mb=100)

    def test_refusal_names_estimate_limit_and_ways_out(self):
        with pytest.raises(InputError) as caught:
            check_memory(60_000, 2, "average", "cosine", budget_mb=2048)
        message = str(caught.value)
        assert (
            "60,000 rows × 2 columns with average linkage and cosine distance needs about 26.8 GB "
            "of memory; the limit is 2 GB." in message
        )
        assert "float64" not in message and "n(n-1)" not in message  # plain words, no formula
        assert "centroid, median, single, ward linkage with euclidean distance" in message
        sample = int(
            re.search(r"a random sample of at most ([\d,]+) rows", message)
            .group(1)
            .replace(",", "")
        )
        assert estimate_linkage_memory_bytes(sample, 2, "average", "cosine") <= 2048 * 1024**2
        assert estimate_linkage_memory_bytes(sample + 1, 2, "average", "cosine") > 2048 * 1024**2

    def test_memory_light_refusal_suggests_only_a_sample(self):
        with pytest.raises(InputError, match="a random sample of at most") as caught:
            check_memory(10_000_000, 1000, "ward", "euclidean", budget_mb=1024)
        assert "choose" not in str(caught.value)

    def test_max_rows_within_is_zero_when_nothing_fits(self):
        assert max_rows_within(10**9, "ward", "euclidean", budget_mb=1) == 0

    def test_invalid_inputs(self):
        with pytest.raises(InputError, match="Unknown linkage method"):
            estimate_linkage_memory_bytes(10, 2, "kmeans", "euclidean")
        with pytest.raises(InputError, match="requires the distance metric to be euclidean"):
            check_memory(10, 2, "ward", "cosine", budget_mb=10)
        with pytest.raises(InputError, match="number of rows"):
            estimate_linkage_memory_bytes(-1, 2, "ward", "euclidean")


class TestBundled:
    def test_iris(self):
        dataset = load_bundled("iris")
        assert dataset.values.shape == (150, 4)
        assert set(dataset.labels) == {"setosa", "versicolor", "virginica"}
        assert any("line 144 repeats line 103" in note for note in dataset.notes)

    def test_iris_matches_scikit_learn(self):
        from sklearn.datasets import load_iris

        assert np.array_equal(load_bundled("iris").values, load_iris().data)

    def test_penguins_drop_the_two_unmeasured_birds(self):
        dataset = load_bundled("penguins")
        assert dataset.values.shape == (342, 4)
        assert "Dropped 2 rows with missing values (lines 5, 273)" in dataset.notes
        assert any(note.startswith("Scaling: z-score") for note in dataset.notes)
        parsed = load_bundled_table("penguins")
        kept = parsed.frame.dropna(subset=list(BUNDLED["penguins"].features))
        assert dataset.labels == tuple(kept["species"])

    def test_penguins_with_mean_imputation_keep_every_bird(self):
        dataset = load_bundled("penguins", missing="mean", scaling="none")
        assert dataset.values.shape == (344, 4)
        assert "Filled 8 missing value(s) with column means" in " ".join(dataset.notes)

    def test_penguin_table_offers_its_columns(self):
        parsed = load_bundled_table("penguins")
        assert numeric_columns(parsed) == [
            "bill_length_mm",
            "bill_depth_mm",
            "flipper_length_mm",
            "body_mass_g",
            "year",
        ]
        assert label_columns(parsed) == ["species", "island", "sex"]

    def test_bundled_penguins_cluster_by_species(self):
        dataset = load_bundled("penguins")
        Z = compute_linkage(dataset.values, "ward", "euclidean")
        assert adjusted_rand_score(dataset.labels, fcluster(Z, 3, criterion="maxclust")) > 0.5

    def test_unknown_name(self):
        with pytest.raises(InputError, match="Unknown bundled dataset 'titanic'"):
            load_bundled("titanic")
