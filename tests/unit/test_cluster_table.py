"""The cluster table's colour swatches (callbacks/diagnostics.update_summary) at deep cuts.

Issue 12 §5: one style rule per cluster made the table evaluate thousands of rules for
every drawn cell; the swatches are now styled by one rule per distinct colour.
"""

import re

import numpy as np
from scipy.cluster.hierarchy import fcluster

from callbacks import diagnostics
from callbacks.diagnostics import update_summary
from hclust.cut import PALETTE
from tests.helpers import call, drag_to, draw_views, move_cut


def _render(session, cut):
    _, _, colour_map, _ = draw_views(session["id"], cut, flags=["contracted"])
    return colour_map


def _swatch_colour(row, styles):
    """The colour the table gives a row's swatch cell: the rules whose filter matches it."""
    chosen = []
    for rule in styles:
        field, value = re.fullmatch(r"\{(\w+)\} = (\d+)", rule["if"]["filter_query"]).groups()
        if rule["if"]["column_id"] == "colour" and row.get(field) == int(value):
            chosen.append(rule["color"])
    return chosen


def test_a_deep_cut_styles_every_swatch_with_few_rules(session, tutorial):
    """The tutorial cut low, into more clusters than the palette: each row's swatch has its
    cluster's colour (the scatter's, from the colour map), by at most one rule per colour."""
    Z = tutorial["Z"]
    height = float(np.sort(Z[:, 2])[40])  # leaves 150 - 41 = 109 clusters
    cut = move_cut(session, "cut-drag.data", drag=drag_to(height))["cut"]
    colour_map = _render(session, cut)
    rows, _, styles = call(update_summary, cut=cut, colour_map=colour_map, session_id=session["id"])
    labels = fcluster(Z, height, criterion="distance")
    assert len(rows) == labels.max() > len(PALETTE)
    assert len(styles) <= len(PALETTE) + 2, f"{len(styles)} style rules for {len(rows)} clusters"
    for row in rows:
        assert _swatch_colour(row, styles) == [colour_map["labels"][str(row["cluster"])]], row
    assert sorted(row["size"] for row in rows) == sorted(np.bincount(labels)[1:].tolist())


def test_above_the_row_limit_the_largest_clusters_are_listed_and_the_header_says_so(
    session, tutorial, monkeypatch
):
    """The 109 clusters of the low cut, with the table's limit at 20: the 20 largest, in
    cluster order, each with its own size and colour, and a header naming 20 of 109."""
    monkeypatch.setattr(diagnostics, "SUMMARY_ROWS_MAX", 20)
    Z = tutorial["Z"]
    height = float(np.sort(Z[:, 2])[40])
    cut = move_cut(session, "cut-drag.data", drag=drag_to(height))["cut"]
    colour_map = _render(session, cut)
    rows, columns, styles = call(
        update_summary, cut=cut, colour_map=colour_map, session_id=session["id"]
    )
    labels = fcluster(Z, height, criterion="distance")
    sizes = np.bincount(labels)
    largest = sorted(range(1, labels.max() + 1), key=lambda label: (-sizes[label], label))[:20]
    assert [row["cluster"] for row in rows] == sorted(largest)
    assert [row["size"] for row in rows] == [int(sizes[label]) for label in sorted(largest)]
    assert columns[1] == {"name": "cluster (20 largest of 109)", "id": "cluster"}
    for row in rows:
        assert _swatch_colour(row, styles) == [colour_map["labels"][str(row["cluster"])]], row


def test_the_profiles_table_styles_only_the_clusters_it_lists():
    """callbacks/agreement.py: 1,000 clusters, a table of the 200 largest: a swatch rule for
    each listed cluster in its colour, none for the 800 others."""
    from types import SimpleNamespace

    from callbacks.agreement import TABLE_CLUSTERS_MAX, profiles_table

    rng = np.random.default_rng(3)
    k = 1_000
    sizes = rng.permutation(np.arange(1, k + 1))
    profiles = SimpleNamespace(
        clusters=np.arange(1, k + 1), size=sizes, mean=rng.random((k, 1)), median=rng.random((k, 1))
    )
    colours = {str(c): PALETTE[c % len(PALETTE)] for c in range(1, k + 1)}
    rows, _, styles = profiles_table(profiles, ["x"], colours)
    assert len(rows) == TABLE_CLUSTERS_MAX < k
    listed = {row["cluster"] for row in rows}
    assert listed == set((np.argsort(-sizes)[:TABLE_CLUSTERS_MAX] + 1).tolist())
    assert len(styles) == len(rows)
    for rule in styles:
        label = int(re.fullmatch(r"\{cluster\} = (\d+)", rule["if"]["filter_query"]).group(1))
        assert label in listed and rule["color"] == colours[str(label)]
