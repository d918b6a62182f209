"""Arrow keys on the dendrogram: a running total of presses, applied by difference."""

import pytest
from dash.exceptions import PreventUpdate

from tests.helpers import move_cut


def press(session, total, cut):
    """The keyboard handler's report after some presses: only the running total."""
    return move_cut(dict(session, cut=cut), "cut-nudge.data", nudge={"total": total})


class TestArrowKeys:
    def test_each_press_crosses_one_merge(self, session):
        start = session["cut"]  # the page's first cut
        down = press(session, -1, start)
        assert down["n_clusters"] == start["k"] + 1 and down["cut"]["nudged"] == -1
        up = press(session, 0, down["cut"])
        assert up["n_clusters"] == start["k"]

    def test_two_quick_presses_computed_from_the_same_cut_are_both_applied(self, session):
        """The second press overtakes the first: it still moves two steps from the last applied cut."""
        start = session["cut"]  # the page's first cut
        both = press(session, -2, start)
        assert both["n_clusters"] == start["k"] + 2

    def test_a_total_already_applied_changes_nothing(self, session):
        start = session["cut"]  # the page's first cut
        down = press(session, -1, start)["cut"]
        with pytest.raises(PreventUpdate):
            press(session, -1, down)

    @pytest.mark.parametrize("nudge", [None, {}, {"total": "1"}, {"total": True}])
    def test_malformed_reports_are_ignored(self, session, nudge):
        start = session["cut"]  # the page's first cut
        with pytest.raises(PreventUpdate):
            move_cut(dict(session, cut=start), "cut-nudge.data", nudge=nudge)
