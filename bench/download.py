"""The download (hclust/labelled_table.py): time to build the zip, against pandas' own CSV writer.

The table is a file's worth of columns (8 numeric, a label and a text column)
with a random sample of 5,000 rows clustered and every other row assigned to
the nearest of 20 centroids, as the page does for data too large to cluster
whole.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage

from bench.common import Table, best_of, ratio, verdict
from hclust.labelled_table import download_archive, labelled_table

SIZES = (10_000, 50_000, 100_000)
QUICK_SIZES = (10_000,)
SAMPLE = 5_000
# A 100,000-row download within 10 s of a click (the page shows no progress for it).
SECONDS_TARGET = 10.0


def _table(n, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, 8)) * 100, columns=[f"x{j}" for j in range(8)])
    frame.insert(0, "name", [f"=row{i}" if i % 97 == 0 else f"row {i}" for i in range(n)])
    frame["note"] = np.where(rng.random(n) < 0.5, "alpha", "-beta")
    return frame


def _measure(n):
    frame = _table(n)
    values = frame[[f"x{j}" for j in range(8)]].to_numpy()
    rng = np.random.default_rng(1)
    sample = np.sort(rng.choice(n, size=min(SAMPLE, n), replace=False))
    labels = fcluster(linkage(values[sample], "ward"), 20, "maxclust")
    rows = np.arange(n)
    assign, labelled = best_of(
        lambda: labelled_table(frame, rows + 2, "file_line", rows, values, sample, labels), 3
    )
    archive, content = best_of(lambda: download_archive(labelled, {"bench": True}), 3)
    theirs, _ = best_of(lambda: labelled.to_csv(index=False), 3)
    return [
        f"{n:,}",
        f"{assign * 1e3:.0f}",
        f"{archive * 1e3:.0f}",
        f"{theirs * 1e3:.0f}",
        ratio(archive, theirs),
        verdict(assign + archive <= SECONDS_TARGET),
        f"{len(content) / 1e3:,.0f}",
    ]


def run(quick: bool = False) -> list[Table]:
    table = Table(
        "Download zip (clusters.csv + settings.json) vs pandas to_csv, 10 columns",
        [
            "rows",
            "assign ms",
            "zip ms",
            "pandas to_csv ms",
            "ratio",
            f"zip ≤ {SECONDS_TARGET:g} s",
            "zip KB",
        ],
    )
    for n in QUICK_SIZES if quick else SIZES:
        table.rows.append(_measure(n))
    table.notes.append(
        "ours writes numbers in shortest round-trip form and neutralises formula cells; "
        f"{SAMPLE:,} rows clustered, the others assigned to the nearest of 20 centroids."
    )
    return [table]
