"""components.tanglegram_figures: every line joins the two drawn leaves its samples are under,
each tree is drawn as scipy orders it after rotation, and colours and widths are as given."""

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage

from components.tanglegram_figures import LEFT_LEAVES, RIGHT_LEAVES, tanglegram_figure
from hclust.compare import compare_trees, line_labels

PALETTE = ("#111111", "#222222", "#333333", "#444444")


def figure_for(n, full_max_n=1_000, p=60, names=None):
    X = np.random.default_rng(n).normal(size=(n, 2))
    found = compare_trees(linkage(X, "ward"), linkage(X, "average"), full_max_n=full_max_n, p=p)
    labels = fcluster(found.Z_other, 4, criterion="maxclust")
    lines, majority = line_labels(found, labels)
    colours = [PALETTE[label - 1] for label in majority]
    return found, lines, colours, tanglegram_figure(found, colours, "ward", "average", names)


def segments(figure):
    """(colour, width, y_left, y_right) of every line drawn between the trees."""
    found = []
    for trace in figure.data:
        if trace.name.startswith("lines "):
            x, y = np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)
            assert np.array_equal(x[0::3], np.full(len(x) // 3, LEFT_LEAVES))
            assert np.array_equal(x[1::3], np.full(len(x) // 3, RIGHT_LEAVES))
            found += [(trace.line.color, trace.line.width, a, b) for a, b in zip(y[0::3], y[1::3])]
    return found


@pytest.mark.parametrize("n, full_max_n, p", [(40, 1_000, 60), (200, 50, 9)])
def test_lines_join_the_leaves_of_their_samples(n, full_max_n, p):
    found, lines, colours, figure = figure_for(n, full_max_n, p)
    y1 = np.empty(found.tree1.n_leaves)
    y1[found.order1] = -np.arange(found.tree1.n_leaves)
    y2 = np.empty(found.tree2.n_leaves)
    y2[found.order2] = -np.arange(found.tree2.n_leaves)
    expected = sorted((colour, y1[a], y2[b]) for colour, a, b in zip(colours, lines.a, lines.b))
    drawn = sorted((colour, a, b) for colour, _, a, b in segments(figure))
    assert drawn == expected
    widths = {width for _, width, _, _ in segments(figure)}
    # lines of single samples are all one width; lines of truncated leaves by their weight
    assert (len(widths) == 1) == (not found.truncated)


def test_trees_face_each_other():
    found, _, _, figure = figure_for(30, names=[f"s{i}" for i in range(30)])
    trees = next(t for t in figure.data if t.name == "trees")
    x = np.asarray(trees.x, dtype=float)
    x = x[np.isfinite(x)]
    assert x.min() == pytest.approx(0.0) and x.max() == pytest.approx(3.0)  # the two roots
    left = next(t for t in figure.data if t.name == "left leaves")
    # hovers name the samples, top to bottom in the untangled order
    order = np.argsort(-np.asarray(left.y, dtype=float))
    assert [left.text[i] for i in order] == [f"s{s}" for s in found.order1]


def test_one_colour_per_line_is_required():
    found, _, colours, _ = figure_for(20)
    with pytest.raises(ValueError):
        tanglegram_figure(found, colours[:-1], "a", "b")
