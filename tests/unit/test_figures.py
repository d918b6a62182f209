"""components.figures: arrays in, plotly figures out."""

import base64

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from scipy.cluster.hierarchy import linkage

import components.figures as figures
from components.figures import (
    CUT_LINE_COLOUR,
    dendrogram_figure,
    elbow_figure,
    label_stride,
    scatter_figure,
)
from hclust.cut import (
    ABOVE_CUT_COLOUR,
    OVERFLOW_COLOUR,
    OVERFLOW_SYMBOL,
    PALETTE,
    SYMBOLS,
    TreeIndex,
    assign_colours,
    colour_hex,
    labels_at,
)
from hclust.dendrogram import ABOVE, dendrogram_geometry, link_colour_indices
from hclust.diagnostics import elbow
from tests.drawn_lines import groups, link_strokes, strokes, strokes_of_steps
from tests.fixtures import scatter_by_sample
from tests.fixtures import tutorial_values as ref


def coloured_tutorial(tutorial, height, truncate_mode="none", p=30):
    """Geometry, link colours, labels and {label: hex} for a cut of the tutorial tree."""
    Z, tree = tutorial["Z"], tutorial["tree"]
    labels = labels_at(Z, height)
    roots, pure = tree.partition_roots(labels)
    colours = assign_colours(tree, roots)
    geometry = dendrogram_geometry(Z, tree, truncate_mode, p)
    links = link_colour_indices(geometry, tree, roots, colours, pure)
    label_colours = {
        int(label): colour_hex(int(c)) for label, c in zip(tree.root_labels(roots, labels), colours)
    }
    return geometry, links, labels, label_colours


def line_traces(figure):
    return [trace for trace in figure.data if trace.mode == "lines"]


def colour_index_of(trace, links):
    """The palette index (or ABOVE) a link trace is drawn in."""
    drawn = {ABOVE_CUT_COLOUR if c == ABOVE else colour_hex(int(c)): c for c in np.unique(links)}
    return drawn[trace.line.color]


def pieces(x):
    """Pieces of a line between its gaps (a gap after each): plotly's <path>s for it."""
    return int(np.isnan(np.asarray(x, dtype=float)).sum())


@pytest.fixture(scope="module")
def names(tutorial):
    return [str(i) for i in range(len(tutorial["X"]))]


class TestDendrogramFigure:
    @pytest.mark.parametrize("height", [16.0, 50.0, 5.0])
    def test_cut_line_is_shapes_0_at_the_height(self, tutorial, names, height):
        geometry, links, _, _ = coloured_tutorial(tutorial, height)
        figure = dendrogram_figure(geometry, links, height, names, tutorial["Z"])
        line = figure.layout.shapes[0]
        assert line.type == "line"
        assert line.y0 == line.y1 == height
        assert (line.xref, line.x0, line.x1) == ("paper", 0, 1)
        assert line.editable is True
        assert line.line.color == CUT_LINE_COLOUR
        assert line.visible is not False

    def test_horizontal_tree_has_a_vertical_line(self, tutorial, names):
        geometry, links, _, _ = coloured_tutorial(tutorial, 16.0)
        line = dendrogram_figure(
            geometry, links, 16.0, names, tutorial["Z"], orientation="left"
        ).layout.shapes[0]
        assert line.x0 == line.x1 == 16.0
        assert (line.yref, line.y0, line.y1) == ("paper", 0, 1)

    def test_no_height_hides_the_line(self, tutorial, names):
        geometry, links, _, _ = coloured_tutorial(tutorial, 16.0)
        figure = dendrogram_figure(geometry, links, None, names, tutorial["Z"])
        assert figure.layout.shapes[0].visible is False

    @pytest.mark.parametrize("height", [0.5, 16.0, 50.0, 500.0])
    def test_one_line_trace_per_distinct_colour(self, tutorial, names, height):
        geometry, links, _, _ = coloured_tutorial(tutorial, height)
        traces = line_traces(dendrogram_figure(geometry, links, height, names, tutorial["Z"]))
        assert len(traces) == len(np.unique(links))
        expected = {
            ABOVE_CUT_COLOUR if c == ABOVE else colour_hex(int(c)) for c in np.unique(links)
        }
        assert {trace.line.color for trace in traces} == expected

    def test_every_link_is_drawn_and_nothing_else(self, tutorial, names):
        geometry, links, _, _ = coloured_tutorial(tutorial, 16.0)
        traces = line_traces(dendrogram_figure(geometry, links, 16.0, names, tutorial["Z"]))
        for trace in traces:
            assert trace.line.shape == "linear"  # every step is up, down or across
            chosen = links == colour_index_of(trace, links)
            assert strokes(trace.x, trace.y) == link_strokes(geometry, chosen)

    @pytest.mark.parametrize("height", [0.5, 16.0, 50.0])
    def test_an_svg_tree_draws_one_unbroken_line_per_group_of_links_that_meet(
        self, tutorial, names, height
    ):
        """plotly makes a <path> of each piece of a line between two gaps, styled one by one:
        one piece per link made a cut's redraw of a 750-sample tree twice as long (#12 §5)."""
        geometry, links, labels, _ = coloured_tutorial(tutorial, height)
        traces = line_traces(dendrogram_figure(geometry, links, height, names, tutorial["Z"]))
        for trace in traces:
            chosen = links == colour_index_of(trace, links)
            assert pieces(trace.x) == groups(geometry, tutorial["Z"], chosen)
        # one piece for each cluster of two samples or more, and one for the grey tree above
        clusters = int(np.sum(np.bincount(labels) >= 2))
        assert sum(pieces(trace.x) for trace in traces) == clusters + bool(np.any(links == ABOVE))
        assert clusters + 1 < geometry.n_links / 3

    @settings(max_examples=60, deadline=None)
    @given(
        seed=st.integers(0, 2**32 - 1),
        n=st.integers(2, 60),
        method=st.sampled_from(["single", "complete", "average", "ward", "centroid", "median"]),
        truncate=st.sampled_from([("none", 30), ("lastp", 5), ("level", 3)]),
        tied=st.booleans(),
    )
    def test_walks_draw_exactly_the_chosen_links_one_piece_per_group(
        self, seed, n, method, truncate, tied
    ):
        """Any set of links (a colour's), of any tree: inversions (centroid, median), ties,
        truncated leaves."""
        rng = np.random.default_rng(seed)
        X = rng.integers(0, 3, size=(n, 2)) if tied else rng.normal(size=(n, 2))
        Z = linkage(X.astype(float), method)
        geometry = dendrogram_geometry(Z, TreeIndex.from_linkage(Z), *truncate)
        chosen = rng.random(geometry.n_links) < rng.uniform(0, 1)
        positions, heights = figures._tours(geometry, chosen, *figures.child_links(geometry, Z))
        assert positions.dtype == heights.dtype == np.float32
        assert strokes(positions, heights) == link_strokes(geometry, chosen)
        assert pieces(positions) == groups(geometry, Z, chosen)
        if chosen.any():
            assert np.isnan(positions[-1])  # a gap after each piece, the last too

    def test_a_webgl_tree_keeps_a_gap_after_each_link(self):
        """WebGL draws a line in one go, gaps or not: its links stay 3 points and a gap."""
        rng = np.random.default_rng(3)
        Z = linkage(rng.normal(size=(1_100, 2)), "ward")
        tree = TreeIndex.from_linkage(Z)
        geometry = dendrogram_geometry(Z, tree)
        one = np.zeros(geometry.n_links, dtype=np.int64)
        figure = dendrogram_figure(geometry, one, 1.0, [str(i) for i in range(1_100)], Z)
        (trace,) = line_traces(figure)
        assert trace.type == "scattergl" and trace.line.shape == "vh"
        assert len(trace.x) == 4 * geometry.n_links == 4 * pieces(trace.x)
        assert strokes_of_steps(trace.x, trace.y) == link_strokes(geometry, one == 0)

    def test_links_above_the_cut_are_grey(self, tutorial, names):
        geometry, links, _, _ = coloured_tutorial(tutorial, 16.0)
        traces = line_traces(dendrogram_figure(geometry, links, 16.0, names, tutorial["Z"]))
        grey = [trace for trace in traces if trace.line.color == ABOVE_CUT_COLOUR]
        assert len(grey) == 1
        bars = sorted(at for way, at in strokes(grey[0].x, grey[0].y) if way == "across")
        # the 3 merges above a 4-cluster cut: their bars are at the last three heights
        np.testing.assert_allclose(bars, tutorial["Z"][-3:, 2], rtol=1e-6)  # float32 sent

    @pytest.mark.parametrize("delta", [-1, 1])
    def test_colours_length_must_match_links(self, tutorial, names, delta):
        geometry, links, _, _ = coloured_tutorial(tutorial, 16.0)
        wrong = np.resize(links, len(links) + delta)
        with pytest.raises(ValueError, match="one colour per link"):
            dendrogram_figure(geometry, wrong, 16.0, names, tutorial["Z"])

    def test_merge_markers_carry_the_z_row(self, tutorial, names):
        geometry, links, _, _ = coloured_tutorial(tutorial, 16.0)
        figure = dendrogram_figure(geometry, links, 16.0, names, tutorial["Z"])
        markers = [trace for trace in figure.data if trace.name == "merges"][0]
        # [i, idx1, idx2, count] per merge; the hover formats them with the height in the browser
        assert_array_equal(markers.customdata[:, 0], geometry.merges)
        assert markers.customdata[13].tolist() == [13, 62, 152, 3]
        assert (
            "Z[i] = [%{customdata[1]}, %{customdata[2]}, %{y:.5~r}, %{customdata[3]}]"
            in markers.hovertemplate
        )
        assert float(markers.y[13]) == pytest.approx(0.1726, abs=1e-4)

    def test_leaf_ticks_follow_the_leaf_order(self, tutorial, names):
        geometry, links, _, _ = coloured_tutorial(tutorial, 16.0)
        axis = dendrogram_figure(geometry, links, 16.0, names, tutorial["Z"]).layout.xaxis
        in_order = [names[i] for i in tutorial["tree"].leaf_order]
        # 150 labels at 9 px cannot all be written side by side: every k-th, in leaf order
        every = label_stride(in_order, 9, -90)
        assert every > 1
        assert list(axis.ticktext) == [t if r % every == 0 else "" for r, t in enumerate(in_order)]
        assert f"every {every}" in axis.title.text
        assert_array_equal(axis.tickvals, 5 + 10 * np.arange(len(names)))

    def test_truncated_leaves_show_cluster_sizes(self, tutorial, names):
        geometry, links, _, _ = coloured_tutorial(tutorial, 16.0, "lastp", 12)
        axis = dendrogram_figure(geometry, links, 16.0, names, tutorial["Z"]).layout.xaxis
        sizes = [int(text.strip("()")) for text in axis.ticktext if text.startswith("(")]
        assert len(axis.ticktext) == 12 and sum(sizes) + sum(
            1 for t in axis.ticktext if not t.startswith("(")
        ) == len(names)

    def test_height_axis_shows_the_top_merge(self, tutorial, names):
        geometry, links, _, _ = coloured_tutorial(tutorial, 16.0)
        y_range = dendrogram_figure(geometry, links, 16.0, names, tutorial["Z"]).layout.yaxis.range
        assert y_range[0] == 0 and y_range[1] > ref.Z_LAST_4_HEIGHTS[-1]

    def test_webgl_for_many_points(self, tutorial, names, monkeypatch):
        monkeypatch.setattr(figures, "WEBGL_ABOVE_POINTS", 10)
        geometry, links, _, _ = coloured_tutorial(tutorial, 16.0)
        figure = dendrogram_figure(geometry, links, 16.0, names, tutorial["Z"])
        assert all(trace.type == "scattergl" for trace in figure.data)


class TestScatterFigure:
    @pytest.mark.parametrize("height", [50.0, 16.0, 5.0])
    def test_each_sample_in_its_clusters_colour_one_trace_per_colour(self, tutorial, names, height):
        _, _, labels, label_colours = coloured_tutorial(tutorial, height)
        figure = scatter_figure(tutorial["X"], labels, label_colours, ("x", "y"), names)
        assert len(figure.data) == len(set(label_colours.values())), (
            "a colour per trace, so a new cut moves points, never parses colours"
        )
        assert all(isinstance(trace.marker.color, str) for trace in figure.data)
        colours, _, _ = scatter_by_sample(figure)
        assert colours == [label_colours[int(label)] for label in labels]

    def test_every_sample_once_with_its_label_and_position(self, tutorial, names):
        _, _, labels, label_colours = coloured_tutorial(tutorial, 16.0)
        figure = scatter_figure(tutorial["X"], labels, label_colours, ("x", "y"), names)
        samples = np.concatenate([np.asarray(trace.customdata) for trace in figure.data])
        assert sorted(samples.tolist()) == list(range(len(names)))
        _, found_labels, xy = scatter_by_sample(figure)
        assert_array_equal(found_labels, labels)
        assert_array_equal(xy, tutorial["X"])

    def test_hover_names_the_cluster_also_among_the_pale_grey_ones(self, tutorial, names):
        _, _, labels, label_colours = coloured_tutorial(tutorial, 3.0)  # more clusters than colours
        figure = scatter_figure(tutorial["X"], labels, label_colours, ("x", "y"), names)
        grey = figure.data[0]
        assert grey.marker.color == OVERFLOW_COLOUR and len(set(grey.hovertext)) > 1
        _, found, _ = scatter_by_sample(figure)
        assert_array_equal(found, labels)

    def test_the_grey_hover_is_sent_as_cluster_numbers_that_the_template_names(
        self, tutorial, names
    ):
        # one typed array, not a string per point: most of 20,000 points are grey at a deep
        # cut, 294 KB of strings for the browser to parse and collect (#12 §5)
        _, _, labels, label_colours = coloured_tutorial(tutorial, 3.0)
        figure = scatter_figure(tutorial["X"], labels, label_colours, ("x", "y"), names)
        grey = figure.data[0]
        assert grey.hovertext.dtype == np.int32  # 4 bytes a point, not float64's 8
        assert_array_equal(grey.hovertext, labels[grey.customdata])
        assert "<br>cluster %{hovertext}<br>" in grey.hovertemplate
        sent = figure.to_plotly_json()["data"][0]["hovertext"]
        assert set(sent) == {"dtype", "bdata"} and sent["dtype"] == "i4"
        assert len(base64.b64decode(sent["bdata"])) == 4 * len(grey.customdata)
        one = figure.data[1]  # a palette colour: one cluster, named in its template
        assert one.hovertext is None and f"cluster {labels[one.customdata[0]]}<br>" in (
            one.hovertemplate
        )

    def test_the_grey_is_drawn_as_circles_and_no_palette_colour_is(self, tutorial, names):
        # WebGL draws a circle without a distance-field texture: the grey, most points at
        # a deep cut, costs software WebGL about half the GPU time of a hexagon (#12 §5);
        # each colour keeps a symbol of its own as the second cue besides colour
        _, _, labels, label_colours = coloured_tutorial(tutorial, 3.0)
        figure = scatter_figure(tutorial["X"], labels, label_colours, ("x", "y"), names)
        symbols = {trace.marker.color: trace.marker.symbol for trace in figure.data}
        assert symbols.pop(OVERFLOW_COLOUR) == "circle"
        assert "circle" not in symbols.values() and len(set(symbols.values())) == len(symbols)

    def test_customdata_is_a_compact_array_of_sample_indices(self, tutorial, names):
        _, _, labels, label_colours = coloured_tutorial(tutorial, 16.0)
        for trace in scatter_figure(tutorial["X"], labels, label_colours, ("x", "y"), names).data:
            assert trace.customdata.dtype == np.int32 and trace.customdata.ndim == 1

    def test_groups_in_palette_order_with_grey_first_and_samples_ascending(self, tutorial, names):
        _, _, labels, label_colours = coloured_tutorial(tutorial, 3.0)
        figure = scatter_figure(tutorial["X"], labels, label_colours, ("x", "y"), names)
        order = [(OVERFLOW_COLOUR, *PALETTE).index(trace.marker.color) for trace in figure.data]
        assert order == sorted(order) and order[0] == 0
        for trace in figure.data:
            samples = np.asarray(trace.customdata)
            assert np.all(np.diff(samples) > 0)

    def test_legend_lists_clusters_with_sizes_and_colours(self, tutorial, names):
        _, _, labels, label_colours = coloured_tutorial(tutorial, 16.0)
        legend = (
            scatter_figure(tutorial["X"], labels, label_colours, ("x", "y"), names)
            .layout.annotations[0]
            .text
        )
        for label, size in zip(*np.unique(labels, return_counts=True)):
            assert (
                f"<span style='color:{label_colours[int(label)]}'>●</span> cluster {label} ({size})"
                in legend
            )

    def test_axis_titles(self, tutorial, names):
        _, _, labels, label_colours = coloured_tutorial(tutorial, 50.0)
        figure = scatter_figure(tutorial["X"], labels, label_colours, ("first", "second"), names)
        assert (figure.layout.xaxis.title.text, figure.layout.yaxis.title.text) == (
            "first",
            "second",
        )

    def test_overflow_clusters_are_pale_grey(self, tutorial, names):
        _, _, labels, label_colours = coloured_tutorial(tutorial, 3.0)
        assert len(label_colours) > len(PALETTE)
        colours = list(label_colours.values())
        assert colours.count(OVERFLOW_COLOUR) == len(label_colours) - len(PALETTE)
        assert sorted(c for c in colours if c != OVERFLOW_COLOUR) == sorted(PALETTE)
        figure = scatter_figure(tutorial["X"], labels, label_colours, ("x", "y"), names)
        assert {trace.marker.color for trace in figure.data} == set(colours)

    def test_a_webgl_scatter_lists_every_symbol_a_cut_may_draw(self):
        # assets/redraw_queue.js makes them ahead, in idle time: plotly makes each WebGL
        # symbol in the redraw that first draws it, and a deep cut brings them all (#12 §5)
        rng = np.random.default_rng(0)
        n = figures.WEBGL_ABOVE_POINTS + 1
        labels = np.arange(n) % 3
        colours = dict(zip(range(3), PALETTE))
        figure = scatter_figure(rng.normal(size=(n, 2)), labels, colours, ("x", "y"), None)
        assert {trace.type for trace in figure.data} == {"scattergl"}
        wanted = figure.layout.meta["gl_symbols"]
        assert set(wanted) == {*SYMBOLS, OVERFLOW_SYMBOL}
        assert {trace.marker.symbol for trace in figure.data} < set(wanted)
        small = scatter_figure(rng.normal(size=(50, 2)), labels[:50], colours, ("x", "y"), None)
        assert "meta" not in small.to_plotly_json()["layout"]  # SVG markers need none


class TestElbowFigure:
    def test_marks_the_suggested_k(self, tutorial):
        found = elbow(tutorial["Z2"])
        figure = elbow_figure(found.k_axis, found.distances, found.acceleration, found.suggested_k)
        assert figure.layout.shapes[0].x0 == ref.ELBOW_K_X2
        assert f"k = {ref.ELBOW_K_X2}" in figure.layout.title.text
        assert_array_equal(figure.data[1].x, np.arange(2, 10))


def every_cluster_colour_in_the_dendrogram(X, height, truncate_mode, p):
    """(colours the scatter shows, colours the dendrogram shows) for one cut."""
    from hclust.cut import TreeIndex
    from hclust.dendrogram import leaf_colour_indices
    from hclust.linkage import compute_linkage

    Z = compute_linkage(X, "ward", "euclidean")
    tree = TreeIndex.from_linkage(Z)
    labels = labels_at(Z, height)
    roots, pure = tree.partition_roots(labels)
    colours = assign_colours(tree, roots)
    geometry = dendrogram_geometry(Z, tree, truncate_mode, p)
    links = link_colour_indices(geometry, tree, roots, colours, pure)
    leaves = leaf_colour_indices(geometry, tree, roots, colours)
    label_colours = {
        int(label): colour_hex(int(c)) for label, c in zip(tree.root_labels(roots, labels), colours)
    }
    names = [str(i) for i in range(len(X))]
    scatter = scatter_figure(X, labels, label_colours, ("x", "y"), names)
    dendrogram = dendrogram_figure(geometry, links, height, names, Z, leaf_colours=leaves)
    in_scatter = {trace.marker.color for trace in scatter.data}
    in_dendrogram = {t.line.color for t in line_traces(dendrogram) if t.name != "between clusters"}
    for trace in dendrogram.data:
        if trace.name == figures.STRINGS["leaf_trace"]:
            in_dendrogram |= set(trace.marker.color)
    return in_scatter, in_dendrogram


class TestEveryClusterHasItsColourInTheDendrogram:
    """Issue 12 §4: a cluster that is one drawn leaf (a sample, or a truncated leaf) has no
    link of its own; it gets a dot of its colour at its leaf."""

    def test_tutorial_cut_at_16_truncated_to_12_leaves(self, tutorial):
        # the 23-point cluster is one truncated leaf
        in_scatter, in_dendrogram = every_cluster_colour_in_the_dendrogram(
            tutorial["X"], 16.0, "lastp", 12
        )
        assert len(in_scatter) == 4 and in_dendrogram == in_scatter

    def test_x2_cut_at_170_truncated_to_12_leaves(self):
        from hclust.data import load_preset

        in_scatter, in_dendrogram = every_cluster_colour_in_the_dendrogram(
            load_preset("tutorial-5-blobs").values, 170.0, "lastp", 12
        )
        assert len(in_scatter) == 5 and in_dendrogram == in_scatter

    def test_a_single_sample_cluster_in_the_full_tree(self, tutorial):
        X = np.vstack([tutorial["X"], [[200.0, 200.0]]])  # an outlier, alone below the top merges
        in_scatter, in_dendrogram = every_cluster_colour_in_the_dendrogram(X, 60.0, "none", 30)
        assert len(in_scatter) >= 3 and in_dendrogram == in_scatter

    def test_the_dot_stands_at_its_leaf_in_the_clusters_colour(self, tutorial, names):
        from hclust.dendrogram import leaf_colour_indices

        Z, tree = tutorial["Z"], tutorial["tree"]
        labels = labels_at(Z, 16.0)
        roots, _ = tree.partition_roots(labels)
        colours = assign_colours(tree, roots)
        geometry = dendrogram_geometry(Z, tree, "lastp", 12)
        leaves = leaf_colour_indices(geometry, tree, roots, colours)
        one_leaf = np.flatnonzero(leaves != ABOVE)
        # scipy: the leaf's samples are exactly one flat cluster
        for q in one_leaf:
            node = geometry.leaf_nodes[q]
            samples = tree.leaf_order[tree.start[node] : tree.start[node] + tree.size[node]]
            assert np.sum(labels == labels[samples[0]]) == len(samples)
            assert len(np.unique(labels[samples])) == 1
        figure = dendrogram_figure(
            geometry, np.zeros(geometry.n_links, dtype=int), 16.0, names, Z, leaf_colours=leaves
        )
        (dots,) = [t for t in figure.data if t.name == figures.STRINGS["leaf_trace"]]
        assert_array_equal(np.asarray(dots.x), geometry.leaf_x[one_leaf].astype(np.float32))
        assert list(dots.marker.color) == [colour_hex(int(c)) for c in leaves[one_leaf]]

    def test_no_dot_when_every_cluster_has_links(self, tutorial, names):
        geometry, links, _, _ = coloured_tutorial(tutorial, 16.0)
        figure = dendrogram_figure(
            geometry,
            links,
            16.0,
            names,
            tutorial["Z"],
            leaf_colours=np.full(len(geometry.leaf_nodes), ABOVE),
        )
        assert not [t for t in figure.data if t.name == figures.STRINGS["leaf_trace"]]


class TestKAxes:
    """Issue 12 §5: a current k far beyond the plotted k must not stretch the k axes (a tick
    per k: a thousand tick labels measured per axis, a 90 s freeze at k = 1,200)."""

    def test_elbow_axis_stays_on_its_k_with_a_far_marker(self):
        k = np.arange(2, 12)
        figure = go.Figure(elbow_figure(k, k * 1.0, np.ones(8), 3).to_dict())
        figure.add_vline(x=1200)
        assert tuple(figure.layout.xaxis.range) == (1.5, 11.5)
        assert figure.layout.xaxis.autorange is False

    def test_quality_axes_stay_on_their_k_and_a_far_k_is_not_drawn(self):
        k = np.arange(2, 31)
        figure = figures.quality_figure(k, k * 0.1, k * 1.0, k * 0.5, 1200)
        for axis in ("xaxis", "xaxis2", "xaxis3"):
            assert tuple(figure.layout[axis].range) == (1.5, 30.5)
        assert not figure.layout.shapes
        near = figures.quality_figure(k, k * 0.1, k * 1.0, k * 0.5, 5)
        assert len(near.layout.shapes) == 3
