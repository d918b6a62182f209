"""Write the fixtures the Node tests of assets/cut_core.js compare against.

For many random trees (every method, ties, inversions, truncated and
oriented dendrograms) and a chain of cuts on each, this records the index
the server sends (components/recolour.py) and what the Python side draws
for each cut: fcluster's labels (hclust.cut.labels_at), the stable colours
(hclust.cut.assign_colours, starting from the previous cut's colour map as
callbacks/views.py keeps it), link and leaf colours (hclust.dendrogram), the
legend (components.figures.cluster_legend), the scatter's colour groups
(components.figures.colour_groups), their marker symbols (scatter_figure) and
the dendrogram's traces
(components.figures.dendrogram_figure).

Usage: python tests/js/make_fixtures.py [OUT_DIR]   (default tests/js/fixtures, gitignored)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import linkage

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from components.figures import (  # noqa: E402
    _oriented,
    _steps,
    cluster_legend,
    colour_groups,
    dendrogram_figure,
    scatter_figure,
)
from components.recolour import geometry_id, recolour_index  # noqa: E402
from hclust.cut import (  # noqa: E402
    TreeIndex,
    assign_colours,
    colour_hex,
    height_for_k,
    labels_at,
)
from hclust.dendrogram import (  # noqa: E402
    dendrogram_geometry,
    leaf_colour_indices,
    link_colour_indices,
)

METHODS = ("single", "complete", "average", "weighted", "ward", "centroid", "median")
ORIENTATIONS = ("top", "bottom", "left", "right")
TREES = 80


def random_data(rng, n, ties=True):
    """Gaussian blobs, or small integers (tied distances) one time in three."""
    m = int(rng.integers(1, 4))
    if ties and rng.random() < 1 / 3:
        return rng.integers(0, 4, size=(n, m)).astype(float)
    centres = rng.normal(scale=rng.uniform(1, 20), size=(int(rng.integers(1, 6)), m))
    return centres[rng.integers(0, len(centres), n)] + rng.normal(size=(n, m))


def cut_heights(rng, tree, count):
    """Gaps between distinct heights, the heights themselves (ties), 0 and above the top."""
    levels = np.unique(tree.sorted_heights)
    gaps = (levels[:-1] + levels[1:]) / 2 if len(levels) > 1 else levels
    pool = np.concatenate([gaps, levels, [0.0, levels[-1] * 1.1 + 1]])
    return [float(h) for h in rng.choice(pool, size=count)]


def _numbers(values):
    """Floats for JSON, the gaps between links (NaN) as null."""
    values = np.asarray(values, dtype=float)
    return [None if np.isnan(v) else v for v in values.tolist()]


def traces_of(figure):
    return [
        {
            "name": trace.name,
            "type": trace.type,
            "colour": trace.line.color if trace.mode == "lines" else list(trace.marker.color),
            "x": _numbers(trace.x),
            "y": _numbers(trace.y),
        }
        for trace in figure.data
        if trace.name not in ("merges", "leaves", "contracted merges")
    ]


def one_cut(Z, tree, geometry, orientation, h, colour_map):
    """What the server draws for a cut at h, as callbacks/views.py computes it."""
    labels = labels_at(Z, h)
    roots, pure = tree.partition_roots(labels)
    colours = assign_colours(tree, roots, colour_map["nodes"] if colour_map else None)
    root_labels = tree.root_labels(roots, labels)
    label_colours = {int(label): colour_hex(int(c)) for label, c in zip(root_labels, colours)}
    node_colours = {str(int(node)): int(c) for node, c in zip(roots, colours)}
    links = link_colour_indices(geometry, tree, roots, colours, pure)
    leaves = leaf_colour_indices(geometry, tree, roots, colours)
    names = [str(i) for i in range(tree.n)]
    figure = dendrogram_figure(
        geometry, links, h, names, Z, orientation=orientation, leaf_colours=leaves
    )
    return {
        "height": h,
        "previous": colour_map,
        "labels": labels.tolist(),
        "node_colours": node_colours,
        "link_colours": links.tolist(),
        "leaf_colours": leaves.tolist(),
        "legend": cluster_legend(labels, label_colours)[0]["text"],
        "groups": [
            [colour, samples.tolist()] for colour, samples in colour_groups(labels, label_colours)
        ],
        "traces": traces_of(figure),
        # each colour's links as a WebGL tree draws them: 3 points and a gap a link
        "steps": [
            [
                _numbers(values)
                for values in _oriented(*_steps(geometry, links == colour), orientation)
            ]
            for colour in np.unique(links)
        ],
        # the scatter's marker symbol per colour group, as scatter_figure draws it
        "symbols": [
            trace.marker.symbol
            for trace in scatter_figure(
                np.zeros((tree.n, 2)), labels, label_colours, ("x", "y"), None
            ).data
        ],
    }, {
        "nodes": node_colours,
        "spans": {
            node: [int(tree.start[int(node)]), int(tree.size[int(node)])] for node in node_colours
        },
    }


def typed_ks(rng, tree):
    """height_for_k for a typed k: every k of a small tree, else a sample with both ends."""
    n = tree.n
    ks = range(1, n + 1) if n <= 80 else sorted({1, 2, n - 1, n, *rng.integers(1, n + 1, 40)})
    return [[int(k), height_for_k(tree.sorted_heights, int(k)).height] for k in ks]


def adjacent_heights_tree():
    """Merge heights one float apart, a tie, identical samples: where midpoints round onto a height.

    A chain: leaf i joins the cluster of leaves 0..i-1 at heights[i - 1].
    """
    one = 1.0
    heights = [0.0, 0.0, 0.5, one, np.nextafter(one, 2), np.nextafter(np.nextafter(one, 2), 2)]
    heights += [2.0, 2.0, 3.0]
    n = len(heights) + 1
    Z = np.array(
        [[0 if i == 0 else n + i - 1, i + 1, h, i + 2] for i, h in enumerate(heights)], dtype=float
    )
    Z[0, :2] = [0, 1]
    return Z


def one_tree(seed, n, deep=False, Z=None):
    """A random tree and a chain of cuts; `deep` adds cuts below what the index holds."""
    rng = np.random.default_rng(seed)
    method = METHODS[seed % len(METHODS)]
    if Z is None:
        Z = linkage(random_data(rng, n, ties=not deep), method)
    tree = TreeIndex.from_linkage(Z)
    mode = ("none", "lastp", "level")[int(rng.integers(0, 3))]
    p = int(rng.integers(2, 40))
    orientation = ORIENTATIONS[int(rng.integers(0, 4))]
    geometry = dendrogram_geometry(Z, tree, mode, p)
    key = geometry_id(
        {"key": str(seed), "method": method, "metric": "euclidean"}, mode, p, None, orientation
    )
    index = recolour_index(tree, Z, geometry, orientation, key)
    cuts, colour_map = [], None
    heights = cut_heights(rng, tree, 8)
    if deep:
        heights[2:2] = [index["floor"] / 2, float(np.median(tree.sorted_heights))]
    for h in heights:
        if index["floor"] is not None and h < index["floor"]:
            cuts.append({"height": h, "previous": colour_map, "beyond_index": True})
            continue
        expected, colour_map = one_cut(Z, tree, geometry, orientation, h, colour_map)
        cuts.append(expected)
    return {
        "seed": seed,
        "n": n,
        "method": method,
        "truncate": [mode, p],
        "index": index,
        "cuts": cuts,
        "ks": typed_ks(rng, tree),
    }


def typed_field_cases(trees):
    """Whether callbacks/cut.py's typed_field asks for a field, after Enter or Tab away, for
    committed cuts of the fixture trees and values typed near them (assets/typed_cut.js)."""
    from callbacks.cut import typed_field

    rng = np.random.default_rng(7)
    cases = []
    for tree in trees[:20]:
        for cut in tree["cuts"]:
            if "labels" not in cut:
                continue
            h = cut["height"]
            state = {"criterion": "distance", "height": h, "k": len(set(cut["labels"]))}
            k = state["k"]
            heights = [h, round(h, 6), round(h, 4), h + 1e-7, float(rng.uniform(0, 2 * h + 1))]
            for field, prop, values in (
                ("k", "n-clusters", [k, k + 1, max(1, k - 1), None]),
                ("height", "cut-height", [*heights, None]),
            ):
                for value in values:
                    text = "" if value is None else repr(value)
                    for how, event in (("submit", "n_submit"), ("blur", "n_blur")):
                        typed = {"cut-height": None, "n-clusters": None}
                        typed[prop] = None if value is None else float(text)
                        asked = typed_field(
                            [f"{prop}.{event}"], state, typed["cut-height"], typed["n-clusters"]
                        )
                        cases.append([how, field, text, state, asked is not None])
    return cases


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    trees = [
        one_tree(seed, int(np.random.default_rng(seed).integers(2, 250))) for seed in range(TREES)
    ]
    # deeper than the index: a floor, and cuts the browser leaves to the server
    trees.append(one_tree(TREES, 2_150, deep=True))
    Z = adjacent_heights_tree()
    trees.append(one_tree(TREES + 1, len(Z) + 1, Z=Z))
    (out_dir / "trees.json").write_text(json.dumps(trees, allow_nan=False))
    print(f"wrote {len(trees)} trees to {out_dir / 'trees.json'}")
    cases = typed_field_cases(trees)
    (out_dir / "typed_fields.json").write_text(json.dumps(cases, allow_nan=False))
    print(f"wrote {len(cases)} typed-field cases to {out_dir / 'typed_fields.json'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "fixtures")
