"""How many requests, in how many rounds, a dataset or a method change costs (#11).

At a class of 100 a change of data waited mostly for its chain: Dash fires a
callback only when the answers it reads have arrived, and each round of
requests queues at the server again. These tests play the change on the
server as Dash's renderer fires it (callbacks/first_view.py ``play_change``:
the real callbacks, on the page's played first view) and count the requests
and their rounds.
"""

from __future__ import annotations

import pytest

from app import FIRST_VIEW
from callbacks import first_view
from components.layout import serve_layout
from tests.fixtures import tutorial_values as ref


def _name(key: str) -> str:
    [wiring] = [w for w in FIRST_VIEW.callbacks if w.key == key]
    return wiring.function.__name__


@pytest.fixture(scope="module")
def page():
    """A page's layout with its first view answered (the tutorial's data, Ward)."""
    layout = serve_layout()
    first_view.play_start(layout, FIRST_VIEW.callbacks)
    return layout


def played(layout, changes) -> list[tuple[str, int]]:
    return [(_name(k), r) for k, r in first_view.play_change(layout, FIRST_VIEW.callbacks, changes)]


def value(layout, name):
    identity, prop = name.split(".", 1)
    return getattr(first_view._index(layout)[identity], prop, None)


class TestADatasetChange:
    @pytest.fixture(scope="class")
    def x2(self, page):
        return played(page, {"dataset.value": "tutorial-5-blobs"}), page

    def test_the_tree_comes_with_its_cut_and_whole(self, x2):
        requests, layout = x2
        rounds = dict(requests)
        # the cut, and the focus of the old tree cleared, come in the tree's own answer:
        # no request answers only that, one round after the tree
        assert "cut_for_tree" not in rounds and "focus_for_tree" not in rounds
        cut, clustering = value(layout, "cut.data"), value(layout, "clustering.data")
        assert clustering["n"] == ref.X2_SHAPE[0] and cut["clustering"] == clustering
        # the views are drawn the round after the tree, with the panels that read the tree
        assert rounds["update_views"] == rounds["request_clustering"] + 1
        assert rounds["update_views"] == rounds["update_linkage_diagnostics"]

    def test_each_view_is_asked_for_once(self, x2):
        requests, _ = x2
        names = [name for name, _ in requests]
        assert len(names) == len(set(names)), sorted(names)

    def test_what_the_browser_answers_asks_nothing(self, x2):
        requests, _ = x2
        names = {name for name, _ in requests}
        # the source's options and the sample button (assets/answered_here.js)
        assert not names & {"show_source_options", "show_sample_offer"}

    def test_the_data_comes_with_its_columns(self, x2):
        requests, layout = x2
        # one request loads the data and answers its column menus: the first of the chain
        assert requests[0] == ("load_choice", 1)
        assert "column_choices" not in dict(requests)
        assert value(layout, "data-version.data")["n"] == ref.X2_SHAPE[0]
        # and the optimal ordering's checkbox for its size
        assert "describe_optimal_order" not in dict(requests)
        assert value(layout, "optimal-order.options")[0]["value"] == "on"

    def test_no_request_answers_nothing_to_a_moved_step(self, x2):
        requests, _ = x2
        # the new tree moves the merge step: the exercise's prompt is the browser's
        # (verdictForStep), so predict is not asked without the exercise
        assert "navigate" in dict(requests) and "predict" not in dict(requests)

    def test_requests_and_rounds(self, x2):
        requests, _ = x2
        # 31 requests in 6 rounds in a recorded X2 before (session 10), of which this play
        # (without the browser's own events) counted 27 in 6
        assert len(requests) <= 20
        assert max(r for _, r in requests) <= 4


class TestAMethodChange:
    def test_requests_and_rounds(self, page):
        requests = played(page, {"method.value": "average"})
        names = [name for name, _ in requests]
        assert len(names) == len(set(names)) and "cut_for_tree" not in names
        # the metric menu follows the method in the browser: the tree is the first request
        assert requests[0] == ("request_clustering", 1) and "restrict_metrics" not in names
        # 25 requests in 5 rounds in a recorded method change before (session 10), of which
        # this play counted 23 in 5
        assert len(requests) <= 18
        assert max(r for _, r in requests) <= 3
        assert value(page, "cut.data")["clustering"]["method"] == "average"
