"""The download gives the analyst's own table back (issue 12 §2) and cannot attack them (issue 10 §2).

Real files of every accepted format go through the page's own path (parse,
load, cluster, cut, download) and are read back with pandas; the clusters are
checked against scipy's own linkage and fcluster on the same numbers.
"""

import base64
import csv
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import cdist, squareform

from callbacks.data import load_sample
from callbacks.download import download_labels
from hclust import __version__
from hclust.data import Dataset, random_sample
from hclust.io import parse_upload
from hclust.labelled_table import (
    _PLAIN_NUMBER,
    ASSIGNED,
    CLUSTERED,
    FORMULA_STARTS,
    assign_rows,
    csv_field,
    download_archive,
    labelled_table,
    neutralise,
    to_csv,
)
from hclust.preprocess import build_dataset
from services import store
from tests.fixtures import tutorial_values as ref
from tests.helpers import call, cluster, drag_to, move_cut, new_session
from tests.helpers import load as load_source
from tests.unit.test_io import xlsx_bytes

UPLOADS = Path(__file__).parent.parent / "fixtures" / "uploads"

# Two groups, a label column with a formula and a negative number as text, an
# unused text column, an unused numeric column and a missing value.
HEADER = ["name", "height", "weight", "note", "year"]
ROWS = [
    ["ann", 150.5, 50.25, "short", 2001],
    ['=HYPERLINK("http://x","click")', 152.0, 51.5, "@SUM(A1)", 2002],
    ["cy", 149.0, 49.0, "", 2003],
    ["-3", 151.25, None, "-x", 2004],
    ["dee", 153.0, 52.0, "+1+1", 2005],
    ["eve", 148.5, 48.75, "tall?", 2006],
    ["gus", 190.0, 90.5, "tall", 2007],
    ["hal", 192.5, 93.0, "\tindented", 2008],
    ["ida", 189.0, 88.0, "x, y", 2009],
    ["jo", 191.0, 91.25, 'say "hi"', 2010],
    ["kai", 193.5, 94.0, "Zürich", 2011],
    ["lu", 188.25, 89.5, "-", 2012],
]


def text_file(delimiter=",", header=True, decimal_comma=False):
    def cell(value):
        if value is None:
            return ""
        if isinstance(value, float) and decimal_comma:
            return str(value).replace(".", ",")
        text = str(value)
        if delimiter in text or '"' in text:
            text = '"' + text.replace('"', '""') + '"'
        return text

    lines = ([HEADER] if header else []) + ROWS
    return ("\n".join(delimiter.join(cell(v) for v in row) for row in lines) + "\n").encode()


def data_url(content):
    return "data:application/octet-stream;base64," + base64.b64encode(content).decode()


def upload(session_id, content, filename):
    """What receive_upload keeps for the session: the parsed table."""
    table = parse_upload(content, filename)
    store.get_store().put_session_value(session_id, "table", table)
    return table


def load(session_id, source="upload", **options):
    out = load_source(session_id, source, **{"as_distances": [], **options})
    assert isinstance(out["version"], dict), out["status"]
    return out["version"]


def cluster_and_cut(session_id, data_version, method="ward", metric="euclidean"):
    summary, status, _ = cluster(session_id, data_version, method, metric)
    assert summary is not None, status
    page = dict(id=session_id, clustering=summary, cut=None)
    return move_cut(page, "clustering.data")["cut"]


def download(session_id, cut):
    """The zip the browser receives, opened: (table, settings, raw CSV text)."""
    sent, message = call(download_labels, n_clicks=1, cut=cut, session_id=session_id)
    assert message == "", message
    assert sent["filename"].endswith(".zip") and sent["base64"]
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(sent["content"])))
    assert sorted(archive.namelist()) == ["clusters.csv", "settings.json"]
    raw = archive.read("clusters.csv").decode("utf-8-sig")
    settings = json.loads(archive.read("settings.json"))
    return read_back(raw), settings, raw


def read_back(raw):
    """clusters.csv as an analyst reads it, text kept as text."""
    header = next(csv.reader(io.StringIO(raw)))
    numeric_guess = pd.read_csv(io.StringIO(raw), keep_default_na=False, na_values=[""])
    text = [c for c in header if numeric_guess[c].dtype.kind not in "fiu"]
    return pd.read_csv(
        io.StringIO(raw), dtype={c: str for c in text}, keep_default_na=False, na_values=[""]
    )


def assert_file_columns_back(got, frame):
    """Every column of the file, under its own name, with its values as read."""
    assert list(got.columns[: len(frame.columns)]) == [neutralise(c) for c in frame.columns]
    for name in frame.columns:
        back = got[neutralise(name)]
        if frame[name].dtype.kind in "fiu":
            np.testing.assert_array_equal(back.to_numpy(float), frame[name].to_numpy(float))
        else:
            expected = [None if v is None or v == "" else neutralise(str(v)) for v in frame[name]]
            assert [None if pd.isna(v) else v for v in back] == expected, name


def scipy_clusters(values, cut, method="ward", metric="euclidean"):
    assert cut["criterion"] == "distance"
    return fcluster(linkage(values, method, metric), cut["height"], criterion="distance")


def zscore(values):
    return (values - values.mean(axis=0)) / values.std(axis=0)


FORMATS = {
    "comma, header": ("people.csv", lambda: text_file(",")),
    "tab, header": ("people.tsv", lambda: text_file("\t")),
    "semicolon, decimal comma": ("people.csv", lambda: text_file(";", decimal_comma=True)),
    "pipe, no header": ("people.txt", lambda: text_file("|", header=False)),
    "xlsx, header": ("people.xlsx", lambda: xlsx_bytes([HEADER, *ROWS])),
    "xlsx, no header": ("people.xlsx", lambda: xlsx_bytes(ROWS)),
}


class TestRoundTripEveryFormat:
    @pytest.mark.parametrize("case", FORMATS)
    def test_every_row_and_column_back_with_scipys_clusters(self, case):
        filename, make = FORMATS[case]
        session_id = new_session()
        table = upload(session_id, make(), filename)
        frame = table.frame
        label, height, weight, note, year = frame.columns
        cut = cluster_and_cut(
            session_id, load(session_id, features=[height, weight], label=label, scaling="zscore")
        )
        got, settings, raw = download(session_id, cut)

        assert len(got) == len(ROWS)
        assert_file_columns_back(got, frame)
        added = list(got.columns[len(frame.columns) :])
        row_word = "sheet_row" if filename.endswith(".xlsx") else "file_line"
        assert added == ["cluster", "cluster_status", row_word]
        np.testing.assert_array_equal(got[row_word], table.source_rows)

        # the row with a missing weight is back, with no cluster and the reason
        kept = frame[weight].notna().to_numpy()
        assert got["cluster"][~kept].isna().all()
        assert got["cluster_status"][~kept].tolist() == [
            f"not clustered: missing value in '{weight}'"
        ]
        assert (got["cluster_status"][kept] == CLUSTERED).all()
        values = zscore(frame.loc[kept, [height, weight]].to_numpy(float))
        np.testing.assert_array_equal(got["cluster"][kept].astype(int), scipy_clusters(values, cut))

        assert settings["version"] == __version__
        assert settings["linkage"] == {
            "method": "ward",
            "metric": "euclidean",
            "optimal_leaf_ordering": False,
        }
        assert settings["cut"]["criterion"] == "distance"
        assert settings["cut"]["height"] == cut["height"] and settings["cut"]["k"] == cut["k"]
        assert settings["data"]["columns_used"] == [height, weight]
        assert settings["data"]["label_column"] == label
        assert (settings["data"]["scaling"], settings["data"]["missing_values"]) == (
            "zscore",
            "drop",
        )
        assert settings["data"]["rows_dropped_for_missing_values"] == 1
        assert settings["sample"] is None

    @pytest.mark.parametrize(
        "fixture", ["semicolon_decimal_comma_latin1.csv", "tabs.tsv", "utf8_bom.csv"]
    )
    def test_fixture_files_come_back_whole(self, fixture):
        session_id = new_session()
        table = upload(session_id, (UPLOADS / fixture).read_bytes(), fixture)
        data_version = load(session_id, missing="mean")
        got, settings, _ = download(session_id, cluster_and_cut(session_id, data_version))
        assert_file_columns_back(got, table.frame)
        assert got["cluster"].notna().all() and (got["cluster_status"] == CLUSTERED).all()
        assert settings["data"]["missing_values"] == "mean"

    def test_whitespace_file_without_header(self):
        session_id = new_session()
        name = "whitespace_no_header.txt"
        table = upload(session_id, (UPLOADS / name).read_bytes(), name)
        assert not table.has_header
        got, _, _ = download(session_id, cluster_and_cut(session_id, load(session_id)))
        assert_file_columns_back(got, table.frame)
        # a blank line in the file: the line numbers are the file's, not 1, 2, 3
        np.testing.assert_array_equal(got["file_line"], table.source_rows)
        assert list(table.source_rows) != list(range(1, len(table.frame) + 1))

    def test_distance_matrix_comes_back_with_its_label_column(self):
        session_id = new_session()
        name = "distance_matrix.csv"
        table = upload(session_id, (UPLOADS / name).read_bytes(), name)
        data_version = load(session_id, label="item", as_distances=["yes"])
        cut = cluster_and_cut(session_id, data_version, "average", "euclidean")
        got, settings, _ = download(session_id, cut)
        assert_file_columns_back(got, table.frame)
        d = table.frame.drop(columns="item").to_numpy(float)
        expected = fcluster(linkage(squareform(d), "average"), cut["height"], "distance")
        np.testing.assert_array_equal(got["cluster"].astype(int), expected)
        assert settings["data"]["distance_matrix"] is True

    def test_bundled_penguins_keep_every_column_and_name_why_rows_were_dropped(self):
        session_id = new_session()
        data_version = load(session_id, source="bundled:penguins", scaling="zscore")
        cut = cluster_and_cut(session_id, data_version)
        got, settings, _ = download(session_id, cut)
        penguins = pd.read_csv(Path("hclust/datasets/penguins.csv"))
        assert list(got.columns) == [*penguins.columns, "cluster", "cluster_status", "file_line"]
        assert len(got) == len(penguins) == 344
        np.testing.assert_array_equal(got["file_line"], np.arange(2, 346))
        assert got["sex"].tolist()[:3] == ["male", "female", "female"]
        missing = penguins["bill_length_mm"].isna().to_numpy()
        assert got["cluster"][missing].isna().all()
        assert got["cluster_status"][missing].str.contains("'bill_length_mm'").all()
        assert settings["data"]["label_column"] == "species"
        assert settings["data"]["scaling"] == "zscore"

    @pytest.mark.parametrize("source", ["tutorial-2-blobs", "generate:moons"])
    def test_presets_and_generated_data_come_back_unscaled(self, source):
        session_id = new_session()
        generator = dict(n=120, noise=0.05, seed=3, blob_rows=None)
        data_version = load(session_id, source=source, scaling="minmax", **generator)
        cut = cluster_and_cut(session_id, data_version)
        got, settings, _ = download(session_id, cut)
        dataset = store.get_store().loaded_dataset(session_id, data_version["key"])
        raw = got[["x", "y"]].to_numpy(float)
        low, high = raw.min(axis=0), raw.max(axis=0)
        np.testing.assert_allclose((raw - low) / (high - low), dataset.values, rtol=0, atol=1e-12)
        assert not np.allclose(raw, dataset.values)  # the values as made, not as scaled
        np.testing.assert_array_equal(got["row"], np.arange(1, len(raw) + 1))
        np.testing.assert_array_equal(got["cluster"], scipy_clusters(dataset.values, cut))
        assert settings["data"]["scaling"] == "minmax"


class TestSampledData:
    def test_every_row_gets_a_cluster_and_says_how(self, tutorial):
        session_id = new_session()
        whole = load(session_id, source="tutorial-2-blobs", scaling="zscore")
        # the offer as the server records it when the memory guard refuses the whole data
        offer = {"rows": 60, "of": 150, "key": whole["key"]}
        store.get_store().put_session_value(session_id, "sample-offer", offer)
        sampled = load_sample(1, whole, session_id)[0]
        assert sampled["n"] == 60
        cut = cluster_and_cut(session_id, sampled)
        got, settings, _ = download(session_id, cut)

        assert len(got) == 150
        np.testing.assert_array_equal(got[["x", "y"]].to_numpy(float), tutorial["X"])
        clustered = (got["cluster_status"] == CLUSTERED).to_numpy()
        assert clustered.sum() == 60 and (got["cluster_status"][~clustered] == ASSIGNED).all()
        # the sample is clustered exactly as scipy clusters those rows
        scaled = zscore(tutorial["X"])
        expected = scipy_clusters(scaled[clustered], cut)
        np.testing.assert_array_equal(got["cluster"][clustered], expected)
        # every other row joins the nearest centroid of the sample's clusters, in scaled units
        names = np.unique(expected)
        centroids = np.array([scaled[clustered][expected == c].mean(axis=0) for c in names])
        nearest = names[np.argmin(cdist(scaled[~clustered], centroids), axis=1)]
        np.testing.assert_array_equal(got["cluster"][~clustered], nearest)
        assert settings["sample"]["rows"] == 60 and settings["sample"]["of"] == 150
        assert settings["data"]["rows_clustered"] == 60


@pytest.fixture
def session():
    """The tutorial's two blobs loaded as the page loads them, clustered with ward."""
    session_id = new_session()
    data_version = load(session_id, source="tutorial-2-blobs")
    summary, _, _ = cluster(session_id, data_version)
    page = dict(id=session_id, clustering=summary, cut=None)
    page["cut"] = move_cut(page, "clustering.data")["cut"]
    return page


class TestFollowsTheCut:
    def test_cluster_column_is_fcluster_at_the_dragged_height(self, session, tutorial):
        cut = move_cut(session, "cut-drag.data", drag=drag_to(16))["cut"]
        sent, _ = call(download_labels, n_clicks=1, cut=cut, session_id=session["id"])
        assert sent["filename"] == "clusters_ward_euclidean_distance_k4.zip"
        got, settings, _ = download(session["id"], cut)
        np.testing.assert_array_equal(got["cluster"], fcluster(tutorial["Z"], 16, "distance"))
        np.testing.assert_array_equal(got[["x", "y"]].to_numpy(), tutorial["X"])
        assert settings["cut"]["clusters"] == 4

    def test_by_k(self, session):
        cut = move_cut(session, "n-clusters.value", typed_k=2)["cut"]
        got, settings, _ = download(session["id"], cut)
        assert np.bincount(got["cluster"])[1:].tolist() == ref.FCLUSTER_MAXCLUST_2_COUNTS
        assert settings["cut"]["k"] == 2

    def test_inconsistent_criterion(self, session, tutorial):
        """The download follows the criterion, not only a height (inconsistent has none)."""
        cut = move_cut(session, "criterion.value", criterion="inconsistent", t=8, depth=10)["cut"]
        got, settings, _ = download(session["id"], cut)
        np.testing.assert_array_equal(got["cluster"], fcluster(tutorial["Z"], 8, depth=10))
        assert (settings["cut"]["criterion"], settings["cut"]["t"]) == ("inconsistent", 8)


class TestHonestRefusals:
    def test_a_replaced_upload_is_not_joined_to_old_clusters(self):
        session_id = new_session()
        upload(session_id, text_file(","), "people.csv")
        cut = cluster_and_cut(session_id, load(session_id, features=["height", "weight"]))
        upload(session_id, text_file(",").replace(b"150.5", b"170.5"), "people.csv")
        sent, message = call(download_labels, n_clicks=1, cut=cut, session_id=session_id)
        assert sent is not None and "replaced" in message  # no_update, and why

    def test_needs_a_click_and_a_cut(self):
        from dash.exceptions import PreventUpdate

        with pytest.raises(PreventUpdate):
            call(download_labels, n_clicks=0, cut={"height": 1.0}, session_id=new_session())
        with pytest.raises(PreventUpdate):
            call(download_labels, n_clicks=1, cut=None, session_id=new_session())


class TestSourceRows:
    def test_build_dataset_records_the_rows_it_kept(self):
        frame = pd.DataFrame({"a": [1.0, np.nan, 3.0, 4.0, np.nan], "b": [5.0, 6, 7, 9, 8]})
        dataset = build_dataset(frame, ["a", "b"])
        np.testing.assert_array_equal(dataset.source_rows, [0, 2, 3])
        np.testing.assert_array_equal(dataset.values, frame.to_numpy()[[0, 2, 3]])

    def test_a_sample_of_a_sample_keeps_the_file_positions(self):
        values = np.arange(40.0).reshape(20, 2)
        dataset = Dataset(values, ("a", "b"), "t", source_rows=np.arange(20) * 3)
        sample = random_sample(random_sample(dataset, 12, seed=1), 5, seed=2)
        np.testing.assert_array_equal(sample.values, values[sample.source_rows // 3])


class TestCsvInjection:
    @pytest.mark.parametrize(
        "text", ["=1+1", "+1+1", "-x", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")']
    )
    def test_formulas_are_neutralised_and_quoted(self, text):
        assert neutralise(text) == "'" + text
        field = csv_field(text)
        assert field.startswith("\"'") and field.endswith('"')

    @pytest.mark.parametrize("value", [-3.5, -1, -0.25, 2e-300, 1e20, -(2**60)])
    def test_numbers_stay_numbers(self, value):
        field = csv_field(value)
        assert not field.startswith(('"', "'")) and float(field) == value

    @pytest.mark.parametrize("text", ["-3", "-3.5", "+2", "-1e5", "plain", "a=b", ""])
    def test_harmless_text_is_unchanged(self, text):
        assert neutralise(text) == text

    def test_a_spreadsheet_reads_text_with_the_quote_and_numbers_as_numbers(self):
        frame = pd.DataFrame({"=cmd": ["=1+1", "ok"], "n": [-1.5, 2.0]})
        raw = to_csv(frame)
        assert raw.splitlines()[1] == '"\'=1+1",-1.5'
        back = pd.read_csv(io.StringIO(raw))
        assert list(back.columns) == ["'=cmd", "n"]
        assert back["'=cmd"].tolist() == ["'=1+1", "ok"] and back["n"].tolist() == [-1.5, 2.0]

    def test_the_download_neutralises_the_files_formulas(self):
        session_id = new_session()
        upload(session_id, text_file(","), "people.csv")
        cut = cluster_and_cut(session_id, load(session_id, features=["height", "weight"]))
        _, _, raw = download(session_id, cut)
        lines = raw.splitlines()
        assert lines[2].startswith('"\'=HYPERLINK(""http://x"",""click"")",152,51.5,"\'@SUM(A1)"')
        assert lines[4].startswith('"-3",151.25,,"\'-x"')  # a negative number in text stays
        assert '"\'+1+1"' in lines[5]

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(
            st.one_of(
                st.text(max_size=8),
                st.floats(allow_nan=False, allow_infinity=False),
                st.integers(-(2**40), 2**40),
                st.none(),
            ),
            min_size=1,
            max_size=6,
        )
    )
    def test_no_cell_opens_as_a_formula_and_every_value_reads_back(self, cells):
        frame = pd.DataFrame({"c": pd.Series(cells, dtype=object)})
        rows = list(csv.reader(io.StringIO(to_csv(frame), newline="")))[1:]
        fields = [row[0] if row else "" for row in rows]
        assert len(fields) == len(cells)
        for cell, field in zip(cells, fields):
            if isinstance(cell, str):
                assert field == neutralise(cell)
                assert not field.startswith(FORMULA_STARTS) or _PLAIN_NUMBER.fullmatch(field)
            elif cell is None:
                assert field == ""
            else:
                assert float(field) == cell


class TestAssignRows:
    @settings(max_examples=50, deadline=None)
    @given(st.integers(0, 2**32 - 1), st.integers(3, 40), st.integers(1, 4))
    def test_clustered_rows_keep_their_cluster_and_others_join_the_nearest_centroid(
        self, seed, n, m
    ):
        rng = np.random.default_rng(seed)
        values = rng.normal(size=(n, m))
        clustered = np.sort(rng.choice(n, size=max(2, n // 2), replace=False))
        labels = fcluster(linkage(values[clustered], "ward"), 2, "maxclust")
        got = assign_rows(values, clustered, labels)
        np.testing.assert_array_equal(got[clustered], labels)
        names = np.unique(labels)
        centroids = np.array([values[clustered][labels == c].mean(axis=0) for c in names])
        others = np.setdiff1d(np.arange(n), clustered)
        np.testing.assert_array_equal(
            got[others], names[np.argmin(cdist(values[others], centroids), axis=1)]
        )

    def test_distance_matrix_rows_join_the_least_mean_distance(self):
        points = np.array([[0.0], [1.0], [10.0], [11.0], [2.0], [8.0]])
        d = cdist(points, points)
        got = assign_rows(d, np.array([0, 1, 2, 3]), np.array([1, 1, 2, 2]), True)
        np.testing.assert_array_equal(got, [1, 1, 2, 2, 1, 2])


def test_archive_holds_the_table_and_its_settings():
    table = labelled_table(
        pd.DataFrame({"v": [1.0, 2.0, 9.0]}),
        [2, 3, 4],
        "file_line",
        np.array([0, 1, 2]),
        np.array([[1.0], [2.0], [9.0]]),
        np.array([0, 1, 2]),
        np.array([1, 1, 2]),
    )
    archive = zipfile.ZipFile(io.BytesIO(download_archive(table, {"a": 1})))
    assert archive.read("clusters.csv").startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    assert json.loads(archive.read("settings.json")) == {"a": 1}
