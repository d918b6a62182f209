"""The clustergram: a heatmap of the features, rows in the dendrogram's leaf order.

Arrays in, plotly's figure JSON out; no Dash. Three parts share the row axis or the
column axis:

- trace 0, the heatmap (axes x, y): one row per sample or per drawn leaf;
- trace 1, the cluster bar's points (axes x2, y): one per row, invisible, carrying
  the hover and the box or lasso selection (a heatmap trace cannot be selected);
- trace 2, marks beside the bar for highlighted rows (axes x2, y);
- trace 3, the cluster bar's colours (axes x2, y): a one-column heatmap, one cell
  per row in its cluster's colour;
- trace 4, when columns are clustered, their dendrogram (axes x3, y2, over x's span).
"""

from __future__ import annotations

import numpy as np
from plotly.colors import get_colorscale

from components.figures import FONT, HIGHLIGHT_COLOUR, unchecked_figure
from components.plain_figure import PlainFigure
from hclust.dendrogram import DendrogramGeometry

SCALES = {
    "values": "values after scaling",
    "zscore": "z-score per column",
}
# As plotly expands the names (plotly.js knows no reversed "_r" scales).
COLOUR_SCALES = {"values": get_colorscale("Viridis"), "zscore": get_colorscale("RdBu_r")}
# Leaf positions of a dendrogram are 5 + 10 r (as scipy draws them); columns are r.
BAR_WIDTH = 0.05
COLUMN_TREE_SHARE = 0.16
ROW_TICKS_MAX = 40  # about 7 px a row past this: labels would overlap
HEATMAP_TRACE, BAR_TRACE, MARK_TRACE, BAR_FILL_TRACE, COLUMN_TREE_TRACE = 0, 1, 2, 3, 4


def column_tree_lines(geometry: DendrogramGeometry) -> tuple[np.ndarray, np.ndarray]:
    """The column dendrogram's links as one polyline, gaps between links, in column units."""
    count = geometry.n_links
    x = np.empty((count, 5))
    y = np.empty((count, 5))
    x[:, 0] = x[:, 1] = geometry.x_left
    x[:, 2] = x[:, 3] = geometry.x_right
    y[:, 0] = geometry.h_left
    y[:, 1] = y[:, 2] = geometry.height
    y[:, 3] = geometry.h_right
    x[:, 4] = y[:, 4] = np.nan
    return (x.ravel() - 5.0) / 10.0, y.ravel()


def clustergram_figure(
    matrix: np.ndarray,
    column_names,
    row_names,
    row_colours,
    row_hover,
    *,
    scale: str = "values",
    title: str = "Clustergram",
    column_tree: tuple[np.ndarray, np.ndarray] | None = None,
    highlighted_rows: np.ndarray | None = None,
) -> PlainFigure:
    """The heatmap with its cluster bar and, optionally, the columns' dendrogram.

    Parameters
    ----------
    matrix : ndarray of shape (R, m)
        The values to colour, rows top to bottom in leaf order, columns in
        the order to draw.
    column_names : sequence of str, length m
    row_names : sequence of str, length R
        Shown on the axis when there are at most :data:`ROW_TICKS_MAX` rows.
    row_colours : sequence of str, length R
        Hex colour of each row's cluster (grey for a row of several clusters).
    row_hover : sequence of str, length R
        What the bar says about each row.
    scale : {'values', 'zscore'}
        Names the colour bar's title; z-scores are centred on white at 0.
    column_tree : (x, y) arrays, optional
        From :func:`column_tree_lines`, drawn above the heatmap.
    highlighted_rows : ndarray of bool, optional
        Rows holding a highlighted sample, marked beside the bar.

    Raises
    ------
    ValueError
        When the arguments disagree in length or `scale` is unknown.
    """
    matrix = np.asarray(matrix, dtype=float)
    rows, columns = matrix.shape
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {tuple(SCALES)}")
    if not len(column_names) == columns or not len(row_names) == len(row_colours) == rows:
        raise ValueError("the names and colours must match the matrix's shape")
    if len(row_hover) != rows:
        raise ValueError("one hover text per row")
    y = np.arange(rows, dtype=np.int32)
    heatmap = dict(
        type="heatmap",
        z=matrix.astype(np.float32),
        x=list(column_names),
        y=y,
        colorscale=COLOUR_SCALES[scale],
        zmid=0.0 if scale == "zscore" else None,
        colorbar=dict(title=dict(text=SCALES[scale], side="right"), thickness=12, len=0.8),
        hovertemplate="row %{y}<br>%{x}: %{z:.4g}<extra></extra>",
        xgap=0,
        ygap=0,
    )
    size = float(np.clip(420 / max(rows, 1), 3, 14))
    # the points only carry the hover and the selection: the fill below draws the colours
    bar = dict(
        type="scatter",
        x=np.zeros(rows, dtype=np.int8),
        y=y,
        xaxis="x2",
        mode="markers",
        # one colour for all (per-point colour strings cost plotly seconds to validate)
        marker=dict(color=HIGHLIGHT_COLOUR, symbol="square", size=size, opacity=0),
        text=list(row_hover),
        hovertemplate="%{text}<extra></extra>",
        name="clusters",
        showlegend=False,
        selected=dict(marker=dict(opacity=1)),
        unselected=dict(marker=dict(opacity=0)),
    )
    palette, codes = np.unique(np.asarray(row_colours, dtype=str), return_inverse=True)
    steps = len(palette)
    fill = dict(
        type="heatmap",
        z=codes.reshape(-1, 1).astype(np.int16),  # 16 bits: the palette has 11 colours
        x=[0],
        y=y,
        xaxis="x2",
        zmin=-0.5,
        zmax=steps - 0.5,
        colorscale=[
            [edge / steps, str(colour)] for i, colour in enumerate(palette) for edge in (i, i + 1)
        ],
        showscale=False,
        hoverinfo="skip",
        name="cluster colours",
    )
    marked = np.flatnonzero(highlighted_rows) if highlighted_rows is not None else np.array([])
    marks = dict(
        type="scatter",
        x=np.ones(len(marked), dtype=np.int8),
        y=marked.astype(np.int32),
        xaxis="x2",
        mode="markers",
        marker=dict(color=HIGHLIGHT_COLOUR, symbol="triangle-left", size=min(size, 9)),
        hoverinfo="skip",
        name="highlighted",
        showlegend=False,
    )
    traces = [heatmap, bar, marks, fill]
    top = 1.0
    if column_tree is not None:
        top = 1.0 - COLUMN_TREE_SHARE
        traces.append(
            dict(
                type="scatter",
                x=column_tree[0],
                y=column_tree[1],
                xaxis="x3",
                yaxis="y2",
                mode="lines",
                line=dict(color="#555555", width=1),
                hoverinfo="skip",
                name="columns",
                showlegend=False,
            )
        )
    ticks = rows <= ROW_TICKS_MAX
    layout = dict(
        template="none",
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15)),
        font=FONT,
        margin=dict(l=16, r=16, t=56, b=72),
        plot_bgcolor="white",
        paper_bgcolor="white",
        dragmode="select",
        hoverlabel=dict(font=dict(size=12)),
        xaxis=dict(
            domain=[BAR_WIDTH + 0.01, 0.86],
            anchor="y",
            type="category",
            showgrid=False,
            zeroline=False,
            tickangle=-45 if columns > 8 else 0,
            automargin=True,
        ),
        yaxis=dict(
            domain=[0.0, top - 0.02 if column_tree is not None else 1.0],
            anchor="x",
            autorange="reversed",
            side="right",
            showgrid=False,
            zeroline=False,
            showticklabels=ticks,
            tickvals=y.tolist() if ticks else None,
            ticktext=list(row_names) if ticks else None,
            tickfont=dict(size=10),
            automargin=True,
        ),
        xaxis2=dict(
            domain=[0.0, BAR_WIDTH],
            anchor="y",
            range=[-0.6, 1.6],
            visible=False,
            fixedrange=True,
        ),
        uirevision="clustergram",
    )
    if column_tree is not None:
        # its own linear axis over the same span as the heatmap's categories (0 .. m - 1)
        layout["yaxis2"] = dict(domain=[top, 1.0], anchor="x3", visible=False, fixedrange=True)
        layout["xaxis3"] = dict(
            domain=layout["xaxis"]["domain"],
            anchor="y2",
            range=[-0.5, columns - 0.5],
            visible=False,
            fixedrange=True,
        )
        layout["xaxis"].update(range=[-0.5, columns - 0.5], fixedrange=True)
    return unchecked_figure(traces, layout)
