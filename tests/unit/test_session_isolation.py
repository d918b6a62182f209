"""What one session loads is its own; sizes and routing come from the server's records;
no panel fails silently (issue 10 points 1 and 4, issue 17 section 4).

Callbacks are called as plain functions with a real store, as the page calls them.
Only names the code had before these changes are imported, so each test runs (and
fails) on the code as it was.
"""

import base64
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

import services.store as store_module
from callbacks.clustering import INLINE_MAX_N, request_clustering
from callbacks.cut import cut_for_tree
from callbacks.data import UPLOAD, load_sample
from callbacks.diagnostics import (
    QUALITY_INLINE_MAX_N,
    compute_quality,
    linkage_table_page,
    request_quality,
    update_inconsistency,
    update_k_plots,
    update_linkage_diagnostics,
    update_summary,
)
from callbacks.download import download_labels
from callbacks.linking import focus_from_zoom, update_highlight
from callbacks.views import update_views
from hclust.data import Dataset
from services import store
from tests.helpers import (
    DictCache,
    call,
    draw_views,
    load,
    new_session,
    options_store,
    page_context,
    triggered_by,
    upload,
)

# Two clear groups of six, as two people would upload them: the same numbers under
# their own labels and column names (no label or name is a substring of the other's).
NUMBERS = [
    (150, 48),
    (152, 50),
    (149, 47),
    (153, 52),
    (151, 49),
    (148, 46),
    (190, 95),
    (188, 92),
    (192, 98),
    (189, 94),
    (191, 96),
    (187, 91),
]
PEOPLE = {
    "alice": {
        "columns": ("name", "stature_cm", "heft_kg"),
        "labels": [f"alpha{i:02d}" for i in range(12)],
        "file": "alice.csv",
    },
    "bob": {
        "columns": ("tag", "girth_in", "mass_lb"),
        "labels": [f"bravo{i:02d}" for i in range(12)],
        "file": "bob.csv",
    },
}


def csv_of(person):
    spec = PEOPLE[person]
    lines = [",".join(spec["columns"])]
    lines += [f"{label},{a},{b}" for label, (a, b) in zip(spec["labels"], NUMBERS)]
    return ("\n".join(lines) + "\n").encode()


def own_and_other_words(person):
    """The words only this person typed, and the words only the other one did."""
    other = next(p for p in PEOPLE if p != person)
    words = {p: {*PEOPLE[p]["labels"], *PEOPLE[p]["columns"][1:]} for p in PEOPLE}
    return words[person], words[other]


def load_as(person):
    """A new session uploads the person's file and picks its columns, as the page does."""
    session_id = new_session()
    spec = PEOPLE[person]
    upload(session_id, csv_of(person), spec["file"])
    out = load(
        session_id,
        UPLOAD,
        prop_id="table-version.data",
        features=list(spec["columns"][1:]),
        label=spec["columns"][0],
    )
    assert isinstance(out["version"], dict), out["status"]
    return {"id": session_id, "version": out["version"], "person": person}


def clustered(session):
    """Ward on the session's data (inline: 12 samples), and the page's first cut."""
    summary, status, offer, job = call(
        request_clustering,
        data_version=session["version"],
        method="ward",
        metric="euclidean",
        optimal_order=[],
        session_id=session["id"],
    )[:4]
    assert isinstance(summary, dict), status
    with triggered_by("clustering.data"):
        outputs = call(
            cut_for_tree,
            clustering=summary,
            criterion="distance",
            t=8,
            depth=10,
            session_id=session["id"],
        )
    return dict(session, clustering=summary, cut=outputs[3])


def what_the_page_shows(session):
    """Both plots, the cluster table's columns and the download, as text."""
    x, y = PEOPLE[session["person"]]["columns"][1:]
    dendrogram, scatter, colour_map, status = draw_views(
        session["id"], session["cut"], x_choice=x, y_choice=y
    )
    assert not str(status).startswith("⚠"), status
    _, columns, _ = call(
        update_summary, cut=session["cut"], colour_map=colour_map, session_id=session["id"]
    )
    download, _ = call(download_labels, n_clicks=1, cut=session["cut"], session_id=session["id"])
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(download["content"]))) as archive:
        clusters_csv = archive.read("clusters.csv").decode()
    frame = pd.read_csv(io.StringIO(clusters_csv))
    return {
        "dendrogram": json.dumps(dendrogram.to_plotly_json(), default=str),
        "scatter": json.dumps(scatter.to_plotly_json(), default=str),
        "summary columns": json.dumps(columns),
        "download": clusters_csv,
        "frame": frame,
    }


def assert_shows_only_its_own(session):
    shown = what_the_page_shows(session)
    own, other = own_and_other_words(session["person"])
    for place in ("dendrogram", "scatter", "summary columns", "download"):
        leaked = sorted(word for word in other if word in shown[place])
        assert not leaked, f"{session['person']}'s {place} shows the other session's {leaked}"
    spec = PEOPLE[session["person"]]
    assert all(label in shown["dendrogram"] for label in spec["labels"])
    assert all(label in shown["scatter"] for label in spec["labels"])
    assert f'"{spec["columns"][1]}"' in shown["scatter"]  # the x axis title
    # the file's own columns under its own names, then what the clustering adds
    added = ["cluster", "cluster_status", "file_line"]
    assert list(shown["frame"].columns) == [*spec["columns"], *added]
    assert shown["frame"][spec["columns"][0]].tolist() == spec["labels"]
    clusters = shown["frame"]["cluster"].tolist()
    assert len(set(clusters[:6])) == 1 and len(set(clusters[6:])) == 1
    assert clusters[0] != clusters[6]


class TestSameNumbersOtherLabels:
    def test_each_session_sees_only_its_own_before_and_after_the_other_loads(self):
        alice = clustered(load_as("alice"))
        assert_shows_only_its_own(alice)  # before bob loads
        bob = clustered(load_as("bob"))
        assert_shows_only_its_own(bob)
        assert_shows_only_its_own(alice)  # after bob loaded the same numbers
        alice_again = clustered(load_as("alice"))  # alice loads again in a new tab
        assert_shows_only_its_own(bob)
        assert_shows_only_its_own(alice_again)

    def test_the_numbers_are_the_same_so_the_linkage_is_shared(self, monkeypatch):
        calls = []
        real = store_module.build_clustering

        def counting(dataset, *args, **kwargs):
            calls.append(dataset.content_hash)
            return real(dataset, *args, **kwargs)

        shared = store_module.Store(DictCache())
        monkeypatch.setattr(store_module, "get_store", lambda: shared)
        monkeypatch.setattr(store_module, "build_clustering", counting)
        alice = clustered(load_as("alice"))
        bob = clustered(load_as("bob"))
        assert len(calls) == 1
        z_alice = shared.result_for(alice["id"], alice["clustering"])[1].Z
        z_bob = shared.result_for(bob["id"], bob["clustering"])[1].Z
        np.testing.assert_array_equal(z_alice, z_bob)

    def test_a_session_cannot_read_another_sessions_data_by_its_key(self):
        alice = clustered(load_as("alice"))
        intruder = new_session()
        outputs = draw_views(intruder, alice["cut"])
        assert outputs[:3] == (no_update, no_update, no_update)
        assert outputs[3].startswith("⚠") and "No data is loaded" in outputs[3]


def dataset_of(n, seed=0, m=2):
    values = np.random.default_rng(seed).normal(size=(n, m))
    return Dataset(values=values, feature_names=tuple(f"f{j}" for j in range(m)), name="t")


@pytest.fixture
def counted_builds(monkeypatch):
    calls = []
    real = store_module.build_clustering

    def counting(dataset, method, metric, optimal_order=False, progress=None):
        calls.append((dataset.n_samples, method, metric, optimal_order))
        return real(dataset, method, metric, optimal_order, progress)

    monkeypatch.setattr(store_module, "build_clustering", counting)
    return calls


def put(session_id, dataset):
    return store.get_store().put_dataset(session_id, dataset)


class TestTheServerDecidesFromItsOwnRecords:
    def test_a_forged_small_n_still_goes_to_the_job(self, counted_builds):
        session_id = new_session()
        key = put(session_id, dataset_of(INLINE_MAX_N + 1, seed=1))
        summary, status, offer, job = call(
            request_clustering,
            data_version={"key": key, "n": 2},  # the page claims two rows
            method="average",
            metric="euclidean",
            optimal_order=[],
            session_id=session_id,
        )[:4]
        assert summary is no_update and counted_builds == []  # nothing computed in the request
        assert isinstance(job, dict) and job["data_version"]["n"] == INLINE_MAX_N + 1

    def test_a_forged_large_n_is_still_answered_at_once(self, counted_builds):
        session_id = new_session()
        key = put(session_id, dataset_of(40, seed=2))
        summary, status, offer, job = call(
            request_clustering,
            data_version={"key": key, "n": 100_000},  # past INLINE_MAX_N, within any limit
            method="average",
            metric="euclidean",
            optimal_order=[],
            session_id=session_id,
        )[:4]
        assert job is no_update and summary["n"] == 40

    def test_a_panel_never_starts_a_slow_linkage_the_page_names(self, counted_builds):
        """A forged summary for data too large for a request gets a message, not 10 s of work."""
        session_id = new_session()
        key = put(session_id, dataset_of(INLINE_MAX_N + 1, seed=3))
        forged = {"key": key, "method": "single", "metric": "cityblock", "n": 2, "default_cut": 1.0}
        message = call(
            update_inconsistency, clustering=forged, depth=2, last=10, session_id=session_id
        )
        assert isinstance(message, str) and message.startswith("⚠") and "background job" in message
        assert counted_builds == []

    def test_a_forged_optimal_order_is_not_computed_in_a_request(self, counted_builds):
        session_id = new_session()
        key = put(session_id, dataset_of(1_000, seed=4))
        forged = {"key": key, "method": "average", "metric": "euclidean", "optimal_order": True}
        message = call(
            update_inconsistency, clustering=forged, depth=2, last=10, session_id=session_id
        )
        assert message.startswith("⚠") and counted_builds == []

    def test_quality_of_large_data_goes_to_its_job_whatever_n_the_page_sends(self, monkeypatch):
        import hclust.diagnostics

        computed = []
        real = hclust.diagnostics.quality_per_k
        monkeypatch.setattr(
            hclust.diagnostics,
            "quality_per_k",
            lambda *a, **k: computed.append(1) or real(*a, **k),
        )
        session_id = new_session()
        dataset = dataset_of(QUALITY_INLINE_MAX_N + 1, seed=5)
        key = put(session_id, dataset)
        store.get_store().clustering(session_id, "ward", "euclidean", data_key=key)
        forged = {
            "key": key,
            "method": "ward",
            "metric": "euclidean",
            "n": 2,
            "default_cut": 1.0,
        }
        ready, job = call(request_quality, clustering=forged, max_k=5, session_id=session_id)
        assert ready is no_update and isinstance(job, dict) and computed == []
        # and a forged "ready" does not make the plots compute it either
        outputs = call(
            update_k_plots,
            cut={"clustering": forged, "criterion": "distance", "k": 2},
            new_clustering=forged,
            max_k=5,
            quality_ready={"clustering": forged, "max_k": 5},
            session_id=session_id,
        )
        assert computed == [] and outputs[3].startswith("⚠")

    def test_a_selection_names_only_samples_the_server_has(self):
        session = clustered(load_as("alice"))
        forged_cut = dict(session["cut"], clustering=dict(session["clustering"], n=10_000))
        with triggered_by("scatter-selection.data"):
            highlight, _ = call(
                update_highlight,
                selection={"points": [{"customdata": 3}, {"customdata": 5_000}]},
                cut=forged_cut,
                session_id=session["id"],
            )
        assert highlight == {"samples": [3]}

    def test_the_sample_taken_is_the_one_the_server_offered(self, monkeypatch):
        from services import config

        monkeypatch.setattr(config, "MAX_MEMORY_MB", 5)
        session_id = new_session()
        key = put(session_id, dataset_of(1_500, seed=6))
        version = {"key": key, "n": 1_500}
        summary, status, offer, job = call(
            request_clustering,
            data_version=version,
            method="average",
            metric="euclidean",
            optimal_order=[],
            session_id=session_id,
        )[:4]
        assert summary is no_update and "memory" in status and 2 <= offer["rows"] < 1_500
        # the page sends only the click: its copy of the offer (it could say 1,499) is not read
        loaded = load_sample(1, version, session_id)
        assert loaded[0]["n"] == offer["rows"]
        assert store.get_store().dataset(session_id).n_samples == offer["rows"]

    def test_a_sample_the_server_never_offered_is_not_taken(self):
        """The page's copy of the sample offer says only that it was clicked."""
        session = clustered(load_as("alice"))  # 12 rows: fit any budget, so no offer
        version, status, *axes = load_sample(1, session["version"], session["id"])
        assert version is no_update and all(a is no_update for a in axes)
        assert status.startswith("⚠ No sample was offered") and "unchanged" in status
        assert store.get_store().dataset(session["id"]).n_samples == 12


GONE = {"key": "0" * 64, "method": "ward", "metric": "euclidean", "n": 150, "default_cut": 1.0}
GONE_CUT = {"clustering": GONE, "criterion": "distance", "height": 1.0, "k": 2}


class TestNoSilentFailures:
    """A session whose data is gone (expired, or never its own) sees why in every panel."""

    @pytest.mark.parametrize(
        "callback,inputs,status",
        [
            (
                update_summary,
                dict(cut=GONE_CUT, colour_map={"clustering": GONE, "nodes": {}}),
                "cut-status",
            ),
            (linkage_table_page, dict(clustering=GONE, page=0), "clustering-status"),
            (request_quality, dict(clustering=GONE, max_k=5), "quality-status"),
            (
                compute_quality,
                dict(set_progress=lambda _: None, request={"clustering": GONE, "max_k": 5}),
                "quality-status",
            ),
        ],
    )
    def test_panels_without_a_status_of_their_own_say_it_elsewhere(self, callback, inputs, status):
        with page_context() as sent:
            outputs = call(callback, session_id=new_session(), **inputs)
        assert outputs is no_update
        assert sent[status]["children"].startswith("⚠")
        assert "No data is loaded" in sent[status]["children"]

    def test_a_zoom_into_gone_data_says_so(self):
        with page_context("dendrogram-leaf-zoom.data") as sent:
            outputs = call(
                focus_from_zoom,
                zoom={"range": [0, 10]},
                clustering=GONE,
                session_id=new_session(),
            )
        assert outputs is no_update
        assert sent["view-status"]["children"].startswith("⚠")

    def test_the_k_plots_of_a_new_clustering_say_so(self):
        outputs = call(update_k_plots, new_clustering=GONE, max_k=5, session_id=new_session())
        assert outputs[0] is no_update and outputs[1].startswith("⚠")

    @pytest.mark.parametrize(
        "callback,inputs,at",
        [
            (update_linkage_diagnostics, dict(clustering=GONE), 0),
            (update_views, dict(cut=GONE_CUT, view_options=options_store()), 3),
            (download_labels, dict(n_clicks=1, cut=GONE_CUT), 1),
        ],
    )
    def test_panels_with_a_status_show_it_there(self, callback, inputs, at):
        with triggered_by("cut.data"):
            outputs = call(callback, session_id=new_session(), **inputs)
        assert outputs[at].startswith("⚠") and "No data is loaded" in outputs[at]
        assert all(o is no_update for i, o in enumerate(outputs) if i != at)


class TestWhatIsShared:
    def test_no_shared_entry_holds_what_a_person_typed(self, monkeypatch):
        """After two sessions ran every panel on the same numbers, each entry is either
        under one session's id or free of every label, column name and file name."""
        import pickle

        shared = store_module.Store(DictCache())
        monkeypatch.setattr(store_module, "get_store", lambda: shared)
        sessions = [clustered(load_as("alice")), clustered(load_as("bob"))]
        for session in sessions:
            what_the_page_shows(session)
            call(
                update_linkage_diagnostics,
                clustering=session["clustering"],
                session_id=session["id"],
            )
        typed = {word for person in PEOPLE for word in own_and_other_words(person)[0]}
        typed |= {PEOPLE[person]["file"] for person in PEOPLE}
        # keys use the id inside each session's signed token
        owners = {f"session:{shared.check_session(session['id'])}:" for session in sessions}
        for key, value in shared._cache.data.items():
            if any(key.startswith(owner) for owner in owners):
                continue
            found = [word for word in typed if word.encode() in pickle.dumps(value)]
            assert not found, f"{key} is shared between sessions and holds {found}"


class TestNoFiveHundreds:
    def test_the_scaling_advice_of_a_forged_session_says_why(self):
        """Regression: an invalid session id raised out of the scale hint (HTTP 500); the
        z-score suggestion that replaced it reads the same records."""
        from callbacks.advice import suggest_scaling

        with page_context("data-version.data") as sent:
            out = call(
                suggest_scaling,
                data_version={"key": GONE["key"], "n": 150},
                scaling="none",
                session_id="not-a-session",
            )
        assert out is no_update
        message = sent["clustering-status"]["children"]
        assert message.startswith("⚠") and "reload the page" in message

    def test_a_forged_quality_job_cannot_ask_for_a_million_k(self, monkeypatch):
        import hclust.diagnostics

        session = clustered(load_as("alice"))
        computed = []
        monkeypatch.setattr(hclust.diagnostics, "quality_per_k", lambda *a, **k: computed.append(a))
        with pytest.raises(PreventUpdate):
            call(
                compute_quality,
                set_progress=lambda _: None,
                request={"clustering": session["clustering"], "max_k": 10**6},
                session_id=session["id"],
            )
        assert computed == []
