"""Clusters against known labels and cluster profiles (hclust/agreement.py, hclust/profiles.py)
at up to 100,000 rows: are they quick enough to answer inside a request?

- one cut's contingency table and scores, against scikit-learn's ARI and NMI on the same labels;
- the scores for every k = 2..30 (the quality panel's companion plot), computed inline;
- the per-cluster profiles (means, medians, quartiles, whiskers) against pandas' groupby,
  and the box-plot figure built from them: its JSON against the raw points a box plot of
  the rows would carry.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster

from bench.common import Table, best_of, ratio, verdict
from components.agreement_figures import profiles_figure
from hclust.agreement import agreement, agreement_per_k
from hclust.cut import TreeIndex
from hclust.profiles import cluster_profiles

SIZES = (10_000, 50_000, 100_000)
QUICK_SIZES = (10_000,)
FEATURES = 10
CLASSES = 5
K = 20
MAX_K = 30
# Both panels answer inside a request, so within a light request's budget.
SECONDS_TARGET = 1.0


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    classes = rng.integers(0, CLASSES, n)
    centres = rng.normal(scale=4, size=(CLASSES, FEATURES))
    values = centres[classes] + rng.normal(size=(n, FEATURES))
    return values * 10 + 100, classes


def _tree(values):
    import fastcluster

    return fastcluster.linkage_vector(values, method="single")


def _measure(n):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    values, classes = _data(n)
    Z = _tree(values)
    labels = fcluster(Z, K, "maxclust")
    one, _ = best_of(lambda: agreement(labels, classes), 3)
    theirs, _ = best_of(
        lambda: (
            adjusted_rand_score(classes, labels),
            normalized_mutual_info_score(classes, labels),
        ),
        3,
    )
    tree = TreeIndex.from_linkage(Z)
    per_k, _ = best_of(lambda: agreement_per_k(tree, classes, MAX_K), 3)
    profile, profiles = best_of(lambda: cluster_profiles(values, labels), 3)
    frame = pd.DataFrame(values).assign(cluster=labels)
    pandas, _ = best_of(lambda: frame.groupby("cluster").quantile([0.25, 0.5, 0.75]), 3)
    colours = {str(c): "#332288" for c in profiles.clusters}
    build, figure = best_of(
        lambda: profiles_figure(profiles, [f"x{j}" for j in range(FEATURES)], colours), 3
    )
    payload = len(figure.to_json())
    raw = n * FEATURES * 8  # the rows as float64 alone, before any JSON
    return [
        f"{n:,}",
        f"{one * 1e3:.1f}",
        f"{theirs * 1e3:.1f}",
        ratio(one, theirs),
        f"{per_k * 1e3:.0f}",
        f"{profile * 1e3:.0f}",
        f"{pandas * 1e3:.0f}",
        f"{build * 1e3:.0f}",
        f"{payload / 1e3:,.0f} / {raw / 1e3:,.0f}",
        verdict(max(one, per_k, profile + build) <= SECONDS_TARGET),
    ]


def run(quick: bool = False) -> list[Table]:
    table = Table(
        f"Label agreement and cluster profiles, {FEATURES} features, {CLASSES} classes, k = {K}",
        [
            "rows",
            "one cut ms",
            "sklearn ARI+NMI ms",
            "ratio",
            f"k = 2..{MAX_K} ms",
            "profiles ms",
            "pandas quartiles ms",
            "box figure ms",
            "figure KB / raw rows KB",
            f"each ≤ {SECONDS_TARGET:g} s",
        ],
    )
    for n in QUICK_SIZES if quick else SIZES:
        table.rows.append(_measure(n))
    table.notes.append(
        "one cut: contingency table, ARI, NMI and purity (ours) against scikit-learn's ARI and "
        "NMI alone; k = 2..30: one partition and one table per k on a single-linkage tree "
        "(fastcluster.linkage_vector); profiles: means, medians, quartiles and whiskers of every "
        "feature per cluster; pandas computes the three quartiles only."
    )
    return [table]
