"""Section ``tanglegram``: comparing two trees (hclust.compare) and drawing the tanglegram.

Both linkages are computed outside the timing, as the page has them from the linkage
cache; timed are :func:`hclust.compare.compare_trees` (untangling, entanglement, Baker's
gamma, cophenetic correlation between the trees), what a cut costs afterwards (the lines'
colours and the ARI), and the figure with its JSON.
"""

from __future__ import annotations

import sys

from scipy.cluster.hierarchy import fcluster

from components.tanglegram_figures import tanglegram_figure
from hclust.compare import compare_trees, line_labels, partition_agreement
from hclust.cut import PALETTE
from hclust.linkage import compute_linkage

from .common import Table, best_of, gaussian_blobs

# (n, left method, right method): average needs all n² / 2 distances, so the largest
# sizes compare ward with single, the two memory-light methods
SIZES = (
    (300, "ward", "average"),
    (1_000, "ward", "average"),
    (5_000, "ward", "average"),
    (100_000, "ward", "single"),
)
QUICK_SIZES = ((300, "ward", "average"), (1_000, "ward", "average"))


def run(quick: bool = False) -> list[Table]:
    table = Table(
        "Tanglegram: comparing two trees (ward against another method)",
        [
            "n",
            "trees",
            "leaves drawn",
            "compare s",
            "cut → colours + ARI ms",
            "figure ms",
            "JSON KB",
            "entanglement drawn → untangled",
        ],
    )
    for n, first, second in QUICK_SIZES if quick else SIZES:
        X = gaussian_blobs(n)
        Z1 = compute_linkage(X, first, "euclidean")
        Z2 = compute_linkage(X, second, "euclidean")
        repeat = 3 if n <= 5_000 else 1
        seconds, found = best_of(lambda Z1=Z1, Z2=Z2: compare_trees(Z1, Z2), repeat)
        labels = fcluster(Z1, 5, criterion="maxclust")

        def recolour(found=found, labels=labels, Z2=Z2):
            lines, majority = line_labels(found, labels)
            partition_agreement(labels, Z2)
            return [PALETTE[int(label) % len(PALETTE)] for label in majority]

        cut_seconds, colours = best_of(recolour, repeat)
        names = [str(i) for i in range(n)]
        figure_seconds, figure = best_of(
            lambda found=found, colours=colours, names=names, a=first, b=second: tanglegram_figure(
                found, colours, a, b, names
            ),
            repeat,
        )
        table.rows.append(
            [
                f"{n:,}",
                f"{first} / {second}",
                f"{found.tree1.n_leaves} / {found.tree2.n_leaves}",
                f"{seconds:.2f}",
                f"{cut_seconds * 1e3:.0f}",
                f"{figure_seconds * 1e3:.0f}",
                f"{len(figure.to_json()) / 1e3:.0f}",
                f"{found.entanglement_drawn:.3f} → {found.entanglement:.3f}",
            ]
        )
        print(f"  tanglegram n={n}: compare {seconds:.2f} s", file=sys.stderr, flush=True)
    table.notes += [
        "Best of 3 (1 at 100,000) with time.perf_counter; gaussian_blobs data (5 centres, 2-D).",
        "Above 1,000 samples both trees are truncated to 60 drawn leaves and the two "
        "correlations are estimated from 200,000 random pairs (hclust/compare.py).",
    ]
    return [table]
