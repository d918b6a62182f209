"""Plotly.react of the dendrogram between cuts, its hover targets drawn as SVG markers
(as before) or not drawn at all (``mode: 'none'``, components/figures.py): issue #12 §5.

Both variants are the same figure builder's output for the same cuts of the tutorial's
X2 (750 samples, ward); only the hover targets' drawing differs. The page (the local
plotly bundle in headless Chromium, no Dash) redraws them in turn, A and B interleaved
so that both meet the same load.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

import components.figures as figures
from bench.common import Table
from devtools.local_app import headless_chromium
from hclust.cut import TreeIndex, assign_colours, height_for_k, labels_at
from hclust.data import tutorial_blobs
from hclust.dendrogram import dendrogram_geometry, link_colour_indices
from hclust.linkage import compute_linkage

PLOTLY = Path(__file__).resolve().parent.parent / "assets" / "plotly-strict.min.js"
KS = (40, 300, 600)

REDRAWS = """
const [figs, variant, rounds, done] = arguments;
const gd = document.getElementById('g');
Plotly.purge(gd);
const first = JSON.parse(figs[variant + KS[0]]);
Plotly.newPlot(gd, first.data, first.layout).then(async () => {
  const times = [];
  for (let r = 0; r < rounds; r++) {
    for (const k of KS.slice(1).concat([KS[0]])) {
      const f = JSON.parse(figs[variant + k]);  // new arrays, as a server's answer brings
      const t0 = performance.now();
      await Plotly.react(gd, f.data, f.layout);
      times.push(performance.now() - t0);
    }
  }
  done(times);
});
"""


def _markers(kind, size):
    """The hover targets as they were drawn before: invisible SVG markers."""
    return dict(mode="markers", marker=dict(size=size, color="rgba(0,0,0,0.01)"))


def _figures() -> dict:
    _, X2 = tutorial_blobs()
    Z = compute_linkage(X2, "ward", "euclidean")
    tree = TreeIndex.from_linkage(Z)
    geometry = dendrogram_geometry(Z, tree, "none", 30)
    names = [str(i) for i in range(len(X2))]
    built = {}
    drawn = figures._hover_targets
    try:
        for variant, targets in (("A", _markers), ("B", drawn)):
            figures._hover_targets = targets
            for k in KS:
                height = height_for_k(tree.sorted_heights, k).height
                labels = labels_at(Z, height)
                roots, pure = tree.partition_roots(labels)
                links = link_colour_indices(
                    geometry, tree, roots, assign_colours(tree, roots), pure
                )
                figure = figures.dendrogram_figure(geometry, links, height, names, Z)
                built[f"{variant}{k}"] = figure.to_json()
    finally:
        figures._hover_targets = drawn
    return built


def run(quick: bool = False) -> list[Table]:
    """Median and fastest Plotly.react of X2's dendrogram from one cut to another."""
    built = _figures()
    rounds, repeats = (1, 2) if quick else (2, 6)
    times = {"A": [], "B": []}
    with tempfile.TemporaryDirectory() as folder, headless_chromium() as driver:
        page = Path(folder) / "page.html"
        page.write_text(
            '<html><body><div id="g" style="width:600px;height:450px"></div>'
            f'<script src="{PLOTLY.as_uri()}"></script>'
            f"<script>const KS = {list(KS)};</script></body></html>"
        )
        driver.get(page.as_uri())
        driver.set_script_timeout(300)
        for r in range(repeats):
            for variant in ("A", "B") if r % 2 == 0 else ("B", "A"):
                times[variant] += driver.execute_async_script(REDRAWS, built, variant, rounds)
    load = os.getloadavg()[0]
    rows = []
    for variant, words in (("A", "SVG markers (before)"), ("B", "not drawn (mode 'none')")):
        median, fastest = statistics.median(times[variant]), min(times[variant])
        print(
            f"  dendrogram_redraw {words}: median {median:.0f} ms, fastest {fastest:.0f} ms",
            file=sys.stderr,
            flush=True,
        )
        rows.append([words, len(times[variant]), f"{median:.0f}", f"{fastest:.0f}", f"{load:.1f}"])
    notes = [
        "X2's dendrogram (749 merges, SVG) redrawn by Plotly.react from one cut to the next "
        f"(k = {', '.join(map(str, KS))}), each figure parsed from its JSON as a server's "
        "answer arrives; the hover targets (one per merge) drawn as invisible SVG markers (A) "
        "or not drawn (B: plotly finds the hovered point from the data). A and B interleaved.",
        "'load' is the 1-minute load average at the end (2 cores, shared).",
    ]
    return [
        Table(
            "Dendrogram redraw per cut: hover targets drawn or not",
            ["hover targets", "redraws", "median ms", "fastest ms", "load"],
            rows,
            notes,
        )
    ]
