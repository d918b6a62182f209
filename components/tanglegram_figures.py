"""The tanglegram: two dendrograms facing each other, their leaves joined by lines.

A plain function of arrays (:class:`hclust.compare.TreeComparison` and colours), no Dash.
The left tree grows from x = 0 (its root) to its leaves at x = 1, the right one from its
leaves at x = 2 to its root at x = 3; each tree's heights are scaled to its own tallest
merge, since two methods' heights are not on one scale. Leaves run from top to bottom in
the untangled orders.
"""

from __future__ import annotations

import numpy as np

from components.figures import FONT, unchecked_figure
from components.plain_figure import PlainFigure
from hclust.compare import TreeComparison

TREE_COLOUR = "#4a5563"
LEFT_LEAVES, RIGHT_LEAVES = 1.0, 2.0
# lines carrying several samples (truncated trees) are drawn up to this wide
MAX_LINE_WIDTH = 6.0


def _tree_path(tree, order, leaf_x, direction):
    """x, y of every link of `tree` as elbows, None-separated; leaves at x = `leaf_x`."""
    P = tree.n_leaves
    y = np.empty(P + len(tree.children))
    y[order] = -np.arange(P, dtype=float)
    top = float(tree.heights.max()) if len(tree.heights) else 0.0
    scale = 1.0 / top if top > 0 else 0.0
    h = np.concatenate([np.zeros(P), tree.heights])
    for i, (a, b) in enumerate(tree.children.tolist()):
        y[P + i] = (y[a] + y[b]) / 2
    a, b = tree.children[:, 0], tree.children[:, 1]
    merge = P + np.arange(len(tree.children))
    x = lambda height: leaf_x + direction * height * scale  # noqa: E731
    count = len(merge)
    xs = np.full((count, 5), np.nan)
    ys = np.full((count, 5), np.nan)
    xs[:, 0], ys[:, 0] = x(h[a]), y[a]
    xs[:, 1], ys[:, 1] = x(h[merge]), y[a]
    xs[:, 2], ys[:, 2] = x(h[merge]), y[b]
    xs[:, 3], ys[:, 3] = x(h[b]), y[b]
    return xs.ravel(), ys.ravel(), y[:P], top


def tanglegram_figure(
    comparison: TreeComparison,
    line_colours: list[str],
    left_title: str,
    right_title: str,
    leaf_names: list[str] | None = None,
) -> PlainFigure:
    """Two trees facing each other, their leaves joined by lines in the cut's colours.

    Parameters
    ----------
    comparison : TreeComparison
    line_colours : list of str
        Colour of each line of :func:`hclust.compare.line_labels`, in its order.
    left_title, right_title : str
        What each tree is (method and metric).
    leaf_names : list of str, optional
        A name per sample, for the hovers of trees that are not truncated.
    """
    from hclust.compare import LineBundle

    t1, t2 = comparison.tree1, comparison.tree2
    x1, y1, leaf_y1, top1 = _tree_path(t1, comparison.order1, LEFT_LEAVES, -1.0)
    x2, y2, leaf_y2, top2 = _tree_path(t2, comparison.order2, RIGHT_LEAVES, 1.0)
    lines = LineBundle.between(t1, t2)
    if len(line_colours) != len(lines.a):
        raise ValueError("give one colour per line")
    traces = [
        dict(
            type="scatter",
            x=np.concatenate([x1, [np.nan], x2]),
            y=np.concatenate([y1, [np.nan], y2]),
            mode="lines",
            line=dict(color=TREE_COLOUR, width=1),
            hoverinfo="skip",
            name="trees",
            showlegend=False,
        )
    ]
    heaviest = float(lines.weight.max())
    widths = (
        np.ones(len(lines.a))
        if heaviest <= 1
        else np.round(2 * (1 + (MAX_LINE_WIDTH - 1) * np.sqrt(lines.weight / heaviest))) / 2
    )
    colours = np.asarray(line_colours)
    for colour in dict.fromkeys(line_colours):
        for width in np.unique(widths[colours == colour]):
            chosen = np.flatnonzero((colours == colour) & (widths == width))
            xs = np.tile([LEFT_LEAVES, RIGHT_LEAVES, np.nan], len(chosen))
            ys = np.column_stack(
                [leaf_y1[lines.a[chosen]], leaf_y2[lines.b[chosen]], np.full(len(chosen), np.nan)]
            ).ravel()
            traces.append(
                dict(
                    type="scatter",
                    x=xs,
                    y=ys,
                    mode="lines",
                    line=dict(color=colour, width=float(width)),
                    opacity=0.8,
                    hoverinfo="skip",
                    name=f"lines {colour}",
                    showlegend=False,
                )
            )
    for tree, leaf_y, x, side in (
        (t1, leaf_y1, LEFT_LEAVES, "left"),
        (t2, leaf_y2, RIGHT_LEAVES, "right"),
    ):
        if tree.truncated:
            text = [f"{int(size):,} samples" for size in tree.leaf_sizes]
        elif leaf_names is not None:
            text = [str(leaf_names[int(node)]) for node in tree.leaf_nodes]
        else:
            text = [f"sample {int(node)}" for node in tree.leaf_nodes]
        traces.append(
            dict(
                type="scatter",
                x=np.full(tree.n_leaves, x),
                y=leaf_y,
                mode="markers",
                marker=dict(size=4, color=TREE_COLOUR),
                text=text,
                hovertemplate="%{text}<extra>" + side + " tree</extra>",
                name=f"{side} leaves",
                showlegend=False,
            )
        )
    rows = max(t1.n_leaves, t2.n_leaves)
    annotations = [
        dict(text=text, x=x, y=1.0, xref="x", yref="paper", yanchor="bottom", showarrow=False)
        for text, x in (
            (f"<b>{left_title}</b><br>height 0 – {top1:.4g}", 0.5),
            (f"<b>{right_title}</b><br>height 0 – {top2:.4g}", 2.5),
        )
    ]
    return unchecked_figure(
        traces,
        dict(
            template="none",
            font=FONT,
            xaxis=dict(visible=False, range=[-0.05, 3.05], fixedrange=True),
            yaxis=dict(visible=False, range=[-rows + 0.5, 0.5]),
            margin=dict(l=10, r=10, t=60, b=10),
            plot_bgcolor="white",
            paper_bgcolor="white",
            annotations=annotations,
            hovermode="closest",
            meta={"leaves": [int(t1.n_leaves), int(t2.n_leaves)], "lines": int(len(lines.a))},
        ),
    )
