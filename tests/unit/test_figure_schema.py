"""Figures built without plotly's per-property check (components.figures.unchecked_figure)
are exactly what plotly's checking constructor makes of the same input: the same JSON (key
order aside), and no
property it refuses."""

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from scipy.cluster.hierarchy import fcluster, linkage

from callbacks.merge_steps import render_step
from components.agreement_figures import agreement_k_figure, profiles_figure
from components.clustergram_figures import clustergram_figure
from components.figures import (
    cophenetic_figure,
    elbow_figure,
    placeholder_figure,
    quality_figure,
)
from components.tanglegram_figures import tanglegram_figure
from hclust.compare import compare_trees, line_labels
from hclust.profiles import cluster_profiles
from tests.helpers import draw_views

K = np.arange(2, 11)
RNG = np.random.default_rng(5)


def profiles():
    values = RNG.normal(size=(120, 3))
    return profiles_figure(
        cluster_profiles(values, RNG.integers(1, 5, 120)),
        ["height", "weight", "age"],
        {"1": "#332288", "2": "#CC6677", "3": "#117733"},
    )


def clustergram():
    return clustergram_figure(
        RNG.normal(size=(4, 3)),
        ["a", "b", "c"],
        ["r0", "r1", "r2", "r3"],
        ["#332288", "#CC6677", "#9A9A9A", "#332288"],
        ["w", "x", "y", "z"],
        scale="zscore",
        column_tree=(np.array([0.0, 0.0, 1.0, 1.0, np.nan]), np.array([0, 1, 1, 0, np.nan])),
        highlighted_rows=np.array([False, True, False, False]),
    )


def tanglegram():
    X = RNG.normal(size=(40, 2))
    found = compare_trees(linkage(X, "ward"), linkage(X, "average"))
    _, majority = line_labels(found, fcluster(found.Z_other, 3, criterion="maxclust"))
    colours = [("#332288", "#CC6677", "#117733")[label - 1] for label in majority]
    return tanglegram_figure(found, colours, "ward", "average", [f"s{i}" for i in range(40)])


BUILDERS = {
    "cophenetic": lambda: cophenetic_figure(K * 1.0, K * 0.9, True, "cityblock"),
    "placeholder": lambda: placeholder_figure("Computing quality indices…"),
    "clustergram": clustergram,
    "tanglegram": tanglegram,
    "elbow": lambda: elbow_figure(K, K * 1.5, np.diff(K * 1.5, 2), 3, current_k=4),
    "elbow without a current k": lambda: elbow_figure(K, K * 1.5, np.diff(K * 1.5, 2), 3),
    "quality": lambda: quality_figure(K, K * 0.1, K * 2.0, K * 0.3, current_k=5, sample=1000),
    "quality, k off the axis": lambda: quality_figure(K, K * 0.1, K * 2.0, K * 0.3, 400),
    "agreement over k": lambda: agreement_k_figure(K, K / 20, K / 30, K / 15, 6, "species"),
    "profiles": profiles,
}


@pytest.mark.parametrize("name", BUILDERS)
def test_an_unchecked_figure_is_what_plotly_makes_of_it_when_checking(name):
    figure = BUILDERS[name]()
    checked = go.Figure(figure.to_dict())  # raises on any property plotly refuses
    assert json.loads(pio.to_json(figure)) == json.loads(pio.to_json(checked))


@pytest.mark.parametrize("step", [0, 70, 148])
def test_the_merge_steps_figures_are_what_plotly_makes_of_them(session, step):
    dendrogram, scatter, *_ = render_step(
        step, [3, 10], None, session["clustering"], "x", "y", session["id"]
    )
    for figure in (dendrogram, scatter):
        checked = go.Figure(figure.to_dict())
        assert json.loads(pio.to_json(figure)) == json.loads(pio.to_json(checked))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"orientation": "left", "flags": ["contracted"], "annotate_above": 20.0},
        {"truncate_mode": "lastp", "p": 12, "leaf_label_style": "12:0"},
        {"highlight": {"node": 290}},
    ],
)
def test_the_dendrogram_and_scatter_are_what_plotly_makes_of_them(session, options):
    dendrogram, scatter, _, _ = draw_views(session["id"], session["cut"], **options)
    for figure in (dendrogram, scatter):
        checked = go.Figure(figure.to_dict())
        assert json.loads(pio.to_json(figure)) == json.loads(pio.to_json(checked))


def test_a_misspelt_property_would_be_caught():
    """The comparison above is not vacuous: plotly's check refuses what the builders skip."""
    with pytest.raises(ValueError, match="colour"):
        go.Figure({"data": [{"type": "scatter", "marker": {"colour": "red"}}], "layout": {}})
