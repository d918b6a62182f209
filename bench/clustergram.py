"""Section ``clustergram``: the clustergram's first render at 100,000 rows, after the linkage.

The linkage (ward, euclidean) is computed once and cached, as the background
job leaves it; then each render is timed as a request runs it: the callback
reads the data and the clustering back from the disk cache, cuts, aggregates,
builds the figure, and the figure is encoded to JSON as Dash sends it. The
clustergram is drawn once the views have drawn the cut (it listens to their
colour map), so the chain views → clustergram is timed too. Every render
reads the cache afresh (nothing is kept in memory between requests), so each
is a first render for its view; only the columns' linkage, once computed, is
read back. The browser's paint is not included.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from unittest import mock

import numpy as np

from .common import Table, ratio, verdict

N = 100_000
QUICK_N = 10_000
FEATURES = 8
REPEAT = 15
QUICK_REPEAT = 5
GOAL_SECONDS = 2.0


def _blobs(n, seed=0, centres=6):
    rng = np.random.default_rng(seed)
    middle = rng.uniform(-10, 10, size=(centres, FEATURES))
    return middle[rng.integers(0, centres, size=n)] + rng.normal(size=(n, FEATURES))


def _private_store():
    """A store in a fresh private folder, so the bench never reads or fills a real cache."""
    folder = tempfile.mkdtemp(prefix="hclust-bench-clustergram-")
    os.environ["CACHE_DIR"] = folder  # read when services.config is first imported
    import diskcache

    from services import config, store

    config.CACHE_DIR = folder  # (when another section imported it first)
    return store.Store(diskcache.Cache(folder)), folder


class _Triggered:
    """Run a callback as if `prop_id` had changed (as tests/helpers.py does)."""

    def __init__(self, prop_id):
        self.prop_id = prop_id

    def __enter__(self):
        from dash._callback_context import context_value
        from dash._utils import AttributeDict

        self.token = context_value.set(
            AttributeDict(
                triggered_inputs=[{"prop_id": self.prop_id, "value": None}], updated_props={}
            )
        )

    def __exit__(self, *exc):
        from dash._callback_context import context_value

        context_value.reset(self.token)


def _encode(figure) -> int:
    """Bytes of the figure as Dash encodes it for the browser."""
    from plotly.io.json import to_json_plotly

    return len(to_json_plotly(figure))


def _percentile(values, q):
    return float(np.percentile(np.asarray(values), q))


def run(quick: bool = False) -> list[Table]:
    shared, folder = _private_store()
    from hclust.cut import height_for_k
    from hclust.data import Dataset
    from services import sessions, store

    n = QUICK_N if quick else N
    repeat = QUICK_REPEAT if quick else REPEAT
    with mock.patch.object(store, "get_store", lambda: shared):
        from callbacks.clustergram import ROW_CAP, update_clustergram
        from callbacks.view_options import view_options
        from callbacks.views import update_views

        session_id = sessions.issue_session()
        dataset = Dataset(
            values=_blobs(n),
            feature_names=tuple(f"f{j}" for j in range(FEATURES)),
            name="bench blobs",
        )
        key = shared.put_dataset(session_id, dataset)
        print(f"clustergram: ward linkage of {n:,} × {FEATURES}…", file=sys.stderr, flush=True)
        start = time.perf_counter()
        _, result = shared.clustering(session_id, "ward", "euclidean", data_key=key)
        linkage_seconds = time.perf_counter() - start
        clustering = {
            "key": key,
            "method": "ward",
            "metric": "euclidean",
            "optimal_order": False,
            "n": n,
            "default_cut": result.default_cut,
        }
        k = 6
        cut = {
            "criterion": "distance",
            "height": height_for_k(result.tree.sorted_heights, k).height,
            "k": k,
            "t": 8,
            "depth": 10,
            "clustering": clustering,
        }
        # a branch with as many samples as the heatmap shows one by one
        sizes = result.tree.size[n:]
        branch = n + int(np.flatnonzero(sizes <= ROW_CAP)[np.argmax(sizes[sizes <= ROW_CAP])])

        def views(focus=None):
            with _Triggered("cut.data"):
                return update_views(
                    cut,
                    None,
                    "f0",
                    "f1",
                    focus,
                    view_options("auto", 60, [], None, "top", "9:-90"),
                    None,
                    None,
                    None,
                    session_id,
                )[2]

        def clustergram(colour_map, columns, scale, focus=None):
            with _Triggered("colour-map.data"):
                figure, status, _ = update_clustergram(
                    colour_map=colour_map,
                    columns=columns,
                    scale=scale,
                    zoom_event=None,
                    cut=cut,
                    highlight=None,
                    focus=focus,
                    view_options=None,  # the page's first options
                    view=None,
                    session_id=session_id,
                )
            return figure, status

        cases = [
            ("overview (60 drawn leaves, means), values, data order", None, "data", "values"),
            ("overview, z-score, clustered columns", None, "clustered", "zscore"),
            (
                f"branch in full ({int(result.tree.size[branch]):,} rows), values",
                {"node": branch, "clustering": clustering},
                "data",
                "values",
            ),
        ]
        table = Table(
            f"Clustergram first render at {n:,} × {FEATURES} (ward), after the linkage is cached",
            [
                "view",
                "rows",
                "clustergram p50 s",
                "clustergram p95 s",
                "views → clustergram p50 s",
                "views → clustergram p95 s",
                "payload KB",
                f"p95 / {GOAL_SECONDS:g} s goal",
                "≤ goal",
            ],
        )
        first_columns = None
        for name, focus, columns, scale in cases:
            print(f"clustergram: {name}…", file=sys.stderr, flush=True)
            alone, chain, payload, rows = [], [], 0, 0
            for _ in range(repeat):
                t0 = time.perf_counter()
                colour_map = views(focus)
                t1 = time.perf_counter()
                figure, status = clustergram(colour_map, columns, scale, focus)
                payload = _encode(figure)
                t2 = time.perf_counter()
                if status.startswith("⚠"):
                    raise RuntimeError(status)
                if columns == "clustered" and first_columns is None:
                    first_columns = t2 - t1  # the columns' linkage computed, then cached
                    continue
                alone.append(t2 - t1)
                chain.append(t2 - t0)
                rows = len(figure.data[0].z)
            p95 = _percentile(chain, 95)
            table.rows.append(
                [
                    name,
                    rows,
                    f"{_percentile(alone, 50):.3f}",
                    f"{_percentile(alone, 95):.3f}",
                    f"{_percentile(chain, 50):.3f}",
                    f"{p95:.3f}",
                    f"{payload / 1024:.0f}",
                    ratio(p95, GOAL_SECONDS),
                    verdict(p95 <= GOAL_SECONDS),
                ]
            )
        table.notes += [
            f"linkage (not timed in the rows): {linkage_seconds:.1f} s; {repeat} renders per view",
            "clustergram = its callback (cache reads, cut, per-leaf means, figure) + JSON encoding;"
            " views → clustergram adds the dendrogram and scatter callback it waits for",
            f"the columns' linkage, computed on the first clustered render: {first_columns:.3f} s"
            " (then read back; that first render is left out of the percentiles)",
            "the browser's paint is not included",
        ]
    shutil.rmtree(folder, ignore_errors=True)
    return [table]
