"""hclust.export and callbacks.share: Newick, Z and the exported Python script.

What is written is parsed back (a small Newick parser here, numpy for Z) and
compared with scipy; exported scripts run in a Python of their own (``python -I``, which
sees no project code) and their clusters.csv is compared with the page's labels row by row. The download's
file format is being changed elsewhere, so the comparison is per-row cluster
assignments (and the clustered values), not the download's bytes.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from dash import no_update
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.cluster.hierarchy import linkage, to_tree

from callbacks.data import UPLOAD
from callbacks.share import NOT_THE_SHOWN_DATA, export_view
from callbacks.shown import labels_for
from hclust.errors import InputError
from hclust.export import linkage_csv, linkage_npy, newick, newick_label, python_script
from services import store
from tests.helpers import (
    call,
    cluster,
    draw_views,
    load,
    move_cut,
    new_session,
    restore_controls,
    triggered_by,
    upload,
)

UPLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "uploads"


# --------------------------------------------------------------------------- a Newick reader


def parse_newick(text):
    """(tree, leaves): tree nodes are dicts with 'name', 'length', 'children'."""
    assert text.endswith(";")
    pos = 0

    def label():
        nonlocal pos
        if text[pos] == "'":
            out, pos = [], pos + 1
            while True:
                if text[pos] == "'" and text[pos + 1 : pos + 2] == "'":
                    out.append("'")
                    pos += 2
                elif text[pos] == "'":
                    pos += 1
                    return "".join(out)
                else:
                    out.append(text[pos])
                    pos += 1
        start = pos
        while text[pos] not in "(),:;":
            pos += 1
        return text[start:pos].replace("_", " ")

    def node():
        nonlocal pos
        children = []
        if text[pos] == "(":
            pos += 1
            children.append(node())
            while text[pos] == ",":
                pos += 1
                children.append(node())
            assert text[pos] == ")"
            pos += 1
        name = label()
        length = None
        if text[pos] == ":":
            pos += 1
            start = pos
            while text[pos] not in ",);":
                pos += 1
            length = float(text[start:pos])
        return {"name": name, "length": length, "children": children}

    tree = node()
    assert text[pos:] == ";"
    return tree


def heights_and_clusters(tree):
    """Each internal node's height (leaves at 0) and its leaf-name set."""
    found = []

    def walk(node):
        if not node["children"]:
            return 0.0, frozenset([node["name"]])
        parts = [walk(child) for child in node["children"]]
        tops = [h + child["length"] for (h, _), child in zip(parts, node["children"])]
        assert_allclose(tops, tops[0], rtol=1e-12, atol=1e-12)  # both branches reach the merge
        members = frozenset().union(*(m for _, m in parts))
        found.append((tops[0], members))
        return tops[0], members

    walk(tree)
    return found


def scipy_clusters(Z, names):
    root, nodes = to_tree(Z, rd=True)
    return {
        frozenset(names[i] for i in node.pre_order()): node.dist
        for node in nodes
        if not node.is_leaf()
    }


observations = st.integers(2, 30).flatmap(
    lambda n: st.lists(
        st.tuples(
            st.floats(-100, 100, allow_nan=False, width=32),
            st.floats(-100, 100, allow_nan=False, width=32),
        ),
        min_size=n,
        max_size=n,
        unique=True,
    )
)


class TestNewick:
    @settings(max_examples=40, deadline=None)
    @given(points=observations, method=st.sampled_from(["single", "complete", "average", "ward"]))
    def test_tree_parses_back_to_scipys_tree_and_heights(self, points, method):
        X = np.asarray(points, dtype=float)
        Z = linkage(X, method)
        names = [f"s{i}" for i in range(len(X))]
        tree = parse_newick(newick(Z, names))
        found = heights_and_clusters(tree)
        assert len(found) == len(X) - 1
        leaves = set().union(*(m for _, m in found)) if found else set()
        assert leaves == set(names)  # every leaf once (a set of n distinct names)
        expected = scipy_clusters(Z, names)
        assert {m for _, m in found} == set(expected)
        for height, members in found:
            assert height == pytest.approx(expected[members], rel=1e-12, abs=1e-12)
        assert tree_root_height(tree) == pytest.approx(Z[-1, 2])

    def test_branch_lengths_are_merge_height_differences(self, tutorial):
        Z = tutorial["Z"]
        tree = parse_newick(newick(Z))
        # root's children: the last merge's children, at their own heights
        n = len(Z) + 1
        a, b = (int(c) for c in Z[-1, :2])
        child_height = [0.0 if c < n else Z[c - n, 2] for c in (a, b)]
        lengths = [child["length"] for child in tree["children"]]
        assert lengths == [Z[-1, 2] - h for h in child_height]
        assert len(leaf_names(tree)) == 150

    @pytest.mark.parametrize(
        "name",
        ["plain", "two words", "under_score", "it's", "a(b)", "x,y", "semi;colon", "[note]", ""],
    )
    def test_labels_are_escaped_and_read_back(self, name):
        names = [name, "other"]
        tree = parse_newick(newick(np.array([[0.0, 1.0, 2.0, 2.0]]), names))
        assert [child["name"] for child in tree["children"]] == names
        assert newick_label("plain") == "plain"  # no needless quotes

    def test_leaf_names_must_match_the_tree(self):
        with pytest.raises(ValueError):
            newick(np.array([[0.0, 1.0, 2.0, 2.0]]), ["only one"])


def tree_root_height(tree):
    height = 0.0
    while tree["children"]:
        tree = tree["children"][0]
        height += tree["length"]
    return height


def leaf_names(tree):
    if not tree["children"]:
        return [tree["name"]]
    return [name for child in tree["children"] for name in leaf_names(child)]


class TestLinkageFiles:
    def test_npy_and_csv_hold_z_exactly(self, tutorial):
        Z = tutorial["Z2"]
        assert_array_equal(np.load(io.BytesIO(linkage_npy(Z))), Z)
        frame = pd.read_csv(io.StringIO(linkage_csv(Z)))
        assert list(frame.columns) == ["idx1", "idx2", "distance", "count"]
        assert_array_equal(frame.to_numpy(dtype=float), Z)


# --------------------------------------------------------------------------- the callback


def page(source="tutorial-2-blobs", method="ward", metric="euclidean", content=None, **controls):
    """A session that loaded `source` with `controls`, clustered it and made its first cut."""
    session_id = new_session()
    if content is not None:
        upload(session_id, content[0], content[1])
    controls = {"scaling": "none", "missing": "drop", **controls}
    out = load(session_id, source, **controls)
    assert isinstance(out["version"], dict), out["status"]
    summary, _, _ = cluster(session_id, out["version"], method, metric)
    view = dict(id=session_id, clustering=summary, cut=None, source=source, controls=controls)
    view["cut"] = move_cut(view, "clustering.data")["cut"]
    return view


def export(view, button, **changed):
    controls = {**view["controls"], **changed}
    with triggered_by(f"{button}.n_clicks"):
        return call(
            export_view,
            cut=view["cut"],
            source=view["source"],
            session_id=view["id"],
            **controls,
        )


def shown_labels(view):
    _, result = store.get_store().result_for(view["id"], view["cut"]["clustering"])
    return labels_for(result, view["cut"])


def content_of(sent):
    return base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"].encode()


class TestExportCallback:
    def test_newick_and_linkage_are_the_pages_tree(self):
        view = page(method="average")
        _, result = store.get_store().result_for(view["id"], view["clustering"])
        sent = export(view, "export-linkage")
        assert sent["filename"] == "linkage_average_euclidean.zip"
        with zipfile.ZipFile(io.BytesIO(content_of(sent))) as archive:
            assert_array_equal(np.load(io.BytesIO(archive.read("Z.npy"))), result.Z)
            csv = pd.read_csv(io.BytesIO(archive.read("Z.csv"))).to_numpy(dtype=float)
        assert_array_equal(csv, result.Z)
        tree = parse_newick(content_of(export(view, "export-newick")).decode())
        assert sorted(leaf_names(tree), key=int) == [str(i) for i in range(150)]
        assert sorted(h for h, _ in heights_and_clusters(tree)) == pytest.approx(
            np.sort(result.Z[:, 2]), rel=1e-12
        )

    def test_newick_leaves_are_named_by_the_label_column(self):
        csv = b"name,a,b\nfirst one,0,0\nsecond_one,1,0\nit's,9,9\n"
        view = page(UPLOAD, content=(csv, "t.csv"), label="name")
        tree = parse_newick(content_of(export(view, "export-newick")).decode())
        assert sorted(leaf_names(tree)) == sorted(["first one", "second_one", "it's"])

    def test_script_refused_when_the_controls_are_not_the_shown_data(self):
        view = page("generate:moons", n=40, noise=0.05, seed=3)
        # the seed was typed but Generate not pressed: the plots still show seed 3
        with pytest.raises(InputError, match="no longer describe"):
            call_unwrapped(view, seed=4)
        assert NOT_THE_SHOWN_DATA.startswith("The data controls no longer describe")

    def test_nothing_clustered_yet_is_a_message(self):
        with triggered_by("export-newick.n_clicks"):
            with pytest.raises(InputError):
                call(export_view.__wrapped__, cut=None, session_id=new_session())


def call_unwrapped(view, **changed):
    controls = {**view["controls"], **changed}
    with triggered_by("export-python.n_clicks"):
        return call(
            export_view.__wrapped__,
            cut=view["cut"],
            source=view["source"],
            session_id=view["id"],
            **controls,
        )


# --------------------------------------------------------------------------- scripts, run

# One ``python -I`` per test process runs the exported scripts one after another, each as
# ``python -I script.py args`` would: as __main__ in a namespace of its own, with its own
# argv, working folder and output, an exit code from SystemExit or a traceback. Starting
# an interpreter and importing numpy, scipy and pandas for each script took most of this
# file's time; test_typed_names_enter_the_script_as_literals_only still starts a Python of
# its own for its script.
RUN_SCRIPT = r"""
import contextlib, io, json, os, runpy, sys, traceback
for line in sys.stdin:
    job = json.loads(line)
    os.chdir(job["cwd"])
    sys.argv = [job["script"], *job["args"]]
    out, err, code = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_path(job["script"], run_name="__main__")
        except SystemExit as end:
            code = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
            if not isinstance(end.code, (int, type(None))):
                print(end.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
            code = 1
    print(json.dumps({"returncode": code, "stdout": out.getvalue(), "stderr": err.getvalue()}),
          flush=True)
"""


@pytest.fixture(scope="module")
def run_script():
    """run_script(script, *args, cwd=...): the exported script's exit code, stdout and stderr,
    as ``subprocess.run([sys.executable, "-I", script, *args], cwd=cwd)`` gives them."""
    python = subprocess.Popen(
        [sys.executable, "-I", "-c", RUN_SCRIPT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def run(script, *args, cwd):
        job = {"script": str(script), "args": [str(a) for a in args], "cwd": str(cwd)}
        python.stdin.write(json.dumps(job) + "\n")
        python.stdin.flush()
        answer = python.stdout.readline()
        assert answer, f"the scripts' Python ended (exit code {python.poll()})"
        return SimpleNamespace(**json.loads(answer))

    try:
        yield run
    finally:
        python.stdin.close()
        try:
            python.wait(timeout=30)
        except subprocess.TimeoutExpired:
            python.kill()


def semicolon_file(rng, n=60):
    """Semicolon-separated, decimal commas, latin-1 names, a label column and gaps."""
    lines = ["Probe;Länge;Breite;Gewicht"]
    centres = np.array([[0, 0, 0], [6, 6, 1], [0, 9, 5]])
    for i in range(n):
        x = centres[i % 3] + rng.normal(size=3)
        cells = [f"{v:.4f}".replace(".", ",") for v in x]
        if i in (5, 17):
            cells[2] = "NA"
        lines.append(";".join([f"Käse {i}"] + cells))
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


def whitespace_file(rng, n=50):
    """Whitespace-separated, no header, a constant third column."""
    rows = []
    for i in range(n):
        x = (i % 2) * 5 + rng.normal(size=2)
        rows.append(f"  {x[0]:.5f}   {x[1]:.5f}  1.0")
    return ("\n".join(rows) + "\n").encode()


def workbook_file(rng, n=45):
    """An .xlsx whose first sheet has a margin row and column, a label column and a gap;
    a second sheet that must not be read."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Messungen"
    sheet.append([])  # an empty row above the table
    sheet.append([None, "Probe", "Länge", "Breite", "Gewicht"])
    centres = np.array([[0, 0, 0], [5, 7, 1], [9, 0, 6]])
    for i in range(n):
        x = centres[i % 3] + rng.normal(size=3)
        cells = [float(v) for v in x]
        if i == 8:
            cells[1] = "NA"
        if i == 20:
            cells[2] = int(round(cells[2]))  # a whole number stored as an integer
        sheet.append([None, f"Käse {i}", *cells])
    book.create_sheet("other").append(["not", "this", "one"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def distance_file(rng, n=30):
    """A square distance matrix with a header of names and a label column (CSV)."""
    from scipy.spatial.distance import pdist, squareform

    points = np.vstack([rng.normal(size=(n // 2, 3)), rng.normal(size=(n - n // 2, 3)) + 4])
    d = squareform(pdist(points, "cityblock"))
    names = [f"s{i}" for i in range(n)]
    lines = [",".join(["item", *names])]
    lines += [",".join([name, *(repr(float(v)) for v in row)]) for name, row in zip(names, d)]
    return ("\n".join(lines) + "\n").encode()


RNG = np.random.default_rng(7)
BLOBS = [
    {"size": 40, "mean x": 0, "mean y": 0, "std x": 1, "std y": 2, "corr": 0.3},
    {"size": 30, "mean x": 8, "mean y": 3, "std x": 1.5, "std y": 1, "corr": 0},
]
VIEWS = {
    "preset ward distance": dict(source="tutorial-2-blobs"),
    "five blobs complete maxclust": dict(
        source="tutorial-5-blobs", method="complete", cut=("n-clusters", dict(typed_k=4))
    ),
    "squares average zscore": dict(source="three-squares", method="average", scaling="zscore"),
    "blobs generator inconsistent": dict(
        source="generate:blobs",
        blob_rows=BLOBS,
        seed=11,
        method="average",
        cut=("criterion", dict(criterion="inconsistent")),
    ),
    "moons single maxclust": dict(
        source="generate:moons",
        n=120,
        noise=0.05,
        seed=5,
        method="single",
        cut=("n-clusters", dict(typed_k=2)),
    ),
    "rings single cityblock": dict(
        source="generate:rings", n=100, noise=0.03, seed=2, method="single", metric="cityblock"
    ),
    "anisotropic ward minmax": dict(
        source="generate:anisotropic", n=90, seed=170, scaling="minmax"
    ),
    "semicolon upload complete, gaps dropped": dict(
        source=UPLOAD,
        content=(semicolon_file(RNG), "messung.csv"),
        method="complete",
        label="Probe",
        scaling="whiten",
    ),
    "semicolon upload average, gaps filled, maxclust": dict(
        source=UPLOAD,
        content=(semicolon_file(RNG), "messung.csv"),
        method="average",
        label="Probe",
        missing="mean",
        cut=("n-clusters", dict(typed_k=3)),
    ),
    "whitespace upload, no header, constant column": dict(
        source=UPLOAD, content=(whitespace_file(RNG), "points.txt"), method="ward"
    ),
    "workbook upload average, gaps dropped, maxclust": dict(
        source=UPLOAD,
        content=(workbook_file(RNG), "messung.xlsx"),
        method="average",
        label="Probe",
        scaling="zscore",
        cut=("n-clusters", dict(typed_k=3)),
    ),
    "workbook upload ward, gaps filled": dict(
        source=UPLOAD,
        content=(workbook_file(RNG), "messung.xlsx"),
        method="ward",
        label="Probe",
        missing="mean",
    ),
    "distance matrix upload average": dict(
        source=UPLOAD,
        content=(distance_file(RNG), "distances.csv"),
        method="average",
        label="item",
        as_distances=["yes"],
    ),
    "distance matrix upload complete maxclust": dict(
        source=UPLOAD,
        content=(distance_file(RNG), "distances.csv"),
        method="complete",
        label="item",
        as_distances=["yes"],
        cut=("n-clusters", dict(typed_k=2)),
    ),
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_exported_script_reproduces_the_pages_clusters(name, tmp_path, run_script):
    spec = dict(VIEWS[name])
    cut_move = spec.pop("cut", None)
    view = page(**spec)
    if cut_move is not None:
        control, inputs = cut_move
        view["cut"] = move_cut(view, f"{control}.value", **inputs)["cut"]
    expected = shown_labels(view)
    dataset, _ = store.get_store().result_for(view["id"], view["clustering"])

    sent = export(view, "export-python")
    assert sent["filename"] == "exported.py"
    script = tmp_path / "exported.py"
    script.write_bytes(content_of(sent))
    args = []
    if "content" in spec:
        data_file = tmp_path / "elsewhere" / spec["content"][1]
        data_file.parent.mkdir()
        data_file.write_bytes(spec["content"][0])
        args.append(data_file)
    run = run_script(script, *args, cwd=tmp_path)
    assert run.returncode == 0, run.stderr

    written = pd.read_csv(tmp_path / "clusters.csv", keep_default_na=False)
    assert_array_equal(written["cluster"].to_numpy(), expected)
    assert_allclose(written[list(dataset.feature_names)].to_numpy(), dataset.values, rtol=1e-12)
    if dataset.labels is not None:
        assert written["label"].astype(str).tolist() == list(dataset.labels)
    cophenetic = store.get_store().cophenetic(view["id"], view["clustering"])
    assert f"cophenetic correlation: {cophenetic.coefficient:.5f}" in run.stdout
    assert f"k: {len(np.unique(expected))}" in run.stdout
    if spec["content"][1].endswith(".xlsx") if "content" in spec else False:
        # pandas reads workbooks with openpyxl: the script says so before anything else
        assert "openpyxl" in script.read_text(encoding="utf-8").splitlines()[2]


def test_a_sampled_views_script_draws_the_same_sample(tmp_path, run_script):
    view = sampled_page()
    expected = shown_labels(view)
    dataset, _ = store.get_store().result_for(view["id"], view["clustering"])
    assert dataset.n_samples == 60 and "random sample" in dataset.name
    script = tmp_path / "exported.py"
    script.write_bytes(content_of(export(view, "export-python")))
    run = run_script(script, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    written = pd.read_csv(tmp_path / "clusters.csv", keep_default_na=False)
    assert_array_equal(written["cluster"].to_numpy(), expected)
    assert_allclose(written[list(dataset.feature_names)].to_numpy(), dataset.values, rtol=1e-12)
    assert written["label"].astype(str).tolist() == list(dataset.labels)  # the rows drawn


def sampled_page(rows=60):
    """Moons of 200 points, then "use the sample" of `rows` of them, clustered and cut."""
    from callbacks.data import SAMPLE_SEED

    controls = dict(n=200, noise=0.05, seed=9)
    whole = page("generate:moons", method="single", **controls)
    version = store.get_store().session_value(whole["id"], "origin:" + whole["clustering"]["key"])
    assert version is not None
    offer = {"rows": rows, "of": 200, "key": whole["clustering"]["key"]}
    store.get_store().put_session_value(whole["id"], "sample-offer", offer)
    out = load(
        whole["id"],
        "generate:moons",
        prop_id="use-sample.n_clicks",
        sample_clicks=1,
        current={"key": whole["clustering"]["key"], "n": 200},
        **controls,
    )
    assert out["version"]["n"] == rows, out["status"]
    summary, _, _ = cluster(whole["id"], out["version"], "single", "euclidean")
    view = {**whole, "clustering": summary, "cut": None}
    view["controls"] = {"scaling": "none", "missing": "drop", **controls}
    view["cut"] = move_cut(view, "clustering.data")["cut"]
    assert SAMPLE_SEED == 0
    return view


def test_script_names_only_numpy_scipy_pandas():
    text = python_script(
        {
            "data": {"kind": "preset", "key": "tutorial-2-blobs"},
            "method": "ward",
            "metric": "euclidean",
            "cut": {"criterion": "distance", "height": 20.0},
        }
    )
    imports = {
        line.split()[1].split(".")[0]
        for line in text.splitlines()
        if line.startswith(("import ", "from ")) or line.strip().startswith(("import ", "from "))
    }
    assert imports <= {"numpy", "pandas", "scipy", "sys", "csv", "io"}


def test_typed_names_enter_the_script_as_literals_only(tmp_path):
    evil = "x'; import os; os.system('touch pwned'); '"
    text = python_script(
        {
            "data": {
                "kind": "file",
                "filename": evil + '"""',
                "encoding": "utf-8",
                "delimiter": ",",
                "decimal_comma": False,
                "has_header": True,
                "features": [(0, evil), (1, "b")],
                "label": None,
                "missing": "drop",
            },
            "method": "single",
            "metric": "euclidean",
            "cut": {"criterion": "maxclust", "k": 2},
        }
    )
    compile(text, "exported.py", "exec")
    (tmp_path / "d.csv").write_text("a,b\n0,0\n1,1\n5,5\n")
    run = subprocess.run(
        [sys.executable, "-I", "-c", text, str(tmp_path / "d.csv")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert not (tmp_path / "pwned").exists()


# --------------------------------------------------------------------------- the address


class TestAddress:
    CONTROLS = dict(
        source="generate:blobs",
        features=None,
        label=None,
        as_distances=False,
        scaling="zscore",
        missing="drop",
        n=300,
        noise=0.06,
        seed=4711,
        blob_rows=[
            {"size": 100, "mean x": 10, "mean y": 0, "std x": 1.732, "std y": 2, "corr": 0.289}
        ],
        method="average",
        metric="cityblock",
        optimal_order=True,
        truncate_mode="lastp",
        p=30,
    )

    def test_query_round_trips_through_the_validator(self):
        from callbacks.share import parse_view, view_query

        cut = {"criterion": "distance", "height": 12.345678901234567, "k": 3, "t": 8, "depth": 10}
        query = view_query(self.CONTROLS, cut, {"node": 250}, None)
        view = parse_view(query)
        assert view["src"] == "generate:blobs" and view["seed"] == 4711
        assert view["blobs"] == [
            {
                "size": 100,
                "mean x": 10.0,
                "mean y": 0.0,
                "std x": 1.732,
                "std y": 2.0,
                "corr": 0.289,
            }
        ]
        assert (view["method"], view["metric"], view["olo"]) == ("average", "cityblock", True)
        assert (view["trunc"], view["p"], view["scale"]) == ("lastp", 30, "zscore")
        assert view["crit"] == "distance" and view["h"] == cut["height"]  # full precision
        assert view["hl"] == {"node": 250}

    def test_upload_is_named_by_reference_and_columns_only(self):
        from callbacks.share import parse_view, view_query

        controls = dict(self.CONTROLS, source=UPLOAD, features=["a, b", "c&d"], label="name")
        query = view_query(controls, None, None, "ab" * 16)
        view = parse_view(query)
        assert view["ref"] == "ab" * 16 and view["col"] == ["a, b", "c&d"]
        assert view["label"] == "name"

    @pytest.mark.parametrize(
        "query, named",
        [
            ("?method=nonsense", "'method'"),
            ("?src=../../etc", "'src'"),
            ("?src=upload", "'ref'"),
            ("?src=upload&ref=xyz", "'ref'"),
            ("?seed=-1", "'seed'"),
            ("?p=1", "'p'"),
            ("?h=nan", "'h'"),
            ("?h=-3", "'h'"),
            ("?k=2.5", "'k'"),
            ("?depth=1000", "'depth'"),
            ("?hl=samples:1", "'hl'"),
            ("?blobs=1,2,3", "Blob 1"),
            ("?whatever=1", "'whatever'"),
            ("?method=ward&method=single", "'method' twice"),
            ("?label=" + "x" * 300, "'label'"),
            ("?" + "col=a&" * 5000, "characters"),
        ],
    )
    def test_every_parameter_is_validated_and_named(self, query, named):
        from callbacks.share import parse_view

        with pytest.raises(InputError, match=re.escape(named)):
            parse_view(query)

    def test_an_expired_reference_says_so_and_loads_nothing(self):
        from callbacks.share import begin_restore

        session_id = new_session()
        with triggered_by("address-change.data"):
            pending, status, tick, *rest = call(
                begin_restore, search=f"?src=upload&ref={'0' * 32}", session_id=session_id
            )
        assert pending is None and tick is True and "expired" in status
        assert store.get_store().session_value(session_id, "table") is None

    def test_a_link_reference_gives_the_table_to_a_new_session(self):
        from callbacks.share import begin_restore, upload_reference

        owner = page(UPLOAD, content=(b"name,a,b\nx,0,0\ny,1,0\nz,9,9\n", "t.csv"), label="name")
        reference = upload_reference(owner["id"])
        assert upload_reference(owner["id"]) == reference  # one reference per upload
        other = new_session()
        with triggered_by("address-change.data"):
            pending, status, tick, shown, value, *_ = call(
                begin_restore, search=f"?src=upload&ref={reference}", session_id=other
            )
        assert value == UPLOAD and pending["view"]["ref"] == reference
        table = store.get_store().session_value(other, "table")
        assert list(table.frame["name"]) == ["x", "y", "z"]


# --------------------------------------------------------------------------- panels, colours, samples


def drawn(view, colour_map=None):
    """update_views for the view's cut as the page draws it; returns (scatter, colour map)."""
    _, scatter, colour_map, _ = draw_views(view["id"], view["cut"], colour_map=colour_map)
    return scatter, colour_map


def colour_per_sample(view, scatter):
    """Each sample's drawn colour, by its index (the scatter has a trace per colour)."""
    _, result = store.get_store().result_for(view["id"], view["clustering"])
    colours = [None] * result.tree.n
    for trace in scatter.data:
        colour = trace.marker.color
        if isinstance(colour, str) and trace.customdata is not None:
            for sample in np.asarray(trace.customdata).reshape(len(trace.x), -1)[:, 0]:
                colours[int(sample)] = colour
    return colours


def address_of(view, colour_map, panel=None, axes=(None, None), step=0, highlight=None):
    from callbacks.share import address_settings, view_query

    settings = address_settings(
        view["id"], view["cut"], colour_map, panel or {}, axes, step, False, False
    )
    controls = {
        "source": view["source"],
        "method": view["clustering"]["method"],
        "metric": view["clustering"]["metric"],
        **view["controls"],
    }
    return view_query(controls, view["cut"], highlight, None, (), settings)


def restored(view, query, now=None):
    """finishing_settings in a new session that loaded and cut the link's view."""
    from callbacks.share import finishing_settings, parse_view

    spec = {key: view["controls"][key] for key in view["controls"]}
    other = page(view["source"], method=view["clustering"]["method"], **spec)
    linked = parse_view(query)
    assert (linked["crit"], linked["h"]) == ("distance", view["cut"]["height"])
    other["cut"] = {**view["cut"], "clustering": other["clustering"]}  # the link's cut, restored
    _, colour_map = drawn(other)
    now = {("colour-map", "data"): colour_map, **(now or {})}
    return other, linked, finishing_settings(linked, now, other["cut"], other["id"])


class TestLinkSettings:
    def test_panel_settings_round_trip_and_defaults_stay_out(self):
        from callbacks.share import PANEL, panel_pairs, parse_view

        defaults = {s.component: s.default for s in PANEL}
        assert panel_pairs(defaults) == []
        chosen = {
            **defaults,
            "inconsistency-depth": 3,
            "quality-max-k": 14,
            "orientation": "left",
            "leaf-label-style": "12:0",
            "annotate-above": 2.5,
            "dendrogram-flags": ["snap"],
            "dendrogram-zoom": ["below"],
            "clustergram-scale": "zscore",
            "clustergram-columns": "clustered",
            "tanglegram-method": "single",
            "tanglegram-metric": "cosine",
        }
        view = parse_view("?" + "&".join(f"{k}={v}" for k, v in panel_pairs(chosen)))
        for setting in PANEL:
            assert setting.same(view.get(setting.param, setting.default), chosen[setting.component])
        assert len(view) == len(chosen) - 1  # all but the last merges (at its default)
        # a flag the page does not have any more is dropped from the link, as unchecked
        assert parse_view("?flags=")["flags"] == []

    def test_panel_defaults_and_choices_are_the_layouts(self):
        from callbacks.share import PANEL
        from components.layout import serve_layout

        found = {}

        def walk(component):
            if isinstance(component, (list, tuple)):
                for c in component:
                    walk(c)
                return
            if getattr(component, "id", None):
                found[component.id] = component
            children = getattr(component, "children", None)
            if children is not None and not isinstance(children, str):
                walk(children)

        walk(serve_layout())
        for setting in PANEL:
            control = found[setting.component]
            assert setting.same(getattr(control, "value", None), setting.default), setting
            options = getattr(control, "options", None)
            if setting.choices is not None:
                assert [o["value"] for o in options] == list(setting.choices), setting
            else:
                assert control.min == setting.bounds[0], setting
                assert getattr(control, "max", math.inf) == setting.bounds[1], setting

    @pytest.mark.parametrize(
        "query, named",
        [
            ("?orient=up", "'orient' must be one of: top, bottom"),
            ("?maxk=99", "'maxk' must be from 3 to 30"),
            ("?idepth=0", "'idepth' must be from 1 to 50"),
            ("?ann=-1", "'ann' must be a finite number from 0"),
            ("?flags=contracted,x", "'flags' must be one of: contracted, snap"),
            ("?tmethod=best", "'tmethod' must be one of"),
            ("?pal=296:0,297:0", "'pal' gives one colour to two clusters"),
            ("?pal=296:99", "'pal' must be from 0 to 7"),
            ("?sample=1:0", "'sample' must be from 2"),
            ("?sample=50:x", "'sample' must be a whole number"),
            ("?step=-2", "'step' must be from 0"),
        ],
    )
    def test_bad_settings_are_named(self, query, named):
        from callbacks.share import parse_view

        with pytest.raises(InputError, match=re.escape(named)):
            parse_view(query)

    def test_a_link_gives_the_same_colour_per_sample(self):
        """Colours are derived: from the palette, the cut and the cuts shown before (a cluster
        keeps its colour as the cut moves). A page that opens on the same cut would colour it
        otherwise; the link names the colours and the restore draws them."""
        view = page(method="ward")
        _, colour_map = drawn(view)
        for k in (4, 3):
            view["cut"] = move_cut(view, "n-clusters.value", typed_k=k)["cut"]
            scatter, colour_map = drawn(view, colour_map)
        query = address_of(view, colour_map)
        assert "pal=" in query
        other, linked, out = restored(view, query)
        fresh_scatter, _ = drawn(other)
        assert colour_per_sample(other, fresh_scatter) != colour_per_sample(view, scatter)
        assert out[("highlight", "data")] is None  # the redraw, without a highlight
        scatter_b, colour_map_b = drawn(other, out[("colour-map", "data")])
        assert colour_per_sample(other, scatter_b) == colour_per_sample(view, scatter)
        # once drawn so, nothing is left to set
        now = {("colour-map", "data"): colour_map_b, **{k: v for k, v in out.items()}}
        from callbacks.share import finishing_settings

        assert finishing_settings(linked, now, other["cut"], other["id"]) == {}

    def test_fresh_colours_stay_out_of_the_link(self):
        view = page(method="ward")
        _, colour_map = drawn(view)
        assert "pal=" not in address_of(view, colour_map)

    def test_the_address_waits_for_the_drawing_of_its_cut(self):
        from callbacks.share import address_settings

        view = page(method="ward")
        _, colour_map = drawn(view)
        view["cut"] = move_cut(view, "n-clusters.value", typed_k=5)["cut"]
        assert (
            address_settings(view["id"], view["cut"], colour_map, {}, (None, None), 0, False, False)
            is None
        )

    def test_restore_sets_panels_axes_and_step_and_defaults_when_absent(self):
        from callbacks.share import PANEL, finishing_settings, parse_view

        view = page("bundled:iris", method="average", scaling="zscore")
        _, colour_map = drawn(view)
        panel = {"orientation": "right", "quality-max-k": 12, "tanglegram-method": "ward"}
        # the data's default axes are PC1 and PC2 (four columns): only the changed one is written
        query = address_of(view, colour_map, panel, axes=("PC1", "petal_length_cm"), step=40)
        linked = parse_view(query)
        assert (linked["orient"], linked["maxk"], linked["tmethod"]) == ("right", 12, "ward")
        assert (linked["sy"], linked["step"]) == ("petal_length_cm", 40) and "sx" not in linked
        now = {("colour-map", "data"): colour_map, ("scatter-x", "value"): "PC1"}
        now.update({(s.component, "value"): s.default for s in PANEL})
        out = finishing_settings(linked, now, view["cut"], view["id"])
        assert out[("orientation", "value")] == "right" and out[("quality-max-k", "value")] == 12
        assert out[("tanglegram-method", "value")] == "ward"
        assert (
            out[("scatter-y", "value")] == "petal_length_cm" and ("scatter-x", "value") not in out
        )
        assert out[("merge-step", "value")] == 40
        # Back to an address without them: each returns to its default
        now.update({target: value for target, value in out.items()})
        plain = parse_view(address_of(view, colour_map))
        back = finishing_settings(plain, now, view["cut"], view["id"])
        assert back[("orientation", "value")] == "top" and back[("merge-step", "value")] == 0
        assert ("scatter-x", "value") not in back and back[("scatter-y", "value")] == "PC2"

    def test_a_lesson_link_leaves_its_own_settings_to_the_lesson(self):
        from callbacks.share import finishing_settings, parse_view

        view = page(method="ward")
        _, colour_map = drawn(view)
        linked = parse_view(address_of(view, colour_map) + "&lesson=4&orient=left")
        now = {("colour-map", "data"): colour_map, ("annotate-above", "value"): 12.0}
        out = finishing_settings(linked, now, view["cut"], view["id"])
        assert ("annotate-above", "value") not in out and ("merge-step", "value") not in out
        assert out[("orientation", "value")] == "left"


class TestSampledLink:
    def test_the_link_names_the_sample_and_a_new_session_draws_the_same(self):
        from callbacks.share import RESTORE_OUTPUTS, continue_restore, parse_view

        view = sampled_page()
        _, colour_map = drawn(view)
        query = address_of(view, colour_map)
        linked = parse_view(query)
        assert linked["sample"] == [{"rows": 60, "seed": 0}] and linked["n"] == 200
        # a new session opens the link: it loads the 200 points, then draws the same sample
        other = page("generate:moons", method="single", n=200, noise=0.05, seed=9)
        whole_key = other["clustering"]["key"]
        controls = restore_controls(
            "generate:moons", method="single", metric="euclidean", n=200, noise=0.05, seed=9
        )
        pending = {"view": linked, "step": 1}
        out = continue_restore(
            1,
            pending,
            {"key": whole_key, "n": 200},
            other["cut"],
            *controls.values(),
            [],
            other["id"],
        )
        pending = out[0]
        assert (
            pending["key"] == view["clustering"]["key"]
        )  # the sample's data, as the server draws it
        clicks = out[3 + RESTORE_OUTPUTS.index(("use-sample", "n_clicks"))]
        assert clicks == 1
        offer = store.get_store().session_value(other["id"], "sample-offer")
        assert offer == {"rows": 60, "of": 200, "key": whole_key}
        # the page's own "use the sample" then loads exactly the linked data
        sampled = load(
            other["id"],
            "generate:moons",
            prop_id="use-sample.n_clicks",
            sample_clicks=clicks,
            current={"key": whole_key, "n": 200},
            n=200,
            noise=0.05,
            seed=9,
        )
        assert sampled["version"]["key"] == pending["key"]
        # asked again on the next tick, before the page answered: not pressed twice
        again = continue_restore(
            2,
            pending,
            {"key": whole_key, "n": 200},
            other["cut"],
            *controls.values(),
            [],
            other["id"],
        )
        assert again[3 + RESTORE_OUTPUTS.index(("use-sample", "n_clicks"))] is no_update

    def test_a_sample_drawn_with_another_seed_is_refused_by_name(self):
        from callbacks.share import continue_restore, parse_view

        other = page("generate:moons", method="single", n=200, noise=0.05, seed=9)
        controls = restore_controls("generate:moons")
        linked = parse_view("?src=generate:moons&seed=9&n=200&noise=0.05&sample=60:5")
        pending, status, *_ = continue_restore(
            1, {"view": linked, "step": 0}, None, other["cut"], *controls.values(), [], other["id"]
        )
        assert pending is None and "seed 5" in status and "seed 0" in status


def test_the_page_says_what_a_link_leaves_out_next_to_copy_link():
    from components.layout import serve_layout

    order = []

    def walk(component):
        if isinstance(component, (list, tuple)):
            for c in component:
                walk(c)
            return
        if getattr(component, "id", None):
            order.append(component)
        children = getattr(component, "children", None)
        if children is not None and not isinstance(children, str):
            walk(children)

    walk(serve_layout())
    ids = [getattr(c, "id", None) for c in order]
    note = order[ids.index("share-limits")]
    assert ids.index("share-limits") == ids.index("copy-link") + 1  # right under the button
    assert "Not in the link" in note.children and "branch shown in full" in note.children
    from services import config

    hours = round(config.SESSION_TTL_SECONDS / 3600, 1)  # the upload reference's life
    assert f"for {hours:g} hours" in note.children


def test_every_control_of_the_page_is_in_the_link_or_said_why_not():
    from callbacks.share import IN_LINK, LEFT_OUT
    from components.layout import serve_layout

    kinds = {
        "Button", "Checklist", "DataTable", "Dropdown", "Graph", "Input", "RadioItems",
        "RangeSlider", "Slider", "Textarea", "Upload",
    }  # fmt: skip
    controls = set()

    def walk(component):
        if isinstance(component, (list, tuple)):
            for c in component:
                walk(c)
            return
        if getattr(component, "id", None) and type(component).__name__ in kinds:
            controls.add(component.id)
        children = getattr(component, "children", None)
        if children is not None and not isinstance(children, str):
            walk(children)

    walk(serve_layout())
    assert not set(IN_LINK) & set(LEFT_OUT)
    assert controls - set(IN_LINK) - set(LEFT_OUT) == set()  # a new control: decide and say
    assert set(IN_LINK) | set(LEFT_OUT) <= controls  # no stale entries


# --------------------------------------------------------------------------- splits and merges


def edited_page():
    """Iris (z-scores, average) cut by maxclust at k = 4, then one cluster split and two others merged:
    a partition no single height gives."""
    from callbacks.partition import merge_clusters, split_cluster

    view = page("bundled:iris", method="average", scaling="zscore")
    view["cut"] = move_cut(view, "n-clusters.value", typed_k=4, criterion="maxclust")["cut"]
    _, result = store.get_store().result_for(view["id"], view["clustering"])
    labels = labels_for(result, view["cut"])
    roots, _ = result.tree.partition_roots(labels)
    roots = roots[roots >= result.tree.n]
    highest = int(roots[np.argmax(result.tree.size[roots])])  # the largest cluster splits
    cut, _, _ = split_cluster(1, view["cut"], {"node": highest}, view["id"])
    smallest = int(np.argmin(np.bincount(labels_for(result, cut))[1:])) + 1
    cut, status, k = merge_clusters(1, cut, {"cluster": smallest}, view["id"])
    assert "No single cut height gives this partition" in status, status
    assert [action for action, _ in cut["edits"]] == ["split", "merge"]
    view["cut"] = cut
    return view


class TestLinkedEdits:
    def test_a_link_with_edits_restores_the_same_labels_in_a_new_session(self):
        from callbacks.share import finishing_settings, parse_view, restore_step

        view = edited_page()
        expected = shown_labels(view)
        assert view["cut"]["k"] != 4 or len(view["cut"]["edits"]) == 2
        _, colour_map = drawn(view)
        query = address_of(view, colour_map)
        (action_a, node_a), (action_b, node_b) = view["cut"]["edits"]
        assert f"edits=s{node_a}%2Cm{node_b}" in query
        assert "&k=4&" in query  # the cut's own k: the edits follow it
        linked = parse_view(query)
        assert linked["edits"] == view["cut"]["edits"] and linked["k"] == 4

        # a new session loaded, clustered and cut at the link's k = 4: the restore's last step
        spec = dict(view["controls"])
        other = page("bundled:iris", method="average", **spec)
        other["cut"] = move_cut(other, "n-clusters.value", typed_k=4, criterion="maxclust")["cut"]
        _, first_map = drawn(other)
        now = {("colour-map", "data"): first_map}
        out = finishing_settings(linked, now, other["cut"], other["id"])
        restored_cut = out[("cut", "data")]
        assert restored_cut["edits"] == view["cut"]["edits"] and restored_cut["redo"] == []
        assert out[("n-clusters", "value")] == restored_cut["k"] == int(expected.max())
        assert "No single cut height" in out[("cut-status", "children")]
        assert ("share-status", "children") not in out
        other["cut"] = restored_cut
        assert_array_equal(shown_labels(other), expected)
        # drawn with the colours the restore gives: every sample in its colour on the first page
        scatter, _ = drawn(view, colour_map)
        other_scatter, other_map = drawn(other, out[("colour-map", "data")])
        assert colour_per_sample(other, other_scatter) == colour_per_sample(view, scatter)
        # shown so, the cut is the link's (its own k, not the edited k) and nothing is left
        assert address_of(other, other_map) == query
        controls = {
            "source": "bundled:iris",
            "features": linked.get("col"),
            "label": linked.get("label"),
            "as_distances": False,
            "scaling": "zscore",
            "missing": "drop",
            "method": "average",
            "metric": "euclidean",
            "optimal_order": False,
            "truncate_mode": linked.get("trunc"),
            "p": linked.get("p"),
        }
        key = other["clustering"]["key"]
        assert restore_step(linked, controls, [], {"key": key}, restored_cut, key, 150) is None
        now = {**out, ("colour-map", "data"): other_map}
        assert finishing_settings(linked, now, restored_cut, other["id"]) == {}

    def test_back_to_the_address_without_edits_takes_them_back(self):
        from callbacks.share import finishing_settings, parse_view

        view = edited_page()
        _, colour_map = drawn(view)
        plain = dict(view, cut={k: v for k, v in view["cut"].items() if k not in ("edits",)})
        plain["cut"]["k"] = plain["cut"].pop("base_k")
        linked = parse_view(address_of(plain, drawn(plain)[1]))
        assert "edits" not in linked
        out = finishing_settings(
            linked, {("colour-map", "data"): colour_map}, view["cut"], view["id"]
        )
        assert out[("cut", "data")]["edits"] == [] and out[("n-clusters", "value")] == 4
        assert_array_equal(
            labels_for(
                store.get_store().result_for(view["id"], view["clustering"])[1],
                out[("cut", "data")],
            ),
            shown_labels(plain),
        )

    @pytest.mark.parametrize(
        "edits, named",
        [
            ("x12", "'edits' must list s<node> (split) or m<node> (merge); got 'x12'"),
            ("s290,m", "'edits' must be a whole number"),
            ("s2.5", "'edits' must be a whole number"),
            ("m-3", "'edits' must be from 0 to 400,000; got -3"),
            ("s400001", "'edits' must be from 0 to 400,000"),
            (",".join(["s1"] * 201), "'edits' lists more than 200 splits and merges"),
        ],
    )
    def test_bad_edits_are_named(self, edits, named):
        from callbacks.share import parse_view

        with pytest.raises(InputError, match=re.escape(named)):
            parse_view(f"?crit=maxclust&k=4&edits={edits}")

    def test_edits_the_tree_refuses_are_named_and_the_cut_they_started_from_is_shown(self):
        from callbacks.share import (
            RESTORE_OUTPUTS,
            continue_restore,
            finishing_settings,
            parse_view,
        )

        view = edited_page()
        n = 150
        # a sample cannot be split, and the top merge joins clusters the first edit left apart
        linked = parse_view(f"?crit=maxclust&k=4&edits=m{2 * n - 2},s0")
        out = finishing_settings(linked, {}, view["cut"], view["id"])
        message = out[("share-status", "children")]
        assert "Edit 2 (split 0)" in message and "cut they started from" in message
        # the page had edits of its own: they are taken back, not left under the link's cut
        assert out[("cut", "data")]["edits"] == []
        assert_array_equal(
            labels_for(
                store.get_store().result_for(view["id"], view["clustering"])[1],
                out[("cut", "data")],
            ),
            fcluster_k(view, 4),
        )
        # through the restore's callback: the message is the status, the restore ends
        controls = restore_controls(
            "bundled:iris", scaling="zscore", method="average", metric="euclidean"
        )
        pending = {"view": linked, "step": 3, "key": view["clustering"]["key"], "n": n}
        answer = continue_restore(
            9, pending, {"key": pending["key"]}, view["cut"], *controls.values(), [], view["id"]
        )
        assert answer[0] is None and "Edit 2 (split 0)" in answer[1] and answer[2] is True
        assert answer[3 + RESTORE_OUTPUTS.index(("cut", "data"))]["edits"] == []


def fcluster_k(view, k):
    from scipy.cluster.hierarchy import fcluster

    _, result = store.get_store().result_for(view["id"], view["clustering"])
    return fcluster(result.Z, k, criterion="maxclust")


def test_an_edited_views_script_writes_the_downloads_clusters(tmp_path, run_script):
    from tests.unit.test_download import download

    view = edited_page()
    table, _, _ = download(view["id"], view["cut"])
    script = tmp_path / "exported.py"
    script.write_bytes(content_of(export(view, "export-python")))
    assert "apply_edits" in script.read_text(encoding="utf-8")
    iris = Path(__file__).resolve().parents[2] / "hclust" / "datasets" / "iris.csv"
    run = run_script(script, iris, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    written = pd.read_csv(tmp_path / "clusters.csv", keep_default_na=False)
    assert_array_equal(written["cluster"].to_numpy(), table["cluster"].to_numpy())
    assert f"k: {table['cluster'].nunique()}" in run.stdout


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n=st.integers(3, 40),
    k=st.integers(1, 6),
    picks=st.lists(st.tuples(st.booleans(), st.integers(0, 10**6)), max_size=6),
)
def test_the_scripts_replay_of_edits_is_the_explorers(seed, n, k, picks):
    """The script's apply_edits (numpy and scipy only) against hclust.partition on random trees
    and random valid edits: the same clusters, numbered alike."""
    from scipy.cluster.hierarchy import fcluster

    from hclust.cut import TreeIndex
    from hclust.partition import MERGE, SPLIT, Edit, edit_partition

    rng = np.random.default_rng(seed)
    Z = linkage(rng.normal(size=(n, 2)), "average")
    tree = TreeIndex.from_linkage(Z)
    labels = fcluster(Z, k, criterion="maxclust")
    roots, _ = tree.partition_roots(labels)
    edits = []
    for split, pick in picks:
        if split:
            choices = roots[roots >= n]
        else:
            parents = tree.parent[roots]
            choices = np.unique(parents[parents >= 0])
        if not len(choices):
            continue
        edit = Edit(SPLIT if split else MERGE, int(choices[pick % len(choices)]))
        edits.append(edit)
        roots, _ = edit_partition(tree, Z, labels, edits)
    _, expected = edit_partition(tree, Z, labels, edits)
    recipe = {
        "data": {"kind": "preset", "key": "tutorial-2-blobs"},
        "scaling": "none",
        "method": "average",
        "metric": "euclidean",
        "cut": {"criterion": "maxclust", "k": k, "edits": [e.as_list() for e in edits]},
    }
    namespace = {"__name__": "exported"}
    exec(python_script(recipe), namespace)  # defines the script's functions; main does not run
    if edits:
        assert_array_equal(namespace["apply_edits"](Z, labels), expected)
    else:
        assert "apply_edits" not in namespace


def test_the_script_refuses_edits_the_tree_or_their_form_refuse_by_name():
    view = page(method="ward")
    cut = view["cut"]
    with pytest.raises(InputError, match=re.escape("Edit 1 (split 0)")):
        call_unwrapped(dict(view, cut={**cut, "edits": [["split", 0]]}))
    with pytest.raises(InputError, match="The splits and merges"):
        call_unwrapped(dict(view, cut={**cut, "edits": [["cut", 3]]}))


def test_a_link_to_the_edited_k_of_another_cut_is_not_taken_for_an_echo():
    """The k field shows an edited partition's k; a link's k equal to it must still cut there."""
    from callbacks.partition import split_cluster
    from callbacks.share import RESTORE_OUTPUTS, continue_restore, parse_view

    view = page("bundled:iris", method="average", scaling="zscore")
    view["cut"] = move_cut(view, "n-clusters.value", typed_k=4, criterion="maxclust")["cut"]
    _, result = store.get_store().result_for(view["id"], view["clustering"])
    roots, _ = result.tree.partition_roots(labels_for(result, view["cut"]))
    split, _, k = split_cluster(1, view["cut"], {"node": int(roots.max())}, view["id"])
    assert (k, split["base_k"]) == (5, 4)
    linked = parse_view("?src=bundled:iris&scale=zscore&method=average&crit=maxclust&k=5")
    controls = restore_controls(
        "bundled:iris", scaling="zscore", method="average", metric="euclidean"
    )
    key = view["clustering"]["key"]
    pending = {"view": linked, "step": 3, "key": key, "n": 150}
    answer = continue_restore(9, pending, {"key": key}, split, *controls.values(), [], view["id"])
    sent = dict(zip(RESTORE_OUTPUTS, answer[3:]))
    assert sent[("n-clusters", "value")] == 5
    plain = sent[("cut", "data")]
    assert plain["edits"] == [] and plain["k"] == 4
    # the fields' callback would take k = 5 typed over the edited cut for its own echo
    from callbacks.cut import echoes

    height = round(split["height"], 6)
    assert echoes(split, height, 5, "maxclust", split.get("t"), split.get("depth"))
    assert not echoes(plain, height, 5, "maxclust", plain.get("t"), plain.get("depth"))
    # the page's k field then reaches the fields' callback with the cut written beside it
    cut = move_cut(dict(view, cut=plain), "n-clusters.value", typed_k=5, criterion="maxclust")
    assert_array_equal(labels_for(result, cut["cut"]), fcluster_k(view, 5))
