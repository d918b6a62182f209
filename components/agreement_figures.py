"""Figures for clusters against known labels and cluster profiles: arrays in, plotly's figure JSON out."""

import math

import numpy as np

from components.figures import FONT, k_axis_layout, k_marker, k_marker_label, unchecked_figure
from components.plain_figure import PlainFigure
from hclust.cut import PALETTE

SCORE_COLOURS = {"ARI": "#332288", "NMI": "#117733", "purity": "#CC6677"}
# Box plots drawn per feature: beyond these the note says which are left out.
PROFILE_FEATURES_MAX = 12
# The clusters with a colour of their own (the largest): a box per pale grey cluster could
# not be told apart, and each box is an SVG trace that every cut redraws (8 of 20 were grey
# at deep cuts: 40% of the plot's redraw, #12 §5).
PROFILE_CLUSTERS_MAX = len(PALETTE)
PROFILE_COLUMNS = 2


def agreement_k_figure(k, ari, nmi, purity, current_k=None, label_column="label") -> PlainFigure:
    """ARI, NMI and purity against k, on one axis (all three are at most 1)."""
    traces = []
    for name, values in (("ARI", ari), ("NMI", nmi), ("purity", purity)):
        colour = SCORE_COLOURS[name]
        traces.append(
            dict(
                type="scatter",
                x=np.asarray(k),
                y=np.asarray(values),
                name=name,
                mode="lines+markers",
                marker=dict(size=8, color=colour),
                line=dict(color=colour),
                hovertemplate=f"k = %{{x}}<br>{name} %{{y:.4f}}<extra></extra>",
            )
        )
    axis = k_axis_layout(np.asarray(k))
    low, high = axis.get("range", (np.inf, -np.inf))
    marked = current_k is not None and low <= current_k <= high
    layout = dict(
        template="none",
        font=FONT,
        title=dict(
            text=f"Agreement with {label_column} (higher is better)",
            font=dict(size=13),
            x=0.02,
            y=0.97,
        ),
        xaxis=dict(title=dict(text="number of clusters k"), **axis),
        yaxis=dict(title=dict(text="score"), range=[min(-0.05, float(np.nanmin(ari) - 0.05)), 1.05])
        if np.isfinite(np.asarray(ari, dtype=float)).any()
        else dict(title=dict(text="score")),
        legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"),
        margin=dict(l=56, r=16, t=56, b=48),
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    if marked:
        layout.update(shapes=[k_marker(current_k)], annotations=[k_marker_label(current_k)])
    return unchecked_figure(traces, layout)


def shown_clusters(sizes, limit=PROFILE_CLUSTERS_MAX) -> np.ndarray:
    """Indices of the clusters drawn: all, or the `limit` largest, in label order."""
    sizes = np.asarray(sizes)
    if len(sizes) <= limit:
        return np.arange(len(sizes))
    return np.sort(np.argsort(-sizes, kind="stable")[:limit])


def _grid(titles, columns=PROFILE_COLUMNS, h_space=0.1, v_space=0.14):
    """A layout of one small plot per title, row by row (what make_subplots builds, 5x faster).

    Plot ``j`` (from 0) uses axes ``x{j+1}``/``y{j+1}`` (``x``/``y`` for the first).
    """
    columns = min(columns, len(titles))
    rows = math.ceil(len(titles) / columns)
    v_space = min(v_space, 0.6 / rows)
    width = (1 - (columns - 1) * h_space) / columns
    height = (1 - (rows - 1) * v_space) / rows
    layout, annotations = {}, []
    for j, title in enumerate(titles):
        row, col = divmod(j, columns)
        left = col * (width + h_space)
        top = 1 - row * (height + v_space)
        axis = "" if j == 0 else str(j + 1)
        layout[f"xaxis{axis}"] = dict(
            domain=[left, min(1.0, left + width)], anchor=f"y{axis}", type="category"
        )  # ticks are cluster numbers, as in the table
        layout[f"yaxis{axis}"] = dict(domain=[max(0.0, top - height), top], anchor=f"x{axis}")
        annotations.append(
            dict(
                text=str(title),
                x=left + width / 2,
                y=top,
                xref="paper",
                yref="paper",
                xanchor="center",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=12),
            )
        )
    layout["annotations"] = annotations
    return layout


def profiles_figure(profiles, feature_names, colours) -> PlainFigure:
    """One box plot per feature, a box per cluster in its colour, from precomputed statistics.

    Parameters
    ----------
    profiles : hclust.profiles.ClusterProfiles
    feature_names : sequence of str
    colours : dict
        ``{cluster label: hex colour}`` of the current cut (the ``colour-map`` store).
    """
    features = list(feature_names)[:PROFILE_FEATURES_MAX]
    layout = _grid(features)
    clusters = shown_clusters(profiles.size)
    traces = []
    for j in range(len(features)):
        axis = "" if j == 0 else str(j + 1)
        for i in clusters:
            label = profiles.clusters[i]
            colour = colours.get(str(label), colours.get(label, "#9A9A9A"))
            traces.append(
                dict(
                    type="box",
                    x=[str(label)],
                    q1=[profiles.q1[i, j]],
                    median=[profiles.median[i, j]],
                    q3=[profiles.q3[i, j]],
                    lowerfence=[profiles.low[i, j]],
                    upperfence=[profiles.high[i, j]],
                    mean=[profiles.mean[i, j]],
                    boxmean=True,
                    name=f"cluster {label}",
                    showlegend=False,
                    marker_color=colour,
                    line_color=colour,
                    fillcolor=colour,
                    opacity=0.75,
                    hoverinfo="name+y",
                    xaxis=f"x{axis}",
                    yaxis=f"y{axis}",
                )
            )
    layout.update(
        template="none",
        font=FONT,
        height=max(320, 260 * math.ceil(len(features) / PROFILE_COLUMNS) + 40),
        margin=dict(l=56, r=16, t=40, b=40),
        plot_bgcolor="white",
        paper_bgcolor="white",
        boxmode="overlay",
    )
    return unchecked_figure(traces, layout)
