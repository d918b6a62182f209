"""Figures for clusters against known labels and cluster profiles: arrays in, go.Figure out."""

import math

import numpy as np
import plotly.graph_objects as go

from components.figures import FONT, _k_axis

SCORE_COLOURS = {"ARI": "#332288", "NMI": "#117733", "purity": "#CC6677"}
# Box plots drawn per feature: beyond these the note says which are left out.
PROFILE_FEATURES_MAX = 12
PROFILE_CLUSTERS_MAX = 20
PROFILE_COLUMNS = 2


def agreement_k_figure(k, ari, nmi, purity, current_k=None, label_column="label") -> go.Figure:
    """ARI, NMI and purity against k, on one axis (all three are at most 1)."""
    fig = go.Figure()
    for name, values in (("ARI", ari), ("NMI", nmi), ("purity", purity)):
        colour = SCORE_COLOURS[name]
        fig.add_trace(
            go.Scatter(
                x=np.asarray(k),
                y=np.asarray(values),
                name=name,
                mode="lines+markers",
                marker=dict(size=8, color=colour),
                line=dict(color=colour),
                hovertemplate=f"k = %{{x}}<br>{name} %{{y:.4f}}<extra></extra>",
            )
        )
    axis = _k_axis(np.asarray(k))
    low, high = axis.get("range", (np.inf, -np.inf))
    if current_k is not None and low <= current_k <= high:
        fig.add_vline(
            x=current_k,
            line=dict(color="#999", dash="dot"),
            annotation_text=f"current k = {current_k}",
        )
    fig.update_layout(
        template="none",
        font=FONT,
        title=dict(
            text=f"Agreement with {label_column} (higher is better)", font_size=13, x=0.02, y=0.97
        ),
        xaxis=dict(title_text="number of clusters k", **axis),
        yaxis=dict(title_text="score", range=[min(-0.05, float(np.nanmin(ari) - 0.05)), 1.05])
        if np.isfinite(np.asarray(ari, dtype=float)).any()
        else dict(title_text="score"),
        legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"),
        margin=dict(l=56, r=16, t=56, b=48),
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    return fig


def shown_clusters(sizes, limit=PROFILE_CLUSTERS_MAX) -> np.ndarray:
    """Indices of the clusters drawn: all, or the `limit` largest, in label order."""
    sizes = np.asarray(sizes)
    if len(sizes) <= limit:
        return np.arange(len(sizes))
    return np.sort(np.argsort(-sizes, kind="stable")[:limit])


def profiles_figure(profiles, feature_names, colours) -> go.Figure:
    """One box plot per feature, a box per cluster in its colour, from precomputed statistics.

    Parameters
    ----------
    profiles : hclust.profiles.ClusterProfiles
    feature_names : sequence of str
    colours : dict
        ``{cluster label: hex colour}`` of the current cut (the ``colour-map`` store).
    """
    from plotly.subplots import make_subplots

    features = list(feature_names)[:PROFILE_FEATURES_MAX]
    rows = math.ceil(len(features) / PROFILE_COLUMNS)
    cols = min(PROFILE_COLUMNS, len(features))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=features,
        vertical_spacing=min(0.14, 0.6 / rows),
    )
    clusters = shown_clusters(profiles.size)
    for j in range(len(features)):
        row, col = j // cols + 1, j % cols + 1
        for i in clusters:
            label = profiles.clusters[i]
            name = f"cluster {label}"
            colour = colours.get(str(label), colours.get(label, "#9A9A9A"))
            fig.add_trace(
                go.Box(
                    x=[str(label)],
                    q1=[profiles.q1[i, j]],
                    median=[profiles.median[i, j]],
                    q3=[profiles.q3[i, j]],
                    lowerfence=[profiles.low[i, j]],
                    upperfence=[profiles.high[i, j]],
                    mean=[profiles.mean[i, j]],
                    boxmean=True,
                    name=name,
                    showlegend=False,
                    marker_color=colour,
                    line_color=colour,
                    fillcolor=colour,
                    opacity=0.75,
                    hoverinfo="name+y",
                ),
                row=row,
                col=col,
            )
    fig.update_layout(
        template="none",
        font=FONT,
        height=max(320, 260 * rows + 40),
        margin=dict(l=56, r=16, t=40, b=40),
        plot_bgcolor="white",
        paper_bgcolor="white",
        boxmode="overlay",
    )
    fig.update_annotations(font_size=12)
    fig.update_xaxes(type="category")  # ticks are cluster numbers, as in the table
    return fig
