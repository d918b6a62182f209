"""Trees readable at every size (#13 §5): thinned leaf labels, labels that never collide, 1,262."""

import numpy as np
import pytest

from components.figures import (
    ANNOTATION_FONT,
    HEIGHT_TICKFORMAT,
    PLOT_AREA_PX,
    annotation_layout,
    dendrogram_figure,
    label_stride,
)
from hclust.dendrogram import ABOVE, dendrogram_geometry


def _figure(tutorial, Z_name="Z", **kwargs):
    Z = tutorial[Z_name]
    from hclust.cut import TreeIndex

    tree = TreeIndex.from_linkage(Z)
    geometry = dendrogram_geometry(Z, tree)
    links = np.full(geometry.n_links, ABOVE)
    names = [str(i) for i in range(len(Z) + 1)]
    return geometry, dendrogram_figure(geometry, links, None, names, Z, **kwargs)


def _boxes(annotations, geometry):
    """Each label's box in the same pixel estimate, from what the figure says."""
    top = float(geometry.height.max()) * 1.05
    to_x = PLOT_AREA_PX[0] / (10 * len(geometry.leaf_nodes))
    to_y = PLOT_AREA_PX[1] / top
    boxes = []
    for a in annotations:
        w = len(a["text"]) * ANNOTATION_FONT * 0.6 + 4
        h = ANNOTATION_FONT * 1.3
        cx, cy = a["x"] * to_x, a["y"] * to_y
        boxes.append((cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2))
    return np.array(boxes), to_x, to_y


class TestLeafLabels:
    @pytest.mark.parametrize("count, rotation", [(150, -90), (1000, -90), (60, -45), (40, 0)])
    def test_shown_labels_never_overlap(self, count, rotation):
        labels = [f"sample {i}" for i in range(count)]
        every = label_stride(labels, 12, rotation)
        spacing = PLOT_AREA_PX[0] / count * every  # pixels between two shown labels
        need = 12 * 1.3 * (1.42 if rotation == -45 else 1)
        if rotation == 0:
            need = len(labels[-1]) * 12 * 0.6 + 4
        assert spacing >= need

    def test_a_small_tree_shows_every_label(self):
        assert label_stride([str(i) for i in range(20)], 9, -90) == 1

    def test_big_tree_thins_rather_than_a_black_band(self, tutorial):
        geometry, figure = _figure(tutorial, leaf_font_size=12)
        shown = [t for t in figure.layout.xaxis.ticktext if t]
        assert 0 < len(shown) < len(geometry.leaf_nodes)
        assert len(shown) * 12 * 1.3 <= PLOT_AREA_PX[0] + 12 * 1.3


class TestHeights:
    def test_axis_and_labels_read_with_thousands_separators(self, tutorial):
        geometry, figure = _figure(tutorial, "Z2", annotate_above=100)
        assert figure.layout.yaxis.tickformat == HEIGHT_TICKFORMAT == ",~r"
        texts = [a.text for a in figure.layout.annotations]
        top = float(tutorial["Z2"][-1, 2])
        assert top > 1000
        assert f"{round(top):,}" in texts  # 1,263 (not 1.26e+03)
        assert not any("e+" in t for t in texts)

    def test_hover_formats_the_height_for_people(self, tutorial):
        _, figure = _figure(tutorial)
        assert "height %{y:,.5~r}" in figure.data[0].hovertemplate


class TestAnnotations:
    @pytest.mark.parametrize("Z_name, above", [("Z", 10), ("Z", 2), ("Z2", 5)])
    def test_labels_collide_with_neither_each_other_nor_the_tree(self, tutorial, Z_name, above):
        Z = tutorial[Z_name]
        from hclust.cut import TreeIndex

        geometry = dendrogram_geometry(Z, TreeIndex.from_linkage(Z))
        annotations, dots = annotation_layout(geometry, above)
        assert len(annotations) == len(dots) > 0
        boxes, to_x, to_y = _boxes(annotations, geometry)
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                assert a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]
        legs = np.concatenate(
            [
                np.column_stack([geometry.x_left, geometry.h_left, geometry.height]),
                np.column_stack([geometry.x_right, geometry.h_right, geometry.height]),
            ]
        )
        for x0, x1, y0, y1 in boxes:
            x, low, high = legs[:, 0] * to_x, legs[:, 1] * to_y, legs[:, 2] * to_y
            assert not np.any((x >= x0) & (x <= x1) & (low <= y1) & (high >= y0))
            bars = (geometry.height * to_y >= y0) & (geometry.height * to_y <= y1)
            assert not np.any(
                bars & (geometry.x_left * to_x <= x1) & (geometry.x_right * to_x >= x0)
            )

    def test_the_highest_merges_are_labelled_first(self, tutorial):
        from hclust.cut import TreeIndex

        Z = tutorial["Z"]
        geometry = dendrogram_geometry(Z, TreeIndex.from_linkage(Z))
        annotations, dots = annotation_layout(geometry, 10)
        # the tutorial's last merges: 180.3, 23.12, 17.12, 15.12 all labelled
        assert [a["text"] for a in annotations[:4]] == ["180.3", "23.12", "17.12", "15.12"]
        assert geometry.height[dots[0]] == pytest.approx(Z[-1, 2])
