"""Section ``figure``: our dendrogram figure versus plotly's create_dendrogram.

Both sides get the same ward linkage Z of the same 2-D data and colour the
links at the same cut (the page's default, the largest gap between merge
heights), and neither computes distances or Z inside the timing:
create_dendrogram is given ``distfun=lambda _: None, linkagefun=lambda _: Z``.
"""

from __future__ import annotations

import inspect
import json
import sys
import time

import plotly.figure_factory as ff
import plotly.graph_objects as go

from components.figures import dendrogram_figure
from hclust.cut import TreeIndex, assign_colours, labels_at, largest_gap_cut
from hclust.dendrogram import dendrogram_geometry, link_colour_indices
from hclust.linkage import compute_linkage

from .common import Table, best_of, gaussian_blobs, ratio, verdict

SIZES = (1_000, 2_000, 5_000)
QUICK_SIZES = (200, 500)
REPEAT = 5
TIME_TARGET = 0.05  # ours / plotly build time
PAYLOAD_TARGET = 0.3  # ours / plotly len(fig.to_json())


def link_colours(Z, tree, geometry, height):
    """Palette index per drawn link for a cut at `height`, as the page colours it.

    Follows both signatures ``link_colour_indices`` has had: the last
    argument is either the cut height or the mask of pure nodes.
    """
    if list(inspect.signature(link_colour_indices).parameters)[-1] == "pure":
        roots, pure = tree.partition_roots(labels_at(Z, height))
        return link_colour_indices(geometry, tree, roots, assign_colours(tree, roots), pure)
    roots = tree.cluster_roots(height)
    return link_colour_indices(geometry, tree, roots, assign_colours(tree, roots), height)


def ours(Z, names):
    """Our pipeline, timed per stage: ``(figure, {stage: seconds})``."""
    t0 = time.perf_counter()
    tree = TreeIndex.from_linkage(Z)
    geometry = dendrogram_geometry(Z, tree, truncate_mode="none")
    t1 = time.perf_counter()
    height = largest_gap_cut(tree.sorted_heights)
    colours = link_colours(Z, tree, geometry, height)
    t2 = time.perf_counter()
    fig = dendrogram_figure(geometry, colours, height, names, Z)
    t3 = time.perf_counter()
    return fig, {"geometry": t1 - t0, "colours": t2 - t1, "figure": t3 - t2}


def plotly_dendrogram(X, Z, height):
    """plotly's figure factory on the same Z, coloured at the same height."""
    return ff.create_dendrogram(
        X, distfun=lambda _: None, linkagefun=lambda _: Z, color_threshold=height
    )


def run(quick: bool = False) -> list[Table]:
    """Build time and JSON payload, ours versus plotly, at each size."""
    sizes = QUICK_SIZES if quick else SIZES
    table = Table(
        "Dendrogram figure: ours vs plotly.figure_factory.create_dendrogram (ward, full tree)",
        [
            "n",
            "ours geometry ms",
            "ours colours ms",
            "ours figure ms",
            "ours total ms",
            "plotly ms",
            "time ratio",
            f"time ≤ {TIME_TARGET}",
            "ours JSON KB",
            "plotly JSON KB",
            "payload ratio",
            f"payload ≤ {PAYLOAD_TARGET}",
        ],
    )
    warm = gaussian_blobs(50, seed=1)  # first use imports plotly's validators
    warm_z = compute_linkage(warm, "ward", "euclidean")
    ours(warm_z, [str(i) for i in range(50)])[0].to_json()
    plotly_dendrogram(warm, warm_z, 1.0).to_json()
    for n in sizes:
        X = gaussian_blobs(n)
        Z = compute_linkage(X, "ward", "euclidean")
        names = [str(i) for i in range(n)]
        total, (fig, stages) = best_of(lambda Z=Z, names=names: ours(Z, names), REPEAT)
        height = largest_gap_cut(TreeIndex.from_linkage(Z).sorted_heights)
        theirs, their_fig = best_of(
            lambda X=X, Z=Z, height=height: plotly_dendrogram(X, Z, height), REPEAT
        )
        size, their_size = len(fig.to_json()), len(their_fig.to_json())
        table.rows.append(
            [
                f"{n:,}",
                *(f"{stages[k] * 1e3:.1f}" for k in ("geometry", "colours", "figure")),
                f"{total * 1e3:.1f}",
                f"{theirs * 1e3:.0f}",
                ratio(total, theirs),
                verdict(total / theirs <= TIME_TARGET),
                f"{size / 1e3:.0f}",
                f"{their_size / 1e3:.0f}",
                ratio(size, their_size),
                verdict(size / their_size <= PAYLOAD_TARGET),
            ]
        )
        print(
            f"  figure n={n}: ours {total * 1e3:.1f} ms, plotly {theirs * 1e3:.0f} ms; "
            f"JSON {size:,} vs {their_size:,} bytes",
            file=sys.stderr,
            flush=True,
        )
    table.notes += [
        f"Best of {REPEAT} (time.perf_counter). Z is computed once per size outside the timing; "
        "'ours total' = TreeIndex.from_linkage + dendrogram_geometry(truncate_mode='none') "
        "+ link colours at the largest-gap cut + dendrogram_figure.",
        "plotly is timed with distfun and linkagefun stubbed out, so it pays neither pdist nor linkage, "
        "and uses color_threshold = the same cut height.",
        "Payload = len(fig.to_json()). plotly draws one trace per link; ours one trace per colour "
        "(base64-encoded typed arrays) plus one marker trace carrying the per-merge hover text.",
        _payload_breakdown(fig, size),
    ]
    return [table]


def _payload_breakdown(fig, size) -> str:
    """Where our JSON bytes go: link traces, merge markers (and their hover text), layout."""
    empty = len(go.Figure().to_json())
    parts = {}
    for trace in fig.data:
        kind = (
            "merge markers"
            if trace.name == "merges"
            else "links"
            if trace.mode == "lines"
            else "other traces"
        )
        parts[kind] = parts.get(kind, 0) + len(go.Figure(data=[trace]).to_json()) - empty
    parts["layout"] = len(go.Figure(layout=fig.layout).to_json()) - empty
    text = next((t.text for t in fig.data if t.name == "merges" and t.text is not None), None)
    hover = f" (hover text {len(json.dumps(list(text))) / 1e3:,.0f} KB)" if text is not None else ""
    shares = ", ".join(
        f"{kind} {b / 1e3:,.0f} KB{hover if kind == 'merge markers' else ''}"
        for kind, b in parts.items()
    )
    return f"Our payload at the largest n ({size / 1e3:,.0f} KB): {shares}."
