"""One step of "merges step by step" at growing n: time and bytes a step sends.

A step recomputes the clusters after i merges (O(n)), the distance that decided
merge i, and builds both step figures; at 100,000 samples it must not ship
100,000 points. Run alone: ``python -m bench --only merge_steps``.
"""

from __future__ import annotations

import sys
from functools import partial

import numpy as np

from bench.common import Table, best_of, gaussian_blobs


def _one_step(X, Z, tree, geometry, step, method):
    from callbacks.merge_steps import RING_POINTS_MAX, _members, _thinned, shown_samples
    from components.merge_steps_figures import step_dendrogram_figure, step_scatter_figure
    from hclust.errors import InputError
    from hclust.merge_steps import clusters_after, merge_distance

    n = len(X)
    _, node_of_sample = clusters_after(tree, step)
    try:
        merge_distance(X, Z, tree, method, "euclidean", step)
    except InputError:
        pass  # refused with a message past MAX_PAIRS: part of what is measured
    a, b = Z[step, :2].astype(np.int64).tolist()
    rings = {str(c): _thinned(_members(tree, c), RING_POINTS_MAX) for c in (a, b)}
    names = [str(i) for i in range(n)]
    dendrogram = step_dendrogram_figure(geometry, Z, step, names)
    scatter = step_scatter_figure(
        X, node_of_sample, shown_samples(n), ("x", "y"), step=step, rings=rings
    )
    return len(dendrogram.to_json()) + len(scatter.to_json())


def run(quick: bool = False) -> list:
    from hclust.cut import TreeIndex
    from hclust.dendrogram import dendrogram_geometry
    from hclust.linkage import compute_linkage

    sizes = (2_000, 20_000) if quick else (2_000, 20_000, 100_000)
    table = Table(
        "Merges step by step: one step (clusters, deciding distance, both figures)",
        ["n", "method", "step", "ms (best of 3)", "JSON KB sent", "points drawn"],
    )
    for n in sizes:
        X = gaussian_blobs(n, seed=1)[:, :2].copy()
        for method in ("ward", "single"):
            print(f"merge_steps: {method} linkage of {n:,}", file=sys.stderr)
            Z = compute_linkage(X, method, "euclidean")
            tree = TreeIndex.from_linkage(Z)
            geometry = dendrogram_geometry(Z, tree, "lastp" if n > 1000 else "none", 60)
            for step in (n // 2, n - 2):
                seconds, size = best_of(partial(_one_step, X, Z, tree, geometry, step, method))
                from callbacks.merge_steps import STEP_POINTS_MAX

                table.rows.append(
                    [
                        f"{n:,}",
                        method,
                        f"{step:,}",
                        f"{seconds * 1000:.0f}",
                        f"{size / 1024:,.0f}",
                        f"{min(n, STEP_POINTS_MAX):,}",
                    ]
                )
    table.notes.append(
        "Above 5,000 samples a fixed random sample of 5,000 is drawn, and at most 2,000 "
        "points of each ringed cluster; single linkage's last merge (two clusters of about "
        "n/2) is refused past 4 M pairs with a message, so its time is the refusal's."
    )
    return [table]
