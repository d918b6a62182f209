"""callbacks.views: view options, labels for every criterion, colours shared by
both plots, highlights, and update_views' figures."""

import json

import numpy as np
import pytest
from dash import Patch, no_update
from dash.exceptions import PreventUpdate
from numpy.testing import assert_array_equal
from scipy.cluster.hierarchy import dendrogram as scipy_dendrogram
from scipy.cluster.hierarchy import fcluster, inconsistent, maxRstat, to_tree

from callbacks.clustering import compute_clustering
from callbacks.shown import (
    cluster_colours,
    dendrogram_options,
    highlighted_samples,
    labels_for,
    link_colours_for,
)
from callbacks.views import highlighted_links
from components.figures import ROOT_NUMBER, STRINGS
from components.plain_figure import PlainFigure
from hclust.cut import OVERFLOW, OVERFLOW_COLOUR, PALETTE, colour_hex, height_for_k, n_clusters_at
from hclust.dendrogram import ABOVE, dendrogram_geometry, members
from hclust.merge_steps import format_height
from services import store
from tests.fixtures import scatter_by_sample
from tests.helpers import (
    VIEW_CONTROLS,
    apply_patch,
    as_json,
    draw_views,
    load,
    new_session,
    options_store,
    put_preset,
    triggered_by,
)

N = 150  # the tutorial's samples


@pytest.fixture(scope="module")
def session():
    session_id = new_session()
    summary, _ = compute_clustering(session_id, put_preset(session_id), "ward", "euclidean", False)
    dataset, result = store.get_store().result_for(session_id, summary)
    return dict(id=session_id, clustering=summary, dataset=dataset, result=result)


def cut_for_k(session, k):
    height = height_for_k(session["result"].tree.sorted_heights, k).height
    return {
        "criterion": "distance",
        "height": height,
        "k": k,
        "t": 8,
        "depth": 10,
        "clustering": session["clustering"],
    }


def render(session, cut, **inputs):
    return draw_views(inputs.pop("session_id", session["id"]), cut, **inputs)


DEFAULTS = {
    "truncate_mode": "auto",
    "p": 60,
    "show_contracted": False,
    "annotate_above": None,
    "orientation": "top",
    "leaf_font_size": 9,
    "leaf_rotation": -90,
}


class TestDendrogramOptions:
    def test_defaults(self):
        assert dendrogram_options(None, None, None, None, None, None) == DEFAULTS

    def test_good_values_are_kept(self):
        options = dendrogram_options("level", 12, ["contracted", "snap"], 5, "left", "12:0")
        assert options == {
            "truncate_mode": "level",
            "p": 12,
            "show_contracted": True,
            "annotate_above": 5.0,
            "orientation": "left",
            "leaf_font_size": 12,
            "leaf_rotation": 0,
        }

    @pytest.mark.parametrize(
        "name,value",
        [
            ("truncate_mode", "everything"),
            ("truncate_mode", 3),
            ("p", 1),
            ("p", 2001),
            ("p", "30"),
            ("p", None),
            ("p", float("nan")),
            ("annotate_above", -1),
            ("annotate_above", "10"),
            ("annotate_above", float("nan")),
            ("orientation", "sideways"),
            ("orientation", None),
        ],
    )
    def test_bad_values_fall_back(self, name, value):
        given = dict(VIEW_CONTROLS)
        given[name] = value
        assert dendrogram_options(**given)[name] == DEFAULTS[name]

    @pytest.mark.parametrize("style", ["huge", "9:-90:1", "x:y", None, 12])
    def test_bad_leaf_label_style(self, style):
        options = dendrogram_options("auto", 60, [], None, "top", style)
        assert (options["leaf_font_size"], options["leaf_rotation"]) == (9, -90)

    def test_flags_other_than_contracted(self):
        assert (
            dendrogram_options("auto", 60, ["snap"], None, "top", None)["show_contracted"] is False
        )


class TestLabelsFor:
    @pytest.mark.parametrize("height", [16.0, 50.0, 0.0, 500.0])
    def test_distance(self, session, height):
        Z = session["result"].Z
        assert_array_equal(
            labels_for(session["result"], {"criterion": "distance", "height": height}),
            fcluster(Z, height, criterion="distance"),
        )

    @pytest.mark.parametrize("k", [1, 2, 4, 12, N])
    def test_maxclust(self, session, k):
        Z = session["result"].Z
        assert_array_equal(
            labels_for(session["result"], {"criterion": "maxclust", "k": k, "depth": 10}),
            fcluster(Z, k, criterion="maxclust"),
        )

    @pytest.mark.parametrize("t,depth", [(8, 10), (1.0, 2), (0.8, 5)])
    def test_inconsistent(self, session, t, depth):
        Z = session["result"].Z
        got = labels_for(session["result"], {"criterion": "inconsistent", "t": t, "depth": depth})
        assert_array_equal(got, fcluster(Z, t, criterion="inconsistent", depth=depth))

    @pytest.mark.parametrize("t,depth", [(1.0, 2), (0.8, 5)])
    def test_monocrit(self, session, t, depth):
        Z = session["result"].Z
        MR = maxRstat(Z, inconsistent(Z, depth), 3)
        got = labels_for(session["result"], {"criterion": "monocrit", "t": t, "depth": depth})
        assert_array_equal(got, fcluster(Z, t, criterion="monocrit", monocrit=MR))

    @pytest.mark.parametrize("k,depth", [(3, 2), (5, 5)])
    def test_maxclust_monocrit(self, session, k, depth):
        Z = session["result"].Z
        MR = maxRstat(Z, inconsistent(Z, depth), 3)
        got = labels_for(
            session["result"], {"criterion": "maxclust_monocrit", "k": k, "depth": depth}
        )
        assert_array_equal(got, fcluster(Z, k, criterion="maxclust_monocrit", monocrit=MR))

    def test_maxclust_cut_with_an_empty_depth_box(self, session):
        """The Depth box only matters for the inconsistency criteria.

        Regression: flat_clusters used to check depth before returning for
        'maxclust', so with the Depth input cleared update_views answered
        "⚠ Depth must be a whole number from 1 to 100." and no plot followed.
        """
        cut = {
            "criterion": "maxclust",
            "height": None,
            "k": 3,
            "t": 8,
            "depth": None,
            "clustering": session["clustering"],
        }
        dendrogram, scatter, _, status = render(session, cut)
        assert not status.startswith("⚠"), status
        assert isinstance(scatter, PlainFigure)


class TestColours:
    @pytest.mark.parametrize("k", [2, 4, 7])
    @pytest.mark.parametrize("truncate", ["none", "lastp"])
    def test_links_inside_a_cluster_take_its_colour(self, session, k, truncate):
        result = session["result"]
        tree = result.tree
        labels = fcluster(result.Z, k, criterion="maxclust")
        label_colours, node_colours = cluster_colours(result, labels, None)
        geometry = dendrogram_geometry(result.Z, tree, truncate, 20)
        links = link_colours_for(result, labels, geometry, node_colours)
        assert len(links) == geometry.n_links
        for j, merge in enumerate(geometry.merges.tolist()):
            inside = np.unique(labels[members(tree, tree.n + merge)])
            if len(inside) == 1:
                assert links[j] != ABOVE
                assert colour_hex(int(links[j])) == label_colours[int(inside[0])]
            else:
                assert links[j] == ABOVE

    def test_each_cluster_root_is_coloured_once(self, session):
        result = session["result"]
        labels = fcluster(result.Z, 5, criterion="maxclust")
        label_colours, node_colours = cluster_colours(result, labels, None)
        assert sorted(label_colours) == [1, 2, 3, 4, 5]
        assert len(set(label_colours.values())) == 5 and set(label_colours.values()) <= set(PALETTE)
        for node, colour in node_colours.items():
            assert len(np.unique(labels[members(result.tree, int(node))])) == 1
            assert (
                colour_hex(colour) == label_colours[int(labels[members(result.tree, int(node))[0]])]
            )

    def test_inconsistent_partition_colours_match(self, session):
        result = session["result"]
        labels = fcluster(result.Z, 1.0, criterion="inconsistent", depth=2)
        label_colours, node_colours = cluster_colours(result, labels, None)
        links = link_colours_for(result, labels, result.geometry, node_colours)
        for j, merge in enumerate(result.geometry.merges.tolist()):
            inside = np.unique(labels[members(result.tree, N + merge)])
            expected = label_colours[int(inside[0])] if len(inside) == 1 else None
            assert (colour_hex(int(links[j])) if links[j] != ABOVE else None) == expected

    def test_previous_colours_are_kept(self, session):
        result = session["result"]
        _, first = cluster_colours(result, fcluster(result.Z, 4, criterion="maxclust"), None)
        _, second = cluster_colours(result, fcluster(result.Z, 5, criterion="maxclust"), first)
        kept = set(first) & set(second)
        assert len(kept) == 3 and all(first[node] == second[node] for node in kept)


class TestHighlightedSamples:
    @pytest.fixture
    def labels(self, session):
        return fcluster(session["result"].Z, 4, criterion="maxclust")

    def test_node(self, session, labels):
        mask = highlighted_samples(session["result"], labels, {"node": 163})
        assert set(np.flatnonzero(mask).tolist()) == {33, 62, 68}

    def test_leaf_node(self, session, labels):
        assert np.flatnonzero(
            highlighted_samples(session["result"], labels, {"node": 7})
        ).tolist() == [7]

    def test_cluster(self, session, labels):
        assert_array_equal(
            highlighted_samples(session["result"], labels, {"cluster": 2}), labels == 2
        )

    def test_samples(self, session, labels):
        mask = highlighted_samples(session["result"], labels, {"samples": [3, 140, 3]})
        assert np.flatnonzero(mask).tolist() == [3, 140]

    def test_bad_samples_are_ignored(self, session, labels):
        mask = highlighted_samples(session["result"], labels, {"samples": [5, -1, 150, "7", 2.0]})
        assert np.flatnonzero(mask).tolist() == [5]

    @pytest.mark.parametrize(
        "highlight",
        [
            None,
            {},
            {"node": -1},
            {"node": 2 * N - 1},
            {"cluster": 99},
            {"samples": []},
            {"samples": [999]},
        ],
    )
    def test_nothing_to_highlight(self, session, labels, highlight):
        assert highlighted_samples(session["result"], labels, highlight) is None


class TestHighlightedLinks:
    @pytest.mark.parametrize("node", [163, 2 * N - 2, 2 * N - 3, 250])
    def test_exactly_the_links_under_a_node(self, session, node):
        result = session["result"]
        tree = result.tree
        labels = fcluster(result.Z, 4, criterion="maxclust")
        mask = highlighted_samples(result, labels, {"node": node})
        links = highlighted_links(result, mask, result.geometry)
        lo, hi = tree.start[node], tree.start[node] + tree.size[node]
        nodes = N + result.geometry.merges
        under = (tree.start[nodes] >= lo) & (tree.start[nodes] + tree.size[nodes] <= hi)
        assert_array_equal(links, under)
        assert links.sum() == tree.size[node] - 1  # a full view draws every merge

    def test_truncated_view(self, session):
        result = session["result"]
        geometry = dendrogram_geometry(result.Z, result.tree, "lastp", 10)
        node = int(N + geometry.merges[-3])
        mask = highlighted_samples(result, None, {"node": node})
        links = highlighted_links(result, mask, geometry)
        expected = [
            bool(set(members(result.tree, N + m).tolist()) <= set(np.flatnonzero(mask).tolist()))
            for m in geometry.merges
        ]
        assert links.tolist() == expected and any(expected)

    def test_no_highlight(self, session):
        assert highlighted_links(session["result"], None, session["result"].geometry) is None


def scatter_colour_list(figure):
    return scatter_by_sample(figure)[0]


class TestUpdateViews:
    def test_new_data_s_axes_wait_for_its_cut(self, session):
        """Loading data writes its axes and its data version at once; the old cut is not drawn
        again with them (it would be drawn over when the new cut comes, and with it every panel
        that reads the colour map): six requests less per dataset change (#11)."""
        cut = cut_for_k(session, 4)
        newer = {"key": "f" * 64, "n": 750}
        for axis in ("scatter-x.value", "scatter-y.value"):
            with triggered_by(axis), pytest.raises(PreventUpdate):
                render(session, cut, data_version=newer)
        shown = {"key": session["clustering"]["key"], "n": 150}
        with triggered_by("scatter-x.value"):  # the page's own data: a chosen axis is drawn
            dendrogram, scatter, _, _ = render(session, cut, data_version=shown)
        assert isinstance(scatter, PlainFigure) and isinstance(dendrogram, PlainFigure)
        with triggered_by("cut.data"):  # the new data's cut itself is always drawn
            assert isinstance(render(session, cut, data_version=newer)[1], PlainFigure)

    def test_cut_move_on_the_same_tree_regroups_the_scatter(self, session):
        _, _, colour_map, _ = render(session, cut_for_k(session, 4))
        cut = cut_for_k(session, 6)
        dendrogram, scatter, new_map, _ = render(session, cut, colour_map=colour_map)
        labels = fcluster(session["result"].Z, cut["height"], criterion="distance")
        colours, found_labels, _ = scatter_by_sample(scatter)
        assert colours == [new_map["labels"][str(label)] for label in labels]
        assert_array_equal(found_labels, labels)
        assert len(scatter.data) == 6 and isinstance(dendrogram, PlainFigure)

    def test_first_render_is_a_full_figure(self, session):
        dendrogram, scatter, colour_map, status = render(session, cut_for_k(session, 4))
        assert isinstance(scatter, PlainFigure) and isinstance(dendrogram, PlainFigure)
        labels = fcluster(session["result"].Z, 4, criterion="maxclust")
        assert scatter_colour_list(scatter) == [
            colour_map["labels"][str(label)] for label in labels
        ]
        assert status == ""

    def test_other_tree_gives_a_full_figure(self, session):
        _, _, colour_map, _ = render(session, cut_for_k(session, 4))
        stale = dict(colour_map, clustering=dict(session["clustering"], method="average"))
        _, scatter, _, _ = render(session, cut_for_k(session, 5), colour_map=stale)
        assert isinstance(scatter, PlainFigure)

    def test_highlight_gives_a_full_figure(self, session):
        _, _, colour_map, _ = render(session, cut_for_k(session, 4))
        _, scatter, _, status = render(
            session, cut_for_k(session, 5), colour_map=colour_map, highlight={"node": 163}
        )
        assert isinstance(scatter, PlainFigure)
        opacity = np.asarray(scatter_by_sample(scatter, "opacity")[0])
        assert np.flatnonzero(opacity == 1.0).tolist() == [33, 62, 68]
        assert "Highlighted: 3 samples" in status

    def test_node_highlight_draws_its_links(self, session):
        dendrogram, _, _, _ = render(session, cut_for_k(session, 4), highlight={"node": 163})
        thick = [trace for trace in dendrogram.data if trace.name == "highlighted"]
        assert len(thick) == 1
        x = np.asarray(thick[0].x, dtype=float)
        # two links that meet, one unbroken line (components.figures._tours): 4 points for
        # the top link, 7 for the walk under its child, and a gap
        assert np.isfinite(x).sum() == 4 + 7 and np.isnan(x).sum() == 1

    def test_orientation_left(self, session):
        cut = cut_for_k(session, 4)
        dendrogram, _, _, _ = render(session, cut, orientation="left")
        line = dendrogram.layout.shapes[0]
        assert line.x0 == line.x1 == pytest.approx(cut["height"])
        assert line.yref == "paper" and (line.y0, line.y1) == (0, 1)
        xs = np.concatenate(
            [np.asarray(t.x, dtype=float) for t in dendrogram.data if t.mode == "lines"]
        )
        ys = np.concatenate(
            [np.asarray(t.y, dtype=float) for t in dendrogram.data if t.mode == "lines"]
        )
        assert np.nanmax(xs) == pytest.approx(session["result"].Z[:, 2].max())
        assert np.nanmax(ys) == pytest.approx(5 + 10 * (N - 1))
        assert dendrogram.layout.xaxis.title.text == "merge distance"
        assert (
            list(dendrogram.layout.xaxis.range)[0] > list(dendrogram.layout.xaxis.range)[1]
        )  # root on the left

    def test_orientation_top(self, session):
        cut = cut_for_k(session, 4)
        dendrogram, _, _, _ = render(session, cut)
        line = dendrogram.layout.shapes[0]
        assert line.y0 == line.y1 == pytest.approx(cut["height"]) and line.xref == "paper"

    def test_show_contracted_on_a_truncated_view(self, session):
        dendrogram, _, _, status = render(
            session, cut_for_k(session, 4), truncate_mode="lastp", p=10, flags=["contracted"]
        )
        contracted = [trace for trace in dendrogram.data if trace.name == "contracted merges"]
        assert len(contracted) == 1
        geometry = dendrogram_geometry(session["result"].Z, session["result"].tree, "lastp", 10)
        assert len(geometry.contracted_height) == N - 1 - 9
        # dots closer than 1/1000 of the height range on the same leaf are drawn once
        drawn = set(
            zip(
                np.asarray(contracted[0].x, dtype=float).tolist(),
                np.asarray(contracted[0].y, dtype=float).round(3).tolist(),
            )
        )
        top = geometry.contracted_height.max()
        every = {
            (x, round(h / (top / 1000)))
            for x, h in zip(geometry.contracted_x.tolist(), geometry.contracted_height.tolist())
        }
        assert len(contracted[0].y) == len(every) <= N - 1 - 9
        assert all(
            any(abs(h - y) <= top / 1000 for (x2, y) in drawn if x2 == x)
            for x, h in zip(geometry.contracted_x.tolist(), geometry.contracted_height.tolist())
        )
        assert "truncated" in status and "Showing 10 leaves for 150 samples" in status

    def test_contracted_off(self, session):
        dendrogram, _, _, _ = render(
            session, cut_for_k(session, 4), truncate_mode="lastp", p=10, flags=[]
        )
        assert not [trace for trace in dendrogram.data if trace.name == "contracted merges"]

    def test_full_view_has_no_contracted_merges(self, session):
        dendrogram, _, _, _ = render(session, cut_for_k(session, 4), flags=["contracted"])
        assert not [trace for trace in dendrogram.data if trace.name == "contracted merges"]

    @pytest.mark.parametrize("threshold", [10.0, 16.0, 100.0])
    def test_annotate_above(self, session, threshold):
        dendrogram, _, _, _ = render(session, cut_for_k(session, 4), annotate_above=threshold)
        heights = session["result"].Z[:, 2]
        texts = sorted(
            a.text
            for a in dendrogram.layout.annotations
            if a.xref != "paper" and a.name != ROOT_NUMBER
        )  # not the legend, nor the clusters' numbers
        assert len(texts) == int((heights > threshold).sum()) > 0
        # heights as people read them: 4 significant digits, thousands separated
        assert texts == sorted(format_height(h) for h in heights[heights > threshold])

    def test_no_height_annotations_by_default(self, session):
        dendrogram, _, _, _ = render(session, cut_for_k(session, 4))
        shown = [a.xref for a in dendrogram.layout.annotations if a.name != ROOT_NUMBER]
        assert shown == ["paper"]  # the legend only (and the clusters' numbers)

    def test_dendrogram_legend_names_every_cluster_with_its_size(self, session):
        dendrogram, scatter, _, _ = render(session, cut_for_k(session, 4))
        legend = dendrogram.layout.annotations[-1].text
        assert (
            legend == scatter.layout.annotations[0].text
        )  # the same colours and sizes in both plots
        assert legend.count("●</span> cluster ") == 4

    def test_more_clusters_than_colours(self, session):
        k = len(PALETTE) + 3
        dendrogram, scatter, colour_map, status = render(session, cut_for_k(session, k))
        assert (
            f"the {len(PALETTE)} largest of {k:,} clusters have distinguishable colours" in status
        )
        assert "the 3 smallest are grey" in status
        colours = list(colour_map["labels"].values())
        palette_used = [c for c in colours if c != OVERFLOW_COLOUR]
        assert len(palette_used) == len(set(palette_used)) == len(PALETTE)
        assert colours.count(OVERFLOW_COLOUR) == 3
        labels = fcluster(
            session["result"].Z, cut_for_k(session, k)["height"], criterion="distance"
        )
        sizes = np.bincount(labels)
        grey = [int(lab) for lab, c in colour_map["labels"].items() if c == OVERFLOW_COLOUR]
        coloured = [int(lab) for lab, c in colour_map["labels"].items() if c != OVERFLOW_COLOUR]
        assert max(sizes[grey]) <= min(sizes[coloured])
        assert (
            OVERFLOW not in [c for c in colour_map["nodes"].values() if c != OVERFLOW]
            and -1 in colour_map["nodes"].values()
        )

    def test_focused_branch_title(self, session):
        focus = {"node": 2 * N - 3, "clustering": session["clustering"]}
        dendrogram, _, _, _ = render(session, cut_for_k(session, 4), focus=focus)
        size = int(session["result"].tree.size[2 * N - 3])
        assert f"branch of merge {N - 3} ({size:,} samples)" in dendrogram.layout.title.text

    def test_expired_session(self, session):
        outputs = render(session, cut_for_k(session, 4), session_id=new_session())
        assert (
            outputs[:3] == (no_update, no_update, no_update) and "No data is loaded" in outputs[3]
        )

    def test_heights_match_the_cut(self, session):
        cut = cut_for_k(session, 4)
        _, scatter, colour_map, _ = render(session, cut)
        assert (
            len(set(scatter_colour_list(scatter)))
            == n_clusters_at(session["result"].tree.sorted_heights, cut["height"])
            == 4
        )


class TestRecolourIndexCallback:
    """publish_recolour_index names the same geometry update_views draws, and the colour map carries spans."""

    @pytest.mark.parametrize("truncate_mode,orientation", [("auto", "top"), ("lastp", "left")])
    def test_index_fits_the_drawn_figure(self, session, truncate_mode, orientation):
        from callbacks.recolour import publish_recolour_index

        dendrogram, _, colour_map, _ = render(
            session, cut_for_k(session, 3), truncate_mode=truncate_mode, orientation=orientation
        )
        index = publish_recolour_index(
            clustering=session["clustering"],
            view_options=options_store(truncate_mode=truncate_mode, orientation=orientation),
            focus=None,
            session_id=session["id"],
        )
        assert index["geometry"] == dendrogram.layout.meta["geometry"]
        assert index["n"] == N and index["axis"] == ("y" if orientation == "top" else "x")
        tree = session["result"].tree
        assert {node: tuple(span) for node, span in colour_map["spans"].items()} == {
            node: (int(tree.start[int(node)]), int(tree.size[int(node)]))
            for node in colour_map["nodes"]
        }


class TestLeafAxisTitle:
    """The dendrogram's leaf axis is named after the label column, when there is one."""

    @pytest.mark.parametrize("scaling", ["none", "zscore"])
    def test_named_after_the_label_column(self, scaling):
        session_id = new_session()
        out = load(session_id, "bundled:iris", label="species", scaling=scaling)
        assert store.get_store().dataset(session_id).label_name == "species"
        summary, _ = compute_clustering(session_id, out["version"], "ward", "euclidean", False)
        _, result = store.get_store().result_for(session_id, summary)
        iris = dict(id=session_id, clustering=summary, result=result)
        dendrogram, *_ = render(iris, cut_for_k(iris, 3), x_choice=out["x"], y_choice=out["y"])
        assert dendrogram.layout.xaxis.title.text.startswith("species")

    def test_sample_index_without_one(self, session):
        dendrogram, *_ = render(session, cut_for_k(session, 2))
        assert dendrogram.layout.xaxis.title.text.startswith("sample index")


class TestScatterNames:
    """A point's hover names its sample; its label too when the data has a label column, and no
    list of names is sent when the names would be the sample numbers again (issue 12 §5)."""

    def test_names_from_the_label_column(self):
        session_id = new_session()
        out = load(session_id, "bundled:iris", label="species")
        summary, _ = compute_clustering(session_id, out["version"], "ward", "euclidean", False)
        dataset, result = store.get_store().result_for(session_id, summary)
        iris = dict(id=session_id, clustering=summary, result=result)
        _, scatter, *_ = render(iris, cut_for_k(iris, 3), x_choice=out["x"], y_choice=out["y"])
        names = dataset.leaf_names()
        for trace in scatter.data:
            assert list(trace.text) == [names[i] for i in trace.customdata]
            assert "%{text}" in trace.hovertemplate

    def test_no_names_without_a_label_column(self, session):
        _, scatter, *_ = render(session, cut_for_k(session, 2))
        assert session["dataset"].labels is None
        for trace in scatter.data:
            assert trace.text is None
            assert trace.hovertemplate.startswith("sample %{customdata}<br>")
        assert sum(len(t.customdata) for t in scatter.data) == N


# ----------------------------------------------------------------- a cut answered by Patches


class TestCutPatches:
    @pytest.mark.parametrize(
        "ks, controls",
        [
            ((4, 6, 3, 2, 12), {}),
            ((5, 20, 7), dict(truncate_mode="lastp", p=12, flags=["contracted"])),
            ((3, 9, 4), dict(orientation="left", annotate_above=5.0)),
        ],
    )
    def test_the_patches_give_the_whole_figures(self, session, ks, controls):
        dendrogram, scatter, colour_map, _ = render(
            session, cut_for_k(session, ks[0]), patches=True, **controls
        )
        drawn = [as_json(dendrogram), as_json(scatter)]
        for k in ks[1:]:
            cut = cut_for_k(session, k)
            whole = render(session, cut, colour_map=colour_map, **controls)
            patches = render(session, cut, colour_map=colour_map, patches=True, **controls)
            assert all(isinstance(p, Patch) for p in patches[:2]), f"k = {k}"
            assert dict(patches[2], drawn=None) == dict(whole[2], drawn=None)
            assert patches[3] == whole[3]
            drawn = [apply_patch(figure, p) for figure, p in zip(drawn, patches[:2])]
            assert drawn == [as_json(whole[0]), as_json(whole[1])], f"k = {k}"
            colour_map = patches[2]

    def test_the_patches_leave_the_hover_targets_alone(self, session):
        _, _, colour_map, _ = render(session, cut_for_k(session, 4), patches=True)
        dendrogram, scatter, _, _ = render(
            session, cut_for_k(session, 7), colour_map=colour_map, patches=True
        )
        touched = [tuple(op["location"][:2]) for op in as_json(dendrogram)["operations"]]
        assert ("data", 0) not in touched  # the merges' hover targets stay as drawn
        assert len(json.dumps(as_json(dendrogram))) < len(
            json.dumps(as_json(render(session, cut_for_k(session, 7), colour_map=colour_map)[0]))
        )

    @pytest.mark.parametrize(
        "change",
        [
            dict(x_choice="y", y_choice="x"),
            dict(highlight={"node": 163}),
            dict(orientation="left"),
            dict(pins=[140]),
            dict(truncate_mode="lastp", p=12),
        ],
    )
    def test_anything_but_the_cut_gives_whole_figures(self, session, change):
        _, _, colour_map, _ = render(session, cut_for_k(session, 4), patches=True)
        dendrogram, scatter, _, _ = render(
            session, cut_for_k(session, 6), colour_map=colour_map, patches=True, **change
        )
        assert isinstance(dendrogram, PlainFigure) and isinstance(scatter, PlainFigure)

    @pytest.mark.parametrize(
        "drawn",
        [None, "x", {"key": "other"}, {"blocks": [1, 2]}, "forged blocks"],
    )
    def test_a_colour_map_that_does_not_match_gives_whole_figures(self, session, drawn):
        _, _, colour_map, _ = render(session, cut_for_k(session, 4), patches=True)
        if drawn == "forged blocks":
            drawn = dict(colour_map["drawn"], blocks=[10**6, -1])
        dendrogram, scatter, _, _ = render(
            session, cut_for_k(session, 6), colour_map=dict(colour_map, drawn=drawn), patches=True
        )
        assert isinstance(dendrogram, PlainFigure) and isinstance(scatter, PlainFigure)


class TestClustersInsideATruncatedLeaf:
    @pytest.mark.parametrize("k", [20, 40])
    def test_its_hover_says_how_many_clusters_it_holds(self, session, k):
        """Issue #12: a truncated leaf holding several clusters is drawn grey; its hover
        says how many (scipy's truncated leaves, fcluster's labels)."""
        Z = session["result"].Z
        cut = cut_for_k(session, k)
        dendrogram, _, _, _ = render(session, cut, truncate_mode="lastp", p=12)
        labels = fcluster(Z, cut["height"], criterion="distance")
        nodes = to_tree(Z, rd=True)[1]
        expected = []
        for leaf in scipy_dendrogram(Z, truncate_mode="lastp", p=12, no_plot=True)["leaves"]:
            samples = nodes[leaf].pre_order()
            count = len(np.unique(labels[samples]))
            if count > 1:
                expected.append([count, len(samples)])
        (inside,) = [t for t in dendrogram.data if t.name == STRINGS["inside"]]
        assert np.asarray(inside.customdata).tolist() == expected
        assert "clusters inside this leaf" in inside.hovertemplate
        assert len(expected) >= 2

    def test_no_such_leaf_without_truncation(self, session):
        dendrogram, _, _, _ = render(session, cut_for_k(session, 20))
        assert not [t for t in dendrogram.data if t.name == STRINGS["inside"]]
