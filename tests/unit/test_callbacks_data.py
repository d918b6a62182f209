"""callbacks.data: uploads, presets, bundled data, generators, columns, scaling,
and the status line, called as plain functions with a real store."""

from pathlib import Path

import numpy as np
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from numpy.testing import assert_allclose, assert_array_equal
from scipy.cluster.vq import whiten
from scipy.stats import zscore

from callbacks.data import (
    MDS_AXES,
    PCA_AXES,
    UPLOAD,
    add_blob,
    axis_options,
    column_choices,
    describe,
    load_choice,
    read_large_upload,
    receive_upload,
    show_source_options,
)
from hclust.data import PRESETS, Dataset, load_preset, preset_name
from hclust.datasets import BUNDLED, load_bundled_table
from hclust.generators import blobs as draw_blobs
from hclust.preprocess import SCALINGS
from services import store
from tests.helpers import (
    LOAD_OUTPUTS,
    call,
    load,
    new_session,
    triggered_by,
    upload,
    wiring,
)

UPLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "uploads"
IRIS_FEATURES = list(BUNDLED["iris"].features)
PENGUIN_FEATURES = list(BUNDLED["penguins"].features)

# An upload with a text id, a row counter, two features and a numeric code.
TABLE_CSV = (
    b"name,row,a,b,code\n"
    b"s1,1,0.5,1.2,7\n"
    b"s2,2,0.9,1.0,3\n"
    b"s3,3,4.1,5.2,7\n"
    b"s4,4,4.4,5.0,1\n"
    b"s5,5,9.0,0.3,3\n"
    b"s6,6,9.5,0.1,9\n"
)


def loaded(session_id):
    return store.get_store().dataset(session_id)


def assert_refused(out, *phrases):
    assert out["version"] is no_update
    assert all(out[name] is no_update for name in ("x_options", "x", "y_options", "y"))
    assert out["status"].startswith("⚠")
    for phrase in phrases:
        assert phrase in out["status"]


def blob_row(size, mx, my, sx=1.0, sy=1.0, corr=0.0):
    return {"size": size, "mean x": mx, "mean y": my, "std x": sx, "std y": sy, "corr": corr}


class TestReceiveUpload:
    def test_good_csv_is_kept_on_the_server(self):
        session_id = new_session()
        options, value, version, error = upload(session_id, TABLE_CSV)
        assert value == UPLOAD and error is no_update  # load_choice writes the status line
        assert {"label": "Uploaded: table.csv", "value": UPLOAD} in options
        assert version == {"file": "table.csv", "rows": 6}
        table = store.get_store().session_value(session_id, "table")
        assert list(table.frame.columns) == ["name", "row", "a", "b", "code"]
        assert table.frame["a"].tolist() == [0.5, 0.9, 4.1, 4.4, 9.0, 9.5]

    def test_options_still_offer_every_other_source(self):
        options, _, _, _ = upload(new_session(), TABLE_CSV)
        values = [o["value"] for o in options]
        assert set(PRESETS) <= set(values)
        assert {f"bundled:{key}" for key in BUNDLED} <= set(values)
        assert "generate:blobs" in values

    @pytest.mark.parametrize(
        "content,filename,phrase",
        [
            (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "photo.png", "not a table"),
            (b"", "empty.csv", "empty"),
            ((UPLOADS / "ragged.csv").read_bytes(), "ragged.csv", "line"),
            (b"name,kind\nx,a\ny,b\nz,c\n", "words.csv", "no numeric column"),
        ],
    )
    def test_bad_file_changes_nothing(self, content, filename, phrase):
        session_id = new_session()
        store.get_store().put_session_value(session_id, "table", "the earlier table")
        options, value, version, error = upload(session_id, content, filename)
        assert options is no_update and value is no_update and version is no_update
        assert error.startswith(f"⚠ {filename}:")
        assert phrase in error
        assert error.endswith("The data loaded before is unchanged.")
        assert store.get_store().session_value(session_id, "table") == "the earlier table"

    def test_not_a_data_url(self):
        _, value, _, error, _ = call(
            receive_upload, contents="hello", filename="x.csv", session_id=new_session()
        )
        assert value is no_update and error.startswith("⚠ x.csv:")

    def test_nothing_uploaded(self):
        with pytest.raises(PreventUpdate):
            call(receive_upload, contents=None, filename=None, session_id=new_session())


class TestLoadPresets:
    @pytest.mark.parametrize("preset", list(PRESETS))
    def test_each_preset(self, preset):
        session_id = new_session()
        out = load(session_id, preset)
        expected = load_preset(preset)
        version = {k: out["version"][k] for k in ("key", "n", "source")}
        assert version == {
            "key": store.dataset_id(loaded(session_id)),
            "n": expected.n_samples,
            "source": preset,
        }
        assert loaded(session_id).content_hash == expected.content_hash
        assert_array_equal(loaded(session_id).values, expected.values)
        assert (out["x"], out["y"]) == ("x", "y")
        assert out["status"].startswith(
            f"{preset_name(preset)}: {expected.n_samples:,} rows × 2 columns used."
        )


class TestLoadBundled:
    def test_iris(self):
        session_id = new_session()
        out = load(session_id, "bundled:iris")
        dataset = loaded(session_id)
        frame = load_bundled_table("iris").frame
        assert dataset.feature_names == tuple(IRIS_FEATURES)
        assert_array_equal(dataset.values, frame[IRIS_FEATURES].to_numpy())
        assert dataset.labels == tuple(frame["species"])
        assert out["version"]["n"] == 150
        assert (out["x"], out["y"]) == PCA_AXES

    def test_chosen_features_and_label(self):
        session_id = new_session()
        load(
            session_id,
            "bundled:penguins",
            features=["bill_length_mm", "flipper_length_mm"],
            label="island",
        )
        dataset = loaded(session_id)
        assert dataset.feature_names == ("bill_length_mm", "flipper_length_mm")
        assert set(dataset.labels) == {"Biscoe", "Dream", "Torgersen"}

    def test_missing_drop(self):
        session_id = new_session()
        out = load(session_id, "bundled:penguins", missing="drop", label="species")
        dataset = loaded(session_id)
        frame = load_bundled_table("penguins").frame
        complete = frame[PENGUIN_FEATURES].notna().all(axis=1)
        assert dataset.n_samples == int(complete.sum()) == 342
        assert_array_equal(dataset.values, frame.loc[complete, PENGUIN_FEATURES].to_numpy())
        assert "Dropped 2 rows with missing values" in out["status"]

    def test_missing_mean(self):
        session_id = new_session()
        out = load(session_id, "bundled:penguins", missing="mean", label="species")
        dataset = loaded(session_id)
        frame = load_bundled_table("penguins").frame[PENGUIN_FEATURES]
        assert dataset.n_samples == 344
        assert_allclose(dataset.values, frame.fillna(frame.mean()).to_numpy(), rtol=1e-12)
        assert "Filled 8 missing value(s) with column means" in out["status"]

    @pytest.mark.parametrize("scaling", ["zscore", "whiten", "minmax"])
    def test_scaling_matches_the_reference(self, scaling):
        session_id = new_session()
        load(session_id, "bundled:iris", scaling=scaling)
        raw = load_bundled_table("iris").frame[IRIS_FEATURES].to_numpy()
        expected = {
            "zscore": zscore(raw, axis=0),
            "whiten": whiten(raw),
            "minmax": (raw - raw.min(axis=0)) / (raw.max(axis=0) - raw.min(axis=0)),
        }[scaling]
        assert_allclose(loaded(session_id).values, expected, rtol=1e-12, atol=1e-12)

    def test_whiten_is_bit_for_bit(self):
        session_id = new_session()
        load(session_id, "bundled:iris", scaling="whiten")
        assert_array_equal(
            loaded(session_id).values,
            whiten(load_bundled_table("iris").frame[IRIS_FEATURES].to_numpy()),
        )

    def test_label_column_never_a_feature(self):
        session_id = new_session()
        load(session_id, "bundled:iris", features=[*IRIS_FEATURES, "species"], label="species")
        assert "species" not in loaded(session_id).feature_names

    def test_stale_feature_choices_are_dropped(self):
        session_id = new_session()
        load(session_id, "bundled:iris", features=["bill_length_mm"], label="island")
        dataset = loaded(session_id)
        assert dataset.feature_names == tuple(IRIS_FEATURES)
        assert dataset.labels[0] == "setosa"

    def test_an_emptied_feature_picker_is_refused_and_the_data_stays(self):
        session_id = new_session()
        first = load(session_id, "bundled:iris", label="species")
        out = load(
            session_id, "bundled:iris", features=[], label="species", current=first["version"]
        )
        assert out["status"].startswith("⚠ Choose at least one column to cluster on")
        assert out["version"] is no_update or out["version"] == first["version"]
        assert loaded(session_id).feature_names == tuple(IRIS_FEATURES)

    def test_status_mentions_the_label_column(self):
        out = load(new_session(), "bundled:iris", label="species")
        assert "Label column: species." in out["status"]


class TestLoadPresetScaling:
    @pytest.mark.parametrize("scaling", ["zscore", "whiten", "minmax"])
    def test_preset_scaling(self, scaling):
        session_id = new_session()
        out = load(session_id, "tutorial-2-blobs", scaling=scaling)
        raw = load_preset("tutorial-2-blobs").values
        expected = {
            "zscore": zscore(raw, axis=0),
            "whiten": whiten(raw),
            "minmax": (raw - raw.min(axis=0)) / (raw.max(axis=0) - raw.min(axis=0)),
        }[scaling]
        assert_allclose(loaded(session_id).values, expected, rtol=1e-12, atol=1e-12)
        assert f"Scaling: {SCALINGS[scaling]}." in out["status"]


class TestLoadUpload:
    def test_feature_and_label_choice(self):
        session_id = new_session()
        upload(session_id, TABLE_CSV)
        out = load(session_id, UPLOAD, features=["a", "b"], label="name")
        dataset = loaded(session_id)
        assert dataset.feature_names == ("a", "b")
        assert dataset.labels == ("s1", "s2", "s3", "s4", "s5", "s6")
        assert_array_equal(dataset.values[:, 0], [0.5, 0.9, 4.1, 4.4, 9.0, 9.5])
        assert out["version"]["n"] == 6
        assert "Label column: name." in out["status"]

    def test_numeric_label_column_is_not_a_feature(self):
        session_id = new_session()
        upload(session_id, TABLE_CSV)
        load(session_id, UPLOAD, features=["a", "b", "code"], label="code")
        dataset = loaded(session_id)
        assert dataset.feature_names == ("a", "b")
        assert dataset.labels[:3] == ("7", "3", "7")

    def test_default_features_leave_out_the_row_counter(self):
        session_id = new_session()
        upload(session_id, TABLE_CSV)
        load(session_id, UPLOAD, features=None, label="name")
        assert loaded(session_id).feature_names == ("a", "b", "code")

    def test_distance_matrix(self):
        session_id = new_session()
        upload(session_id, (UPLOADS / "distance_matrix.csv").read_bytes(), "distance_matrix.csv")
        out = load(
            session_id, UPLOAD, features=["a", "b", "c", "d"], label="item", as_distances=["yes"]
        )
        dataset = loaded(session_id)
        assert dataset.is_distance_matrix
        assert dataset.values[0].tolist() == [0, 2, 6, 10]
        assert (out["x"], out["y"]) == MDS_AXES

    def test_expired_upload(self):
        out = load(new_session(), UPLOAD, features=["a"], current={"key": "k", "n": 6})
        assert_refused(out, "no longer on the server", "The data loaded before is unchanged.")


class TestLoadGenerators:
    def test_moons(self):
        from sklearn.datasets import make_moons

        session_id = new_session()
        out = load(
            session_id, "generate:moons", prop_id="generate.n_clicks", n=120, noise=0.1, seed=3
        )
        X, _ = make_moons(n_samples=120, noise=0.1, random_state=3, shuffle=False)
        assert_array_equal(loaded(session_id).values, X)
        assert out["version"]["n"] == 120

    def test_blobs_from_the_table_rows(self):
        """The blob table's rows become the blobs drawn.

        Regression: generator_params once built specs with 'mean'/'std'
        pairs while hclust.generators reads 'std_x'/'std_y', so every blob
        failed with "Blob 1: std_x must be a number, got None."
        """
        session_id = new_session()
        rows = [blob_row(40, 0, 0, 1, 2, 0.3), blob_row(25, 15, 15, 2, 1, 0)]
        out = load(
            session_id, "generate:blobs", prop_id="generate.n_clicks", seed=11, blob_rows=rows
        )
        assert not out["status"].startswith("⚠"), out["status"]
        expected, _ = draw_blobs(
            [
                {"size": 40, "mean_x": 0, "mean_y": 0, "std_x": 1, "std_y": 2, "corr": 0.3},
                {"size": 25, "mean_x": 15, "mean_y": 15, "std_x": 2, "std_y": 1, "corr": 0},
            ],
            seed=11,
        )
        assert_array_equal(loaded(session_id).values, expected)

    def test_blob_with_zero_spread_is_named(self):
        """A zero standard deviation is refused naming the blob and setting
        (the message comes from hclust.generators, through the blob table)."""
        rows = [blob_row(40, 0, 0), blob_row(25, 15, 15, sx=0)]
        out = load(
            new_session(), "generate:blobs", prop_id="generate.n_clicks", seed=1, blob_rows=rows
        )
        assert_refused(out, "Blob 2", "std_x", "greater than 0")

    @pytest.mark.parametrize(
        "rows,phrase",
        [
            (
                [
                    blob_row(40, 0, 0),
                    {"size": "many", "mean x": 0, "mean y": 0, "std x": 1, "std y": 1, "corr": 0},
                ],
                "Blob 2: every setting must be a number",
            ),
            ([{"size": 10, "mean x": 0}], "Blob 1: every setting must be a number"),
            ([blob_row(None, 0, 0)], "Blob 1: every setting must be a number"),
            ([], "Add at least one blob."),
            (None, "Add at least one blob."),
        ],
    )
    def test_bad_blob_rows(self, rows, phrase):
        session_id = new_session()
        out = load(
            session_id, "generate:blobs", prop_id="generate.n_clicks", seed=1, blob_rows=rows
        )
        assert_refused(out, phrase)
        assert loaded(session_id) is None

    @pytest.mark.parametrize("n", [1, 0, 100_001, 2.5, None, "200"])
    def test_n_out_of_range(self, n):
        out = load(
            new_session(),
            "generate:moons",
            prop_id="generate.n_clicks",
            n=n,
            noise=0.1,
            seed=0,
            current={"key": "k", "n": 3},
        )
        assert_refused(
            out,
            "Number of points must be a whole number from 2 to 100,000.",
            "The data loaded before is unchanged.",
        )

    @pytest.mark.parametrize("noise", [-0.1, 11, None])
    def test_noise_out_of_range(self, noise):
        out = load(
            new_session(), "generate:rings", prop_id="generate.n_clicks", n=50, noise=noise, seed=0
        )
        assert_refused(out, "Noise must be a number from 0 to 10.")

    @pytest.mark.parametrize("seed", [-1, 2**32, 1.5, None])
    def test_bad_seed(self, seed):
        out = load(
            new_session(), "generate:moons", prop_id="generate.n_clicks", n=50, noise=0.1, seed=seed
        )
        assert_refused(out, "Seed must be a whole number")

    def test_anisotropic_ignores_noise(self):
        """Elongated blobs take no noise, so an empty Noise box must not stop them.

        Regression: noise used to be validated for every kind and only then
        dropped for 'anisotropic', so a cleared Noise box refused the data.
        """
        session_id = new_session()
        out = load(
            session_id,
            "generate:anisotropic",
            prop_id="generate.n_clicks",
            n=90,
            noise=None,
            seed=170,
        )
        assert out["version"]["n"] == 90


class TestLoadErrors:
    @pytest.mark.parametrize("scaling", ["bogus", "ZSCORE", 3, ["zscore"], {"a": 1}])
    def test_bad_scaling_from_a_client(self, scaling):
        session_id = new_session()
        first = load(session_id, "tutorial-2-blobs")
        out = load(session_id, "three-squares", scaling=scaling, current=first["version"])
        assert_refused(
            out,
            f"Unknown scaling '{scaling}'",
            "none, zscore, whiten, minmax",
            "The data loaded before is unchanged.",
        )
        assert store.dataset_id(loaded(session_id)) == first["version"]["key"]

    @pytest.mark.parametrize("missing", ["median", [None], {"drop": 1}])
    def test_bad_missing_rule(self, missing):
        out = load(new_session(), "bundled:penguins", missing=missing)
        assert_refused(out, f"Unknown missing-value rule '{missing}'")

    def test_nothing_loaded_before_says_nothing_about_it(self):
        out = load(new_session(), "tutorial-2-blobs", scaling="bogus", current=None)
        assert "unchanged" not in out["status"]

    def test_upload_error_is_shown_in_the_status_line(self):
        """The refusal receive_upload answers is the status line itself (no second request)."""
        message = upload(new_session(), b"", "x.csv")[3]
        assert message.startswith("⚠ x.csv:") and "is empty" in message
        assert wiring(receive_upload)["outputs"][3] == "data-status.children"
        assert wiring(read_large_upload)["outputs"][3] == "data-status.children"


class TestDescribe:
    def dataset(self, labels=("a", "b", "c")):
        return Dataset(
            values=np.arange(6.0).reshape(3, 2),
            feature_names=("x", "y"),
            name="toy",
            labels=labels,
            notes=("cleaned",),
        )

    def test_mentions_the_label_column(self):
        text = describe(self.dataset(), label_column="kind")
        assert text == "toy: 3 rows × 2 columns used. Label column: kind. cleaned."

    def test_no_label_column(self):
        assert "Label column" not in describe(self.dataset(labels=None), label_column="kind")
        assert "Label column" not in describe(self.dataset(), label_column=None)

    def test_warnings(self):
        assert describe(self.dataset(), ["2 rows repeat"]).endswith("⚠ 2 rows repeat")


class TestAChoiceComesWithItsColumns:
    """load_choice answers a new choice's column menus and scaling with its data, in one
    request (#11: the columns were a request and a round of their own before the load)."""

    COLUMNS = ("numeric", "features", "labels", "label", "scaling")

    def choose(self, session_id, source, prop_id, **inputs):
        with triggered_by(prop_id):
            outputs = call(load_choice, source=source, session_id=session_id, **inputs)
        return dict(zip((*LOAD_OUTPUTS, *self.COLUMNS), outputs))

    def test_a_new_dataset_is_loaded_with_its_default_columns(self):
        session_id = new_session()
        # the menus still hold another table's picks when the dataset changes
        out = self.choose(
            session_id, "bundled:penguins", "dataset.value", features=["sepal_length"]
        )
        expected = call(column_choices, source="bundled:penguins", session_id=new_session())
        assert tuple(out[name] for name in self.COLUMNS) == expected
        assert out["features"] == PENGUIN_FEATURES and out["scaling"] == "zscore"
        table = load_bundled_table("penguins").frame.dropna(subset=PENGUIN_FEATURES)
        assert_allclose(
            loaded(session_id).values, zscore(table[PENGUIN_FEATURES].to_numpy()), atol=1e-9
        )

    def test_a_new_upload_is_a_new_choice(self):
        session_id = new_session()
        upload(session_id, TABLE_CSV)
        out = self.choose(
            session_id, UPLOAD, "table-version.data", features=["old"], scaling="minmax"
        )
        assert out["features"] == ["a", "b", "code"] and out["label"] == "name"
        assert out["scaling"] == "minmax"  # an upload keeps the person's scaling
        assert loaded(session_id).feature_names == ("a", "b", "code")

    def test_the_persons_picks_stand_when_an_option_changes(self):
        session_id = new_session()
        out = self.choose(
            session_id,
            "bundled:penguins",
            "feature-columns.value",
            features=PENGUIN_FEATURES[:2],
            label="island",
            scaling="none",
        )
        assert out["features"] == PENGUIN_FEATURES[:2] and out["label"] == "island"
        assert out["scaling"] == "none"
        assert [o["value"] for o in out["numeric"]] == [*PENGUIN_FEATURES, "year"]
        assert loaded(session_id).feature_names == tuple(PENGUIN_FEATURES[:2])

    def test_a_preset_has_no_columns(self):
        out = self.choose(new_session(), "tutorial-5-blobs", "dataset.value", scaling="minmax")
        assert tuple(out[name] for name in self.COLUMNS) == ([], [], [], None, "minmax")
        assert out["version"]["n"] == 750

    def test_a_refusal_keeps_the_menus_with_the_data(self):
        session_id = new_session()
        out = self.choose(session_id, UPLOAD, "dataset.value")  # no upload on the server
        assert_refused(out, "upload it again")
        assert all(out[name] is no_update for name in self.COLUMNS)


class TestColumnChoices:
    def test_bundled(self):
        numeric, features, labels, label, scaling = call(
            column_choices, source="bundled:penguins", session_id=new_session()
        )
        assert [o["value"] for o in numeric] == [*PENGUIN_FEATURES, "year"]
        assert features == PENGUIN_FEATURES
        assert [o["value"] for o in labels] == ["species", "island", "sex"]
        assert label == "species"
        assert scaling == "zscore"  # grams beside millimetres: the bundled default

    def test_bundled_iris_keeps_raw_centimetres(self):
        *_, scaling = call(column_choices, source="bundled:iris", session_id=new_session())
        assert scaling == "none"

    def test_upload(self):
        session_id = new_session()
        upload(session_id, TABLE_CSV)
        numeric, features, labels, label, scaling = call(
            column_choices, source=UPLOAD, session_id=session_id
        )
        assert [o["value"] for o in numeric] == ["row", "a", "b", "code"]
        assert features == ["a", "b", "code"]
        assert [o["value"] for o in labels] == ["name"] and label == "name"
        assert scaling is no_update  # an upload keeps the person's scaling

    @pytest.mark.parametrize("source", ["tutorial-2-blobs", "generate:moons", None, UPLOAD])
    def test_no_table(self, source):
        assert call(column_choices, source=source, session_id=new_session()) == (
            [],
            [],
            [],
            None,
            no_update,
        )


class TestAxisOptions:
    def test_two_features(self):
        dataset = Dataset(
            values=np.random.default_rng(0).normal(size=(5, 2)), feature_names=("u", "v"), name="t"
        )
        options, axes = axis_options(dataset)
        assert [o["value"] for o in options] == ["u", "v"] and axes == ("u", "v")

    def test_more_than_two_gives_principal_components(self):
        dataset = Dataset(
            values=np.random.default_rng(0).normal(size=(5, 3)),
            feature_names=("u", "v", "w"),
            name="t",
        )
        options, axes = axis_options(dataset)
        assert [o["value"] for o in options] == ["u", "v", "w", "PC1", "PC2"]
        assert axes == PCA_AXES == ("PC1", "PC2")

    def test_distance_matrix_gives_mds(self):
        d = np.array([[0, 1, 2], [1, 0, 1], [2, 1, 0]], dtype=float)
        dataset = Dataset(
            values=d, feature_names=("a", "b", "c"), name="t", is_distance_matrix=True
        )
        options, axes = axis_options(dataset)
        assert [o["value"] for o in options] == list(MDS_AXES) and axes == MDS_AXES


class TestShowSourceOptions:
    SHOWN, HIDDEN = {}, {"display": "none"}

    @pytest.mark.parametrize(
        "source,expected",
        [
            ("tutorial-2-blobs", (HIDDEN, HIDDEN, HIDDEN, SHOWN)),
            ("bundled:iris", (SHOWN, HIDDEN, HIDDEN, SHOWN)),
            (UPLOAD, (SHOWN, HIDDEN, HIDDEN, SHOWN)),
            ("generate:blobs", (HIDDEN, SHOWN, SHOWN, HIDDEN)),
            ("generate:moons", (HIDDEN, SHOWN, HIDDEN, SHOWN)),
            (None, (HIDDEN, HIDDEN, HIDDEN, SHOWN)),
        ],
    )
    def test_visibility(self, source, expected):
        assert show_source_options(source) == expected


class TestAddBlob:
    def test_offsets_from_the_last(self):
        rows = [blob_row(30, 2, -1)]
        new = add_blob(1, rows)
        assert new[0] == rows[0] and len(new) == 2
        assert new[1] == {
            "size": 50,
            "mean x": 17.0,
            "mean y": 14.0,
            "std x": 2,
            "std y": 2,
            "corr": 0,
        }
        assert len(rows) == 1, "the rows passed in are not modified"

    def test_first_blob(self):
        new = add_blob(1, None)
        assert len(new) == 1 and new[0]["size"] == 50

    def test_unreadable_last_row_starts_at_the_origin(self):
        new = add_blob(1, [{"size": 5, "mean x": "here", "mean y": None}])
        assert (new[-1]["mean x"], new[-1]["mean y"]) == (0.0, 0.0)
