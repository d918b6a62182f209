"""The z-score suggestion (callbacks/advice.py, issue #16 §6) at up to 100,000 rows: it runs
on every load and every change of the scaling, so it must stay a light request.

Measured: the callback as Dash calls it, first for new data (the dataset read from the
store, the spreads computed and stored) and then again (the spreads read back), against
numpy's ``std`` over the same array alone.
"""

from __future__ import annotations

import os
import sys
import tempfile
from unittest import mock

import numpy as np

from bench.common import Table, best_of, ratio, verdict

SIZES = (10_000, 100_000)
QUICK_SIZES = (10_000,)
FEATURES = 20
# A light request's budget (the class benchmark's light-request goal).
SECONDS_TARGET = 0.25


def _private_store():
    """A store in a fresh private folder, so the bench never reads or fills a real cache."""
    folder = tempfile.mkdtemp(prefix="hclust-bench-advice-")
    os.environ["CACHE_DIR"] = folder  # read when services.config is first imported
    import diskcache

    from services import config, store

    config.CACHE_DIR = folder  # (when another section imported it first)
    return store.Store(diskcache.Cache(folder))


def _measure(shared, suggest_scaling, n):
    from hclust.data import Dataset
    from services import sessions

    rng = np.random.default_rng(n)
    values = rng.normal(size=(n, FEATURES)) * 10.0 ** (np.arange(FEATURES) / 5)
    names = tuple(f"f{j}" for j in range(FEATURES))
    session_id = sessions.issue_session()

    def fresh():
        # new numbers each time, so nothing is read back from an earlier run
        data = values + rng.normal(scale=1e-9, size=(1, FEATURES))
        return {"key": shared.put_dataset(session_id, Dataset(data, names, "bench")), "n": n}

    versions = [fresh() for _ in range(3)]
    first, answer = best_of(lambda: suggest_scaling(versions.pop(), "none", session_id), 3)
    assert answer[1] is False, "the suggestion is shown"
    version = fresh()
    suggest_scaling(version, "none", session_id)
    again, _ = best_of(lambda: suggest_scaling(version, "none", session_id), 3)
    alone, _ = best_of(lambda: values.std(axis=0), 3)
    return [
        f"{n:,} × {FEATURES}",
        f"{first * 1e3:.1f}",
        f"{again * 1e3:.1f}",
        f"{alone * 1e3:.1f}",
        ratio(again, alone),
        verdict(max(first, again) <= SECONDS_TARGET),
    ]


def run(quick: bool = False) -> list[Table]:
    shared = _private_store()
    from services import store

    table = Table(
        "The z-score suggestion: one callback per load or scaling change",
        [
            "rows × features",
            "first (ms)",
            "again (ms)",
            "numpy std alone (ms)",
            "again / numpy",
            f"≤ {SECONDS_TARGET * 1e3:.0f} ms",
        ],
        notes=[
            "first: the dataset read from the store, spreads computed and stored (Store.memo); "
            "again: the same data after a scaling change, spreads read back; best of 3 each.",
            "Spreads differ 10,000× (column j scaled by 10^(j/5)): the suggestion is shown.",
            "Most of 'again' is reading the dataset back from the store (for its names).",
        ],
    )
    with mock.patch.object(store, "get_store", lambda: shared):
        from callbacks.advice import suggest_scaling

        for n in QUICK_SIZES if quick else SIZES:
            print(f"advice: {n:,} × {FEATURES}…", file=sys.stderr, flush=True)
            table.rows.append(_measure(shared, suggest_scaling, n))
    return [table]
