"""Malformed callback requests against the real server (gunicorn): never a 5xx,
never a traceback in the log, and the session's data intact afterwards.

A small stand-in for Dash's renderer (:class:`Page`) reads the callback list
from ``/_dash-dependencies`` and the components from ``/_dash-layout``, loads
the tutorial's data and clusters it as a person's page would, and keeps every
store the server wrote. Hypothesis then posts bodies built from those values:
the real ones, the real ones with a key dropped or replaced, and junk (wrong
types, huge numbers, NaN and infinities, nested junk, out-of-range ids), and
envelopes Dash cannot dispatch.

``FUZZ_EXAMPLES`` sets the number of generated bodies per test (default 300, the
same ones each run, under a minute for the module); e.g. ``FUZZ_EXAMPLES=5000``
for a long, random run.
"""

from __future__ import annotations

import base64
import io
import json
import os
import time
import zipfile

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.local_app import app_env, gunicorn
from tests.helpers import PageValues

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
LONG_RUN = "FUZZ_EXAMPLES" in os.environ
UPDATE = "_dash-update-component"
HUGE = "__huge_number__"  # replaced by the literal 1e999 (past float range) in the body
# How long a background job's answer is polled for before the example moves on.
JOB_POLL_SECONDS = 5.0


class Page(PageValues):
    """The page's state as Dash's renderer keeps it, over HTTP: component props, updated by answers."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        super().__init__(
            self.http.get(url + "_dash-dependencies", timeout=30).json(),
            self.http.get(url + "_dash-layout", timeout=30).json(),
        )

    def post(self, body, raw: str | None = None, params=None) -> requests.Response:
        data = raw if raw is not None else json.dumps(body)
        return self.http.post(
            self.url + UPDATE,
            data=data.encode(),
            params=params,
            headers={"Content-Type": "application/json"},
            timeout=120,
        )

    def answer(self, output: str, changed: list[str], values: dict | None = None) -> dict:
        """Post a normal request, wait for a background job, and apply the answer."""
        body = self.body(output, changed, values)
        response = self.post(body)
        assert response.status_code in (200, 204), response.text[:500]
        data = response.json() if response.status_code == 200 else {}
        data = self.finish_job(body, data)
        for component, props in data.get("response", {}).items():
            for name, value in props.items():
                self.props[(component, name)] = value
        return data

    def finish_job(self, body, data, seconds=60.0):
        """Poll a background job's answer, as the renderer does, until it is there."""
        deadline = time.monotonic() + seconds
        while "cacheKey" in data and time.monotonic() < deadline:
            time.sleep(0.25)
            response = self.post(body, params={"cacheKey": data["cacheKey"], "job": data["job"]})
            assert response.status_code < 500, response.text[:500]
            answer = response.json() if response.status_code == 200 else {}
            if "response" in answer or response.status_code == 204:
                return answer
        return data


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    log = tmp / "server.log"
    env = app_env(tmp / "cache", HCLUST_STRICT_CALLBACKS="1")
    with gunicorn(env, log, workers=1) as url:
        page = Page(url)
        # the tutorial's data, clustered and cut, as a person's first page load does
        page.answer(page.output_for("data-version", "data"), ["dataset.value"])
        page.answer(page.output_for("clustering", "data"), ["data-version.data"])
        page.answer(page.output_for("cut-height", "value"), ["clustering.data"])
        assert page.props[("clustering", "data")]["n"] == 150
        yield page, log


def session_answers(page: Page) -> tuple[dict, dict]:
    """Normal requests that read the session's data: the first page of Z, and the files in
    the download (every row, its values and its cluster; the settings)."""
    table = page.answer(page.output_for("linkage-table", "data"), ["clustering.data"])
    download = page.answer(
        page.output_for("download", "data"),
        ["download-labels.n_clicks"],
        {("download-labels", "n_clicks"): 1},
    )
    archive = base64.b64decode(download["response"]["download"]["data"]["content"])
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:  # its members, not its timestamps
        files = {name: opened.read(name) for name in opened.namelist()}
    return table, files


# --- what the generated bodies are made of ---------------------------------------

KEYS = (
    "key", "n", "method", "metric", "default_cut", "optimal_order", "clustering", "criterion",
    "k", "height", "t", "depth", "nudged", "node", "cluster", "samples", "nodes", "labels",
    "points", "curveNumber", "pointNumber", "x", "customdata", "total", "rows", "of", "id",
    "data_version", "max_k", "row", "column_id", "file", "size", "mean x", "std x", "corr",
    "shapes[0].y0", "shapes[0].y1", "xaxis.range[0]", "xaxis.range[1]", "xaxis.autorange",
)  # fmt: skip
# text that reaches deeper: real option values, and numbers spelled as text
SPECIAL_TEXT = (
    "NaN", "inf", "-Infinity", "1e999", "", "0", "ward", "single", "centroid", "euclidean",
    "cosine", "distance", "maxclust", "inconsistent", "monocrit", "maxclust_monocrit", "left",
    "PC1", "snap", "contracted", "bundled:iris", "bundled:penguins", "generate:blobs",
    "generate:moons", "upload", "zscore", "mean", "lastp", "level", "data:text/csv;base64,YSxiCjEsMgo=",
)  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 2**31, 2**53 + 1, 10**30, 299, 300, 10**6]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(HUGE),
    st.sampled_from(SPECIAL_TEXT),
    st.text(max_size=20),
)
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=5),
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw, value):
    """The real value, that value with one part dropped or replaced, or junk."""
    how = draw(st.sampled_from(["same", "drop", "replace", "junk"] if value else ["same", "junk"]))
    if how == "same":
        return value
    if how == "junk":
        return draw(junk)
    if isinstance(value, dict):
        key = draw(st.sampled_from(sorted(value)))
        changed = dict(value)
        if how == "drop":
            del changed[key]
        else:
            changed[key] = draw(mutated(value[key]))
        return changed
    if isinstance(value, list):
        i = draw(st.integers(0, len(value) - 1))
        return value[:i] + ([] if how == "drop" else [draw(mutated(value[i]))]) + value[i + 1 :]
    return draw(junk)


@st.composite
def garbled_request(draw, page: Page):
    """A well-formed envelope for one server callback, with garbage among its values."""
    output = draw(st.sampled_from(sorted(page.callbacks)))
    callback = page.callbacks[output]
    specs = callback["inputs"] + callback["state"]
    values = {}
    for spec in specs:
        name = (spec["id"], spec["property"])
        values[name] = draw(mutated(page.props.get(name)))
    prop_ids = [f"{s['id']}.{s['property']}" for s in callback["inputs"]]
    changed = draw(st.lists(st.sampled_from(prop_ids), min_size=1, max_size=2, unique=True))
    return page.body(output, changed, values)


def encode(body) -> str:
    return json.dumps(body).replace(json.dumps(HUGE), "1e999")


def assert_answered(page: Page, body, response):
    assert response.status_code < 500, (body, response.text[:2000])
    if response.status_code == 200:
        page.finish_job(body, response.json(), JOB_POLL_SECONDS)


def assert_clean_log(log):
    text = log.read_text()
    assert "Traceback" not in text, text[-5000:]


# --- the tests ----------------------------------------------------------------------


class TestGarbledValues:
    def test_no_5xx_no_traceback_and_the_session_keeps_its_data(self, served):
        page, log = served
        before = session_answers(page)
        assert len(before[1]["clusters.csv"].decode().splitlines()) == 151

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=not LONG_RUN,  # the same bodies in every make test
            suppress_health_check=list(HealthCheck),
        )
        @given(st.data())
        def post_garbage(data):
            body = data.draw(garbled_request(page))
            raw = encode(body)
            assert_answered(page, body, page.post(body, raw=raw))

        post_garbage()
        assert session_answers(page) == before
        assert page.props[("clustering", "data")]["n"] == 150
        assert_clean_log(log)


class TestBrokenEnvelopes:
    def test_every_broken_envelope_gets_a_4xx(self, served):
        page, log = served
        valid = page.body(page.output_for("linkage-table", "data"), ["clustering.data"])
        callback = page.callbacks[valid["output"]]

        def without(key):
            return {k: v for k, v in valid.items() if k != key}

        broken = {
            "not JSON": "{output: nope",
            "a JSON list": "[1, 2]",
            "a JSON string": '"output"',
            "nested too deep": "[" * 100_000 + "]" * 100_000,
            "no output": json.dumps(without("output")),
            "output not a string": json.dumps(dict(valid, output=["x"])),
            "unknown output": json.dumps(dict(valid, output="nothing.children")),
            "a clientside output": json.dumps(dict(valid, output="recolour-ready.data")),
            "no outputs": json.dumps(without("outputs")),
            "outputs of another callback": json.dumps(
                dict(valid, outputs={"id": "scatter", "property": "figure"})
            ),
            "outputs wrong length": json.dumps(dict(valid, outputs=valid["outputs"][:1])),
            "no inputs": json.dumps(without("inputs")),
            "inputs not a list": json.dumps(dict(valid, inputs={"id": "x"})),
            "an input without id": json.dumps(
                dict(valid, inputs=[{"property": "data", "value": 1}] * len(callback["inputs"]))
            ),
            "one input missing": json.dumps(dict(valid, inputs=valid["inputs"][:-1])),
            "state missing": json.dumps(without("state")),
            "changedPropIds not strings": json.dumps(dict(valid, changedPropIds=[{"a": 1}])),
        }
        for name, raw in broken.items():
            response = page.post(None, raw=raw)
            assert 400 <= response.status_code < 500, (name, response.status_code)
        # the valid envelope they were made from is still answered
        assert page.post(valid).status_code == 200
        assert_clean_log(log)

    @settings(
        max_examples=max(EXAMPLES // 3, 1),  # cheaper to find: most are refused at once
        deadline=None,
        derandomize=not LONG_RUN,
        suppress_health_check=list(HealthCheck),
    )
    @given(envelope=junk)
    def test_junk_envelopes_never_get_a_5xx(self, served, envelope):
        page, log = served
        response = page.post(None, raw=encode(envelope))
        assert response.status_code < 500, (envelope, response.text[:2000])
