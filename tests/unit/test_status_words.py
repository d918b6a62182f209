"""Status messages are sentences (issue #16 §5): each starts with a capital letter and ends
with a full stop or an ellipsis, and no count is said twice.

The messages come from the app's own paths, run as plain functions: loading presets,
generated data and uploads (whose notes the core writes), clustering, the quality,
profiles and tanglegram panels, and the z-score suggestion.
"""

import re
from pathlib import Path

import pytest

from callbacks.advice import suggest_scaling
from callbacks.agreement import update_profiles
from callbacks.diagnostics import update_k_plots
from callbacks.tanglegram import update_tanglegram
from hclust.data import PRESETS
from tests.helpers import call, cluster, draw_views, load, new_session, triggered_by, upload

UPLOADS = Path(__file__).resolve().parent.parent / "fixtures" / "uploads"
# The nouns a count is a count of (singular: plural).
NOUNS = {
    "row": "rows",
    "column": "columns",
    "sample": "samples",
    "merge": "merges",
    "cluster": "clusters",
    "point": "points",
    "item": "items",
    "value": "values",
    "pair": "pairs",
    "feature": "features",
}
# Words that may stand between a count and its noun ("60 data rows", "2 Gaussian blobs").
BETWEEN = {"data", "missing", "numeric", "random", "more", "largest"}


def sentences(text):
    """The sentences of a status line ("e.g." does not end one)."""
    text = text.replace("⚠ ", "").replace("e.g. ", "eg ")
    return [part for part in re.split(r"(?<=[.…])\s+", text.strip()) if part]


def counts(text):
    """(number, noun) for every count in `text`: "150 rows", "60 data rows", and both
    sides of "150 × 2" (rows and columns)."""
    found = []
    for match in re.finditer(r"(\d[\d,]*) × (\d[\d,]*)\b", text):
        found += [(match[1], "rows"), (match[2], "columns")]
    tokens = re.findall(r"\d[\d,]*(?:\.\d+)?|[A-Za-z]+", text)
    for i, token in enumerate(tokens):
        if not token[0].isdigit():
            continue
        for word in tokens[i + 1 : i + 3]:
            word = word.lower()
            if word in NOUNS or word in NOUNS.values():
                found.append((token, NOUNS.get(word, word)))
                break
            if word not in BETWEEN:
                break
    return found


def check_words(text):
    """Why `text` breaks the rule, or None."""
    assert isinstance(text, str) and text, "a status message"
    for sentence in sentences(text):
        # a file's name is written as the file is named ("people.csv: 12 rows …")
        if re.match(r"[\w.-]+\.\w+: ", sentence):
            continue
        if not sentence[0].isupper():
            return f"{sentence!r} does not start with a capital letter"
    if not text.rstrip().endswith((".", "…")):
        return f"{text!r} does not end with a full stop or an ellipsis"
    seen = set()
    for number, noun in counts(text):
        # 0, 1 and 2 are too common to be the same count ("1 row dropped", "2 columns")
        if float(number.replace(",", "")) > 2 and (number, noun) in seen:
            return f"{number} {noun} is said twice in {text!r}"
        seen.add((number, noun))
    return None


class TestTheRule:
    """The checker itself, on the messages as they read before #16 §5."""

    @pytest.mark.parametrize(
        "text",
        [
            "ward linkage, euclidean distance: 149 merges.",
            "Tutorial: 2 Gaussian blobs (150 × 2): 150 rows × 2 columns used.",
            "t.csv: 60 rows × 4 columns used. read as comma-separated text.",
            "t.csv: 60 rows × 4 columns used. 60 data rows × 5 columns.",
            "k = 3: means and medians in the file's units.",
            "Best silhouette at k = 2",
        ],
    )
    def test_catches(self, text):
        assert check_words(text) is not None

    @pytest.mark.parametrize(
        "text",
        [
            "Ward linkage, euclidean distance: 149 merges.",
            "s.csv: 3 rows × 3 columns used. Dropped 1 row with missing values (line 3).",
            "⚠ Exact repeats: 3 rows repeat an earlier row (e.g. line 4 repeats line 2).",
            "Step 1 of 5: reading…",
        ],
    )
    def test_lets_through(self, text):
        assert check_words(text) is None


def assert_sentence(text):
    problem = check_words(text)
    assert problem is None, problem


class TestDataStatus:
    @pytest.mark.parametrize("preset", sorted(PRESETS))
    def test_presets(self, preset):
        assert_sentence(load(new_session(), preset)["status"])

    @pytest.mark.parametrize("source", ["generate:moons", "generate:blobs"])
    def test_generated(self, source):
        blobs = [
            {"size": 40, "mean x": 0, "mean y": 0, "std x": 1, "std y": 1, "corr": 0},
            {"size": 30, "mean x": 9, "mean y": 9, "std x": 2, "std y": 1, "corr": 0.5},
        ]
        out = load(new_session(), source, n=120, noise=0.06, seed=4711, blob_rows=blobs)
        assert_sentence(out["status"])

    @pytest.mark.parametrize(
        "filename",
        [
            "people_labelled.csv",
            "semicolon_decimal_comma_latin1.csv",
            "whitespace_no_header.txt",
            "tabs.tsv",
            "utf8_bom.csv",
        ],
    )
    def test_uploads(self, filename):
        session_id = new_session()
        upload(session_id, (UPLOADS / filename).read_bytes(), filename)
        assert_sentence(load(session_id, "upload", prop_id="table-version.data")["status"])

    @pytest.mark.parametrize("missing", ["drop", "mean"])
    def test_missing_values_and_a_row_index(self, missing):
        session_id = new_session()
        content = b"name,a,b,id\nx,1,,1\ny,2,3,2\nz,4,3,3\nw,5,6,4\nv,7,1,5\n"
        upload(session_id, content, "gaps.csv")
        status = load(session_id, "upload", prop_id="table-version.data", missing=missing)["status"]
        assert_sentence(status)
        assert "'id'" in status  # the row index is named (once)


class TestPanels:
    def test_clustering(self, session):
        for method in ("ward", "centroid"):
            _, status, progress = cluster(session["id"], session["data_version"], method)
            assert_sentence(status)
            for step in progress:
                assert_sentence(step[2])

    def test_quality(self, session):
        *_, status = call(
            update_k_plots,
            cut=session["cut"],
            new_clustering=session["clustering"],
            max_k=10,
            quality_ready={"clustering": session["clustering"], "max_k": 10},
            session_id=session["id"],
        )
        assert_sentence(status)

    def test_profiles_and_tanglegram(self, session):
        colour_map = draw_views(session["id"], session["cut"])[2]
        note = update_profiles(colour_map, session["cut"], session["id"])[4]
        assert_sentence(note)
        with triggered_by("tanglegram-method.value"):
            *_, status, _ = call(
                update_tanglegram,
                summary_clicks=1,
                trigger={"clicks": 1, "colourMap": colour_map},
                method="average",
                metric="euclidean",
                cut=session["cut"],
                session_id=session["id"],
            )
        assert_sentence(status)

    def test_scaling_suggestion(self):
        session_id = new_session()
        out = load(session_id, "bundled:penguins", features=["bill_depth_mm", "body_mass_g"])
        text, hidden = call(
            suggest_scaling, data_version=out["version"], scaling="none", session_id=session_id
        )
        assert hidden is False
        assert_sentence(text)
