"""Figure builders: arrays in, plotly's figure JSON out (components/plain_figure.py). No Dash."""

from __future__ import annotations

import numpy as np

from components.plain_figure import PlainFigure
from hclust.cut import (
    ABOVE_CUT_COLOUR,
    OVERFLOW_COLOUR,
    OVERFLOW_SYMBOL,
    PALETTE,
    SYMBOLS,
    colour_hex,
)
from hclust.dendrogram import ABOVE, DendrogramGeometry
from hclust.merge_steps import format_height

# SVG lines are crisper and export well; WebGL takes over when there are
# too many points for SVG to stay fluid.
WEBGL_ABOVE_POINTS = 5_000
LEAF_TICKS_MAX = 200
# Near black: apart from every cluster colour and both greys, under colour-blindness too.
CUT_LINE_COLOUR = "#222222"
# Every plot's background; tests/unit/test_palette.py checks the colours' contrast on it.
PLOT_BACKGROUND = "#FFFFFF"
HIGHLIGHT_COLOUR = "#111111"
FONT = dict(family="Inter, 'Segoe UI', Helvetica, Arial, sans-serif", size=13)
MARGIN = dict(l=64, r=16, t=48, b=56)
EXPORT_CONFIG = {"toImageButtonOptions": {"format": "svg", "scale": 2}, "displaylogo": False}

# Names and texts that the browser's recolouring (assets/cut_core.js) writes too: it gets
# them from here, through the index components/recolour.py sends, filling each {field}.
STRINGS = {
    "link_trace": "colour {colour}",
    "between": "between clusters",
    "leaf_trace": "clusters of one leaf",
    "inside": "clusters inside a leaf",
    "legend_title": "<b>cluster (size)</b>",
    "legend_entry": "<span style='color:{colour}'>●</span> cluster {label} ({size})",
    "legend_more": "… {count} smaller clusters",
    "cluster": "cluster {label}",
    "scatter_trace": "samples {colour}",
    "pinned": "merge {row} (pinned)",
}
# Pinned merges (the merge-pins store): red, then yellow.
PIN_COLOURS = ("#D62728", "#FFC20A")
LEGEND_ENTRIES = 12
LEAF_DOT_SIZE = 8


def unchecked_figure(data, layout) -> PlainFigure:
    """A figure from trace and layout dicts, without plotly's object tree.

    Building ``go.Figure`` objects cost 15-25 ms a figure, even unchecked: most
    of a light request's time (components/plain_figure.py). The builders that
    use this write plotly's schema by construction, and
    ``tests/unit/test_figure_schema.py`` checks each against the checking
    constructor (the same JSON, and no property plotly refuses).
    """
    return PlainFigure(data, layout)


def _base_layout(title, x_title, y_title):
    # every style is set here, so plotly's default template (7 KB a figure) is left out
    return dict(
        template="none",
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15)),
        # 'allow': plotly otherwise measures every tick label on every redraw to
        # hide overflowing ones (a third of a cut's redraw time, measured)
        xaxis=dict(
            title=dict(text=x_title), zeroline=False, showgrid=False, ticklabeloverflow="allow"
        ),
        yaxis=dict(
            title=dict(text=y_title), zeroline=False, gridcolor="#ECECEC", ticklabeloverflow="allow"
        ),
        font=FONT,
        margin=MARGIN,
        plot_bgcolor=PLOT_BACKGROUND,
        paper_bgcolor=PLOT_BACKGROUND,
        hoverlabel=dict(font=dict(size=12)),
    )


def _segments(x_left, x_right, h_left, h_right, height):
    """Links as 4 points each plus a gap, drawn with a step line shape.

    A link is the upside-down U (xl,hl) (xl,h) (xr,h) (xr,hr). With the
    line shape from :func:`_link_shape`, the step from (xl,hl) to (xr,h)
    draws the first two edges, so the point (xl,h) is implied: 4 points a
    link instead of 5. float32 halves the rest; its 7 significant digits are
    far finer than a pixel. Returns positions and heights; orient them with
    :func:`_oriented`.
    """
    count = len(height)
    positions = np.empty((count, 4), dtype=np.float32)
    heights = np.empty((count, 4), dtype=np.float32)
    positions[:, 0] = x_left
    positions[:, 1] = positions[:, 2] = x_right
    heights[:, 0] = h_left
    heights[:, 1] = height
    heights[:, 2] = h_right
    positions[:, 3] = heights[:, 3] = np.nan
    return positions.ravel(), heights.ravel()


def _steps(geometry: DendrogramGeometry, chosen=slice(None)):
    """:func:`_segments` of the chosen links of `geometry` (every link by default)."""
    return _segments(
        geometry.x_left[chosen],
        geometry.x_right[chosen],
        geometry.h_left[chosen],
        geometry.h_right[chosen],
        geometry.height[chosen],
    )


def child_links(geometry: DendrogramGeometry, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The drawn link of each link's left and right child, -1 where the child is a drawn
    leaf (a sample, or a merge hidden by truncation)."""
    n = Z.shape[0] + 1
    link_of_node = np.full(2 * n - 1, -1, dtype=np.int64)
    link_of_node[n + geometry.merges] = np.arange(geometry.n_links)
    rows = geometry.merges
    return link_of_node[Z[rows, 0].astype(np.int64)], link_of_node[Z[rows, 1].astype(np.int64)]


def _tours(geometry, chosen, left_link, right_link):
    """The chosen links as one unbroken line per connected group of them, and a gap after
    each: what an SVG plot draws fast.

    plotly draws each piece of a line between two gaps as a ``<path>`` of its own, styled
    one by one: with a gap after every link (:func:`_segments`), the 749 links of a
    750-sample tree took 100 ms of a 190 ms redraw (issue 12 §5). Here the line walks each
    group of chosen links that meet, from the group's top link down and back, as a pen
    that may go over a stretch twice: a stroke drawn twice within one path looks the same.
    Every step is vertical or horizontal, so any line shape draws it the same.

    The walk of a group, from its top link t: (xl,hl), the walk under t's left child, up
    to (xl,h), across to (xr,h), down to (xr,hr), the walk under its right child. The walk
    under a child link c, entered at the point x of its bar where its parent's leg meets
    it: across to (xl,h), down to (xl,hl), the walk under c's left child, up, across to
    (xr,h), down to (xr,hr), the walk under c's right child, up, and back across to x.
    Groups are walked in link order. Values are float32, as :func:`_segments` gives them,
    and ``assets/cut_core.js`` (``linkTour``) walks the same way, point for point.

    Parameters
    ----------
    geometry : DendrogramGeometry
    chosen : ndarray of bool, shape (L,)
    left_link, right_link : ndarray of int, shape (L,)
        From :func:`child_links`.

    Returns
    -------
    positions, heights : ndarray of float32
        Orient them with :func:`_oriented`.
    """
    chosen = np.asarray(chosen, dtype=bool)
    xl = geometry.x_left.astype(np.float32).tolist()
    xr = geometry.x_right.astype(np.float32).tolist()
    hl = geometry.h_left.astype(np.float32).tolist()
    hr = geometry.h_right.astype(np.float32).tolist()
    h = geometry.height.astype(np.float32).tolist()
    # a chosen link's chosen children, -1 for none (a leaf, or a link of another colour)
    left, right = (
        np.where(chosen & (links >= 0) & chosen[np.maximum(links, 0)], links, -1)
        for links in (np.asarray(left_link), np.asarray(right_link))
    )
    has_parent = np.zeros(len(chosen), dtype=bool)
    has_parent[left[left >= 0]] = has_parent[right[right >= 0]] = True
    left, right = left.tolist(), right.tolist()
    gap = float("nan")
    pos, hgt = [], []
    POINT, WALK = 0, 1
    for top in np.flatnonzero(chosen & ~has_parent).tolist():
        # what is left to draw, last first: a point (POINT, x, h), or the walk under a
        # child link (WALK, link, the x its parent's leg meets its bar at); -1: no link
        todo = [(WALK, right[top], xr[top]), (POINT, xr[top], hr[top])]
        todo += [(POINT, xr[top], h[top]), (POINT, xl[top], h[top])]
        todo += [(WALK, left[top], xl[top]), (POINT, xl[top], hl[top])]
        while todo:
            what, a, b = todo.pop()
            if what == POINT:
                pos.append(a)
                hgt.append(b)
            elif a >= 0:
                c = a
                todo += [(POINT, b, h[c]), (POINT, xr[c], h[c]), (WALK, right[c], xr[c])]
                todo += [(POINT, xr[c], hr[c]), (POINT, xr[c], h[c]), (POINT, xl[c], h[c])]
                todo += [(WALK, left[c], xl[c]), (POINT, xl[c], hl[c]), (POINT, xl[c], h[c])]
        pos.append(gap)
        hgt.append(gap)
    return np.asarray(pos, dtype=np.float32), np.asarray(hgt, dtype=np.float32)


# Contracted dots closer than this share of the height range draw as one.
DOT_RESOLUTION = 1 / 1000


def _visible_dots(positions, heights):
    """One dot per leaf per DOT_RESOLUTION of height: what the eye can tell apart.

    A truncated tree of 100,000 samples hides ~100,000 merges; their dots pile
    up at a few heights per leaf, so sending each one only slows the page.
    """
    top = float(heights.max()) if len(heights) else 0.0
    if top <= 0:
        return positions[:1].astype(np.float32), heights[:1].astype(np.float32)
    bins = np.round(heights / (top * DOT_RESOLUTION)).astype(np.int64)
    _, keep = np.unique(
        np.column_stack([positions.astype(np.int64), bins]), axis=0, return_index=True
    )
    return positions[keep].astype(np.float32), heights[keep].astype(np.float32)


def _link_shape(orientation):
    """Step shape that turns (xl,hl) -> (xr,h) into 'up, then across'."""
    return "vh" if orientation in VERTICAL_TREE else "hv"


def placeholder_figure(message: str) -> PlainFigure:
    """An empty plot that says what is coming, instead of bare axes."""
    return unchecked_figure(
        [],
        dict(
            template="none",
            xaxis=dict(visible=False),
            yaxis=dict(visible=False),
            plot_bgcolor=PLOT_BACKGROUND,
            paper_bgcolor=PLOT_BACKGROUND,
            annotations=[
                dict(
                    text=message,
                    showarrow=False,
                    xref="paper",
                    yref="paper",
                    x=0.5,
                    y=0.5,
                    font=dict(size=14, color="#5f6b7a"),
                )
            ],
            margin=dict(l=0, r=0, t=0, b=0),
        ),
    )


ORIENTATIONS = ("top", "bottom", "left", "right")
VERTICAL_TREE = ("top", "bottom")
ANNOTATIONS_MAX = 150


def cut_line_shape(height: float, orientation: str = "top") -> dict:
    """The draggable cut-off line: always ``layout.shapes[0]``, across the whole plot."""
    line = dict(color=CUT_LINE_COLOUR, width=2, dash="dash")
    if orientation in VERTICAL_TREE:
        return dict(
            type="line",
            xref="paper",
            x0=0,
            x1=1,
            yref="y",
            y0=height,
            y1=height,
            line=line,
            editable=True,
        )
    return dict(
        type="line",
        yref="paper",
        y0=0,
        y1=1,
        xref="x",
        x0=height,
        x1=height,
        line=line,
        editable=True,
    )


def _oriented(position, height, orientation):
    """(x, y) for a point at leaf-axis `position` and merge `height`."""
    return (position, height) if orientation in VERTICAL_TREE else (height, position)


def _leaf_feet(geometry, which, orientation):
    """Plot coordinates of the chosen drawn leaves (an index or mask) at height 0."""
    position = geometry.leaf_x[which].astype(np.float32)
    return _oriented(position, np.zeros(len(position), dtype=np.float32), orientation)


# Heights read "1,262", never "1.26e+03" (d3-format: ~r is significant digits, trimmed).
HEIGHT_TICKFORMAT = ",~r"
HEIGHT_HOVER_FORMAT = ",.5~r"
# The plot area a dendrogram gets in the page (dendrogram and scatter side by side at
# 1280 px, less the margins), used to tell whether labels would collide.
PLOT_AREA_PX = (440, 350)
ANNOTATION_FONT = 11
LEGEND_MARGIN_PX = 114  # the legend's right margin (130) less the usual one (16)


def _ordinal(k: int) -> str:
    return f"{k}{'nd' if k == 2 else 'rd' if k == 3 else 'th'}"


def label_stride(labels, font_size, rotation, orientation="top", area_px=PLOT_AREA_PX) -> int:
    """Show every k-th leaf label so that neighbours never overlap.

    A label rotated to vertical needs about one line height along the leaf
    axis; a horizontal one needs its width (0.6 em a character). Returns 1
    when all fit.
    """
    count = len(labels)
    if count == 0:
        return 1
    line = font_size * 1.3
    widest = max((len(str(t)) for t in labels), default=1) * font_size * 0.6 + 4
    if orientation in VERTICAL_TREE:
        axis_px = area_px[0]
        need = line if rotation in (-90, 90) else (line * 1.42 if rotation else widest)
    else:
        axis_px = area_px[1]
        need = line
    return max(1, int(np.ceil(count * need / axis_px)))


def annotation_layout(geometry, annotate_above, orientation="top", area_px=PLOT_AREA_PX):
    """Height labels for merges above `annotate_above` that touch neither the tree nor each other.

    The tutorial's ``fancy_dendrogram`` writes each height under its merge, where
    it collides with the links below. Here each label, highest merge first, takes
    the first free place of: under its bar, above it right of the parent's leg,
    above it to the left; in estimated pixels of the plot area. Labels with no
    free place are left out (the hover still gives every height).

    Returns
    -------
    annotations : list of dict
        Layout annotations.
    dots : ndarray of int
        Links (entries of ``geometry.merges``) labelled, for a dot at each.
    """
    tall = np.flatnonzero(geometry.height > annotate_above)
    tall = tall[np.argsort(-geometry.height[tall], kind="stable")][:ANNOTATIONS_MAX]
    if not len(tall):
        return [], tall
    vertical = orientation in VERTICAL_TREE
    pos_px, h_px = area_px if vertical else area_px[::-1]
    top = float(geometry.height.max()) * 1.05 or 1.0
    to_pos = pos_px / (10 * len(geometry.leaf_nodes))
    to_h = h_px / top
    # every link as three thin rectangles (two legs, one bar): [p0, p1, h0, h1] in pixels
    xl, xr = geometry.x_left * to_pos, geometry.x_right * to_pos
    hl, hr, hh = geometry.h_left * to_h, geometry.h_right * to_h, geometry.height * to_h
    obstacles = np.concatenate(
        [
            np.column_stack([xl, xl, hl, hh]),
            np.column_stack([xr, xr, hr, hh]),
            np.column_stack([xl, xr, hh, hh]),
        ]
    )
    placed = np.empty((0, 4))
    annotations, dots = [], []
    line = ANNOTATION_FONT * 1.3
    for j in tall.tolist():
        text = format_height(geometry.height[j])
        width = len(text) * ANNOTATION_FONT * 0.6 + 4
        ext_p, ext_h = (width, line) if vertical else (line, width)
        p, h = geometry.x_merge[j] * to_pos, geometry.height[j] * to_h
        candidates = (
            (p - ext_p / 2, h - 4 - ext_h),  # under the bar, between the legs
            (p + 4, h + 3),  # above the bar, right of the leg up to the parent
            (p - 4 - ext_p, h + 3),  # above the bar, left of it
        )
        for p0, h0 in candidates:
            box = np.array([p0, p0 + ext_p, h0, h0 + ext_h])
            if box[0] < 0 or box[1] > pos_px or box[2] < 0 or box[3] > h_px:
                continue
            hits = np.vstack([obstacles, placed])
            overlap = (
                (hits[:, 0] <= box[1])
                & (hits[:, 1] >= box[0])
                & (hits[:, 2] <= box[3])
                & (hits[:, 3] >= box[2])
            )
            if overlap.any():
                continue
            placed = np.vstack([placed, box])
            cp, ch = (box[0] + box[1]) / 2 / to_pos, (box[2] + box[3]) / 2 / to_h
            ax, ay = _oriented(float(cp), float(ch), orientation)
            annotations.append(
                dict(
                    x=ax,
                    y=ay,
                    text=text,
                    showarrow=False,
                    xanchor="center",
                    yanchor="middle",
                    font=dict(size=ANNOTATION_FONT),
                    bgcolor="rgba(255,255,255,0.85)",
                )
            )
            dots.append(j)
            break
    return annotations, np.asarray(dots, dtype=np.int64)


# The name of the cluster-number annotations: they belong to one cut, so the browser's
# own recolouring (assets/cut_recolour.js) takes them away until the server redraws.
ROOT_NUMBER = "cluster-root"
# Where a number sits from its cluster's root, away from the leaves.
_ROOT_SHIFT = {"top": (0, 10), "bottom": (0, -10), "left": (-12, 0), "right": (12, 0)}


def _root_numbers(geometry, link_colours, root_numbers, orientation) -> list:
    """Annotations: each coloured cluster's number at its highest link."""
    notes = []
    for colour, label in sorted((root_numbers or {}).items()):
        links = np.flatnonzero(link_colours == colour)
        if not len(links):  # a cluster of one drawn leaf has a dot instead
            continue
        j = links[np.argmax(geometry.height[links])]
        x, y = _oriented(float(geometry.x_merge[j]), float(geometry.height[j]), orientation)
        xshift, yshift = _ROOT_SHIFT[orientation]
        notes.append(
            dict(
                x=x,
                y=y,
                text=f"<b>{label}</b>",
                name=ROOT_NUMBER,
                showarrow=False,
                xshift=xshift,
                yshift=yshift,
                font=dict(size=11, color=colour_hex(int(colour))),
                bgcolor="rgba(255,255,255,0.85)",
            )
        )
    return notes


def _hover_targets(kind, size) -> dict:
    """Points that only answer hover and click. In SVG, no marker is drawn (plotly finds the
    hovered point from the data): a redraw after each cut would otherwise restyle one
    invisible marker per merge (issue #12 §5). WebGL draws them, unseen, at no cost per point."""
    if kind == "scatter":
        return dict(mode="none", hoveron="points")
    return dict(mode="markers", marker=dict(size=size, color="rgba(0,0,0,0.01)"))


def dendrogram_figure(
    geometry: DendrogramGeometry,
    link_colours: np.ndarray,
    cut_height: float | None,
    leaf_names: list,
    Z: np.ndarray,
    *,
    title: str = "Dendrogram",
    y_title: str = "merge distance",
    highlight_links: np.ndarray | None = None,
    orientation: str = "top",
    annotate_above: float | None = None,
    show_contracted: bool = True,
    leaf_font_size: int = 9,
    leaf_rotation: int = -90,
    legend: list | None = None,
    leaf_colours: np.ndarray | None = None,
    pins: tuple = (),
    leaf_name: str | None = None,
    root_numbers: dict | None = None,
    leaf_clusters: np.ndarray | None = None,
) -> PlainFigure:
    """Dendrogram with one trace per colour and the cut line as shapes[0].

    Parameters
    ----------
    geometry : DendrogramGeometry
    link_colours : ndarray of int
        Palette index per link, ``ABOVE`` (-2) for grey links between clusters.
    cut_height : float or None
        None hides the cut line (criteria that are not a single height).
    leaf_names : list of str
        Name per sample, used for tick labels of sample leaves.
    Z : ndarray
        For the hover text of each merge.
    highlight_links : ndarray of bool, optional
        Links drawn again, thick and dark, over the tree.
    orientation : {'top', 'bottom', 'left', 'right'}
        Where the root is, as scipy's `orientation`.
    annotate_above : float, optional
        Label merges higher than this with their height, as the tutorial's
        ``fancy_dendrogram`` does (the highest :data:`ANNOTATIONS_MAX`).
    show_contracted : bool
        Dots at the heights of merges hidden inside truncated leaves.
    leaf_font_size, leaf_rotation : int
        Leaf label style.
    legend : list of dict, optional
        Layout annotations naming the cluster colours (:func:`cluster_legend`),
        drawn in the right margin.
    leaf_colours : ndarray of int, optional
        Palette index per drawn leaf that is a whole cluster, ``ABOVE`` for the
        others (:func:`hclust.dendrogram.leaf_colour_indices`): those leaves get a
        dot of their cluster's colour, having no link of their own.
    pins : tuple of int
        Rows of Z drawn thick in :data:`PIN_COLOURS` (red, then yellow), when drawn.
    leaf_name : str, optional
        The label column's name, for the leaf axis's title ("sample index" without one).
    root_numbers : dict, optional
        ``{palette index: cluster label}``: each such cluster's number is written
        at its highest link, a second cue besides its colour.
    leaf_clusters : ndarray of int, optional
        Number of clusters in each drawn leaf: a truncated leaf holding several has
        no colour of its own (it is grey), so its hover says how many it holds.
    """
    if len(link_colours) != geometry.n_links:
        raise ValueError("link_colours must give one colour per link")
    if leaf_colours is not None and len(leaf_colours) != len(geometry.leaf_nodes):
        raise ValueError("leaf_colours must give one colour per drawn leaf")
    if leaf_clusters is not None and len(leaf_clusters) != len(geometry.leaf_nodes):
        raise ValueError("leaf_clusters must give one count per drawn leaf")
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation must be one of {ORIENTATIONS}")
    n = Z.shape[0] + 1
    total_points = 5 * geometry.n_links + len(
        geometry.contracted_height if geometry.contracted_height is not None else []
    )
    kind = "scattergl" if total_points > WEBGL_ABOVE_POINTS else "scatter"

    # SVG: one unbroken line per group of links that meet; WebGL: a gap after each link
    children = child_links(geometry, Z) if kind == "scatter" else None

    def line_trace(chosen, colour, width, name):
        if children is not None:
            pos, h = _tours(geometry, chosen, *children)
            shape = "linear"
        else:
            pos, h = _steps(geometry, chosen)
            shape = _link_shape(orientation)
        x, y = _oriented(pos, h, orientation)
        line = dict(color=colour, width=width, shape=shape)
        return dict(
            type=kind,
            x=x,
            y=y,
            mode="lines",
            line=line,
            hoverinfo="skip",
            showlegend=False,
            name=name,
        )

    traces = []
    for colour_index in np.unique(link_colours):
        above = colour_index == ABOVE
        traces.append(
            line_trace(
                link_colours == colour_index,
                ABOVE_CUT_COLOUR if above else colour_hex(int(colour_index)),
                1.5,
                STRINGS["between"]
                if above
                else STRINGS["link_trace"].format(colour=int(colour_index)),
            )
        )
    if leaf_colours is not None and np.any(leaf_colours != ABOVE):
        # a cluster that is one drawn leaf has no link of its colour: a dot at its foot
        chosen = np.flatnonzero(leaf_colours != ABOVE)
        x, y = _leaf_feet(geometry, chosen, orientation)
        traces.append(
            dict(
                type=kind,
                x=x,
                y=y,
                mode="markers",
                marker=dict(
                    size=LEAF_DOT_SIZE,
                    color=[colour_hex(int(c)) for c in leaf_colours[chosen]],
                    line=dict(width=0),
                ),
                hoverinfo="skip",
                showlegend=False,
                name=STRINGS["leaf_trace"],
                **({} if kind == "scattergl" else {"cliponaxis": False}),
            )
        )
    several = (
        np.flatnonzero((geometry.leaf_nodes >= n) & (np.asarray(leaf_clusters) > 1))
        if leaf_clusters is not None
        else []
    )
    if len(several):
        # a truncated leaf holding several clusters is grey: its hover says what is inside
        x, y = _leaf_feet(geometry, several, orientation)
        traces.append(
            dict(
                type=kind,
                x=x,
                y=y,
                name=STRINGS["inside"],
                **_hover_targets(kind, 10),
                customdata=np.column_stack(
                    [np.asarray(leaf_clusters)[several], geometry.leaf_sizes[several]]
                ).astype(np.int32),
                hovertemplate="%{customdata[0]:,} clusters inside this leaf "
                "(%{customdata[1]:,} samples), too small to draw: grey<br>"
                "click a merge and 'Show this branch in full' to see them<extra></extra>",
                showlegend=False,
            )
        )
    if highlight_links is not None and highlight_links.any():
        traces.append(line_trace(highlight_links, HIGHLIGHT_COLOUR, 3.5, "highlighted"))
    for colour, row in zip(PIN_COLOURS, pins):
        pinned = geometry.merges == row
        if pinned.any():
            traces.append(line_trace(pinned, colour, 5, f"pinned merge {row}"))
    if (
        show_contracted
        and geometry.contracted_height is not None
        and len(geometry.contracted_height)
    ):
        x, y = _oriented(
            *_visible_dots(geometry.contracted_x, geometry.contracted_height), orientation
        )
        traces.append(
            dict(
                type=kind,
                x=x,
                y=y,
                mode="markers",
                marker=dict(size=4, color="#333333"),
                hoverinfo="skip",
                showlegend=False,
                name="contracted merges",
            )
        )
    rows = geometry.merges
    # the hover is formatted in the browser from compact integers, not sent as text per merge
    merge_data = np.column_stack([rows, Z[rows, 0], Z[rows, 1], Z[rows, 3]]).astype(np.int32)
    h = "y" if orientation in VERTICAL_TREE else "x"
    # Z[i] as code (no thousands separator inside a list), the height as a person reads it
    merge_hover = (
        "merge i = %{customdata[0]}<br>Z[i] = [%{customdata[1]}, %{customdata[2]}, %{"
        + h
        + ":.5~r}, %{customdata[3]}]"
        "<br>height %{" + h + f":{HEIGHT_HOVER_FORMAT}}}, size %{{customdata[3]}}"
        "<br>click to highlight its samples<extra></extra>"
    )
    sample_leaves = geometry.leaf_nodes < n
    if (
        sample_leaves.any() and len(geometry.leaf_nodes) <= LEAF_TICKS_MAX
    ):  # where leaves are drawn big enough to hover
        leaf_ids = geometry.leaf_nodes[sample_leaves]
        x, y = _leaf_feet(geometry, sample_leaves, orientation)
        traces.append(
            dict(
                type=kind,
                x=x,
                y=y,
                name="leaves",
                **_hover_targets(kind, 6),
                customdata=leaf_ids.astype(np.int32),
                text=[leaf_names[i] for i in leaf_ids.tolist()],
                hovertemplate="sample %{customdata} · %{text}<extra></extra>",
                showlegend=False,
            )
        )
    x, y = _oriented(
        geometry.x_merge.astype(np.float32), geometry.height.astype(np.float32), orientation
    )
    # first trace, so a click names it as curveNumber 0 and its pointNumber is the entry of geometry.merges
    traces.insert(
        0,
        dict(
            type=kind,
            x=x,
            y=y,
            name="merges",
            **_hover_targets(kind, 8),
            hovertemplate=merge_hover,
            customdata=merge_data,
            showlegend=False,
        ),
    )
    annotations = []
    if annotate_above is not None:
        annotations, dots = annotation_layout(geometry, annotate_above, orientation)
        if len(dots):
            x, y = _oriented(
                geometry.x_merge[dots].astype(np.float32),
                geometry.height[dots].astype(np.float32),
                orientation,
            )
            traces.append(
                dict(
                    type="scatter",
                    x=x,
                    y=y,
                    mode="markers",
                    marker=dict(size=6, color="#333333"),
                    hoverinfo="skip",
                    showlegend=False,
                    name="annotated merges",
                )
            )
    annotations += _root_numbers(geometry, link_colours, root_numbers, orientation)
    leaf_title = (leaf_name or "sample index") + (
        " or (cluster size)" if geometry.truncated else ""
    )
    position_axis = dict(zeroline=False, showgrid=False, range=[0, 10 * len(geometry.leaf_nodes)])
    if len(geometry.leaf_nodes) <= LEAF_TICKS_MAX:
        ticks = [
            leaf_names[node] if node < n else f"({size})"
            for node, size in zip(geometry.leaf_nodes.tolist(), geometry.leaf_sizes.tolist())
        ]
        # the legend takes the right margin, and so width from the plot area
        area = (PLOT_AREA_PX[0] - LEGEND_MARGIN_PX, PLOT_AREA_PX[1]) if legend else PLOT_AREA_PX
        every = label_stride(ticks, leaf_font_size, leaf_rotation, orientation, area)
        if every > 1:
            # every label would overlap its neighbours (a black band): show each every-th
            ticks = [t if r % every == 0 else "" for r, t in enumerate(ticks)]
            leaf_title += f" (every {_ordinal(every)} label; hover a leaf for its name)"
        position_axis.update(
            tickmode="array",
            tickvals=geometry.leaf_x,
            ticktext=ticks,
            tickangle=leaf_rotation if orientation in VERTICAL_TREE else 0,
            tickfont=dict(size=leaf_font_size),
        )
    else:
        position_axis.update(showticklabels=False)
    top = float(geometry.height.max()) if geometry.n_links else 1.0
    height_axis = dict(
        zeroline=False,
        gridcolor="#ECECEC",
        range=[0, top * 1.05 if top > 0 else 1],
        tickformat=HEIGHT_TICKFORMAT,
    )
    if orientation in ("bottom", "left"):
        height_axis["range"] = height_axis["range"][::-1]
    layout = _base_layout(title, leaf_title, y_title)
    if orientation in VERTICAL_TREE:
        layout["xaxis"].update(position_axis)
        layout["yaxis"].update(height_axis)
    else:
        layout["xaxis"].update(height_axis, title=dict(text=y_title))
        layout["yaxis"].update(position_axis, title=dict(text=leaf_title))
    layout["shapes"] = [cut_line_shape(cut_height if cut_height is not None else 0, orientation)]
    if cut_height is None:
        layout["shapes"][0].update(visible=False)
    layout["annotations"] = annotations + list(legend or [])
    if legend:
        layout["margin"] = dict(MARGIN, r=130)
    layout["uirevision"] = f"dendrogram-{orientation}-{geometry.root}"
    return unchecked_figure(traces, layout)


def cluster_legend(
    labels: np.ndarray, label_colours: dict, max_entries: int = LEGEND_ENTRIES
) -> list:
    """The cluster legend as layout annotations: cheap to replace when the cut moves.

    The largest `max_entries` clusters (ties: the lower label), listed by label;
    assets/cut_core.js writes the same text.
    """
    counts = np.bincount(labels)
    order = sorted(label_colours, key=lambda label: (-counts[label], label))
    shown = order[:max_entries]
    lines = [
        STRINGS["legend_entry"].format(
            colour=label_colours[label], label=label, size=f"{counts[label]:,}"
        )
        for label in sorted(shown)
    ]
    if len(order) > max_entries:
        lines.append(STRINGS["legend_more"].format(count=len(order) - max_entries))
    return [
        dict(
            xref="paper",
            yref="paper",
            x=1.0,
            y=1.0,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            text=STRINGS["legend_title"] + "<br>" + "<br>".join(lines),
            font=dict(size=11),
            xshift=8,
        )
    ]


def colour_groups(labels: np.ndarray, label_colours: dict) -> list[tuple[str, np.ndarray]]:
    """Samples grouped by colour: pale grey (overflow) first, then in palette order.

    Each group's samples are in ascending order. The browser's recolouring
    (assets/cut_core.js, ``sampleGroups``) groups them the same way.
    """
    colours = (OVERFLOW_COLOUR, *PALETTE)
    rank = {colour: i for i, colour in enumerate(colours)}
    colour_of_label = np.empty(int(labels.max()) + 1, dtype=np.int64)
    for label, colour in label_colours.items():
        colour_of_label[int(label)] = rank[colour]
    colour_of_sample = colour_of_label[labels]
    order = np.argsort(colour_of_sample, kind="stable")
    bounds = np.flatnonzero(np.diff(colour_of_sample[order])) + 1
    return [(colours[colour_of_sample[group[0]]], group) for group in np.split(order, bounds)]


def scatter_figure(
    xy: np.ndarray,
    labels: np.ndarray,
    label_colours: dict,
    axis_titles: tuple,
    point_names: list,
    *,
    title="Samples by cluster",
    highlight=None,
    pins=None,
) -> PlainFigure:
    """Samples coloured by flat cluster, one trace per colour.

    A colour per trace rather than per point: plotly parses every per-point
    colour string again on each redraw, which made recolouring 10,000 points
    take 130 ms in headless Chromium (measured); grouped, it is the positions
    that move between traces.

    Parameters
    ----------
    xy : ndarray of shape (n, 2)
    labels : ndarray of int
        Flat cluster per sample.
    label_colours : dict
        ``{label: hex colour}``, the same colours the dendrogram uses.
    axis_titles : (str, str)
    point_names : list of str
        Shown in the hover with the sample index.
    highlight : ndarray of bool, optional
        Samples to emphasise; the others fade.
    pins : dict, optional
        ``{row of Z: samples}`` of pinned merges, at most two, drawn filled in
        :data:`PIN_COLOURS` over the clusters.

    Notes
    -----
    Each point's ``customdata`` is its sample index (a compact typed array;
    dcc.Graph cannot read those back into events, so the browser names the
    selected samples itself: ``scatter-selection``, assets/linking.js). The hover names the
    cluster: in the template for a palette colour (one cluster), per point for the grey of
    the smallest clusters (``hovertext``: the cluster's number, which the template names).
    """
    n = len(xy)
    kind = "scattergl" if n > WEBGL_ABOVE_POINTS else "scatter"
    named = point_names is not None and n <= 20_000
    traces = []
    # a symbol per colour: a second cue besides colour
    symbol_of = {OVERFLOW_COLOUR: OVERFLOW_SYMBOL, **dict(zip(PALETTE, SYMBOLS))}
    for colour, samples in colour_groups(labels, label_colours):
        marker = dict(
            color=colour, symbol=symbol_of[colour], size=7 if n <= 2000 else 4, line=dict(width=0)
        )
        if highlight is not None:
            chosen = highlight[samples]
            marker.update(
                opacity=np.where(chosen, 1.0, 0.15),
                line=dict(width=np.where(chosen, 1.5, 0), color=HIGHLIGHT_COLOUR),
            )
        group_labels = np.unique(labels[samples])
        # a palette colour is one cluster; grey gathers the smallest, each point says which:
        # its hovertext is the cluster's number, sent as a typed array of int32 (plotly.js
        # decodes any typed array there; float64 took twice the bytes) and named by the
        # template, not a string per point (most of 20,000 points at a deep cut: 294 KB of
        # the answer, and as many strings for the browser to parse and collect; issue 12 §5)
        cluster = STRINGS["cluster"].format(
            label=group_labels[0] if len(group_labels) == 1 else "%{hovertext}"
        )
        traces.append(
            dict(
                type=kind,
                x=xy[samples, 0],
                y=xy[samples, 1],
                mode="markers",
                name=STRINGS["scatter_trace"].format(colour=colour),
                marker=marker,
                showlegend=False,
                customdata=samples.astype(np.int32),
                text=[point_names[i] for i in samples.tolist()] if named else None,
                hovertext=labels[samples].astype(np.int32) if len(group_labels) > 1 else None,
                hovertemplate="sample %{customdata}"
                + (" · %{text}" if named else "")
                + f"<br>{cluster}<br>%{{x:.4g}}, %{{y:.4g}}<extra></extra>",
            )
        )
    for colour, (row, samples) in zip(PIN_COLOURS, (pins or {}).items()):
        # the samples of a pinned merge, filled red then yellow as the tutorial draws Z[13], Z[14]
        traces.append(
            dict(
                type=kind,
                x=xy[samples, 0],
                y=xy[samples, 1],
                mode="markers",
                name=STRINGS["pinned"].format(row=row),
                marker=dict(size=10, color=colour, line=dict(color="#111111", width=1)),
                showlegend=False,
                customdata=np.asarray(samples, dtype=np.int32),
                hovertemplate=f"sample %{{customdata}} · in merge {row}<extra></extra>",
            )
        )
    layout = _base_layout(title, axis_titles[0], axis_titles[1])
    layout["xaxis"].update(showgrid=True, gridcolor="#ECECEC")
    layout["margin"] = dict(MARGIN, r=130)
    layout["annotations"] = cluster_legend(labels, label_colours)
    layout["uirevision"] = "scatter"
    if kind == "scattergl":
        # every symbol a later cut may draw, made ahead in idle time (assets/redraw_queue.js):
        # plotly makes each WebGL symbol once per page, 15-350 ms, in the redraw that first
        # draws it; a deep cut brings them all (#12 §5)
        layout["meta"] = {"gl_symbols": [*SYMBOLS, OVERFLOW_SYMBOL]}
    return unchecked_figure(traces, layout)


# Above this many values of k on an axis, plotly picks the ticks.
K_TICKS_MAX = 40


def k_axis_layout(k) -> dict:
    """An axis of k held to the plotted values of k, a tick per k when few.

    A marker at a k far beyond them (the current cut at k = 1,200, say) would
    otherwise stretch the axis, and one tick per k would then ask plotly to
    measure a thousand tick labels per axis on every redraw: a 90 s freeze
    of the page (measured at k = 1,200). Such a marker falls outside the range
    and is not drawn.
    """
    k = np.asarray(k, dtype=float)
    if not len(k):
        return dict(dtick=1)
    low, high = float(k.min()) - 0.5, float(k.max()) + 0.5
    axis = dict(range=[low, high], autorange=False)
    if high - low <= K_TICKS_MAX:
        axis["dtick"] = 1
    return axis


def elbow_figure(k_axis, distances, acceleration, suggested_k, current_k=None) -> PlainFigure:
    """The tutorial's elbow plot: last merge distances and their acceleration.

    `current_k`, when given, is marked by a dashed line named "current k = …".
    """
    traces = [
        dict(
            type="scatter",
            x=k_axis,
            y=distances,
            mode="lines+markers",
            name="merge distance",
            line=dict(color="#332288"),
        ),
        dict(
            type="scatter",
            x=k_axis[:-2] + 1 if len(acceleration) else [],
            y=acceleration,
            mode="lines+markers",
            name="acceleration (2nd difference)",
            line=dict(color="#117733"),
        ),
    ]
    layout = _base_layout(f"Elbow: suggests k = {suggested_k}", "number of clusters k", "distance")
    layout["xaxis"].update(k_axis_layout(k_axis))
    layout["legend"] = dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right")
    layout["title"]["y"] = 0.97
    layout["shapes"] = [
        dict(
            type="line",
            x0=suggested_k,
            x1=suggested_k,
            yref="paper",
            y0=0,
            y1=1,
            line=dict(color="#999", dash="dot"),
        )
    ]
    if current_k is not None:
        layout["shapes"].append(k_marker(current_k, colour=CUT_LINE_COLOUR, dash="dash"))
        layout["annotations"] = [k_marker_label(current_k)]
    layout["margin"] = dict(l=64, r=16, t=64, b=48)
    return unchecked_figure(traces, layout)


def subplot_row(titles, h_space=0.08, title_size=12) -> dict:
    """Axes and titles of plots side by side in one row, as a layout dict.

    What ``make_subplots(rows=1, cols=len(titles))`` builds, without its cost
    (about 0.1 s a figure): plot ``j`` (from 0) uses axes ``x{j+1}``/``y{j+1}``
    (``x``/``y`` for the first).
    """
    columns = len(titles)
    width = (1 - (columns - 1) * h_space) / columns
    layout, annotations = {}, []
    for j, title in enumerate(titles):
        left = j * (width + h_space)
        axis = "" if j == 0 else str(j + 1)
        layout[f"xaxis{axis}"] = dict(domain=[left, min(1.0, left + width)], anchor=f"y{axis}")
        layout[f"yaxis{axis}"] = dict(domain=[0.0, 1.0], anchor=f"x{axis}")
        annotations.append(
            dict(
                text=str(title),
                x=left + width / 2,
                y=1.0,
                xref="paper",
                yref="paper",
                xanchor="center",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=title_size),
            )
        )
    layout["annotations"] = annotations
    return layout


def k_marker(k, axis="x", colour="#999", dash="dot") -> dict:
    """A vertical line at k across one plot (its y domain), as a layout shape."""
    return dict(
        type="line",
        x0=k,
        x1=k,
        xref=axis,
        y0=0,
        y1=1,
        yref=f"{axis.replace('x', 'y')} domain",
        line=dict(color=colour, dash=dash),
    )


def k_marker_label(k, axis="x") -> dict:
    """The words "current k = …" at the top of :func:`k_marker`'s line."""
    return dict(
        text=f"current k = {k}",
        x=k,
        xref=axis,
        y=1,
        yref=f"{axis.replace('x', 'y')} domain",
        xanchor="left",
        yanchor="top",
        showarrow=False,
    )


def quality_figure(
    k, silhouette, calinski_harabasz, davies_bouldin, current_k=None, sample=None
) -> PlainFigure:
    """Three quality indices against k, side by side; click a k to cut there."""
    titles = (
        "Silhouette (higher is better)" + (f", sample of {sample:,}" if sample else ""),
        "Calinski–Harabasz (higher is better)",
        "Davies–Bouldin (lower is better)",
    )
    layout = dict(
        subplot_row(titles),
        template="none",
        font=FONT,
        margin=dict(l=48, r=16, t=48, b=48),
        plot_bgcolor=PLOT_BACKGROUND,
        paper_bgcolor=PLOT_BACKGROUND,
        showlegend=False,
    )
    traces, shapes = [], []
    axis = k_axis_layout(k)
    low, high = axis.get("range", (np.inf, -np.inf))  # no k scored (two rows): no line
    for j, (values, colour) in enumerate(
        ((silhouette, "#332288"), (calinski_harabasz, "#117733"), (davies_bouldin, "#CC6677"))
    ):
        name = "" if j == 0 else str(j + 1)
        traces.append(
            dict(
                type="scatter",
                x=k,
                y=values,
                xaxis=f"x{name}",
                yaxis=f"y{name}",
                mode="lines+markers",
                marker=dict(size=9, color=colour),
                line=dict(color=colour),
                hovertemplate="k = %{x}<br>%{y:.4g}<br>click to cut at this k<extra></extra>",
            )
        )
        # one axis title under the middle plot: three side by side would run into each other
        layout[f"xaxis{name}"].update(axis)
        if j == 1:
            layout[f"xaxis{name}"]["title"] = dict(text="number of clusters k")
        if current_k is not None and low <= current_k <= high:
            shapes.append(k_marker(current_k, f"x{name}"))
    if shapes:
        layout["shapes"] = shapes
    return unchecked_figure(traces, layout)


def cophenetic_figure(original, cophenetic, sampled, metric) -> PlainFigure:
    """Original against cophenetic distance per pair: on the diagonal is perfect."""
    trace = dict(
        type="scattergl",
        x=original,
        y=cophenetic,
        mode="markers",
        marker=dict(size=3, color="#332288", opacity=0.35),
        hovertemplate="original %{x:.4g}<br>cophenetic %{y:.4g}<extra></extra>",
    )
    # says what is plotted without contradicting c above it, which may use every pair
    note = (
        f"{len(original):,} of the pairs, drawn at random to plot"
        if sampled
        else f"all {len(original):,} pairs"
    )
    layout = _base_layout(
        f"Original vs cophenetic distance ({note})",
        f"original {metric} distance",
        "cophenetic distance (merge height)",
    )
    layout["margin"] = dict(l=72, r=16, t=36, b=48)
    layout["title"].update(font=dict(size=12), x=0.5, xanchor="center")
    return unchecked_figure([trace], layout)


def warm_up() -> None:
    """Build one small figure of each kind, once per server process.

    plotly loads its validators and subplot machinery on first use: about
    0.2 s that the first person's request would otherwise pay (measured on
    the quality plot). Called when the app is imported, so each gunicorn
    worker does it as it boots.
    """
    k = np.arange(2, 5)
    quality_figure(k, k * 0.1, k * 1.0, k * 0.5, 3, None)
    elbow_figure(k, k * 1.0, k * 0.1, 3)
    cophenetic_figure(k * 1.0, k * 1.0, False, "euclidean")
    labels = np.array([1, 1, 2])
    scatter_figure(np.zeros((3, 2)), labels, {1: PALETTE[0], 2: PALETTE[1]}, ("x", "y"), None)
