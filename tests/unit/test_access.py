"""Controls that do not apply say so, and a live summary of the cut (issue #16):
callbacks/access.py as plain functions."""

import numpy as np
import pytest
from dash.exceptions import PreventUpdate
from scipy.cluster.hierarchy import fcluster, linkage

from callbacks.access import (
    CUT_HEIGHT_HELP,
    SUMMARY_SIZES,
    clustering_summary,
    cut_height_field,
    summary_text,
)
from hclust.cut import CRITERION_DESCRIPTIONS, HORIZONTAL_CRITERIA
from hclust.data import tutorial_blobs
from tests.helpers import move_cut


class TestCutHeightField:
    @pytest.mark.parametrize("criterion", sorted(HORIZONTAL_CRITERIA))
    def test_a_height_criterion_leaves_the_field_on(self, criterion):
        assert cut_height_field(criterion) == (False, CUT_HEIGHT_HELP)

    @pytest.mark.parametrize(
        "criterion", sorted(set(CRITERION_DESCRIPTIONS) - set(HORIZONTAL_CRITERIA))
    )
    def test_another_criterion_disables_it_and_says_why(self, criterion):
        disabled, help_text = cut_height_field(criterion)
        assert disabled is True
        assert criterion in help_text and "no single height" in help_text


class TestClusteringSummary:
    @pytest.mark.parametrize("k", [2, 4, 20])
    def test_names_k_the_height_and_every_size_as_scipy_cuts_it(self, session, k):
        cut = move_cut(session, "n-clusters.value", typed_k=k)["cut"]
        text = clustering_summary(cut, session["id"])
        X, _ = tutorial_blobs()
        sizes = sorted(np.bincount(fcluster(linkage(X, "ward"), k, "maxclust"))[1:], reverse=True)
        assert text.startswith(f"{k} clusters, cut at height {cut['height']:.5g}. ")
        listed = text.split("largest first: ")[1].rstrip(".").split(" and ")[0]
        assert [int(s) for s in listed.split(", ")] == sizes[:SUMMARY_SIZES]
        if k > SUMMARY_SIZES:
            assert text.endswith(f" and {k - SUMMARY_SIZES} more.")

    def test_a_criterion_without_a_height_names_itself_and_t(self):
        text = summary_text(np.array([1, 1, 2, 3, 3, 3]), {"criterion": "inconsistent", "t": 0.8})
        assert text == (
            "3 clusters, by the inconsistent criterion with threshold t = 0.8. "
            "Sizes, largest first: 3, 2, 1."
        )

    def test_no_cut_yet_changes_nothing(self, session):
        with pytest.raises(PreventUpdate):
            clustering_summary(None, session["id"])
