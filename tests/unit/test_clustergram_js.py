"""assets/clustergram.js under Node: the clustergram is dimmed while the page's
choices differ from what its heatmap was drawn for."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "clustergram.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run(expression):
    program = (
        f"const m = require({json.dumps(str(SCRIPT))});"
        f"process.stdout.write(JSON.stringify({expression}));"
    )
    out = subprocess.run([NODE, "-e", program], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


CUT = {"criterion": "distance", "height": 101.69620978288144, "k": 2, "clustering": {"key": "a"}}
DRAWN = {
    "cut": CUT,
    "highlight": None,
    "focus": None,
    "scale": "values",
    "columns": "data",
    "truncate_mode": "auto",
    "p": 60,
}


def card_class(view, **changed):
    now = dict(DRAWN, **changed)
    args = [now[k] for k in ("cut", "highlight", "focus", "scale", "columns", "truncate_mode", "p")]
    return run(f"m.clustergramClass(...{json.dumps(args)}, {json.dumps(view)})")


class TestClustergramStale:
    def test_what_was_drawn_is_not_stale_whatever_the_key_order(self):
        reordered = {key: DRAWN[key] for key in reversed(list(DRAWN))}
        reordered["cut"] = {key: CUT[key] for key in reversed(list(CUT))}
        assert card_class({"drawn": reordered}) == "plot-card clustergram-card"

    @pytest.mark.parametrize(
        "changed",
        [
            {"cut": dict(CUT, k=3, height=16.0)},
            {"highlight": {"node": 295}},
            {"focus": {"node": 290, "clustering": {"key": "a"}}},
            {"scale": "zscore"},
            {"columns": "clustered"},
            {"p": 30},
        ],
    )
    def test_a_new_choice_dims_it_until_drawn(self, changed):
        assert card_class({"drawn": DRAWN}, **changed) == "plot-card clustergram-card stale"

    def test_nothing_drawn_yet_is_stale(self):
        assert card_class(None) == "plot-card clustergram-card stale"

    def test_canonical_sorts_keys_at_every_depth(self):
        assert run('m.canonical({b: 1, a: {d: [1, {f: 2, e: null}], c: "x"}})') == (
            '{"a":{"c":"x","d":[1,{"e":null,"f":2}]},"b":1}'
        )
