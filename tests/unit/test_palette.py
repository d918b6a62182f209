"""The cluster colours, the greys and the cut line: contrast and colour-blind distances (#16).

Contrast is WCAG 2's ratio of relative luminances (1.4.11 asks 3:1 for the parts
of a graph one must see). Colour blindness is simulated with colorspacious
(Machado, Oliveira & Fernandes 2009, at severity 100: deuteranopia, protanopia,
tritanopia) and distances are measured in CAM02-UCS, where 1 unit is about one
just-noticeable difference between large patches.

Threshold: ΔE ≥ 8. Scatter markers and dendrogram links are small and thin, and
small marks need several times the large-patch difference to be told apart
(Szafir 2018, "Modeling Color Difference for Visualization Design"); 8 units is
eight such steps, about the distance between Tol's own muted colours under
simulation. Symbols and cluster numbers are the second cue besides colour.
"""

from itertools import combinations

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE
from scipy.cluster.hierarchy import cophenet, fcluster, linkage
from scipy.spatial.distance import squareform

from components.figures import (
    CUT_LINE_COLOUR,
    PLOT_BACKGROUND,
    ROOT_NUMBER,
    dendrogram_figure,
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
)
from hclust.data import tutorial_blobs
from hclust.dendrogram import dendrogram_geometry, link_colour_indices

MIN_CONTRAST = 3.0
MIN_DELTA_E = 8.0
DEFICIENCIES = ("deuteranomaly", "protanomaly", "tritanomaly")


def srgb(hex_colour):
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255


def relative_luminance(hex_colour):
    """WCAG 2's relative luminance of an sRGB colour."""
    c = srgb(hex_colour)
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(a, b):
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def seen_with(deficiency, hex_colour):
    """The colour as a person with `deficiency` (full severity) sees it, in sRGB."""
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    return np.clip(cspace_convert(srgb(hex_colour), space, "sRGB1"), 0, 1)


def distance(deficiency, a, b):
    return float(deltaE(seen_with(deficiency, a), seen_with(deficiency, b), input_space="sRGB1"))


class TestContrast:
    def test_the_formula_gives_wcag_reference_values(self):
        assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
        assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)

    @pytest.mark.parametrize(
        "name, colour",
        [(f"palette {i}", c) for i, c in enumerate(PALETTE)]
        + [
            ("between clusters", ABOVE_CUT_COLOUR),
            ("beyond the palette", OVERFLOW_COLOUR),
            ("cut line", CUT_LINE_COLOUR),
        ],
    )
    def test_every_colour_stands_out_from_the_plot_background(self, name, colour):
        ratio = contrast(colour, PLOT_BACKGROUND)
        assert ratio >= MIN_CONTRAST, f"{name} {colour} is at {ratio:.2f}:1 on {PLOT_BACKGROUND}"


class TestColourBlindness:
    def test_the_palette_has_eight_distinct_colours(self):
        assert len(PALETTE) >= 8 and len(set(PALETTE)) == len(PALETTE)

    @pytest.mark.parametrize("deficiency", DEFICIENCIES)
    def test_the_first_eight_colours_stay_apart(self, deficiency):
        for a, b in combinations(PALETTE[:8], 2):
            assert distance(deficiency, a, b) >= MIN_DELTA_E, f"{a} and {b} under {deficiency}"

    @pytest.mark.parametrize("deficiency", DEFICIENCIES)
    @pytest.mark.parametrize("grey", [ABOVE_CUT_COLOUR, OVERFLOW_COLOUR, CUT_LINE_COLOUR])
    def test_the_greys_and_the_cut_line_stay_apart_from_every_colour(self, deficiency, grey):
        for colour in PALETTE[:8]:
            assert distance(deficiency, colour, grey) >= MIN_DELTA_E, (
                f"{colour} and {grey} under {deficiency}"
            )

    @pytest.mark.parametrize("deficiency", DEFICIENCIES)
    def test_the_greys_and_the_cut_line_stay_apart_from_each_other(self, deficiency):
        for a, b in combinations([ABOVE_CUT_COLOUR, OVERFLOW_COLOUR, CUT_LINE_COLOUR], 2):
            assert distance(deficiency, a, b) >= MIN_DELTA_E, f"{a} and {b} under {deficiency}"

    def test_the_simulation_sees_the_old_palette_fail(self):
        """The check has teeth: teal and the old grey were nearly one colour under deuteranopia."""
        assert distance("deuteranomaly", "#44AA99", "#9A9A9A") < MIN_DELTA_E


# ---------------------------------------------------------------- a second cue besides colour


def _tutorial_cut(k):
    """The tutorial's ward tree cut into k clusters by scipy, drawn as callbacks/views.py does."""
    X, _ = tutorial_blobs()
    Z = linkage(X, "ward")
    labels = fcluster(Z, k, "maxclust")
    tree = TreeIndex.from_linkage(Z)
    roots, pure = tree.partition_roots(labels)
    colours = assign_colours(tree, roots)
    root_labels = tree.root_labels(roots, labels)
    geometry = dendrogram_geometry(Z, tree, "none", 30)
    links = link_colour_indices(geometry, tree, roots, colours, pure)
    label_colours = {int(lab): colour_hex(int(c)) for lab, c in zip(root_labels, colours)}
    return X, Z, labels, geometry, links, label_colours, dict(zip(colours.tolist(), root_labels))


class TestSecondCue:
    @pytest.mark.parametrize("k", [2, 5, 12])
    def test_scatter_marks_each_colour_with_its_own_symbol(self, k):
        X, _, labels, _, _, label_colours, _ = _tutorial_cut(k)
        figure = scatter_figure(X, labels, label_colours, ("x", "y"), None)
        symbol_of = dict(zip(PALETTE, SYMBOLS)) | {OVERFLOW_COLOUR: OVERFLOW_SYMBOL}
        drawn = [(t.marker.color, t.marker.symbol) for t in figure.data]
        assert all(symbol == symbol_of[colour] for colour, symbol in drawn)
        assert len({symbol for _, symbol in drawn}) == len(drawn) == min(k, len(PALETTE) + 1)
        assert len(set(SYMBOLS) | {OVERFLOW_SYMBOL}) == len(PALETTE) + 1

    @pytest.mark.parametrize("orientation", ["top", "left"])
    def test_dendrogram_numbers_each_cluster_at_its_root(self, orientation):
        X, Z, labels, geometry, links, _, label_of_colour = _tutorial_cut(4)
        figure = dendrogram_figure(
            geometry,
            links,
            None,
            [str(i) for i in range(len(X))],
            Z,
            orientation=orientation,
            root_numbers=label_of_colour,
        )
        numbers = [a for a in figure.layout.annotations if a.name == ROOT_NUMBER]
        assert sorted(a.text for a in numbers) == [f"<b>{label}</b>" for label in range(1, 5)]
        # each number sits at its cluster's root: the largest cophenetic distance inside it
        coph = squareform(cophenet(Z))
        for note in numbers:
            label = int(note.text.strip("<b>/"))
            members = np.flatnonzero(labels == label)
            height = note.y if orientation == "top" else note.x
            assert height == pytest.approx(coph[np.ix_(members, members)].max())
            assert note.font.color == colour_hex(
                next(c for c, lab in label_of_colour.items() if lab == label)
            )
