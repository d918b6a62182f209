"""Figures of the merges step by step: the tree up to merge i, the samples after i merges.

Plain functions, arrays in, plotly's figure JSON out. Pinned merges are drawn red then
yellow, as the tutorial highlights the samples of ``Z[13]`` and ``Z[14]``.
"""

from __future__ import annotations

import numpy as np

from components.figures import (
    HEIGHT_HOVER_FORMAT,
    HEIGHT_TICKFORMAT,
    PIN_COLOURS,
    _base_layout,
    _hover_targets,
    _tours,
    child_links,
    label_stride,
    unchecked_figure,
)
from components.plain_figure import PlainFigure
from hclust.cut import PALETTE
from hclust.dendrogram import DendrogramGeometry
from hclust.merge_steps import format_height

DONE_COLOUR = "#4A4A4A"
STEP_COLOUR = "#111111"
FUTURE_COLOUR = "#E2E2E2"
SINGLETON_COLOUR = "#B8B8B8"
GUESS_COLOUR = "#1F5FBF"
# The step's tree shows heights up to this many times the current merge's.
ZOOM_ABOVE_STEP = 3.0


def _link_trace(geometry, children, chosen, colour, width, name):
    # an unbroken line per group of links that meet: a piece per link is a <path> each
    pos, h = _tours(geometry, chosen, *children)
    return dict(
        type="scatter",
        x=pos,
        y=h,
        mode="lines",
        line=dict(color=colour, width=width, shape="linear"),
        hoverinfo="skip",
        showlegend=False,
        name=name,
    )


def step_dendrogram_figure(
    geometry: DendrogramGeometry,
    Z: np.ndarray,
    step: int,
    leaf_names: list,
    *,
    pins: tuple = (),
    show_step: bool = True,
    font_size: int = 12,
) -> PlainFigure:
    """The tree as it stands after merge `step`: earlier merges dark, later ones pale.

    Parameters
    ----------
    geometry : DendrogramGeometry
    Z : ndarray
    step : int
        Row of Z drawn as the current merge (thick).
    leaf_names : list of str
    pins : tuple of int
        Rows of Z drawn in :data:`PIN_COLOURS`.
    show_step : bool
        False while the student predicts the merge: it is drawn as a later one.
    font_size : int
        Leaf labels, thinned where they would overlap.

    Notes
    -----
    Trace 0 holds a hover target per drawn merge (no marker drawn), its ``customdata`` the row of Z (a
    plain list, so a click event carries it): clicking a merge steps to it.
    """
    merges = geometry.merges
    done = merges < step
    current = (merges == step) & show_step
    children = child_links(geometry, Z)
    traces = [
        dict(
            type="scatter",
            x=geometry.x_merge.tolist(),
            y=geometry.height.tolist(),
            **_hover_targets("scatter", 10),
            customdata=merges.tolist(),
            hovertemplate=(
                f"merge %{{customdata}} at height %{{y:{HEIGHT_HOVER_FORMAT}}}"
                "<br>click to step here<extra></extra>"
            ),
            showlegend=False,
            name="merges",
        )
    ]
    later = ~done & ~current
    for chosen, colour, width, name in (
        (later, FUTURE_COLOUR, 1.2, "later merges"),
        (done, DONE_COLOUR, 1.6, "merges done"),
    ):
        if chosen.any():
            traces.append(_link_trace(geometry, children, chosen, colour, width, name))
    if show_step and current.any():
        traces.append(_link_trace(geometry, children, current, STEP_COLOUR, 4, "this merge"))
    for colour, pin in zip(PIN_COLOURS, pins):
        chosen = merges == pin
        if chosen.any():
            traces.append(_link_trace(geometry, children, chosen, colour, 5, f"pinned merge {pin}"))
    n = Z.shape[0] + 1
    ticks = [
        leaf_names[node] if node < n else f"({size})"
        for node, size in zip(geometry.leaf_nodes.tolist(), geometry.leaf_sizes.tolist())
    ]
    every = label_stride(ticks, font_size, -90)
    ticks = [t if r % every == 0 else "" for r, t in enumerate(ticks)]
    layout = _base_layout(
        f"Tree after merge {step}" if show_step else f"Tree after {step} merges",
        "sample" + (" (every label)" if every == 1 else f" (every {every}th label)"),
        "merge distance",
    )
    top = float(geometry.height.max()) if geometry.n_links else 1.0
    layout["xaxis"].update(
        tickmode="array",
        tickvals=geometry.leaf_x.tolist(),
        ticktext=ticks,
        tickangle=-90,
        tickfont=dict(size=font_size),
        range=[0, 10 * len(geometry.leaf_nodes)],
    )
    upper = top * 1.05 or 1.0
    if show_step and 0 <= step < len(Z) and Z[step, 2] > 0:
        # an early merge at 0.17 under a root at 180 is a flat line: focus on heights
        # near this merge (double-click the plot for the whole tree)
        upper = min(upper, float(Z[step, 2]) * ZOOM_ABOVE_STEP)
    layout["yaxis"].update(range=[0, upper], tickformat=HEIGHT_TICKFORMAT)
    if upper < top:
        layout["title"]["text"] += f" (0–{format_height(upper)} of {format_height(top)})"
        layout["yaxis"]["title"]["text"] = "merge distance (double-click: all)"
    if show_step and 0 <= step < len(Z):
        layout["shapes"] = [
            dict(
                type="line",
                xref="paper",
                x0=0,
                x1=1,
                y0=float(Z[step, 2]),
                y1=float(Z[step, 2]),
                line=dict(color=STEP_COLOUR, width=1, dash="dot"),
            )
        ]
    layout["uirevision"] = "merge-dendrogram"
    return unchecked_figure(traces, layout)


def _ring(xy, samples, colour, name, size=15, width=2.5):
    return dict(
        type="scatter",
        x=xy[samples, 0].tolist(),
        y=xy[samples, 1].tolist(),
        mode="markers",
        marker=dict(size=size, color="rgba(0,0,0,0)", line=dict(color=colour, width=width)),
        hoverinfo="skip",
        showlegend=True,
        name=name,
    )


def step_scatter_figure(
    xy: np.ndarray,
    node_of_sample: np.ndarray,
    shown: np.ndarray,
    axis_titles: tuple,
    *,
    step: int,
    rings: dict | None = None,
    pins: dict | None = None,
    evidence: dict | None = None,
    guesses: dict | None = None,
) -> PlainFigure:
    """The samples after `step` merges, each cluster of two or more in a colour.

    Parameters
    ----------
    xy : ndarray of shape (n, 2)
    node_of_sample : ndarray of int
        The cluster (node id) of each sample (:func:`hclust.merge_steps.clusters_after`).
    shown : ndarray of int
        The samples drawn (all, or a fixed sample of a large dataset).
    axis_titles : (str, str)
    rings : dict, optional
        ``{name: samples}``: the two clusters merged at this step, ringed.
    pins : dict, optional
        ``{merge row: samples}`` in pin order, filled red then yellow.
    evidence : dict, optional
        What decided the distance: ``{"pair": (i, j)}`` for a closest or
        farthest pair (a line between them), ``{"centres": (xy_a, xy_b)}``
        for centroids or centres (crosses joined by a line).
    guesses : dict, optional
        ``{name: samples}``: the clusters the student picked.

    Notes
    -----
    Every point trace's ``customdata`` is the sample index as a plain list, so
    a click names the sample (typed arrays do not reach click events).
    """
    shown = np.asarray(shown, dtype=np.int64)
    nodes = node_of_sample[shown]
    unique, counts = np.unique(node_of_sample, return_counts=True)
    size_of = dict(zip(unique.tolist(), counts.tolist()))
    traces = []
    singles = np.array([size_of[v] == 1 for v in nodes.tolist()], dtype=bool)
    groups = [(SINGLETON_COLOUR, shown[singles], "one sample each")]
    multi = shown[~singles]
    if len(multi):
        colour_index = node_of_sample[multi] % len(PALETTE)
        for c in np.unique(colour_index).tolist():
            groups.append((PALETTE[c], multi[colour_index == c], "clusters"))
    for colour, samples, name in groups:
        if not len(samples):
            continue
        traces.append(
            dict(
                type="scatter",
                x=xy[samples, 0].tolist(),
                y=xy[samples, 1].tolist(),
                mode="markers",
                marker=dict(size=8, color=colour, line=dict(width=0)),
                customdata=samples.tolist(),
                text=[f"cluster {int(v)}" for v in node_of_sample[samples].tolist()],
                hovertemplate="sample %{customdata} · %{text}<br>click to pick<extra></extra>",
                showlegend=False,
                name=name,
            )
        )
    for colour, (row, samples) in zip(PIN_COLOURS, (pins or {}).items()):
        traces.append(
            dict(
                type="scatter",
                x=xy[samples, 0].tolist(),
                y=xy[samples, 1].tolist(),
                mode="markers",
                marker=dict(size=11, color=colour, line=dict(color="#111111", width=1)),
                customdata=np.asarray(samples).tolist(),
                hovertemplate=f"sample %{{customdata}} · in merge {row}<extra></extra>",
                showlegend=True,
                name=f"merge {row} (pinned)",
            )
        )
    for name, samples in (guesses or {}).items():
        traces.append(_ring(xy, samples, GUESS_COLOUR, name, size=13, width=2))
    for name, samples in (rings or {}).items():
        traces.append(_ring(xy, samples, STEP_COLOUR, name))
    if evidence and evidence.get("pair") is not None:
        i, j = evidence["pair"]
        traces.append(
            dict(
                type="scatter",
                x=[float(xy[i, 0]), float(xy[j, 0])],
                y=[float(xy[i, 1]), float(xy[j, 1])],
                mode="lines+markers",
                line=dict(color=STEP_COLOUR, width=2, dash="dash"),
                marker=dict(size=6, color=STEP_COLOUR),
                hoverinfo="skip",
                name=evidence.get("name", "deciding pair"),
            )
        )
    if evidence and evidence.get("centres") is not None:
        a, b = evidence["centres"]
        traces.append(
            dict(
                type="scatter",
                x=[float(a[0]), float(b[0])],
                y=[float(a[1]), float(b[1])],
                mode="lines+markers",
                line=dict(color=STEP_COLOUR, width=2, dash="dot"),
                marker=dict(size=14, symbol="x", color=STEP_COLOUR),
                hoverinfo="skip",
                name=evidence.get("name", "centroids"),
            )
        )
    layout = _base_layout(f"Samples after {step} merges", axis_titles[0], axis_titles[1])
    layout["xaxis"].update(showgrid=True, gridcolor="#ECECEC")
    layout["legend"] = dict(orientation="h", x=0, y=-0.3, yanchor="top")
    layout["margin"] = dict(l=56, r=16, t=40, b=110)
    layout["uirevision"] = "merge-scatter"
    return unchecked_figure(traces, layout)
