"""assets/stale_view.js under Node: when the plots are out of date, and when a refusal is undone.

The browser tests (tests/browser/test_stale_view.py) check the same in a real page.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "stale_view.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def stale_state(**inputs):
    """staleState(inputs) as the browser computes it."""
    program = (
        f"const m = require({json.dumps(str(SCRIPT))});"
        f"process.stdout.write(JSON.stringify(m.staleState({json.dumps(inputs)})));"
    )
    out = subprocess.run([NODE, "-e", program], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def texts():
    program = (
        f"const m = require({json.dumps(str(SCRIPT))});"
        "process.stdout.write(JSON.stringify([m.COMPUTING, m.NOT_LOADED, m.NOT_COMPUTED]));"
    )
    out = subprocess.run([NODE, "-e", program], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


SETTINGS = [[], None, "none", "drop", []]
WARD = {"key": "k1", "method": "ward", "metric": "euclidean", "optimal_order": False, "n": 150}
SHOWN = dict(
    source="tutorial-2-blobs",
    dataSettings=SETTINGS,
    tableVersion=None,
    dataVersion={"key": "k1", "n": 150, "source": "tutorial-2-blobs", "settings": SETTINGS},
    method="ward",
    metric="euclidean",
    optimal=False,
    shown=WARD,
    clusteringStatus="Ward linkage, euclidean distance: 149 merges.",
    dataStatus="Tutorial: 150 rows.",
)


class TestStaleState:
    def test_the_shown_result_is_not_stale(self):
        assert stale_state(**SHOWN, triggered=["cut"]) == {
            "stale": False,
            "overlay": "",
            "reset": None,
        }

    @pytest.mark.parametrize(
        "trigger,change",
        [
            ("method", {"method": "average"}),
            ("metric", {"metric": "cityblock"}),
            ("optimal-order", {"optimal": True}),
            ("scaling", {"dataSettings": [[], None, "zscore", "drop", []]}),
        ],
    )
    def test_a_new_choice_is_computing(self, trigger, change):
        state = stale_state(**{**SHOWN, **change}, triggered=[trigger])
        assert state == {"stale": True, "overlay": texts()[0], "reset": None}

    def test_new_data_loaded_but_not_yet_clustered_is_stale(self):
        version = {**SHOWN["dataVersion"], "key": "k2"}
        state = stale_state(**{**SHOWN, "dataVersion": version}, triggered=["data-version"])
        assert state["stale"] and state["overlay"] == texts()[0]

    def test_the_menu_naming_an_upload_not_yet_loaded_is_stale(self):
        """receive_upload has named the file; the plots still show the preset."""
        state = stale_state(
            **{**SHOWN, "source": "upload", "tableVersion": {"file": "new.csv", "rows": 9}},
            triggered=["dataset", "table-version"],
        )
        assert state["stale"] and state["overlay"] == texts()[0]

    def test_a_second_upload_is_stale_until_its_table_is_loaded(self):
        loaded = {"key": "k1", "source": "upload", "settings": SETTINGS, "table": {"file": "a"}}
        base = {**SHOWN, "source": "upload", "dataVersion": loaded}
        same = stale_state(**{**base, "tableVersion": {"file": "a"}}, triggered=["cut"])
        assert not same["stale"]
        other = stale_state(**{**base, "tableVersion": {"file": "b"}}, triggered=["table-version"])
        assert other["stale"] and other["overlay"] == texts()[0]

    def test_a_refused_method_puts_the_controls_back(self):
        state = stale_state(
            **{
                **SHOWN,
                "method": "average",
                "clusteringStatus": "⚠ Clustering 20,000 rows … the memory limit is 2,048 MB.",
            },
            triggered=["clustering-status"],
        )
        assert state == {
            "stale": False,
            "overlay": None,
            "reset": {"method": "ward", "metric": "euclidean", "optimal": False},
        }

    def test_an_old_refusal_does_not_undo_a_new_choice(self):
        """The user picks again while the last refusal is still on the page."""
        state = stale_state(
            **{**SHOWN, "method": "complete", "clusteringStatus": "⚠ refused"},
            triggered=["method"],
        )
        assert state["reset"] is None and state["stale"] and state["overlay"] == texts()[0]

    def test_a_refused_load_says_the_plots_show_the_data_before(self):
        state = stale_state(
            **{**SHOWN, "source": "upload", "dataStatus": "⚠ broken.csv: … unchanged."},
            triggered=["data-status"],
        )
        assert state["stale"] and state["overlay"] == texts()[1] and state["reset"] is None

    def test_a_refused_clustering_of_new_data_is_not_undone_but_said(self):
        version = {**SHOWN["dataVersion"], "key": "k2"}
        state = stale_state(
            **{**SHOWN, "dataVersion": version, "clusteringStatus": "⚠ cosine is undefined"},
            triggered=["clustering-status"],
        )
        assert state["stale"] and state["overlay"] == texts()[2] and state["reset"] is None

    def test_before_anything_is_drawn_the_page_is_computing(self):
        state = stale_state(**{**SHOWN, "shown": None, "dataVersion": None}, triggered=[])
        assert state["stale"] and state["overlay"] == texts()[0]
